package e1kfuzz.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import e1kfuzz.model.E1000eCore;
import e1kfuzz.model.Step;
import e1kfuzz.model.TimerId;
import e1kfuzz.model.TraceParser;
import e1kfuzz.model.Variant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TraceGeneratorTest {
  final TraceGenerator gen = new TraceGenerator(GeneratorOptions.defaults());

  @Test
  void theSameSeedGivesTheSameTraceAndAnotherSeedAnother() {
    List<Step> a = gen.generate(new Rng.SplitMix(7), Variant.QEMU_10_2.newCore(), false);
    List<Step> b = gen.generate(new Rng.SplitMix(7), Variant.QEMU_10_2.newCore(), false);
    List<Step> c = gen.generate(new Rng.SplitMix(8), Variant.QEMU_10_2.newCore(), false);
    assertEquals(a, b);
    assertNotEquals(a, c);
    assertEquals(GeneratorOptions.DEFAULT_MAX_STEPS, a.size());
  }

  @Test
  void runSeedsAreAPureFunctionOfCampaignSeedAndRun() {
    assertEquals(Rng.SplitMix.runSeed(1, 5), Rng.SplitMix.runSeed(1, 5));
    assertNotEquals(Rng.SplitMix.runSeed(1, 5), Rng.SplitMix.runSeed(1, 6));
    assertNotEquals(Rng.SplitMix.runSeed(1, 5), Rng.SplitMix.runSeed(2, 5));
  }

  @Test
  void everyStepKindIsGeneratedOverManyTraces() {
    // busmaster has weight 0 by default (driver scenarios use it): give it one here.
    TraceGenerator all =
        new TraceGenerator(new GeneratorOptions(40, GeneratorOptions.parseWeights("busmaster=2")));
    Set<Class<?>> seen = new java.util.HashSet<>();
    for (int s = 0; s < 300; s++) {
      for (Step step : all.generate(new Rng.SplitMix(s), Variant.QEMU_10_2.newCore(), false)) {
        seen.add(step.getClass());
      }
    }
    assertEquals(Set.of(Step.class.getPermittedSubclasses()), seen);
  }

  @Test
  void aZeroWeightDisablesAKind() {
    int[] w = GeneratorOptions.parseWeights("wait=0,expire=0");
    TraceGenerator noTime = new TraceGenerator(new GeneratorOptions(40, w));
    for (int s = 0; s < 100; s++) {
      for (Step step : noTime.generate(new Rng.SplitMix(s), Variant.QEMU_10_2.newCore(), false)) {
        assertTrue(!(step instanceof Step.Wait) && !(step instanceof Step.Expire), step.format());
      }
    }
  }

  @Test
  void badWeightsAreRejectedWithTheOffendingItem() {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> GeneratorOptions.parseWeights("wiat=3"))
            .getMessage()
            .contains("unknown step kind 'wiat'"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> GeneratorOptions.parseWeights("wait=x"))
            .getMessage()
            .contains("bad weight value 'x'"));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            GeneratorOptions.parseWeights(
                "write=0,read=0,tx=0,rx=0,msix=0,msix-vector=0,msi=0,intx=0,link=0,mdic=0,wait=0,expire=0,reset=0"));
  }

  /** With timers running, waits land just before, at, just after or between deadlines. */
  @Test
  void waitsAreChosenRelativeToRunningDeadlines() throws Exception {
    E1000eCore core = Variant.QEMU_10_2.newCore();
    for (String s : List.of("write TCTL 0x2", "write TIDV 0x10", "write TADV 0x40", "tx ide")) {
      core.step(TraceParser.parseStep(s));
    }
    long tidv = core.timerDeadline(TimerId.TIDV);
    long tadv = core.timerDeadline(TimerId.TADV);
    long waitPick = firstPickOfAWait(gen, core);
    // kind = WAIT; not a plain wait; first running timer (tidv); case 1 = at its deadline
    assertEquals(new Step.Wait(tidv), scripted(gen, core, waitPick, 99, 0, 1));
    // case 0 = just before: deadline - 1 - k
    assertEquals(new Step.Wait(tidv - 1 - 5), scripted(gen, core, waitPick, 99, 0, 0, 5));
    // case 2 = just after
    assertEquals(new Step.Wait(tidv + 1 + 7), scripted(gen, core, waitPick, 99, 0, 2, 7));
    // case 3 = between tidv and tadv
    assertEquals(new Step.Wait((tidv + tadv) / 2), scripted(gen, core, waitPick, 99, 0, 3, 1));
  }

  @Test
  void msixSwitchIsFavouredWhileLegacyStateIsPending() throws Exception {
    E1000eCore idle = Variant.QEMU_10_2.newCore();
    E1000eCore parked = Variant.QEMU_10_2.newCore();
    for (String s : List.of("write TCTL 0x2", "write TIDV 0xffff", "tx ide")) {
      parked.step(TraceParser.parseStep(s));
    }
    int idleOn = 0;
    int parkedOn = 0;
    Rng r1 = new Rng.SplitMix(3);
    Rng r2 = new Rng.SplitMix(3);
    for (int i = 0; i < 20000; i++) {
      if (gen.nextStep(r1, idle) instanceof Step.Msix m && m.op() == Step.MsixControl.ON) idleOn++;
      if (gen.nextStep(r2, parked) instanceof Step.Msix m && m.op() == Step.MsixControl.ON)
        parkedOn++;
    }
    assertTrue(parkedOn > 3 * idleOn, "parked " + parkedOn + " vs idle " + idleOn);
  }

  /**
   * The smallest kind pick (the first answer) with which the generator makes a wait relative to the
   * running deadlines; other kinds want other answers and fail the script.
   */
  private static long firstPickOfAWait(TraceGenerator gen, E1000eCore core) {
    for (long p = 0; p < 100_000; p++) {
      try {
        if (scripted(gen, core, p, 99, 0, 1) instanceof Step.Wait) {
          return p;
        }
      } catch (AssertionError e) {
        // not the wait kind
      }
    }
    throw new AssertionError("no kind pick gives a wait");
  }

  /** The step the generator picks with these answers; every answer must be used. */
  private static Step scripted(TraceGenerator gen, E1000eCore core, long... answers) {
    ScriptedRng rng = new ScriptedRng().answer(answers);
    Step s = gen.nextStep(rng, core);
    rng.assertAllUsed();
    return s;
  }
}
