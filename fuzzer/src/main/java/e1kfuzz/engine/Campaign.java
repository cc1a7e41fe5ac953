package e1kfuzz.engine;

import e1kfuzz.model.E1000eCore;
import e1kfuzz.model.Outcome;
import e1kfuzz.model.Runner;
import e1kfuzz.model.Signature;
import e1kfuzz.model.Step;
import e1kfuzz.model.Variant;
import e1kfuzz.model.Violation;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A fuzzing campaign: generate, run and check traces on several threads, keep the first failing
 * run of each variant and signature, then shrink each. With a run limit the findings are the same
 * whatever the number of jobs, because each kept failure is the one with the lowest run index.
 */
public final class Campaign {
  /** Runs handed to a worker at a time. */
  static final int BATCH = 256;

  /** Live counters, read by the progress display while the campaign runs. */
  public record Progress(long runs, int findings, int signatures, long elapsedNanos, long remainingNanos) {}

  /** Called on the coordinating thread about every 200 ms while runs execute. */
  @FunctionalInterface
  public interface ProgressListener {
    void onProgress(Progress progress);
  }

  /** What the campaign found. */
  public record Result(
      CampaignOptions options,
      long runs,
      long elapsedNanos,
      List<Finding> findings,
      List<InternalFailure> internalFailures,
      boolean interrupted) {}

  private final CampaignOptions options;
  private final TraceGenerator generator;
  private final LongSupplier clock;
  private final AtomicLong nextLocal = new AtomicLong();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final Map<Key, Candidate> firstFailures = new HashMap<>();
  /** One failure per {@link InternalFailure#kind()}: the lowest run. */
  private final Map<String, InternalFailure> internalFailures = new HashMap<>();
  /** Runs a trace on a variant; tests substitute one that throws. */
  private final ModelRunner runner;

  /** {@link Runner#run(Variant, List, boolean)}, as a seam for tests that need the model to throw. */
  @FunctionalInterface
  interface ModelRunner {
    Outcome run(Variant variant, List<Step> steps, boolean strict);
  }

  private record Key(Variant variant, Signature signature) {}

  private record Candidate(long run, List<Step> steps) {}

  public Campaign(CampaignOptions options) {
    this(options, System::nanoTime);
  }

  /** With an explicit monotonic clock (tests). */
  public Campaign(CampaignOptions options, LongSupplier clock) {
    this(options, clock, Runner::run);
  }

  /** With a model runner that can fail (tests of internal errors; applies to multi-variant campaigns). */
  Campaign(CampaignOptions options, LongSupplier clock, ModelRunner runner) {
    this.options = options;
    this.generator = new TraceGenerator(options.generator());
    this.clock = clock;
    this.runner = runner;
  }

  /** Asks a running campaign to stop: in-flight batches finish, then findings are shrunk. */
  public void requestStop() {
    stop.set(true);
  }

