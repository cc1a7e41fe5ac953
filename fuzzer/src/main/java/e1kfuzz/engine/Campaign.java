package e1kfuzz.engine;

import e1kfuzz.model.E1000eCore;
import e1kfuzz.model.Outcome;
import e1kfuzz.model.Runner;
import e1kfuzz.model.Signature;
import e1kfuzz.model.Step;
import e1kfuzz.model.Variant;
import e1kfuzz.model.Violation;
import e1kfuzz.timing.ExactTiming;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A fuzzing campaign: generate, run and check traces on several threads, keep the first failing run
 * of each variant and signature, then shrink each. Runs go in epochs of {@link #EPOCH}: the runs of
 * an epoch are spread over the threads, then their results are merged in run order, so the
 * findings, the coverage and the kept traces are the same whatever the number of jobs. With
 * coverage guidance, the runs of an epoch mutate the traces kept before it.
 */
public final class Campaign {
  /** Runs between two merges (and the granularity of stop and resume). */
  public static final int EPOCH = 4096;

  /**
   * Runs handed to a worker at a time. Results do not depend on it (batches merge in run order);
   * small batches leave a worker little to wait for at the end of an epoch.
   */
  static final int BATCH = 64;

  /** Kept traces at most: past it new coverage still counts, but no more traces are kept. */
  static final int MAX_KEPT = 4096;

  /** Live counters, read by the progress display while the campaign runs. */
  public record Progress(
      long runs,
      int findings,
      int signatures,
      long elapsedNanos,
      long remainingNanos,
      int coveragePoints) {}

  /** Called on the coordinating thread about every 200 ms while runs execute. */
  @FunctionalInterface
  public interface ProgressListener {
    void onProgress(Progress progress);
  }

  /** What the campaign found. {@code nextRun} is where a resumed campaign goes on. */
  public record Result(
      CampaignOptions options,
      long runs,
      long elapsedNanos,
      List<Finding> findings,
      List<InternalFailure> internalFailures,
      boolean interrupted,
      Coverage coverage,
      int kept,
      long nextRun) {}

  /**
   * Everything a campaign carries from one epoch to the next: with the options, enough to go on
   * exactly where it stopped.
   */
  public record Snapshot(
      long nextRun,
      List<List<Step>> kept,
      Coverage coverage,
      List<FirstFailure> failures,
      List<InternalFailure> internalFailures) {
    public Snapshot {
      kept = List.copyOf(kept);
      failures = List.copyOf(failures);
      internalFailures = List.copyOf(internalFailures);
    }
  }

  /** The first (lowest-index) run that showed a signature on a variant, before shrinking. */
  public record FirstFailure(Variant variant, Signature signature, long run, List<Step> steps) {}

  /** Sees every epoch boundary (on the coordinating thread), e.g. to save a snapshot. */
  @FunctionalInterface
  public interface EpochListener {
    void afterEpoch(Campaign campaign);
  }

  private final CampaignOptions options;
  private final TraceGenerator generator;
  private final Mutator mutator;
  private final LongSupplier clock;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final Map<Key, Candidate> firstFailures = new HashMap<>();

  /**
   * Keys whose kept candidate is in the best form (exact-replayable and observable): batches are
   * merged in run order, so a later run cannot replace it, and batches need not check theirs.
   */
  private final java.util.Set<Key> bestFormKept =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** One failure per {@link InternalFailure#kind()}: the lowest run. */
  private final Map<String, InternalFailure> internalFailures = new HashMap<>();

  /** Runs a trace on a variant; tests substitute one that throws. */
  private final TraceJudge runner;

  private final Coverage coverage = new Coverage();
  private final List<List<Step>> kept = new ArrayList<>();
  private long nextLocal;

  /** Where this run of the campaign started (a resumed one starts past 0). */
  private long firstLocal;

  private EpochListener epochListener;

  /**
   * {@link Runner#run(Variant, List, boolean)}, as a seam for tests that need the model to throw.
   */
  @FunctionalInterface
  interface TraceJudge {
    Outcome run(Variant variant, List<Step> steps, boolean strict);
  }

  private record Key(Variant variant, Signature signature) {}

  /**
   * Whether a trace shows a delivery finding in QEMU's observations alone (the model-free checks on
   * the model's observations of it), so that its exact build can confirm it on its own. Supplied by
   * the caller: the checks sit above the engine.
   */
  @FunctionalInterface
  public interface Observability {
    boolean shows(Variant variant, List<Step> steps, Signature signature);
  }

  /**
   * A failing run. With {@code exactReplayable} the run fails in a form the exact builds replay
   * ({@link ExactTiming}); such a run is preferred to any that is not; then one whose delivery
   * finding the observations show ({@code observable}, see {@link #observedBy}); then the lowest
   * run wins. The order is total, so the kept candidate does not depend on how runs were split
   * among threads.
   */
  private record Candidate(
      long run, List<Step> steps, boolean exactReplayable, boolean observable) {
    boolean betterThan(Candidate old) {
      if (old == null || exactReplayable != old.exactReplayable) {
        return old == null || exactReplayable;
      }
      if (observable != old.observable) {
        return observable;
      }
      return run < old.run;
    }
  }

  /** What one run adds to coverage, when it adds anything. */
  private record NewCoverage(long run, List<Step> steps, int[] indices, int count, long marks) {}

  /** The results of one batch, merged in order. */
  private static final class BatchResult {
    final Map<Key, Candidate> failures = new HashMap<>();
    final List<NewCoverage> coverage = new ArrayList<>();
  }

  public Campaign(CampaignOptions options) {
    this(options, System::nanoTime);
  }

  /** With an explicit monotonic clock (tests). */
  public Campaign(CampaignOptions options, LongSupplier clock) {
    this(options, clock, Runner::run);
  }

  /**
   * With a model runner that can fail (tests of internal errors; applies to multi-variant
   * campaigns).
   */
  Campaign(CampaignOptions options, LongSupplier clock, TraceJudge runner) {
    this.runner = runner;
    this.options = options;
    this.generator = new TraceGenerator(options.generator());
    this.mutator = new Mutator(generator, steering());
    this.clock = clock;
  }

  /** Goes on from a snapshot taken by a campaign with the same options. */
  public Campaign resumeFrom(Snapshot s) {
    nextLocal = s.nextRun();
    kept.addAll(s.kept());
    coverage.copyFrom(s.coverage());
    for (FirstFailure f : s.failures()) {
      Key k = new Key(f.variant(), f.signature());
      Candidate c = candidate(k, f.run(), f.steps());
      firstFailures.put(k, c);
      if (c.exactReplayable() && c.observable()) {
        bestFormKept.add(k);
      }
    }
    s.internalFailures().forEach(f -> internalFailures.put(f.kind(), f));
    return this;
  }

  /**
   * Prefers, for each delivery finding, a run whose finding {@code o} says the observations show,
   * and keeps that while shrinking: then its exact build confirms it from QEMU's observations
   * alone.
   */
  public Campaign observedBy(Observability o) {
    this.observability = o;
    return this;
  }

  private Observability observability;

  public Campaign onEpoch(EpochListener listener) {
    this.epochListener = listener;
    return this;
  }

  /** The state at the last epoch boundary; call it from an {@link EpochListener} or after run. */
  public Snapshot snapshot() {
    List<FirstFailure> failures = new ArrayList<>();
    firstFailures.forEach(
        (k, c) -> failures.add(new FirstFailure(k.variant(), k.signature(), c.run(), c.steps())));
    failures.sort(
        Comparator.comparing(FirstFailure::variant).thenComparing(FirstFailure::signature));
    Coverage c = new Coverage();
    c.copyFrom(coverage);
    return new Snapshot(nextLocal, kept, c, failures, sortedInternalFailures());
  }

  /** The model that chooses steps: the variant itself, or with several variants the shadow. */
  private Variant steering() {
    return options.variants().size() == 1 ? options.variants().get(0) : CampaignOptions.SHADOW;
  }

  /** Asks a running campaign to stop: the current epoch finishes, then findings are shrunk. */
  public void requestStop() {
    stop.set(true);
  }

  public Result run(ProgressListener listener) throws InterruptedException {
    long start = clock.getAsLong();
    long deadline = options.time() == null ? Long.MAX_VALUE : start + options.time().toNanos();
    firstLocal = nextLocal;
    long lastProgress = start;
    ExecutorService pool = Executors.newFixedThreadPool(options.jobs(), daemonThreads());
    try {
      while (!stop.get()
          && clock.getAsLong() < deadline
          && (options.runs() == 0 || nextLocal < options.runs())) {
        long end = nextLocal + EPOCH;
        if (options.runs() > 0) {
          end = Math.min(end, options.runs());
        }
        List<Future<BatchResult>> batches = new ArrayList<>();
        for (long b = nextLocal; b < end; b += BATCH) {
          long lo = b;
          long hi = Math.min(end, b + BATCH);
          batches.add(pool.submit(() -> runBatch(lo, hi)));
        }
        // Workers read the kept traces and the coverage: merge only once the epoch is done.
        List<BatchResult> results = new ArrayList<>();
        for (Future<BatchResult> f : batches) {
          try {
            results.add(f.get());
          } catch (ExecutionException e) {
            throw new IllegalStateException("campaign worker failed", e.getCause());
          }
        }
        results.forEach(this::merge);
        nextLocal = end;
        if (epochListener != null) {
          epochListener.afterEpoch(this);
        }
        long now = clock.getAsLong();
        if (listener != null && now - lastProgress >= 200_000_000L) {
          lastProgress = now;
          listener.onProgress(progress(start, deadline));
        }
      }
      long elapsed = clock.getAsLong() - start;
      List<Finding> findings = shrinkAll(pool);
      List<InternalFailure> failures = sortedInternalFailures();
      Coverage c = new Coverage();
      c.copyFrom(coverage);
      return new Result(
          options,
          nextLocal - firstLocal,
          elapsed,
          findings,
          List.copyOf(failures),
          stop.get(),
          c,
          kept.size(),
          nextLocal);
    } finally {
      pool.shutdownNow();
    }
  }

  private List<InternalFailure> sortedInternalFailures() {
    List<InternalFailure> failures;
    synchronized (internalFailures) {
      failures = new ArrayList<>(internalFailures.values());
    }
    failures.sort(
        Comparator.comparingLong(InternalFailure::run)
            .thenComparing(InternalFailure::variant)
            .thenComparing(InternalFailure::kind));
    return failures;
  }

  private Progress progress(long start, long deadline) {
    long now = clock.getAsLong();
    long signatures = firstFailures.keySet().stream().map(Key::signature).distinct().count();
    long remaining = deadline == Long.MAX_VALUE ? -1 : Math.max(0, deadline - now);
    return new Progress(
        nextLocal - firstLocal,
        firstFailures.size(),
        (int) signatures,
        now - start,
        remaining,
        coverage.points());
  }

  private BatchResult runBatch(long lo, long hi) {
    BatchResult out = new BatchResult();
    Coverage.Recorder recorder = new Coverage.Recorder(options.generator().maxSteps());
    Devices devices = new Devices(steering());
    for (long j = lo; j < hi; j++) {
      runOne(options.globalRun(j), out, recorder, devices);
    }
    return out;
  }

  /**
   * The steering devices of one worker's batch: each run starts on {@code core} as a copy of {@code
   * fresh} (the power-on state, never stepped) and settles in {@code scratch}, rather than on two
   * new devices a run (over a kilobyte of allocation and its initialisation per run).
   */
  private static final class Devices {
    final E1000eCore fresh;
    final E1000eCore core;
    final Supplier<E1000eCore> scratch;

    Devices(Variant variant) {
      fresh = variant.newCore();
      core = variant.newCore();
      E1000eCore s = variant.newCore();
      scratch = () -> s;
    }
  }

  /** Generates (or mutates) and runs global run {@code run}; results go into {@code out}. */
  void runOne(long run, BatchResult out, Coverage.Recorder recorder, Devices devices) {
    Rng rng = new Rng.SplitMix(Rng.SplitMix.runSeed(options.seed(), run));
    boolean mutate = options.guidance() == Guidance.COVERAGE && !kept.isEmpty() && rng.chance(50);
    List<Step> parent = mutate ? kept.get(rng.nextInt(kept.size())) : null;
    Variant steeringVariant = steering();
    boolean single = options.variants().size() == 1;
    List<Step> steps = new ArrayList<>(options.generator().maxSteps());
    E1000eCore core;
    try {
      core = devices.core;
      core.copyFrom(devices.fresh);
      core.setStrict(options.strict());
      recorder.start(core);
      if (mutate) {
        for (Step s : mutator.mutate(rng, parent)) {
          steps.add(s);
          if (recorder.step(core, s) && single) {
            break;
          }
        }
      } else {
        for (int i = 0; i < options.generator().maxSteps(); i++) {
          Step s = generator.nextStep(rng, core);
          steps.add(s);
          if (recorder.step(core, s) && single) {
            break;
          }
        }
      }
      if (single) {
        core.settle(devices.scratch);
      }
    } catch (RuntimeException | StackOverflowError e) {
      internalFailure(run, single ? steeringVariant : CampaignOptions.SHADOW, e, steps);
      return;
    }
    long marks = Coverage.marksOf(core);
    if (recorder.grows(coverage, marks)) {
      int[] indices = recorder.indices();
      out.coverage.add(new NewCoverage(run, List.copyOf(steps), indices, indices.length, marks));
    }
    if (single) {
      Violation v = core.violation();
      if (v != null) {
        keep(out.failures, new Key(steeringVariant, v.signature()), run, steps);
      }
      return;
    }
    // One variant failing inside the model must not hide what the others do with this trace.
    for (Variant variant : options.variants()) {
      try {
        if (runner.run(variant, steps, options.strict()) instanceof Outcome.Violated v) {
          keep(out.failures, new Key(variant, v.signature()), run, steps.subList(0, v.step()));
        }
      } catch (RuntimeException | StackOverflowError e) {
        internalFailure(run, variant, e, steps);
      }
    }
  }

  private void internalFailure(long run, Variant variant, Throwable e, List<Step> steps) {
    synchronized (internalFailures) {
      InternalFailure f = InternalFailure.of(run, variant, e, steps);
      internalFailures.merge(f.kind(), f, (a, b) -> a.run() <= b.run() ? a : b);
    }
  }

  private void keep(Map<Key, Candidate> local, Key key, long run, List<Step> steps) {
    if (bestFormKept.contains(key)) {
      return; // merged batches hold runs below this one in the best form: nothing here can win
    }
    Candidate c = local.get(key);
    // The replay check runs the model again: only when this run could replace the kept one (a
    // later run only if the kept one does not replay, or its finding shows in no observation, and
    // this one might).
    if (c == null
        || run < c.run
        || (!c.exactReplayable && !options.zeroNsWindows())
        || (!c.observable && observability != null && key.signature().deferred())) {
      Candidate n = candidate(key, run, List.copyOf(steps));
      if (n.betterThan(c)) {
        local.put(key, n);
      }
    }
  }

  private Candidate candidate(Key key, long run, List<Step> steps) {
    boolean replayable = replayable(key.variant(), steps);
    return new Candidate(run, steps, replayable, replayable && observable(key, steps));
  }

  /** Whether the finding shows in observations: always, unless it is a delivery finding. */
  private boolean observable(Key key, List<Step> steps) {
    return observability == null
        || !key.signature().deferred()
        || observability.shows(key.variant(), steps, key.signature());
  }

  /** Merges one batch's results, batches in run order. */
  private void merge(BatchResult b) {
    b.failures.forEach(
        (k, c) -> {
          if (c.betterThan(firstFailures.get(k))) {
            firstFailures.put(k, c);
            if (c.exactReplayable() && c.observable()) {
              bestFormKept.add(k);
            }
          }
        });
    for (NewCoverage c : b.coverage) {
      if (coverage.add(c.indices(), c.count(), c.marks()) && kept.size() < MAX_KEPT) {
        kept.add(c.steps());
      }
    }
  }

  private List<Finding> shrinkAll(ExecutorService pool) throws InterruptedException {
    List<Map.Entry<Key, Candidate>> entries = new ArrayList<>(firstFailures.entrySet());
    List<Future<Finding>> futures = new ArrayList<>();
    for (Map.Entry<Key, Candidate> e : entries) {
      Key k = e.getKey();
      Candidate c = e.getValue();
      futures.add(
          pool.submit(
              () -> {
                Shrinker.Result r =
                    Shrinker.shrink(
                        k.variant(),
                        c.steps(),
                        k.signature(),
                        options.strict(),
                        c.exactReplayable(),
                        c.observable() && observability != null && k.signature().deferred()
                            ? shrunk -> observability.shows(k.variant(), shrunk, k.signature())
                            : shrunk -> true,
                        Shrinker.DEFAULT_MAX_RUNS);
                String problem =
                    c.exactReplayable() ? null : ExactTiming.problem(k.variant(), r.steps());
                return new Finding(k.variant(), k.signature(), c.run(), c.steps(), r, problem);
              }));
    }
    List<Finding> findings = new ArrayList<>();
    for (Future<Finding> f : futures) {
      try {
        findings.add(f.get());
      } catch (ExecutionException e) {
        throw new IllegalStateException("shrinking failed", e.getCause());
      }
    }
    findings.sort(Finding::compare);
    return findings;
  }

  private static java.util.concurrent.ThreadFactory daemonThreads() {
    AtomicLong n = new AtomicLong();
    return r -> {
      Thread t = new Thread(r, "e1kfuzz-worker-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Whether a failing trace counts as replayable on the exact builds (never with
   * --zero-ns-windows).
   */
  private boolean replayable(Variant variant, List<Step> steps) {
    return !options.zeroNsWindows() && ExactTiming.problem(variant, steps) == null;
  }

  /** Parses {@code 30s}, {@code 5m}, {@code 1h}, {@code 500ms}. */
  public static Duration parseDuration(String text) {
    String s = text.strip();
    long unitNanos;
    String digits;
    if (s.endsWith("ms")) {
      unitNanos = 1_000_000L;
      digits = s.substring(0, s.length() - 2);
    } else if (s.endsWith("s")) {
      unitNanos = 1_000_000_000L;
      digits = s.substring(0, s.length() - 1);
    } else if (s.endsWith("m")) {
      unitNanos = 60_000_000_000L;
      digits = s.substring(0, s.length() - 1);
    } else if (s.endsWith("h")) {
      unitNanos = 3_600_000_000_000L;
      digits = s.substring(0, s.length() - 1);
    } else {
      throw new IllegalArgumentException("duration '" + text + "' needs a unit: ms, s, m or h");
    }
    if (digits.isEmpty()
        || digits.length() > 9
        || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException("bad duration '" + text + "'");
    }
    long v = Long.parseLong(digits);
    if (v == 0) {
      throw new IllegalArgumentException("duration '" + text + "' must be positive");
    }
    return Duration.ofNanos(Math.multiplyExact(v, unitNanos));
  }
}
