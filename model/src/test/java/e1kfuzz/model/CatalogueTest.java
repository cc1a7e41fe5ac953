package e1kfuzz.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The package documentation's tables stay a catalogue of the code: every signature is in it. */
class CatalogueTest {
  @Test
  void everySignatureSaysWhereItIsChecked() throws Exception {
    String doc = Files.readString(Path.of("src/main/java/e1kfuzz/model/package-info.java"));
    for (Signature s : Signature.values()) {
      assertTrue(
          doc.contains(s.id()), s.id() + " is missing from the table in model/package-info.java");
    }
  }

  @Test
  void everyAssertSignatureIsRecognisedInQemusMessage() {
    for (Signature s : Signature.values()) {
      if (s.isAbort()) {
        String message =
            "qemu-system-x86_64: ../hw/net/e1000e_core.c:1: "
                + functionOf(s)
                + ": Assertion `x' failed.";
        assertTrue(Signature.ofAssertionMessage(message).orElseThrow() == s, s.id());
      }
    }
  }

  private static String functionOf(Signature s) {
    return switch (s) {
      case COLLECT_DELAYED_CAUSES -> "e1000e_intmgr_collect_delayed_causes";
      case ITR_TIMER_UNDER_MSIX -> "e1000e_intrmgr_on_throttling_timer";
      case EITR_TIMER_WITHOUT_MSIX -> "e1000e_intrmgr_on_msix_throttling_timer";
      default -> throw new AssertionError("a new assert signature: add its QEMU function here");
    };
  }
}
