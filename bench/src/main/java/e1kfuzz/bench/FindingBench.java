package e1kfuzz.bench;

import e1kfuzz.engine.GeneratorOptions;
import e1kfuzz.engine.Rng;
import e1kfuzz.engine.Shrinker;
import e1kfuzz.engine.TraceGenerator;
import e1kfuzz.model.E1000eCore;
import e1kfuzz.model.Outcome;
import e1kfuzz.model.Runner;
import e1kfuzz.model.Signature;
import e1kfuzz.model.Step;
import e1kfuzz.model.TraceParser;
import e1kfuzz.model.Variant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Two campaign figures that JMH does not fit: the time to the first {@code
 * assert:collect-delayed-causes} on {@code qemu-7.2.0} from 20 seeds (one thread, after a warm-up),
 * and the time and runs to shrink a 200-step failing trace. Run: {@code java -cp
 * bench/target/benchmarks.jar e1kfuzz.bench.FindingBench}.
 */
public final class FindingBench {
  private FindingBench() {}

  public static void main(String[] args) throws Exception {
    TraceGenerator gen = new TraceGenerator(GeneratorOptions.defaults());
    // Warm-up: the JIT, not the first seed, should pay for compilation.
    for (int s = 1000; s < 1100; s++) {
      firstFinding(gen, s);
    }
    long[] nanos = new long[20];
    long[] runs = new long[20];
    for (int s = 0; s < 20; s++) {
      long t0 = System.nanoTime();
      runs[s] = firstFinding(gen, s);
      nanos[s] = System.nanoTime() - t0;
    }
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    long[] sortedRuns = runs.clone();
    Arrays.sort(sortedRuns);
    System.out.printf(
        Locale.ROOT,
        "time to first assert:collect-delayed-causes on qemu-7.2.0, seeds 0-19: median %.3f ms, max %.3f ms; runs median %d, max %d%n",
        (sorted[9] + sorted[10]) / 2e6,
        sorted[19] / 1e6,
        (sortedRuns[9] + sortedRuns[10]) / 2,
        sortedRuns[19]);

    List<Step> trace = padded200();
    for (int i = 0; i < 20; i++) {
      Shrinker.shrink(Variant.QEMU_7_2_0, trace, Signature.COLLECT_DELAYED_CAUSES, false);
    }
    long best = Long.MAX_VALUE;
    Shrinker.Result r = null;
    for (int i = 0; i < 10; i++) {
      long t0 = System.nanoTime();
      r = Shrinker.shrink(Variant.QEMU_7_2_0, trace, Signature.COLLECT_DELAYED_CAUSES, false);
      best = Math.min(best, System.nanoTime() - t0);
    }
    System.out.printf(
        Locale.ROOT,
        "shrinking a %d-step failing trace: %s, best of 10: %.2f ms%n",
        trace.size(),
        r.summary(),
        best / 1e6);
  }

  /** Runs of seed {@code seed} until the seed race is reached; returns how many. */
  static long firstFinding(TraceGenerator gen, long seed) {
    for (long run = 0; ; run++) {
      E1000eCore core = Variant.QEMU_7_2_0.newCore();
      gen.generate(new Rng.SplitMix(Rng.SplitMix.runSeed(seed, run)), core, true);
      if (core.violation() != null
          && core.violation().signature() == Signature.COLLECT_DELAYED_CAUSES) {
        return run + 1;
      }
    }
  }

  /** 195 generated steps that pass on qemu-7.2.0, then a reset and the seed race: 200 steps. */
  static List<Step> padded200() throws Exception {
    List<Step> race =
        TraceParser.parse(
                "race", "reset\nwrite TIDV 0xffff\nwrite TCTL 0xa\ntx ide\nmsix on\nwait 100ms\n")
            .steps();
    TraceGenerator one =
        new TraceGenerator(new GeneratorOptions(1, GeneratorOptions.parseWeights("link=0")));
    Rng rng = new Rng.SplitMix(99);
    List<Step> out = new ArrayList<>();
    while (out.size() < 200 - race.size()) {
      E1000eCore core = Variant.QEMU_7_2_0.newCore();
      out.forEach(core::step);
      Step s = one.nextStep(rng, core);
      out.add(s);
      if (!(Runner.run(Variant.QEMU_7_2_0, out, false) instanceof Outcome.Passed)) {
        out.remove(out.size() - 1);
      }
    }
    out.addAll(race);
    return out;
  }
}
