package e1kfuzz.junit;

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
    return Property.on(Variant.QEMU_10_2).seed(1).traces(10_000)
        .never(s -> s.id().startsWith("assert:"), "any assert: signature");
  }

  @TestFactory
  Stream<DynamicTest> v720ReachesTheSeedRaceQuickly() {
    return Property.on(Variant.QEMU_7_2_0).seed(1).traces(2_000).reaches(Signature.COLLECT_DELAYED_CAUSES);
  }

  @TestFactory
  Stream<DynamicTest> theModeSwitchFixNeverReachesAnyDefaultSignature() {
    return Property.on(Variant.FIX_MODE_SWITCH).seed(2).traces(10_000)
        .never(s -> !s.strict(), "any non-strict signature");
  }

  @TestFactory
  Stream<DynamicTest> stableBackportStillReachesBothThrottlingAsserts() {
    return Stream.concat(
        Property.on(Variant.QEMU_7_2_20).seed(1).traces(5_000).reaches(Signature.ITR_TIMER_UNDER_MSIX),
        Property.on(Variant.QEMU_7_2_20).seed(1).traces(5_000).reaches(Signature.EITR_TIMER_WITHOUT_MSIX));
  }

  /** A failing property fails with the shrunk trace and the commands that reproduce it. */
  @Test
  void aBrokenPropertyReportsTheShrunkTraceAndReplayCommand() throws Throwable {
    List<DynamicTest> tests = Property.on(Variant.QEMU_7_2_0).seed(1).traces(1_000)
        .never(s -> s == Signature.COLLECT_DELAYED_CAUSES, "the seed race").toList();
    AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> tests.get(0).getExecutable().execute());
    String m = e.getMessage();
    assertTrue(m.contains("qemu-7.2.0 reached assert:collect-delayed-causes in trace"), m);
    assertTrue(m.contains("shrunk "), m);
    assertTrue(m.contains("msix on\n"), m);
    assertTrue(m.contains("./e1kfuzz replay x.trace --variant qemu-7.2.0"), m);
    assertTrue(m.contains("./e1kfuzz fuzz --seed 1 --variant qemu-7.2.0"), m);
  }

  @Test
  void anUnreachedTargetFails() {
    List<DynamicTest> tests = Property.on(Variant.FIX_MODE_SWITCH).seed(1).traces(50)
        .reaches(Signature.COLLECT_DELAYED_CAUSES).toList();
    assertThrows(AssertionFailedError.class, () -> tests.get(0).getExecutable().execute());
  }
}
