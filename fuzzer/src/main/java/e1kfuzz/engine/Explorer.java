package e1kfuzz.engine;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import e1kfuzz.model.E1000eCore;
import e1kfuzz.model.Signature;
import e1kfuzz.model.StateHasher;
import e1kfuzz.model.Step;
import e1kfuzz.model.Variant;
import e1kfuzz.model.Violation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;

/**
 * Exhaustive bounded exploration: every trace of up to {@code depth} steps over an {@link
 * Alphabet}, breadth first, with traces that reach the same device state merged (by {@link
 * E1000eCore#hashState}), so the search covers distinct states rather than sequences. The first
 * trace found for a signature is therefore a shortest one over the alphabet. A state where QEMU
 * would abort is not expanded; one with another violation is (after recording it).
 *
 * <p>Each level is expanded in chunks on {@code jobs} threads and merged in chunk order, so the
 * result does not depend on {@code jobs}. States are kept as 128-bit hashes; a state's trace is
 * rebuilt from parent links when needed.
 */
public final class Explorer {
  /** What to explore. {@code maxStates} bounds memory: past it, exploration stops at once. */
  public record Options(
      Variant variant, int depth, boolean strict, Alphabet alphabet, int jobs, long maxStates) {
    public Options {
      if (depth < 1) {
        throw new IllegalArgumentException("depth must be at least 1, got " + depth);
      }
      if (jobs < 1) {
        throw new IllegalArgumentException("jobs must be at least 1, got " + jobs);
      }
    }
  }

  /** A shortest trace reaching a signature. */
  public record Counterexample(Signature signature, ImmutableList<Step> steps) {}

  /** One breadth-first level: the states first reached at this depth. */
  public record Level(int depth, long newStates, long transitions, long elapsedNanos) {}

  /**
   * What exploration established. {@code completeDepth} is the depth up to which every trace was
   * explored: the "no violation up to depth D" bound. It is less than the asked depth only when
   * exploration stopped early ({@code stopReason}).
   */
  public record Result(
      Variant variant,
      int depth,
      boolean strict,
      ImmutableList<Level> levels,
      long states,
      long transitions,
      long elapsedNanos,
      int completeDepth,
      ImmutableSortedMap<Signature, Counterexample> shortest,
      String stopReason) {

    public double statesPerSecond() {
      return elapsedNanos == 0 ? 0 : states * 1e9 / elapsedNanos;
    }
  }

  /** Hears of each finished level (for progress lines). */
  @FunctionalInterface
  public interface Listener {
    void levelDone(Variant variant, Level level, long totalStates);
  }

  private static final int CHUNK = 256;

  private final Options options;
  private final Alphabet alphabet;
  private final E1000eCore root;
  private final StateSet visited = new StateSet(1 << 16);

  /** Per depth d >= 1: the parent index (in depth d-1) and the alphabet code of each state. */
  private final List<int[]> parents = new ArrayList<>();

  private final List<int[]> codes = new ArrayList<>();
  private final List<Integer> sizes = new ArrayList<>();
  private final Map<Signature, Counterexample> shortest = new TreeMap<>();

  /** The signatures found before the current round: what workers may skip. */
  private volatile Set<Signature> known = EnumSet.noneOf(Signature.class);

  private Explorer(Options options) {
    this.options = options;
    this.alphabet = options.alphabet();
    this.root = options.variant().newCore();
    root.setStrict(options.strict());
  }

  public static Result explore(Options options, Listener listener, BooleanSupplier stopRequested) {
    return new Explorer(options).run(listener, stopRequested);
  }

  private Result run(Listener listener, BooleanSupplier stopRequested) {
    long start = System.nanoTime();
    StateHasher h = new StateHasher();
    root.hashState(h);
    visited.add(h.high(), h.low());
    parents.add(new int[] {-1});
    codes.add(new int[] {0});
    sizes.add(1);
    List<Level> levels = new ArrayList<>();
    long transitions = 0;
    int complete = 0;
    String stop = null;
    ExecutorService pool =
        Executors.newFixedThreadPool(
            options.jobs(),
            r -> {
              Thread t = new Thread(r, "explore");
              t.setDaemon(true);
              return t;
            });
    try {
      for (int d = 1; d <= options.depth(); d++) {
        long levelStart = System.nanoTime();
        int before = visited.size();
        long[] levelTransitions = {0};
        stop = expandLevel(d, pool, levelTransitions, stopRequested);
        transitions += levelTransitions[0];
        levels.add(
            new Level(
                d, visited.size() - before, levelTransitions[0], System.nanoTime() - levelStart));
        if (listener != null) {
          listener.levelDone(options.variant(), levels.get(levels.size() - 1), visited.size());
        }
        if (stop != null) {
          break;
        }
        complete = d;
        if (sizes.get(d) == 0) {
          break; // nothing new to expand: every longer trace reaches a state already seen
        }
      }
    } finally {
      pool.shutdownNow();
    }
    if (stop == null) {
      complete = options.depth();
    }
    return new Result(
        options.variant(),
        options.depth(),
        options.strict(),
        ImmutableList.copyOf(levels),
        visited.size(),
        transitions,
        System.nanoTime() - start,
        complete,
        ImmutableSortedMap.copyOf(shortest),
        stop);
  }

