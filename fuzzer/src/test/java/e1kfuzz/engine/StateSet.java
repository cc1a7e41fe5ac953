package e1kfuzz.engine;

/**
 * A set of 128-bit state hashes with open addressing (no boxing: exploration stores millions). Not
 * thread-safe: readers may share it only while nobody adds.
 */
final class StateSet {
  private long[] high;
  private long[] low;
  private boolean[] used;
  private int size;
  private int mask;

  StateSet(int expected) {
    int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
    allocate(capacity);
  }

  private void allocate(int capacity) {
    high = new long[capacity];
    low = new long[capacity];
    used = new boolean[capacity];
    mask = capacity - 1;
  }

  int size() {
    return size;
  }

  boolean contains(long h, long l) {
    for (int i = slot(h); used[i]; i = (i + 1) & mask) {
      if (high[i] == h && low[i] == l) {
        return true;
      }
    }
    return false;
  }

  /** Adds the hash; false when it was there already. */
  boolean add(long h, long l) {
    int i = slot(h);
    for (; used[i]; i = (i + 1) & mask) {
      if (high[i] == h && low[i] == l) {
        return false;
      }
    }
    used[i] = true;
    high[i] = h;
    low[i] = l;
    if (++size * 2 > used.length) {
      grow();
    }
    return true;
  }

  private int slot(long h) {
    return (int) (h ^ (h >>> 32)) & mask;
  }

  private void grow() {
    long[] oh = high;
    long[] ol = low;
    boolean[] ou = used;
    allocate(ou.length * 2);
    for (int i = 0; i < ou.length; i++) {
      if (ou[i]) {
        int j = slot(oh[i]);
        while (used[j]) {
          j = (j + 1) & mask;
        }
        used[j] = true;
        high[j] = oh[i];
        low[j] = ol[i];
      }
    }
  }
}
