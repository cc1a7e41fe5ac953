package e1kfuzz.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import e1kfuzz.model.Signature;
import e1kfuzz.model.Variant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.opentest4j.AssertionFailedError;

/** The project's own properties, stated with its JUnit 5 API. */
class PropertiesTest {

  @TestFactory
  Stream<DynamicTest> theMergedFixNeverAsserts() {
    return Property.on(Variant.QEMU_10_2)
        .seed(1)
        .traces(10_000)
        .never(s -> s.id().startsWith("assert:"), "any assert: signature");
  }

  @TestFactory
  Stream<DynamicTest> v720ReachesTheSeedRaceQuickly() {
    return Property.on(Variant.QEMU_7_2_0)
        .seed(1)
        .traces(2_000)
        .reaches(Signature.COLLECT_DELAYED_CAUSES);
  }

  @TestFactory
  Stream<DynamicTest> theModeSwitchFixNeverReachesAnyDefaultSignatureButTheDeliveryOnes() {
    return Property.on(Variant.FIX_MODE_SWITCH)
        .seed(2)
        .traces(10_000)
        .never(s -> !s.strict() && !s.deferred(), "any non-strict signature but the delivery ones");
  }

  /** The throttling fix on top of the mode-switch fix leaves no default signature at all. */
  @TestFactory
  Stream<DynamicTest> theThrottlingFixNeverReachesAnyDefaultSignature() {
    return Property.on(Variant.FIX_THROTTLE)
        .seed(2)
        .traces(10_000)
        .never(s -> !s.strict(), "any non-strict signature");
  }

  /** The mode-switch fix leaves 10.2's interrupt throttling as it is: the EITR echo is there. */
  @TestFactory
  Stream<DynamicTest> theModeSwitchFixStillEchoesEveryMsixMessage() {
    return Property.on(Variant.FIX_MODE_SWITCH)
        .seed(2)
        .traces(5_000)
        .reaches(Signature.SPURIOUS_INTERRUPT);
  }

  @TestFactory
  Stream<DynamicTest> stableBackportStillReachesBothThrottlingAsserts() {
    return Stream.concat(
        Property.on(Variant.QEMU_7_2_20)
            .seed(1)
            .traces(5_000)
            .reaches(Signature.ITR_TIMER_UNDER_MSIX),
        Property.on(Variant.QEMU_7_2_20)
            .seed(1)
            .traces(5_000)
            .reaches(Signature.EITR_TIMER_WITHOUT_MSIX));
  }

  /** A failing property fails with the shrunk trace and the commands that reproduce it. */
  @Test
  void aBrokenPropertyReportsTheShrunkTraceAndReplayCommand() throws Throwable {
    List<DynamicTest> tests =
        Property.on(Variant.QEMU_7_2_0)
            .seed(1)
            .traces(1_000)
            .never(s -> s == Signature.COLLECT_DELAYED_CAUSES, "the seed race")
            .toList();
    AssertionFailedError e =
        assertThrows(AssertionFailedError.class, () -> tests.get(0).getExecutable().execute());
    String m = e.getMessage();
    assertTrue(m.contains("qemu-7.2.0 reached assert:collect-delayed-causes in trace"), m);
    assertTrue(m.contains("shrunk "), m);
    assertTrue(m.contains("msix on\n"), m);
    assertTrue(m.contains("./e1kfuzz replay x.trace --variant qemu-7.2.0"), m);
    assertTrue(m.contains("./e1kfuzz fuzz --seed 1 --variant qemu-7.2.0"), m);
  }

  /**
   * The regenerate command, run as printed, reports the same first failing run as the property,
   * also past the first 4,096 runs (where a guided campaign would have mutated kept traces
   * instead).
   */
  @Test
  void theRegenerateCommandFindsTheSameRun(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Throwable {
    List<DynamicTest> tests =
        Property.on(Variant.QEMU_10_2)
            .seed(2)
            .traces(200_000)
            .never(s -> s == Signature.LEGACY_CAUSE_OVER_MSIX, "the RX ACK race")
            .toList();
    String m = null;
    for (DynamicTest t : tests) {
      try {
        t.getExecutable().execute();
      } catch (AssertionFailedError e) {
        m = e.getMessage();
        break;
      }
    }
    assertTrue(m != null, "seed 2 reaches the RX ACK race within 200,000 traces");
    java.util.regex.Matcher run = java.util.regex.Pattern.compile("\\(run (\\d+)\\)").matcher(m);
    assertTrue(run.find(), m);
    long n = Long.parseLong(run.group(1));
    assertTrue(n >= 4096, "the first failing run is past the first epoch: " + n);
    String cmd =
        m.substring(
                m.indexOf("regenerate: ./e1kfuzz ") + "regenerate: ./e1kfuzz ".length(),
                run.start())
            .strip();
    List<String> args = new java.util.ArrayList<>(List.of(cmd.split(" ")));
    args.addAll(List.of("--out", dir.toString()));
    java.io.StringWriter out = new java.io.StringWriter();
    e1kfuzz.cli.Main.run(
        args.toArray(String[]::new),
        new java.io.PrintWriter(out),
        new java.io.PrintWriter(new java.io.StringWriter()));
    List<java.nio.file.Path> files;
    try (var st = java.nio.file.Files.list(dir)) {
      files =
          st.filter(p -> p.getFileName().toString().startsWith("legacy-cause-over-msix-")).toList();
    }
    assertEquals(1, files.size(), out.toString());
    String text = java.nio.file.Files.readString(files.get(0));
    assertTrue(
        text.contains("seed 2, run " + n + ","), "the command reports run " + n + ":\n" + text);
  }
}
