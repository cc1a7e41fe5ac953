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
 * result does not depend on {@code jobs}. States are kept as 64-bit fingerprints of their 128-bit
 * hash ({@link FingerprintSet}, about 11 to 21 bytes a state), with the chance of a collision
 * estimated as TLC does ({@link Result#collisionProbability}); a state's trace is rebuilt from
 * parent links (8 bytes a state, kept in memory: at depth 10 that is about 1.2 GB, so nothing is
 * spilled to disk) by replaying it from the root.
 */
public final class Explorer {
  /**
   * What to explore. {@code maxStates} bounds memory (see {@link #heapBytesFor}): past it,
   * exploration stops at the end of the current round of chunks.
   */
  public record Options(
      Variant variant, int depth, boolean strict, Alphabet alphabet, int jobs, long maxStates) {
    public Options {
      if (depth < 1) {
        throw new IllegalArgumentException("depth must be at least 1, got " + depth);
      }
      if (jobs < 1) {
        throw new IllegalArgumentException("jobs must be at least 1, got " + jobs);
      }
      if (maxStates < 1 || maxStates > MAX_STATES) {
        throw new IllegalArgumentException(
            "maxStates must be between 1 and " + MAX_STATES + ", got " + maxStates);
      }
    }
  }

  /**
   * The most states one exploration can hold: the largest fingerprint table 3/4 full, less what a
   * round of chunks may add past the limit before exploration stops.
   */
  public static final long MAX_STATES = 800_000_000;

  /** The heap the JVM, the cores, chunks in flight and the counterexamples take besides. */
  private static final long HEAP_OVERHEAD = 256L << 20;

  /**
   * The heap an exploration of {@code states} states needs at most: the fingerprint table while it
   * grows to its last size (old and new array: 12 bytes per slot of the new one), the parent links
   * (8 bytes a state), 10 % for the garbage collector's headroom, and a fixed overhead.
   */
  public static long heapBytesFor(long states) {
    long table = 12L * FingerprintSet.capacityFor(states);
    return (table + 8 * states) / 10 * 11 + HEAP_OVERHEAD;
  }

  /** The most states whose exploration fits in {@code heapBytes} (by {@link #heapBytesFor}). */
  public static long statesThatFit(long heapBytes) {
    long lo = 0;
    long hi = MAX_STATES;
    while (lo < hi) {
      long mid = (lo + hi + 1) >>> 1;
      if (heapBytesFor(mid) <= heapBytes) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
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

    /**
     * The chance that two distinct states had the same 64-bit fingerprint, so that one was never
     * explored: TLC's optimistic estimate {@code n * (g - n) / 2^64}, with n = {@code states} and g
     * = {@code transitions + 1} the states generated (see {@link
     * FingerprintSet#collisionProbability}).
     */
    public double collisionProbability() {
      return FingerprintSet.collisionProbability(states, transitions + 1);
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
  private final FingerprintSet visited = new FingerprintSet(1 << 16);

  /** Per depth d >= 1: the parent index (in depth d-1) and the alphabet code of each state. */
  private final List<IntBlocks> parents = new ArrayList<>();

  private final List<IntBlocks> codes = new ArrayList<>();
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
    visited.add(fingerprint(h));
    parents.add(IntBlocks.of(-1));
    codes.add(IntBlocks.of(0));
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
        long before = visited.size();
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
    IntBlocks nextParents = new IntBlocks();
    IntBlocks nextCodes = new IntBlocks();
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
          if (visited.add(chunk.fingerprint[i])) {
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
    parents.add(nextParents);
    codes.add(nextCodes);
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
        long f = fingerprint(h);
        if (!visited.contains(f)) {
          out.add(f, i, code);
        }
      }
    }
    return out;
  }

  /** Puts the state i of depth `depth` into `node`, and its steps into path[0..depth). */
  private void rebuild(int depth, int i, E1000eCore node, Step[] path, int[] pathCodes) {
    int idx = i;
    for (int lvl = depth; lvl >= 1; lvl--) {
      pathCodes[lvl - 1] = codes.get(lvl).get(idx);
      idx = parents.get(lvl).get(idx);
    }
    node.copyFrom(root);
    for (int s = 0; s < depth; s++) {
      Step step = alphabet.resolve(pathCodes[s], node);
      path[s] = step;
      node.step(step);
      node.clearViolation();
    }
  }

  /** A state's 64-bit fingerprint: the first half of its 128-bit hash (both lanes mixed in). */
  static long fingerprint(StateHasher h) {
    return h.high();
  }

  private static final class Chunk {
    long[] fingerprint;
    int[] parent;
    int[] code;
    int size;
    long transitions;
    final Map<Signature, Counterexample> found = new LinkedHashMap<>();

    Chunk(int capacity) {
      fingerprint = new long[capacity];
      parent = new int[capacity];
      code = new int[capacity];
    }

    void add(long f, int p, int c) {
      if (size == fingerprint.length) {
        int n = size * 2;
        fingerprint = Arrays.copyOf(fingerprint, n);
        parent = Arrays.copyOf(parent, n);
        code = Arrays.copyOf(code, n);
      }
      fingerprint[size] = f;
      parent[size] = p;
      code[size] = c;
      size++;
    }
  }

  /**
   * A growing list of ints in blocks of 2^17 (512 KiB, below the size G1 allocates as humongous): a
   * level of 10^8 states grows without copying (a doubling array would hold the old and the new
   * copy at once).
   */
  static final class IntBlocks {
    private static final int BITS = 17;
    private static final int BLOCK = 1 << BITS;
    private int[][] blocks = new int[1][];
    private int size;

    static IntBlocks of(int v) {
      IntBlocks b = new IntBlocks();
      b.add(v);
      return b;
    }

    void add(int v) {
      int b = size >>> BITS;
      int o = size & (BLOCK - 1);
      if (b == blocks.length) {
        blocks = Arrays.copyOf(blocks, b * 2);
      }
      int[] block = blocks[b];
      if (block == null) {
        // The first block starts small and doubles: most levels of most explorations are small.
        block = blocks[b] = new int[b == 0 ? 1024 : BLOCK];
      } else if (o == block.length) {
        block = blocks[b] = Arrays.copyOf(block, block.length * 2);
      }
      block[o] = v;
      if (++size < 0) {
        throw new IllegalStateException("a level of more than 2^31 - 1 states");
      }
    }

    int get(int i) {
      return blocks[i >>> BITS][i & (BLOCK - 1)];
    }

    int size() {
      return size;
    }
  }
}
