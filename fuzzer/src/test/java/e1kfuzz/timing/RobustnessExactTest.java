package e1kfuzz.timing;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import e1kfuzz.model.Step;
import e1kfuzz.model.TraceParser;
import e1kfuzz.model.Variant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The exact-time rule: a step that leaves a timer due at its own instant cannot be compared. */
class RobustnessExactTest {
  private static List<Step> steps(String text) throws Exception {
    return TraceParser.parse("t.trace", text).steps();
  }

  @Test
  void aZeroNanosecondTimerLeftByAStepIsFlaggedWhateverComesNext() throws Exception {
    // TIDV is 0 after reset: `tx ide` arms a 0-ns TIDV, which QEMU runs before the observation.
    for (String next : List.of("", "wait 1ms\n", "wait 0ns\n", "msix on\n")) {
      String why =
          Robustness.checkExact(Variant.QEMU_10_2, steps("write TCTL 0x2\ntx ide\n" + next));
      assertTrue(
          why != null && why.startsWith("tidv is due at the instant of step 2 (tx ide)"),
          next + ": " + why);
    }
  }

  @Test
  void aTimerDueLaterIsExact() throws Exception {
    assertNull(
        Robustness.checkExact(
            Variant.QEMU_10_2,
            steps("write TIDV 0x1\nwrite TCTL 0x2\ntx ide\nmsix on\nwait 1ms\n")));
  }
}
