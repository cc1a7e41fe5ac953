package e1kfuzz.model;

/**
 * A 128-bit hash of a device state, fed one value at a time (two independently mixed 64-bit lanes).
 * Exploration keeps only these hashes of the states it has seen ("hash compaction", as
 * explicit-state model checkers do): with 128 bits, the chance that two of 10^9 distinct states
 * collide is below 10^-20.
 */
public final class StateHasher {
  private static final long SEED_A = 0x9E3779B97F4A7C15L;
  private static final long SEED_B = 0xC2B2AE3D27D4EB4FL;
  private long a = SEED_A;
  private long b = SEED_B;

  public StateHasher reset() {
    a = SEED_A;
    b = SEED_B;
    return this;
  }

  public StateHasher add(long v) {
    a = Long.rotateLeft(a ^ (v * 0xBF58476D1CE4E5B9L), 29) * 0x94D049BB133111EBL;
    b = (Long.rotateLeft(b, 23) + v) * 0xFF51AFD7ED558CCDL + 0x632BE59BD9B4E019L;
    return this;
  }

  public StateHasher add(boolean v) {
    return add(v ? 1 : 0);
  }

  public long high() {
    return fmix(a ^ Long.rotateLeft(b, 32));
  }

  public long low() {
    return fmix(b + a * 0xC4CEB9FE1A85EC53L);
  }

  private static long fmix(long k) {
    k ^= k >>> 33;
    k *= 0xFF51AFD7ED558CCDL;
    k ^= k >>> 33;
    k *= 0xC4CEB9FE1A85EC53L;
    k ^= k >>> 33;
    return k;
  }
}
