package e1kfuzz.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import e1kfuzz.model.E1000eCore;
import e1kfuzz.model.Outcome;
import e1kfuzz.model.Runner;
import e1kfuzz.model.Signature;
import e1kfuzz.model.Step;
import e1kfuzz.model.TimerId;
import e1kfuzz.model.TraceParser;
import e1kfuzz.model.TraceSyntaxException;
import e1kfuzz.model.Variant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExplorerTest {
  private static Explorer.Result explore(
      Variant v, int depth, boolean strict, Alphabet a, int jobs) {
    return Explorer.explore(
        new Explorer.Options(v, depth, strict, a, jobs, 50_000_000), null, () -> false);
  }

  @Test
  void findsTheSeedRaceAtItsMinimalDepthAndNotBefore() {
    Explorer.Result three = explore(Variant.QEMU_7_2_0, 3, false, Alphabet.defaultAlphabet(), 2);
    assertFalse(
        three.shortest().containsKey(Signature.COLLECT_DELAYED_CAUSES),
        three.shortest().toString());
    assertEquals(3, three.completeDepth());

    Explorer.Result four = explore(Variant.QEMU_7_2_0, 4, false, Alphabet.defaultAlphabet(), 2);
    Explorer.Counterexample c = four.shortest().get(Signature.COLLECT_DELAYED_CAUSES);
    assertEquals(4, c.steps().size(), c.steps().toString());
    Outcome o = Runner.run(Variant.QEMU_7_2_0, c.steps(), false);
    assertEquals(Signature.COLLECT_DELAYED_CAUSES.id(), o.result());
    assertEquals(4, four.completeDepth());
    assertNull(four.stopReason());
    // Every counterexample replays to its signature, at its last step.
    for (Explorer.Counterexample e : four.shortest().values()) {
      Outcome r = Runner.run(Variant.QEMU_7_2_0, e.steps(), false);
      assertTrue(
          r instanceof Outcome.Violated vi
              && vi.signature() == e.signature()
              && vi.step() == e.steps().size(),
          e + " gave " + r);
    }
  }

  @Test
  void fixModeSwitchHasNoNonStrictViolationUpToDepthFour() {
    Explorer.Result r = explore(Variant.FIX_MODE_SWITCH, 4, false, Alphabet.defaultAlphabet(), 2);
    assertEquals(4, r.completeDepth());
    assertEquals(List.of(), List.copyOf(r.shortest().keySet()));
    // ... while the merged fix, over the same alphabet and depth, still reaches intx-under-msix.
    Explorer.Result merged = explore(Variant.QEMU_10_2, 4, false, Alphabet.defaultAlphabet(), 2);
    assertTrue(
        merged.shortest().containsKey(Signature.INTX_UNDER_MSIX),
        merged.shortest().keySet().toString());
  }

  @Test
  void resultDoesNotDependOnJobs() {
    Explorer.Result one = explore(Variant.QEMU_8_1, 3, true, Alphabet.defaultAlphabet(), 1);
    Explorer.Result two = explore(Variant.QEMU_8_1, 3, true, Alphabet.defaultAlphabet(), 2);
    assertEquals(one.states(), two.states());
    assertEquals(one.transitions(), two.transitions());
    assertEquals(one.shortest(), two.shortest());
    assertEquals(
        one.levels().stream().map(Explorer.Level::newStates).toList(),
        two.levels().stream().map(Explorer.Level::newStates).toList());
  }

  @Test
  void resultDoesNotDependOnJobsAcrossManyRoundsOfChunks() {
    // Depth 5: tens of thousands of states to expand, many rounds of chunks for 1 or 3 jobs.
    Explorer.Result one = explore(Variant.QEMU_7_2_0, 5, false, Alphabet.defaultAlphabet(), 1);
    Explorer.Result three = explore(Variant.QEMU_7_2_0, 5, false, Alphabet.defaultAlphabet(), 3);
    assertEquals(
        one.levels().stream().map(Explorer.Level::newStates).toList(),
        three.levels().stream().map(Explorer.Level::newStates).toList());
    assertEquals(one.transitions(), three.transitions());
    assertEquals(one.shortest(), three.shortest());
    assertEquals(one.collisionProbability(), three.collisionProbability());
  }

  @Test
  void refusesMoreStatesThanTheLargestTableHolds() {
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () ->
                new Explorer.Options(
                    Variant.QEMU_10_2,
                    10,
                    false,
                    Alphabet.defaultAlphabet(),
                    1,
                    Explorer.MAX_STATES + 1));
    assertTrue(
        e.getMessage().contains("maxStates must be between 1 and 800000000"), e.getMessage());
  }

  @Test
  void tracesReachingTheSameStateAreMerged() throws TraceSyntaxException {
    // Writing the same IMS bit again changes nothing: two states in all, and depth 2 adds none.
    Alphabet a = Alphabet.parse("<test>", "write IMS 0x1\nread IMS\n");
    Explorer.Result r = explore(Variant.QEMU_10_2, 5, false, a, 1);
    assertEquals(2, r.states());
    assertEquals(5, r.completeDepth());
    assertEquals(List.of(1L, 0L), r.levels().stream().map(Explorer.Level::newStates).toList());
  }

  @Test
  void deadlineWaitsLandBeforeAtAndAfterEachRunningTimer() throws Exception {
    Alphabet a =
        Alphabet.parse(
            "<test>", "read ICR\nwait before-deadline\nwait at-deadline\nwait after-deadline\n");
    E1000eCore d = Variant.QEMU_10_2.newCore();
    int[] codes = new int[a.maxExpansion()];
    assertEquals(List.of("read ICR"), steps(a, d, codes)); // no timer runs: no deadline wait
    // An interrupt arms ITR (128 us); TIDV 0x10 with tx ide arms TIDV 16.384 us later.
    for (Step s :
        TraceParser.parse(
                "<t>",
                "write IMS 0x1\nwrite ICS 0x1\nwait 1us\nwrite TIDV 0x10\nwrite TCTL 0x2\ntx ide")
            .steps()) {
      d.step(s);
    }
    assertEquals(TimerId.bit(TimerId.ITR) | TimerId.bit(TimerId.TIDV), d.runningTimers());
    long itr = d.timerDeadline(TimerId.ITR) - d.now();
    long tidv = d.timerDeadline(TimerId.TIDV) - d.now();
    assertEquals(
        List.of("read ICR", w(tidv - 1), w(itr - 1), w(tidv), w(itr), w(tidv + 1), w(itr + 1)),
        steps(a, d, codes));
  }

  private static String w(long ns) {
    return new Step.Wait(ns).format();
  }

  private static List<String> steps(Alphabet a, E1000eCore d, int[] codes) {
    int n = a.expand(d, codes);
    List<String> out = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(a.resolve(codes[i], d).format());
    }
    return out;
  }

  @Test
  void stopsAtTheStateLimitAndSaysHowFarItGot() {
    Explorer.Result r =
        Explorer.explore(
            new Explorer.Options(Variant.QEMU_10_2, 6, false, Alphabet.defaultAlphabet(), 2, 5_000),
            null,
            () -> false);
    assertTrue(r.stopReason().startsWith("state limit of 5000"), r.stopReason());
    assertTrue(r.completeDepth() < 6);
  }
}
