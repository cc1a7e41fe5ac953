package e1kfuzz.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FingerprintSetTest {
  @Test
  void addsOnceAndFindsWhatWasAdded() {
    FingerprintSet s = new FingerprintSet(0);
    assertFalse(s.contains(42));
    assertTrue(s.add(42));
    assertFalse(s.add(42));
    assertTrue(s.contains(42));
    assertFalse(s.contains(43));
    assertEquals(1, s.size());
  }

  @Test
  void growsPastThreeQuartersAndKeepsEveryFingerprint() {
    FingerprintSet s = new FingerprintSet(0);
    assertEquals(16, s.capacity());
    SplittableRandom r = new SplittableRandom(7);
    Set<Long> added = new HashSet<>();
    // Fingerprints that share their top bits land in one run of slots: the probing must cope.
    for (int i = 0; i < 100_000; i++) {
      long f = i < 3000 && i % 3 == 0 ? (0xABCDL << 48) | i : r.nextLong();
      assertEquals(added.add(f), s.add(f), "fingerprint " + Long.toHexString(f));
    }
    assertEquals(added.size(), s.size());
    assertEquals(FingerprintSet.capacityFor(added.size()), s.capacity());
    assertTrue(s.size() <= s.capacity() / 4 * 3, s.size() + " in " + s.capacity());
    for (long f : added) {
      assertTrue(s.contains(f), Long.toHexString(f));
      assertFalse(s.add(f));
    }
    SplittableRandom other = new SplittableRandom(8);
    for (int i = 0; i < 10_000; i++) {
      long f = other.nextLong();
      assertEquals(added.contains(f), s.contains(f));
    }
  }

  @Test
  void zeroIsAFingerprintLikeAnyOtherThoughItMarksEmptySlots() {
    FingerprintSet s = new FingerprintSet(0);
    assertFalse(s.contains(0));
    assertTrue(s.add(0));
    assertTrue(s.contains(0));
    assertFalse(s.add(0));
    assertEquals(1, s.size());
    // It is stored as its stand-in, so the two are one state (one more chance in 2^64).
    assertTrue(s.contains(FingerprintSet.ZERO_STAND_IN));
    assertFalse(s.add(FingerprintSet.ZERO_STAND_IN));
    for (int i = 1; i < 1000; i++) {
      s.add(i * 0x9E3779B97F4A7C15L);
    }
    assertTrue(s.contains(0), "after growing");
  }

  @Test
  void theLargestTableFillsToItsLastFreeSlotThenSaysSo() {
    FingerprintSet s = new FingerprintSet(0, 64);
    for (int i = 1; i <= 63; i++) {
      assertTrue(s.add(i * 0x9E3779B97F4A7C15L), "fingerprint " + i);
    }
    assertEquals(64, s.capacity());
    for (int i = 1; i <= 63; i++) {
      assertTrue(s.contains(i * 0x9E3779B97F4A7C15L));
    }
    assertFalse(s.contains(12345), "a lookup ends at the one empty slot");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.add(12345));
    assertTrue(e.getMessage().contains("63 states in 64 slots"), e.getMessage());
  }

  @Test
  void capacitiesAreIntsUpToTwoToTheThirty() {
    assertEquals(16, FingerprintSet.capacityFor(0));
    assertEquals(16, FingerprintSet.capacityFor(12));
    assertEquals(32, FingerprintSet.capacityFor(13));
    assertEquals(1 << 28, FingerprintSet.capacityFor(150_000_000));
    assertEquals(1 << 30, FingerprintSet.capacityFor(FingerprintSet.MAX_STATES));
    assertEquals(1 << 30, FingerprintSet.capacityFor(Long.MAX_VALUE));
    assertTrue(Explorer.MAX_STATES < FingerprintSet.MAX_STATES);
    assertThrows(
        IllegalArgumentException.class, () -> new FingerprintSet(FingerprintSet.MAX_STATES + 1));
  }

  @Test
  void collisionProbabilityIsTlcsOptimisticEstimate() {
    // n (g - n) / 2^64: 2^20 distinct states among 2^22 + 2^20 generated gives 2^20 2^22 / 2^64.
    assertEquals(
        0x1p-22, FingerprintSet.collisionProbability(1 << 20, (1 << 22) + (1 << 20)), 0x1p-60);
    assertEquals(0, FingerprintSet.collisionProbability(1000, 1000));
    assertEquals(0, FingerprintSet.collisionProbability(1000, 10)); // no lookup matched
  }

  @Test
  void heapEstimateAndTheStatesThatFitAgree() {
    long previous = 0;
    for (long heap = 256L << 20; heap <= 32L << 30; heap += 128L << 20) {
      long n = Explorer.statesThatFit(heap);
      assertTrue(n >= previous, "more heap holds no fewer states: " + heap);
      assertTrue(n == 0 || Explorer.heapBytesFor(n) <= heap, "fits: " + n + " in " + heap);
      assertTrue(
          n == Explorer.MAX_STATES || Explorer.heapBytesFor(n + 1) > heap,
          "the most that fits: " + n + " in " + heap);
      previous = n;
    }
    // 150 million states (depth 10 of fix-mode-switch): a 2^28-slot table, growing from 2^27.
    assertEquals(
        (12L * (1 << 28) + 8 * 150_000_000L) / 10 * 11 + (256L << 20),
        Explorer.heapBytesFor(150_000_000));
  }
}