  /** Expands every state of depth d-1; returns why it stopped early, or null. */
  private String expandLevel(
      int d, ExecutorService pool, long[] transitions, BooleanSupplier stopRequested) {
    int n = sizes.get(d - 1);
    GrowingInts nextParents = new GrowingInts();
    GrowingInts nextCodes = new GrowingInts();
    int perRound = CHUNK * options.jobs() * 4;
    String stop = null;
    for (int from = 0; from < n && stop == null; from += perRound) {
      List<Future<Chunk>> futures = new ArrayList<>();
      for (int c = from; c < Math.min(n, from + perRound); c += CHUNK) {
        int lo = c;
        int hi = Math.min(n, c + CHUNK);
        futures.add(pool.submit(() -> expandChunk(d, lo, hi)));
      }
      // Workers read `visited` and `known`: merge only once the whole round is done.
      List<Chunk> chunks = new ArrayList<>();
      for (Future<Chunk> f : futures) {
        try {
          chunks.add(f.get());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return "interrupted";
        } catch (ExecutionException e) {
          throw new IllegalStateException(
              "exploration of " + options.variant().id() + " failed", e.getCause());
        }
      }
      for (Chunk chunk : chunks) {
        transitions[0] += chunk.transitions;
        chunk.found.forEach(shortest::putIfAbsent);
        for (int i = 0; i < chunk.size; i++) {
          if (visited.add(chunk.high[i], chunk.low[i])) {
            nextParents.add(chunk.parent[i]);
            nextCodes.add(chunk.code[i]);
          }
        }
      }
      known =
          EnumSet.copyOf(shortest.isEmpty() ? EnumSet.noneOf(Signature.class) : shortest.keySet());
      if (visited.size() >= options.maxStates()) {
        stop = "state limit of " + options.maxStates() + " reached at depth " + d;
      } else if (stopRequested.getAsBoolean()) {
        stop = "stopped at depth " + d;
      }
    }
    parents.add(nextParents.toArray());
    codes.add(nextCodes.toArray());
    sizes.add(nextParents.size());
    return stop;
  }

  /** The children of states [lo, hi) of depth d-1 that are not known yet, in order. */
  private Chunk expandChunk(int d, int lo, int hi) {
    E1000eCore node = options.variant().newCore();
    E1000eCore child = options.variant().newCore();
    StateHasher h = new StateHasher();
    Step[] path = new Step[d];
    int[] pathCodes = new int[d];
    int[] choices = new int[alphabet.maxExpansion()];
    Chunk out = new Chunk((hi - lo) * 8);
    for (int i = lo; i < hi; i++) {
      rebuild(d - 1, i, node, path, pathCodes);
      int k = alphabet.expand(node, choices);
      for (int c = 0; c < k; c++) {
        int code = choices[c];
        Step step = alphabet.resolve(code, node);
        child.copyFrom(node);
        Violation v = child.step(step);
        out.transitions++;
        if (v != null) {
          if (!known.contains(v.signature()) && !out.found.containsKey(v.signature())) {
            path[d - 1] = step;
            out.found.put(
                v.signature(), new Counterexample(v.signature(), ImmutableList.copyOf(path)));
          }
          if (child.abortSignature() != null) {
            continue;
          }
          child.clearViolation();
        }
        child.hashState(h.reset());
        if (!visited.contains(h.high(), h.low())) {
          out.add(h.high(), h.low(), i, code);
        }
      }
    }
    return out;
  }

  /** Puts the state i of depth `depth` into `node`, and its steps into path[0..depth). */
  private void rebuild(int depth, int i, E1000eCore node, Step[] path, int[] pathCodes) {
    int idx = i;
    for (int lvl = depth; lvl >= 1; lvl--) {
      pathCodes[lvl - 1] = codes.get(lvl)[idx];
      idx = parents.get(lvl)[idx];
    }
    node.copyFrom(root);
    for (int s = 0; s < depth; s++) {
      Step step = alphabet.resolve(pathCodes[s], node);
      path[s] = step;
      node.step(step);
      node.clearViolation();
    }
  }

  private static final class Chunk {
    long[] high;
    long[] low;
    int[] parent;
    int[] code;
    int size;
    long transitions;
    final Map<Signature, Counterexample> found = new LinkedHashMap<>();

    Chunk(int capacity) {
      high = new long[capacity];
      low = new long[capacity];
      parent = new int[capacity];
      code = new int[capacity];
    }

    void add(long h, long l, int p, int c) {
      if (size == high.length) {
        int n = size * 2;
        high = Arrays.copyOf(high, n);
        low = Arrays.copyOf(low, n);
        parent = Arrays.copyOf(parent, n);
        code = Arrays.copyOf(code, n);
      }
      high[size] = h;
      low[size] = l;
      parent[size] = p;
      code[size] = c;
      size++;
    }
  }

  private static final class GrowingInts {
    private int[] a = new int[1024];
    private int size;

    void add(int v) {
      if (size == a.length) {
        a = Arrays.copyOf(a, size * 2);
      }
      a[size++] = v;
    }

    int size() {
      return size;
    }

    int[] toArray() {
      return Arrays.copyOf(a, size);
    }
  }
}
