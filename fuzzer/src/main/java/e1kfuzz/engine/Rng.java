package e1kfuzz.engine;

/** The one source of every random choice the engine makes; tests script it with a fake. */
public interface Rng {
  /** Uniform in [0, bound); bound > 0. */
  int nextInt(int bound);

  /** Uniform in [0, bound); bound > 0. */
  long nextLong(long bound);

  /** 32 uniformly random bits. */
  int nextBits();

  default boolean chance(int percent) {
    return nextInt(100) < percent;
  }

  default <T> T pick(T[] options) {
    return options[nextInt(options.length)];
  }

  default int pick(int[] options) {
    return options[nextInt(options.length)];
  }

  /** SplitMix64: small, fast, and its stream is a pure function of the seed on every JVM. */
  final class SplitMix implements Rng {
    private long state;

    public SplitMix(long seed) {
      this.state = seed;
    }

    /** The seed of run {@code run} of a campaign: independent streams from one campaign seed. */
    public static long runSeed(long campaignSeed, long run) {
      return mix(campaignSeed ^ mix(run + 0x632BE59BD9B4E019L));
    }

    private long next() {
      return mix(state += 0x9E3779B97F4A7C15L);
    }

    private static long mix(long z) {
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      return z ^ (z >>> 31);
    }

    /**
     * Lemire's multiply-shift: no division; the bias (bound / 2^32) is far below anything
     * observable here.
     */
    @Override
    public int nextInt(int bound) {
      if (bound <= 0) {
        throw new IllegalArgumentException("bound must be positive: " + bound);
      }
      return (int) (((next() >>> 32) * bound) >>> 32);
    }

    @Override
    public long nextLong(long bound) {
      if (bound <= 0) {
        throw new IllegalArgumentException("bound must be positive: " + bound);
      }
      if (bound <= Integer.MAX_VALUE) {
        return nextInt((int) bound);
      }
      long limit = Long.MAX_VALUE - Long.MAX_VALUE % bound;
      long r;
      do {
        r = next() >>> 1;
      } while (r >= limit);
      return r % bound;
    }

    @Override
    public int nextBits() {
      return (int) (next() >>> 32);
    }
  }
}