  public Result run(ProgressListener listener) throws InterruptedException {
    long start = clock.getAsLong();
    long deadline = options.time() == null ? Long.MAX_VALUE : start + options.time().toNanos();
    ExecutorService pool = Executors.newFixedThreadPool(options.jobs(), daemonThreads());
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int j = 0; j < options.jobs(); j++) {
        workers.add(pool.submit(() -> work(deadline)));
      }
      for (Future<?> w : workers) {
        while (true) {
          try {
            w.get(200, TimeUnit.MILLISECONDS);
            break;
          } catch (java.util.concurrent.TimeoutException e) {
            if (listener != null) {
              listener.onProgress(progress(start, deadline));
            }
          } catch (ExecutionException e) {
            throw new IllegalStateException("campaign worker failed", e.getCause());
          }
        }
      }
      long elapsed = clock.getAsLong() - start;
      List<Finding> findings = shrinkAll(pool);
      List<InternalFailure> failures;
      synchronized (internalFailures) {
        failures = new ArrayList<>(internalFailures.values());
      }
      failures.sort(Comparator.comparingLong(InternalFailure::run).thenComparing(InternalFailure::variant)
          .thenComparing(InternalFailure::kind));
      return new Result(options, completed.get(), elapsed, findings, List.copyOf(failures), stop.get());
    } finally {
      pool.shutdownNow();
    }
  }

  private Progress progress(long start, long deadline) {
    long now = clock.getAsLong();
    int findings;
    long signatures;
    synchronized (firstFailures) {
      findings = firstFailures.size();
      signatures = firstFailures.keySet().stream().map(Key::signature).distinct().count();
    }
    long remaining = deadline == Long.MAX_VALUE ? -1 : Math.max(0, deadline - now);
    return new Progress(completed.get(), findings, (int) signatures, now - start, remaining);
  }

  private void work(long deadline) {
    Map<Key, Candidate> local = new HashMap<>();
    while (!stop.get() && clock.getAsLong() < deadline) {
      long first = nextLocal.getAndAdd(BATCH);
      long end = first + BATCH;
      if (options.runs() > 0) {
        end = Math.min(end, options.runs());
      }
      if (first >= end) {
        break;
      }
      for (long j = first; j < end; j++) {
        runOne(options.globalRun(j), local);
      }
      completed.addAndGet(end - first);
      merge(local);
      local.clear();
    }
  }

  /** Generates and runs global run {@code run}; failures go into {@code local}. */
  void runOne(long run, Map<Key, Candidate> local) {
    Rng rng = new Rng.SplitMix(Rng.SplitMix.runSeed(options.seed(), run));
    List<Step> steps = List.of();
    if (options.variants().size() == 1) {
      Variant variant = options.variants().get(0);
      try {
        E1000eCore core = variant.newCore();
        core.setStrict(options.strict());
        steps = generator.generate(rng, core, true);
        Violation v = core.violation();
        if (v != null) {
          keep(local, new Key(variant, v.signature()), run, steps);
        }
      } catch (RuntimeException | StackOverflowError e) {
        internalFailure(run, variant, e, steps);
      }
      return;
    }
    try {
      steps = generator.generate(rng, CampaignOptions.SHADOW.newCore(), false);
    } catch (RuntimeException | StackOverflowError e) {
      internalFailure(run, CampaignOptions.SHADOW, e, steps);
      return;
    }
    // One variant failing inside the model must not hide what the others do with this trace.
    for (Variant variant : options.variants()) {
      try {
        if (runner.run(variant, steps, options.strict()) instanceof Outcome.Violated v) {
          keep(local, new Key(variant, v.signature()), run, steps.subList(0, v.step()));
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

  private static void keep(Map<Key, Candidate> local, Key key, long run, List<Step> steps) {
    Candidate c = local.get(key);
    if (c == null || run < c.run) {
      local.put(key, new Candidate(run, List.copyOf(steps)));
    }
  }

  private void merge(Map<Key, Candidate> local) {
    synchronized (firstFailures) {
      local.forEach(
          (k, c) -> {
            Candidate old = firstFailures.get(k);
            if (old == null || c.run < old.run) {
              firstFailures.put(k, c);
            }
          });
    }
  }

  private List<Finding> shrinkAll(ExecutorService pool) throws InterruptedException {
    List<Map.Entry<Key, Candidate>> entries;
    synchronized (firstFailures) {
      entries = new ArrayList<>(firstFailures.entrySet());
    }
    List<Future<Finding>> futures = new ArrayList<>();
    for (Map.Entry<Key, Candidate> e : entries) {
      Key k = e.getKey();
      Candidate c = e.getValue();
      futures.add(
          pool.submit(
              () ->
                  new Finding(
                      k.variant(),
                      k.signature(),
                      c.run(),
                      c.steps(),
                      Shrinker.shrink(k.variant(), c.steps(), k.signature(), options.strict()))));
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
    if (digits.isEmpty() || digits.length() > 9 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException("bad duration '" + text + "'");
    }
    long v = Long.parseLong(digits);
    if (v == 0) {
      throw new IllegalArgumentException("duration '" + text + "' must be positive");
    }
    return Duration.ofNanos(Math.multiplyExact(v, unitNanos));
  }
}
