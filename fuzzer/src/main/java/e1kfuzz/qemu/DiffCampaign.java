package e1kfuzz.qemu;

import e1kfuzz.engine.GeneratorOptions;
import e1kfuzz.engine.Rng;
import e1kfuzz.engine.Shrinker;
import e1kfuzz.engine.TraceGenerator;
import e1kfuzz.model.Step;
import e1kfuzz.model.Variant;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * A differential campaign: seeded generated traces, made timing-robust, run on the model of a
 * variant and on a real QEMU; each divergence is shrunk (every candidate re-run on both) to a
 * short trace that diverges the same way. Runs one QEMU at a time: real-time waits, not CPU, bound
 * its speed.
 */
public final class DiffCampaign {
  /** Candidates per shrink: each costs a QEMU start and the trace's real-time waits. */
  public static final int MAX_SHRINK_RUNS = 150;

  /** @param reuse run the traces on one QEMU process with a reset between them (see {@link QemuBackend.Runner}) */
  public record Options(
      QemuBuild build, Variant variant, long seed, long runs, Duration time, GeneratorOptions generator, long marginNs,
      boolean reuse) {
    public Options(
        QemuBuild build, Variant variant, long seed, long runs, Duration time, GeneratorOptions generator, long marginNs) {
      this(build, variant, seed, runs, time, generator, marginNs, true);
    }
  }

  public record Divergent(long run, List<Step> original, List<Step> shrunk, int shrinkRuns, Differ.Divergence divergence) {}

  /**
   * @param unreproduced divergences that did not happen again when the trace was re-run: timing
   *     noise beyond the margin (a loaded machine), reported but not shrunk
   */
  public record Result(
      Options options, long generated, long robust, long compared, long elapsedNanos,
      List<Divergent> divergences, List<String> backendFailures, List<String> unreproduced, int qemuStarts) {}

  /** Called after every compared trace. */
  @FunctionalInterface
  public interface Listener {
    void onTrace(long generated, long compared, int divergences, long elapsedNanos);
  }

  private final Options options;
  private final LongSupplier clock;
  private QemuBackend.Runner runner;
  private volatile boolean stop;

  public DiffCampaign(Options options) {
    this.options = options;
    this.clock = System::nanoTime;
  }

  public void requestStop() {
    stop = true;
  }

  public Result run(Listener listener) throws IOException {
    try (QemuBackend.Runner r = new QemuBackend.Runner(options.build(), options.reuse())) {
      runner = r;
      return runWith(listener);
    } finally {
      runner = null;
    }
  }

  private Result runWith(Listener listener) throws IOException {
    TraceGenerator gen = new TraceGenerator(options.generator());
    long start = clock.getAsLong();
    long deadline = options.time() == null ? Long.MAX_VALUE : start + options.time().toNanos();
    long generated = 0;
    long robust = 0;
    long compared = 0;
    List<Divergent> divergences = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    List<String> kinds = new ArrayList<>();
    List<String> unreproduced = new ArrayList<>();
    for (long run = 0; !stop && clock.getAsLong() < deadline && (options.runs() <= 0 || run < options.runs()); run++) {
      generated++;
      List<Step> steps = candidate(gen, run);
      if (steps == null) {
        continue;
      }
      robust++;
      ModelObserver.ModelRun model = ModelObserver.run(options.variant(), steps);
      QemuBackend.Run qemu = runner.run(steps);
      compared++;
      if (qemu.failure() != null) {
        failures.add("run " + run + ": " + qemu.failure());
      } else {
        Differ.Divergence d = Differ.compare(model, qemu);
        // One shrunk case per kind of divergence: the rest are most likely the same cause.
        if (d != null && !kinds.contains(d.what())) {
          Shrinker.Oracle same = sameDivergence(d.what());
          if (same.failingStep(steps) < 0) {
            unreproduced.add("run " + run + ": " + d.describe().replace("\n", "; "));
            continue;
          }
          Shrinker.Shrunk s;
          try {
            s = Shrinker.shrink(steps, same, MAX_SHRINK_RUNS);
          } catch (IllegalArgumentException flaky) {
            // It diverged twice, then not on the shrinker's own first run: not reproducible.
            unreproduced.add("run " + run + " (twice, then not): " + d.describe().replace("\n", "; "));
            continue;
          }
          kinds.add(d.what());
          ModelObserver.ModelRun m2 = ModelObserver.run(options.variant(), s.steps());
          QemuBackend.Run q2 = runner.run(s.steps());
          Differ.Divergence d2 = Differ.compare(m2, q2);
          divergences.add(new Divergent(run, steps, s.steps(), s.runs(), d2 != null ? d2 : d));
        }
      }
      if (listener != null) {
        listener.onTrace(generated, compared, divergences.size(), clock.getAsLong() - start);
      }
    }
    return new Result(options, generated, robust, compared, clock.getAsLong() - start, divergences, failures, unreproduced,
        runner.starts());
  }

  /** Run {@code run}'s trace without the steps QEMU cannot replay, cut at the model's abort; null if not robust. */
  List<Step> candidate(TraceGenerator gen, long run) {
    List<Step> raw = gen.generate(new Rng.SplitMix(Rng.SplitMix.runSeed(options.seed(), run)), options.variant().newCore(), false);
    List<Step> steps = new ArrayList<>();
    for (Step s : raw) {
      // `expire` lands exactly on a deadline: only a build with exact virtual time can replay it.
      if (Qtest.unsupported(s) == null && (options.build().qtestAccel() || !(s instanceof Step.Expire))) {
        steps.add(s);
      }
    }
    ModelObserver.ModelRun model = ModelObserver.run(options.variant(), steps);
    if (model.abortSignature() != null) {
      steps = new ArrayList<>(steps.subList(0, model.abortStep()));
    }
    if (steps.isEmpty() || Robustness.check(options.build(), options.variant(), steps, options.marginNs()) != null) {
      return null;
    }
    return steps;
  }

  private Shrinker.Oracle sameDivergence(String what) {
    return c -> {
      if (c.isEmpty() || Qtest.firstUnsupported(c) != null
          || Robustness.check(options.build(), options.variant(), c, options.marginNs()) != null) {
        return -1;
      }
      try {
        QemuBackend.Run q = runner.run(c);
        if (q.failure() != null) {
          return -1;
        }
        Differ.Divergence d = Differ.compare(ModelObserver.run(options.variant(), c), q);
        return d != null && d.what().equals(what) ? Math.min(d.step(), c.size()) : -1;
      } catch (IOException e) {
        return -1;
      }
    };
  }
}
