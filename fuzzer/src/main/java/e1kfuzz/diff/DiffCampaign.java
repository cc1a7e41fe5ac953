package e1kfuzz.diff;

import e1kfuzz.engine.GeneratorOptions;
import e1kfuzz.engine.Rng;
import e1kfuzz.engine.Shrinker;
import e1kfuzz.engine.TraceGenerator;
import e1kfuzz.model.Step;
import e1kfuzz.model.Variant;
import e1kfuzz.observe.ModelObserver;
import e1kfuzz.observe.ObservedRun;
import e1kfuzz.qemu.QemuBackend;
import e1kfuzz.qemu.QemuBuild;
import e1kfuzz.qemu.Qtest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A differential campaign: seeded generated traces, cut to what the build can replay, run on the
 * model of a variant and on a real QEMU; each divergence is re-run and shrunk (every candidate
 * re-run on both) to a short trace that diverges the same way.
 *
 * <p>Runs {@code jobs} workers, each with its own QEMU; run {@code r}'s trace is a pure function of
 * the seed and {@code r}, and every run below {@code runs} is compared exactly once. Which
 * divergence of a kind gets shrunk depends on the workers' timing unless {@code jobs} is 1.
 *
 * <p>Nothing QEMU does stops the campaign: a QEMU that dies, hangs or breaks the protocol on a
 * trace (or on a shrink candidate) is a backend failure, reported to the listener with its trace,
 * and the next trace gets a fresh QEMU; a candidate whose run failed is run again on a fresh QEMU
 * ({@link #RETRIES} times) before it counts as "does not diverge". Only a build that fails {@link
 * #MAX_CONSECUTIVE_FAILURES} traces in a row on one worker ends the campaign early, with the reason
 * in {@link Result#stoppedBecause()}.
 *
 * <p>The listener hears of every divergence the moment it is seen, before it is re-run or shrunk,
 * so a campaign that dies afterwards has already written it out.
 */
public final class DiffCampaign {
  /** Candidates per shrink: each costs a QEMU run. */
  public static final int MAX_SHRINK_RUNS = 150;

  /** How often a run that failed in the backend is retried on a fresh QEMU. */
  static final int RETRIES = 3;

  /** A worker whose QEMU fails this many traces in a row ends the campaign. */
  public static final int MAX_CONSECUTIVE_FAILURES = 10;

  /**
   * @param reuse run the traces of a worker on one QEMU process with a reset between them (see
   *     {@link QemuBackend})
   * @param jobs workers, each with its own QEMU
   */
  public record Options(
      QemuBuild build,
      Variant variant,
      long seed,
      long runs,
      Duration time,
      GeneratorOptions generator,
      long marginNs,
      boolean reuse,
      int jobs) {
    public Options {
      if (jobs < 1) {
        throw new IllegalArgumentException("jobs must be at least 1, not " + jobs);
      }
    }

    public Options(
        QemuBuild build,
        Variant variant,
        long seed,
        long runs,
        Duration time,
        GeneratorOptions generator,
        long marginNs) {
      this(build, variant, seed, runs, time, generator, marginNs, true, 1);
    }
  }

  /** A shrunk divergence: the original trace, its shrunk form and how it diverges. */
  public record Divergent(
      long run,
      List<Step> original,
      List<Step> shrunk,
      int shrinkRuns,
      Differ.Divergence divergence) {}

  /** A divergence that did not happen again when its trace was re-run. */
  public record Unreproduced(long run, List<Step> steps, Differ.Divergence divergence) {}

  /** A trace on which the backend failed (QEMU died, hung, refused a command, could not start). */
  public record BackendFailure(
      long run, List<Step> steps, String failure, boolean whileShrinking) {}

  /**
   * @param seen every divergence compared, shrunk or not (one per kind is shrunk)
   * @param stoppedBecause null, or why the campaign ended before its budget
   */
  public record Result(
      Options options,
      long generated,
      long robust,
      long compared,
      long elapsedNanos,
      int seen,
      List<Divergent> divergences,
      List<BackendFailure> backendFailures,
      List<Unreproduced> unreproduced,
      int qemuStarts,
      String stoppedBecause) {}

  /** Hears of a campaign's progress; called from the worker threads, one call at a time. */
  @FunctionalInterface
  public interface Listener {
    /** After every compared trace. */
    void onTrace(long generated, long compared, int divergences, long elapsedNanos);

    /**
     * A divergence, as soon as it is seen: before it is re-run, and whether or not it will be
     * shrunk.
     */
    default void onDivergence(long run, List<Step> steps, Differ.Divergence d) {}

    /** The divergence first seen on run {@code d.run()}, shrunk. */
    default void onShrunk(Divergent d) {}

    /** The divergence first seen on run {@code u.run()} did not happen again. */
    default void onUnreproduced(Unreproduced u) {}

    default void onBackendFailure(BackendFailure f) {}
  }

  private final Options options;
  private volatile boolean stop;
  private volatile String stoppedBecause;

  public DiffCampaign(Options options) {
    this.options = options;
  }

  public void requestStop() {
    stop = true;
  }

  /** What the workers share. */
  private final class Shared {
    final Listener listener;
    final long start = System.nanoTime();
    final long deadline;
    final AtomicLong nextRun = new AtomicLong();
    final AtomicLong generated = new AtomicLong();
    final AtomicLong robust = new AtomicLong();
    final AtomicLong compared = new AtomicLong();
    final AtomicInteger starts = new AtomicInteger();
    final Set<String> kinds = new HashSet<>();
    int seen;
    final List<Divergent> divergences = new ArrayList<>();
    final List<BackendFailure> failures = new ArrayList<>();
    final List<Unreproduced> unreproduced = new ArrayList<>();

    Shared(Listener listener) {
      this.listener = listener != null ? listener : (g, c, d, e) -> {};
      this.deadline = options.time() == null ? Long.MAX_VALUE : start + options.time().toNanos();
    }

    long elapsed() {
      return System.nanoTime() - start;
    }

    /** The next run to do, or -1 when the budget is spent or the campaign stops. */
    long nextRun() {
      if (stop || System.nanoTime() >= deadline) {
        return -1;
      }
      long r = nextRun.getAndIncrement();
      return options.runs() > 0 && r >= options.runs() ? -1 : r;
    }

    synchronized void failure(BackendFailure f) {
      failures.add(f);
      listener.onBackendFailure(f);
    }

    /** Records a divergence; true if it is the first of its kind (the caller shrinks it). */
    synchronized boolean divergence(long run, List<Step> steps, Differ.Divergence d) {
      seen++;
      listener.onDivergence(run, steps, d);
      return kinds.add(d.kind());
    }

    synchronized void unreproduced(Unreproduced u, String kind) {
      kinds.remove(kind);
      unreproduced.add(u);
      listener.onUnreproduced(u);
    }

    synchronized void shrunk(Divergent d) {
      divergences.add(d);
      listener.onShrunk(d);
    }

    synchronized void traceDone() {
      listener.onTrace(generated.get(), compared.get(), divergences.size(), elapsed());
    }
  }

  public Result run(Listener listener) {
    Shared shared = new Shared(listener);
    List<Thread> workers = new ArrayList<>();
    List<Throwable> crashed = new ArrayList<>();
    for (int j = 0; j < options.jobs(); j++) {
      Thread t =
          new Thread(
              () -> {
                try {
                  work(shared);
                } catch (RuntimeException | Error e) {
                  synchronized (crashed) {
                    crashed.add(e);
                  }
                  stop = true;
                }
              },
              "e1kfuzz-diff-" + j);
      workers.add(t);
      t.start();
    }
    for (Thread t : workers) {
      try {
        t.join();
      } catch (InterruptedException e) {
        stop = true;
        Thread.currentThread().interrupt();
      }
    }
    if (!crashed.isEmpty()) {
      throw new IllegalStateException("a differential worker failed", crashed.get(0));
    }
    synchronized (shared) {
      List<Divergent> ds = new ArrayList<>(shared.divergences);
      ds.sort((a, b) -> Long.compare(a.run(), b.run()));
      return new Result(
          options,
          shared.generated.get(),
          shared.robust.get(),
          shared.compared.get(),
          shared.elapsed(),
          shared.seen,
          ds,
          List.copyOf(shared.failures),
          List.copyOf(shared.unreproduced),
          shared.starts.get(),
          stoppedBecause);
    }
  }

  private void work(Shared shared) {
    TraceGenerator gen = new TraceGenerator(options.generator());
    int failedInARow = 0;
    try (QemuBackend runner = new QemuBackend(options.build(), options.reuse()).prestarting()) {
      for (long run = shared.nextRun(); run >= 0; run = shared.nextRun()) {
        shared.generated.incrementAndGet();
        List<Step> steps = candidate(gen, run);
        if (steps == null) {
          continue;
        }
        shared.robust.incrementAndGet();
        ObservedRun model = ModelObserver.run(options.variant(), steps);
        ObservedRun qemu = run(shared, runner, steps);
        if (qemu.failure() != null) {
          shared.failure(new BackendFailure(run, steps, qemu.failure(), false));
          if (++failedInARow >= MAX_CONSECUTIVE_FAILURES) {
            stoppedBecause =
                "QEMU failed " + failedInARow + " traces in a row; the last: " + qemu.failure();
            stop = true;
          }
        } else {
          failedInARow = 0;
          shared.compared.incrementAndGet();
          Differ.Divergence d = Differ.compare(model, qemu);
          if (d != null && shared.divergence(run, steps, d)) {
            shrink(shared, runner, run, steps, d);
          }
        }
        shared.traceDone();
      }
    }
  }

  /** Re-runs a divergence and shrinks it, or reports it as not reproduced. */
  private void shrink(
      Shared shared, QemuBackend runner, long run, List<Step> steps, Differ.Divergence d) {
    Rerun again = rerun(shared, runner, run, steps, d.kind());
    if (again.backendFailed()) {
      // QEMU failed on every re-run: keep the divergence as it was seen, unshrunk.
      shared.shrunk(new Divergent(run, steps, steps, 0, d));
      return;
    }
    if (again.same() == null) {
      shared.unreproduced(new Unreproduced(run, steps, d), d.kind());
      return;
    }
    Shrinker.Shrunk s;
    try {
      s =
          Shrinker.shrink(
              steps, c -> rerun(shared, runner, run, c, d.kind()).failingStep(c), MAX_SHRINK_RUNS);
    } catch (IllegalArgumentException flaky) {
      // It diverged twice, then not on the shrinker's own first run: not reproducible.
      shared.unreproduced(new Unreproduced(run, steps, d), d.kind());
      return;
    }
    // The shrunk trace must diverge when it is replayed: once more, on the QEMU it will be replayed
    // on.
    Rerun last = rerun(shared, runner, run, s.steps(), d.kind());
    if (!last.backendFailed() && last.same() == null) {
      shared.unreproduced(new Unreproduced(run, steps, d), d.kind());
      return;
    }
    shared.shrunk(
        new Divergent(run, steps, s.steps(), s.runs(), last.same() != null ? last.same() : d));
  }

  /**
   * Run {@code run}'s trace without the steps QEMU cannot replay, cut at the model's abort; null if
   * not comparable.
   */
  List<Step> candidate(TraceGenerator gen, long run) {
    List<Step> raw =
        gen.generate(
            new Rng.SplitMix(Rng.SplitMix.runSeed(options.seed(), run)),
            options.variant().newCore(),
            false);
    List<Step> steps = new ArrayList<>();
    for (Step s : Qtest.withoutUnsupported(raw)) {
      // `expire` lands exactly on a deadline: only a build with exact virtual time can replay it.
      if (options.build().qtestAccel() || !(s instanceof Step.Expire)) {
        steps.add(s);
      }
    }
    ObservedRun model = ModelObserver.run(options.variant(), steps);
    if (model.abortId() != null) {
      steps = new ArrayList<>(steps.subList(0, model.abort().step()));
    }
    if (steps.isEmpty()
        || options.build().timingProblem(options.variant(), steps, options.marginNs()) != null) {
      return null;
    }
    return steps;
  }

  /**
   * A re-run of a candidate: the divergence of the same kind it showed (null if none, or if the
   * build cannot compare it), or that QEMU failed on every attempt.
   */
  private record Rerun(Differ.Divergence same, boolean backendFailed) {
    /**
     * For the shrinker: the failing step, -1 if the candidate does not diverge (or QEMU failed).
     */
    int failingStep(List<Step> c) {
      return same == null ? -1 : Math.min(same.step(), c.size());
    }
  }

  /**
   * Re-runs a candidate; a backend failure is retried on a fresh QEMU ({@link #RETRIES} times) and
   * reported each time.
   */
  private Rerun rerun(Shared shared, QemuBackend runner, long run, List<Step> c, String kind) {
    if (c.isEmpty()
        || Qtest.firstUnsupported(c) != null
        || options.build().timingProblem(options.variant(), c, options.marginNs()) != null) {
      return new Rerun(null, false);
    }
    for (int attempt = 0; attempt <= RETRIES; attempt++) {
      ObservedRun q = run(shared, runner, c);
      if (q.failure() != null) {
        shared.failure(new BackendFailure(run, c, q.failure(), true));
        continue;
      }
      Differ.Divergence d = Differ.compare(ModelObserver.run(options.variant(), c), q);
      return new Rerun(d != null && d.kind().equals(kind) ? d : null, false);
    }
    return new Rerun(null, true);
  }

  /** Runs a trace on the worker's QEMU, counting the QEMU starts it took. */
  private static ObservedRun run(Shared shared, QemuBackend runner, List<Step> steps) {
    int before = runner.starts();
    ObservedRun q = runner.run(steps);
    shared.starts.addAndGet(runner.starts() - before);
    return q;
  }
}
