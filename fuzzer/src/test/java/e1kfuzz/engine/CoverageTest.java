package e1kfuzz.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import e1kfuzz.model.E1000eCore;
import e1kfuzz.model.Step;
import e1kfuzz.model.TraceParser;
import e1kfuzz.model.Variant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CoverageTest {
  private static E1000eCore after(Variant v, String steps) throws Exception {
    E1000eCore d = v.newCore();
    for (Step s : TraceParser.parse("<t>", steps).steps()) {
      d.step(s);
    }
    return d;
  }

  @Test
  void abstractStatesAreModeTimersParkedAndPending() throws Exception {
    assertEquals(
        "INTx, timers none, nothing parked, no unmasked cause pending",
        Coverage.describeState(Coverage.abstractState(Variant.QEMU_10_2.newCore())));
    // An interrupt arms ITR and leaves TXDW pending and unmasked.
    assertEquals(
        "INTx, timers itr, nothing parked, unmasked cause pending",
        Coverage.describeState(
            Coverage.abstractState(after(Variant.QEMU_10_2, "write IMS 0x1\nwrite ICS 0x1"))));
    // The seed race's state just before the abort: TXDW parked behind TIDV, then MSI-X on.
    assertEquals(
        "MSI-X, timers tx-delay, parked tx causes, no unmasked cause pending",
        Coverage.describeState(
            Coverage.abstractState(
                after(Variant.QEMU_10_2, "write TIDV 0x10\nwrite TCTL 0x2\ntx ide\nmsix on"))));
    Set<String> all = new HashSet<>();
    for (int s = 0; s < Coverage.STATES; s++) {
      all.add(Coverage.describeState(s));
    }
    assertEquals(Coverage.STATES, all.size());
  }

  @Test
  void addingReportsOnlyWhatIsNew() {
    Coverage c = new Coverage();
    int p = Coverage.point(5, StepKind.MSIX);
    int t = Coverage.transition(1, StepKind.MSIX, 5);
    assertTrue(c.wouldGrow(new int[] {p, t}, 2, 0));
    assertTrue(c.add(new int[] {p, t}, 2, 0));
    assertEquals(1, c.points());
    assertEquals(1, c.transitions());
    assertTrue(!c.wouldGrow(new int[] {t, p}, 2, 0));
    assertTrue(!c.add(new int[] {p}, 1, 0));
    assertTrue(c.add(new int[] {p}, 1, 1L << 3));
    assertEquals(1, c.marksReached());
    assertEquals(Coverage.POINTS - 1, c.pointsNotReached().size());
    assertEquals(Coverage.STATES - 1, c.statesNotReached().size());
  }

  private static CampaignOptions guided(long seed, long runs, int jobs) {
    return new CampaignOptions(
        List.of(Variant.values()),
        seed,
        runs,
        null,
        jobs,
        GeneratorOptions.defaults(),
        false,
        0,
        1,
        Guidance.COVERAGE);
  }

  @Test
  void guidedCampaignsAreTheSameWhateverJobsIs() throws Exception {
    Campaign.Result one = new Campaign(guided(77, 3 * Campaign.EPOCH, 1)).run(null);
    Campaign.Result two = new Campaign(guided(77, 3 * Campaign.EPOCH, 2)).run(null);
    assertEquals(one.coverage(), two.coverage());
    assertEquals(one.kept(), two.kept());
    assertEquals(
        one.findings().stream()
            .map(f -> f.variant() + " " + f.signature() + " " + f.run())
            .toList(),
        two.findings().stream()
            .map(f -> f.variant() + " " + f.signature() + " " + f.run())
            .toList());
    assertTrue(one.kept() > 0);
  }

  @Test
  void everyKeptTraceRaisedCoverageWhenItWasKept() throws Exception {
    Campaign c = new Campaign(guided(5, 2 * Campaign.EPOCH, 2));
    Campaign.Result r = c.run(null);
    Campaign.Snapshot s = c.snapshot();
    assertEquals(r.kept(), s.kept().size());
    Coverage replayed = new Coverage();
    for (List<Step> trace : s.kept()) {
      E1000eCore d = CampaignOptions.SHADOW.newCore();
      Coverage.Recorder recorder = new Coverage.Recorder(trace.size());
      recorder.start(d);
      for (Step step : trace) {
        recorder.step(d, step);
      }
      int[] idx = recorder.indices();
      assertTrue(
          replayed.add(idx, idx.length, Coverage.marksOf(d)),
          "kept without new coverage: " + trace);
    }
    assertEquals(r.coverage().points(), replayed.points());
  }

  @Test
  void guidanceReachesMoreThanFreshTracesAlone() throws Exception {
    // A fixed seed and budget: a regression check that mutation pays off, not a statistical claim
    // (the README's benchmark gives time-to-finding figures over 20 seeds).
    long runs = 12L * Campaign.EPOCH;
    Campaign.Result guidedRun = new Campaign(guided(9, runs, 2)).run(null);
    Campaign.Result fresh = new Campaign(guided(9, runs, 2).withGuidance(Guidance.NONE)).run(null);
    assertTrue(
        guidedRun.coverage().points() > fresh.coverage().points(),
        guidedRun.coverage().points() + " vs " + fresh.coverage().points());
    assertNotEquals(guidedRun.coverage(), fresh.coverage());
  }

  @Test
  void mutationsStayWithinTheStepLimitAndAreDeterministic() {
    TraceGenerator g =
        new TraceGenerator(new GeneratorOptions(10, GeneratorOptions.defaultWeights()));
    Mutator m = new Mutator(g, Variant.QEMU_10_2);
    List<Step> parent = g.generate(new Rng.SplitMix(1), Variant.QEMU_10_2.newCore(), false);
    Set<List<Step>> distinct = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      List<Step> a = m.mutate(new Rng.SplitMix(i), parent);
      assertEquals(a, m.mutate(new Rng.SplitMix(i), parent));
      assertTrue(a.size() <= 10);
      distinct.add(a);
    }
    assertTrue(distinct.size() > 150, "mutations should differ: " + distinct.size());
  }
}
