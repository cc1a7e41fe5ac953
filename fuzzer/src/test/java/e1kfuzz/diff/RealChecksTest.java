package e1kfuzz.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import e1kfuzz.corpus.TraceFiles;
import e1kfuzz.model.Cause;
import e1kfuzz.model.Signature;
import e1kfuzz.model.Step;
import e1kfuzz.model.Trace;
import e1kfuzz.model.TraceParser;
import e1kfuzz.model.Variant;
import e1kfuzz.observe.ModelObserver;
import e1kfuzz.observe.Observation;
import e1kfuzz.observe.ObservedRun;
import e1kfuzz.observe.Signal;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The model-free delivery checks, on hand-made observations (what they conclude from which facts,
 * and where they say nothing) and on the model's observations of the corpus (the same facts a real
 * QEMU gives: {@code ExactQemuTest} holds the observations and the checks' findings equal on the
 * exact builds).
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
    String why =
        RealChecks.spuriousMessage(s, run(obs(1, 0, 0, 0xa00), obs(2, 0, 1 << 2, 0xa00))).detail();
    assertNotNull(why);
    assertTrue(why.contains("vector 2 during step 2 (wait 1ms)"), why);
  }

  @Test
  void aPendingBitThatAppearsDuringAWaitCountsButOneAlreadySetDoesNot() throws Exception {
    List<Step> s = steps("write IVAR 0x00000a00\nwait 1ms\nwait 1ms\n");
    Observation before = new Observation(1, 0, 0, 0, false, 0, false, 0, 0xa00);
    Observation appears = new Observation(2, 0, 0, 1 << 2, false, 0, false, 0, 0xa00);
    Observation stays = new Observation(3, 0, 0, 1 << 2, false, 0, false, 0, 0xa00);
    String why = RealChecks.spuriousMessage(s, run(before, appears, stays)).detail();
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

  private static Signal msix(int step, int vector, long earliest, long latest, long interval) {
    return new Signal(step, Signal.Kind.MSIX, vector, earliest, latest, interval);
  }

  private static ObservedRun timed(List<Observation> obs, List<Signal> signals, Observation end) {
    return new ObservedRun(obs, new ObservedRun.Completed(), List.of(), signals, end);
  }

  @Test
  void twoMessagesCloserThanTheIntervalTheFirstLoadedAreUnthrottled() throws Exception {
    List<Step> s = steps("write ICS 0x00400000\nwait 200us\nwrite ICS 0x00400000\n");
    List<Observation> o = List.of(obs(1, 0, 4, 0xa00), obs(2, 0, 4, 0xa00), obs(3, 0, 4, 0xa00));
    RealChecks.Finding f =
        RealChecks.unthrottled(
            s,
            timed(
                o,
                List.of(
                    msix(1, 2, 0, 0, 131072),
                    msix(2, 2, 131072, 131072, 131072),
                    msix(3, 2, 200000, 200000, 131072)),
                null));
    assertEquals(Signature.UNTHROTTLED_INTERRUPT, f.signature());
    assertEquals(3, f.step());
    assertTrue(f.detail().contains("at most 68928 ns after"), f.detail());
    // A window too wide to prove it: the expiry message came somewhere in (0, 131072].
    assertNull(
        RealChecks.unthrottled(
            s,
            timed(
                o,
                List.of(
                    msix(1, 2, 0, 0, 131072),
                    msix(2, 2, 1, 131072, 131072),
                    msix(3, 2, 200000, 200000, 131072)),
                null)));
    // Another vector is another counter; a mode switch between restarts the counters.
    assertNull(
        RealChecks.unthrottled(
            s, timed(o, List.of(msix(1, 2, 0, 0, 131072), msix(1, 3, 0, 0, 131072)), null)));
    List<Step> switched = steps("write ICS 0x00400000\nmsix off\nmsix on\nwrite ICS 0x1\n");
    assertNull(
        RealChecks.unthrottled(
            switched,
            timed(List.of(), List.of(msix(1, 2, 0, 0, 131072), msix(4, 2, 0, 0, 131072)), null)));
    // Two messages at one instant under a 131072 ns counter: the second is unthrottled.
    assertNotNull(
        RealChecks.unthrottled(
            steps("msix on\nwrite ICS 0x00400000\nwrite ICS 0x00400000\n"),
            timed(List.of(), List.of(msix(2, 2, 0, 0, 131072), msix(3, 2, 0, 0, 131072)), null)));
  }

  @Test
  void aCauseTheGuestRaisedThatIsMaskedWithoutAMessageWasAutoClearedTooEarly() throws Exception {
    List<Step> s = steps("msix on\nwrite IMS 0x00400000\nwrite ICS 0x00400000\n");
    Observation unmasked = obs(2, Cause.TXQ0, 0, 0xa00);
    Observation masked = obs(3, 0, 0, 0xa00);
    RealChecks.Finding f =
        RealChecks.autoClearBeforeMessage(s, run(obs(1, 0, 0, 0xa00), unmasked, masked));
    assertEquals(Signature.AUTO_CLEAR_BEFORE_MESSAGE, f.signature());
    assertTrue(f.detail().contains("TXQ0, raised or unmasked by the guest at step 3"), f.detail());
    // With the message (or a pending bit) the auto-clear is the 82574's.
    assertNull(
        RealChecks.autoClearBeforeMessage(
            s, run(obs(1, 0, 0, 0xa00), unmasked, obs(3, 0, 1 << 2, 0xa00))));
    assertNull(
        RealChecks.autoClearBeforeMessage(
            s,
            run(
                obs(1, 0, 0, 0xa00),
                unmasked,
                new Observation(3, 0, 0, 1 << 2, false, 0, false, 0, 0xa00))));
    // Not under MSI-X, or a cause that IMS did not let through: nothing to judge.
    assertNull(
        RealChecks.autoClearBeforeMessage(
            steps("write IMS 0x00400000\nwrite IMS 0x00400000\nwrite ICS 0x00400000\n"),
            run(obs(1, 0, 0, 0xa00), unmasked, masked)));
    assertNull(
        RealChecks.autoClearBeforeMessage(
            steps("msix on\nwrite EIAC 0x00400000\nwrite ICS 0x00400000\n"),
            run(obs(1, 0, 0, 0xa00), obs(2, 0, 0, 0xa00), masked)));
    // An IMS write unmasks: masked again at once, without a message, is the same loss.
    RealChecks.Finding unmaskedAgain =
        RealChecks.autoClearBeforeMessage(
            steps("msix on\nwrite EIAC 0x00400000\nwrite IMS 0x00400000\n"),
            run(obs(1, 0, 0, 0xa00), obs(2, 0, 0, 0xa00), masked));
    assertEquals(3, unmaskedAgain.step());
  }

  private static Observation state(int step, int ics, int ims, boolean msi) {
    return new Observation(step, ics, ims, 0, false, 0, msi, 0, 0);
  }

  @Test
  void aCausePendingOnceSettledWithNoSignalSinceItBecamePendingIsLost() throws Exception {
    List<Step> s = steps("msi on\nwrite IMS 0x200\nwrite ICS 0x200\n");
    List<Observation> quiet =
        List.of(state(1, 0, 0, false), state(2, 0, 0x200, false), state(3, 0x200, 0x200, false));
    RealChecks.Finding f =
        RealChecks.lostInterrupt(s, timed(quiet, List.of(), state(4, 0x200, 0x200, false)));
    assertEquals(Signature.LOST_INTERRUPT, f.signature());
    assertEquals(4, f.step());
    assertTrue(f.detail().contains("MDAC pending and unmasked since step 3"), f.detail());
    assertTrue(f.detail().contains("no MSI message"), f.detail());
    // An MSI when it became pending, or while the guest idled, is its signal.
    List<Observation> sent =
        List.of(state(1, 0, 0, false), state(2, 0, 0x200, false), state(3, 0x200, 0x200, true));
    assertNull(RealChecks.lostInterrupt(s, timed(sent, List.of(), state(4, 0x200, 0x200, false))));
    assertNull(RealChecks.lostInterrupt(s, timed(quiet, List.of(), state(4, 0x200, 0x200, true))));
    // Pending from before the mode switch: the old mode's to deliver, not judged.
    List<Step> switched = steps("write IMS 0x200\nwrite ICS 0x200\nmsi on\n");
    List<Observation> before =
        List.of(
            state(1, 0, 0x200, false),
            state(2, 0x200, 0x200, false),
            state(3, 0x200, 0x200, false));
    assertNull(
        RealChecks.lostInterrupt(
            switched, timed(before, List.of(), state(4, 0x200, 0x200, false))));
    // Under INTx the line high is the signal; without a settled observation there is no verdict.
    List<Step> intx = steps("write IMS 0x200\nwrite ICS 0x200\n");
    List<Observation> two = List.of(state(1, 0, 0x200, false), state(2, 0x200, 0x200, false));
    assertNotNull(
        RealChecks.lostInterrupt(intx, timed(two, List.of(), state(3, 0x200, 0x200, false))));
    assertNull(
        RealChecks.lostInterrupt(
            intx,
            timed(two, List.of(), new Observation(3, 0x200, 0x200, 0, true, 0, false, 0, 0))));
    assertNull(RealChecks.lostInterrupt(intx, timed(two, List.of(), null)));
  }

  /**
   * Traces whose finding no observation can show: the re-raised cause is OTHER with CTRL_EXT.IAME
   * set (raised and auto-cleared within one step, IMS untouched), or the spurious notification is a
   * pending bit that is already set. Their observable twins are in the corpus beside them.
   */
  private static final java.util.Set<String> UNOBSERVABLE =
      java.util.Set.of(
          "delivery-eiac-postponed.trace",
          "delivery-spurious-pending-flag.trace",
          // The driver scenarios' sequences (kdump, hibernation, kexec) on 8.1+: their spurious
          // messages are EITR echoes on vectors whose causes IMS still unmasks, which no
          // observation tells from a real one; delivery-eitr-echo.trace is their observable twin.
          "assert-itr-timer-under-msix-0bcfda9bc210.trace",
          "assert-collect-delayed-causes-372241f4535e.trace",
          "assert-collect-delayed-causes-eebf4b9b8e1b.trace");

  @Test
  void onTheCorpusTheChecksFindWhatTheModelFindsAndNothingOnCleanTraces() throws Exception {
    List<String> wrong = new java.util.ArrayList<>();
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(Path.of("../corpus"))) {
      for (Path p : files.filter(f -> f.toString().endsWith(".trace")).sorted().toList()) {
        Trace t = TraceFiles.read(p);
        String name = p.getFileName().toString();
        for (Variant v : Variant.values()) {
          String expected = t.expectedResult(v).orElseThrow();
          List<String> found =
              RealChecks.check(t.steps(), ModelObserver.run(v, t.steps())).stream()
                  .map(f -> f.signature().id())
                  .toList();
          boolean right =
              expected.startsWith("delivery:") && !UNOBSERVABLE.contains(name)
                  ? found.contains(expected)
                  : expected.startsWith("delivery:") || expected.equals("ok")
                      ? found.isEmpty()
                      : true; // an abort or a state error ends the trace first
          if (!right) {
            wrong.add(
                name + " on " + v.id() + ": expects " + expected + ", the checks find " + found);
          }
        }
      }
    }
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
  }
}
