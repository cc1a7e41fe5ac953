package e1kfuzz.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import e1kfuzz.corpus.TraceFiles;
import e1kfuzz.model.Cause;
import e1kfuzz.model.Step;
import e1kfuzz.model.TraceParser;
import e1kfuzz.model.Variant;
import e1kfuzz.observe.ModelObserver;
import e1kfuzz.observe.Observation;
import e1kfuzz.observe.ObservedRun;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The model-free spurious-message check, on hand-made observations (what it concludes from which
 * facts) and on the model's observations of the echo trace (the same facts a real QEMU gives:
 * {@code ExactQemuTest} holds the two equal on the exact builds).
 */
class RealChecksTest {
  private static List<Step> steps(String text) throws Exception {
    return TraceParser.parse("t", text).steps();
  }

  private static Observation obs(int step, int ims, int msix, int ivar) {
    return new Observation(step, 0, ims, 0, false, msix, false, 0, ivar);
  }

  private static ObservedRun run(Observation... obs) {
    return new ObservedRun(List.of(obs), new ObservedRun.Completed(), List.of());
  }

  @Test
  void aMessageDuringAWaitWithNothingOfItsVectorUnmaskedIsSpurious() throws Exception {
    List<Step> s = steps("write IVAR 0x00000a00\nwait 1ms\n");
    String why = RealChecks.spuriousMessage(s, run(obs(1, 0, 0, 0xa00), obs(2, 0, 1 << 2, 0xa00)));
    assertNotNull(why);
    assertTrue(why.contains("vector 2 during step 2 (wait 1ms)"), why);
  }

  @Test
  void aPendingBitThatAppearsDuringAWaitCountsButOneAlreadySetDoesNot() throws Exception {
    List<Step> s = steps("write IVAR 0x00000a00\nwait 1ms\nwait 1ms\n");
    Observation before = new Observation(1, 0, 0, 0, false, 0, false, 0, 0xa00);
    Observation appears = new Observation(2, 0, 0, 1 << 2, false, 0, false, 0, 0xa00);
    Observation stays = new Observation(3, 0, 0, 1 << 2, false, 0, false, 0, 0xa00);
    String why = RealChecks.spuriousMessage(s, run(before, appears, stays));
    assertNotNull(why);
    assertTrue(why.contains("a new pending bit on vector 2 during step 2"), why);
    assertNull(RealChecks.spuriousMessage(s.subList(0, 1), run(before)));
    assertNull(
        RealChecks.spuriousMessage(
            s, run(new Observation(1, 0, 0, 1 << 2, false, 0, false, 0, 0xa00), stays, stays)));
  }

  @Test
  void aMessageWhoseCauseIsUnmaskedOrThatAGuestStepBroughtIsNot() throws Exception {
    List<Step> s = steps("write IVAR 0x00000a00\nwait 1ms\nwrite ICS 0x00400000\n");
    // TXQ0 (vector 2) unmasked when the wait began: a timer may have raised it.
    assertNull(
        RealChecks.spuriousMessage(
            s, run(obs(1, Cause.TXQ0, 0, 0xa00), obs(2, Cause.TXQ0, 1 << 2, 0xa00))));
    // The message came with a guest step, not with time passing.
    assertNull(
        RealChecks.spuriousMessage(
            s, run(obs(1, 0, 0, 0xa00), obs(2, 0, 0, 0xa00), obs(3, 0, 1 << 2, 0xa00))));
  }

  @Test
  void theEchoTraceShowsItFromObservationsAlone() throws Exception {
    List<Step> s = TraceFiles.read(Path.of("../corpus/delivery-eitr-echo.trace")).steps();
    assertNotNull(RealChecks.spuriousMessage(s, ModelObserver.run(Variant.QEMU_10_2, s)));
    assertNull(RealChecks.spuriousMessage(s, ModelObserver.run(Variant.QEMU_7_2_0, s)));
  }

  @Test
  void ivarFieldsMapCausesToVectors() {
    assertEquals(Cause.TXQ0 | Cause.TXQ1, Cause.onVector(0x0000bb00, 3));
    assertEquals(Cause.OTHER, Cause.onVector(0x000c0000, 4));
    assertEquals(0, Cause.onVector(0x00000300, 3), "an entry without its valid bit");
  }
}
