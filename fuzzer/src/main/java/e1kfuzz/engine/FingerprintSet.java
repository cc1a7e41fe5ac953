package e1kfuzz.engine;

/**
 * A set of 64-bit state fingerprints in one {@code long[]}: open addressing, linear probing, 0 as
 * the empty slot (a fingerprint of 0 is stored as {@link #ZERO_STAND_IN}). One array means one
 * cache miss per lookup, which is what exploration waits on. Not thread-safe: readers may share it
 * only while nobody adds.
 *
 * <p>The table doubles when it is 3/4 full, so it holds 8/0.75 to 8/0.375 bytes per state, and for
 * the copy it needs the old and the new array at once: 12 bytes per slot of the new one.
 */
final class FingerprintSet {
  /** The largest table: 2^30 slots (8 GiB); a Java array cannot have 2^31. */
  static final int MAX_CAPACITY = 1 << 30;

  /** The most states explorations may ask for: the largest table, 3/4 full. */
  static final long MAX_STATES = MAX_CAPACITY / 4 * 3L;

  /**
   * What a fingerprint of 0 is stored as, since 0 marks an empty slot. The two values are then one
   * state to the set: one more chance in 2^64 per state of a collision, well inside the estimate.
   */
  static final long ZERO_STAND_IN = 0x9E3779B97F4A7C15L;

  private static final int MIN_CAPACITY = 16;

  private final int maxCapacity;
  private long[] table;
  private int shift;
  private long size;

  FingerprintSet(long expected) {
    this(expected, MAX_CAPACITY);
  }

  /** A set whose table stops growing at {@code maxCapacity} slots (tests fill a small one). */
  FingerprintSet(long expected, int maxCapacity) {
    if (Integer.bitCount(maxCapacity) != 1 || maxCapacity < MIN_CAPACITY) {
      throw new IllegalArgumentException(
          "the largest table must be a power of two of at least 16 slots, not " + maxCapacity);
    }
    if (expected < 0 || expected > maxCapacity / 4 * 3L) {
      throw new IllegalArgumentException(
          "a fingerprint set holds 0 to " + maxCapacity / 4 * 3L + " states, not " + expected);
    }
    this.maxCapacity = maxCapacity;
    allocate(capacityFor(expected));
  }

  /** The table size that holds {@code states} fingerprints without growing (a power of two). */
  static int capacityFor(long states) {
    long c = MIN_CAPACITY;
    while (states > c / 4 * 3 && c < MAX_CAPACITY) {
      c <<= 1;
    }
    return (int) c;
  }

  private void allocate(int capacity) {
    table = new long[capacity];
    shift = 64 - Integer.numberOfTrailingZeros(capacity);
  }

  long size() {
    return size;
  }

  int capacity() {
    return table.length;
  }

  boolean contains(long fingerprint) {
    long f = fingerprint == 0 ? ZERO_STAND_IN : fingerprint;
    long[] t = table;
    int mask = t.length - 1;
    for (int i = slot(f); ; i = (i + 1) & mask) {
      long e = t[i];
      if (e == f) {
        return true;
      }
      if (e == 0) {
        return false;
      }
    }
  }

  /**
   * Adds the fingerprint; false when it was there already.
   *
   * @throws IllegalStateException when the largest table is full
   */
  boolean add(long fingerprint) {
    long f = fingerprint == 0 ? ZERO_STAND_IN : fingerprint;
    long[] t = table;
    int mask = t.length - 1;
    int i = slot(f);
    for (long e = t[i]; e != 0; e = t[i]) {
      if (e == f) {
        return false;
      }
      i = (i + 1) & mask;
    }
    if (size + 1 >= t.length) {
      // Only at the largest table: below it the table grows at 3/4. One slot stays empty so that
      // every lookup ends.
      throw new IllegalStateException(
          "the fingerprint table is full: " + size + " states in " + t.length + " slots");
    }
    t[i] = f;
    size++;
    if (size > t.length / 4 * 3L && t.length < maxCapacity) {
      grow();
    }
    return true;
  }

  /** The home slot: the top bits of the fingerprint (already well mixed by the state hasher). */
  private int slot(long f) {
    return (int) (f >>> shift);
  }

  private void grow() {
    long[] old = table;
    allocate(old.length * 2);
    long[] t = table;
    int mask = t.length - 1;
    for (long f : old) {
      if (f != 0) {
        int i = slot(f);
        while (t[i] != 0) {
          i = (i + 1) & mask;
        }
        t[i] = f;
      }
    }
  }

  /**
   * TLC's "calculated (optimistic)" estimate of the chance that two distinct states shared a
   * fingerprint, so that one of them (and what only it leads to) was never explored: {@code n * (g
   * - n) / 2^64}, with n the distinct states stored and g the states generated (every successor
   * looked up, duplicates included). Each of the g - n lookups that matched could have matched a
   * different state's fingerprint, one chance in 2^64 for each of at most n stored fingerprints.
   * Optimistic because it takes the fingerprints as uniformly random.
   */
  static double collisionProbability(long distinct, long generated) {
    return distinct * (double) Math.max(0, generated - distinct) / 0x1p64;
  }
}
