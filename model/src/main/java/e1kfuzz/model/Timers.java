package e1kfuzz.model;

import java.util.Arrays;

/**
 * The device's timers on the virtual clock. A running timer has a deadline; timers due at the same
 * instant fire in the order they were last (re)armed, which is the order QEMU's timer list keeps
 * for equal expiry times.
 */
final class Timers {
  private final long[] deadline = new long[TimerId.COUNT];
  private final long[] armedSeq = new long[TimerId.COUNT];
  private int running;
  private long seq;

  boolean running(TimerId t) {
    return (running & TimerId.bit(t)) != 0;
  }

  /** Bit mask (by ordinal) of the running timers. */
  int runningMask() {
    return running;
  }

  long deadline(TimerId t) {
    return deadline[t.ordinal()];
  }

  void arm(TimerId t, long deadlineNs) {
    deadline[t.ordinal()] = deadlineNs;
    armedSeq[t.ordinal()] = seq++;
    running |= TimerId.bit(t);
  }

  void stop(TimerId t) {
    running &= ~TimerId.bit(t);
  }

  /** The running timer that fires first among those due at or before {@code limitNs}, or null. */
  TimerId nextDue(long limitNs) {
    TimerId best = null;
    long bestDeadline = 0;
    long bestSeq = 0;
    for (int m = running; m != 0; m &= m - 1) {
      int i = Integer.numberOfTrailingZeros(m);
      long d = deadline[i];
      if (d > limitNs) {
        continue;
      }
      if (best == null || d < bestDeadline || (d == bestDeadline && armedSeq[i] < bestSeq)) {
        best = TimerId.byOrdinal(i);
        bestDeadline = d;
        bestSeq = armedSeq[i];
      }
    }
    return best;
  }

  /**
   * The running set, each deadline relative to {@code now}, and for each running timer how many
   * running timers with the same deadline were armed before it (only that order decides who fires
   * first).
   */
  void hashInto(StateHasher h, long now) {
    h.add(running);
    for (int m = running; m != 0; m &= m - 1) {
      int i = Integer.numberOfTrailingZeros(m);
      int earlier = 0;
      for (int n = running; n != 0; n &= n - 1) {
        int j = Integer.numberOfTrailingZeros(n);
        if (deadline[j] == deadline[i] && armedSeq[j] < armedSeq[i]) {
          earlier++;
        }
      }
      h.add(deadline[i] - now).add(earlier);
    }
  }

  void copyFrom(Timers other) {
    System.arraycopy(other.deadline, 0, deadline, 0, deadline.length);
    System.arraycopy(other.armedSeq, 0, armedSeq, 0, armedSeq.length);
    running = other.running;
    seq = other.seq;
  }

  @Override
  public String toString() {
    return "Timers" + Arrays.toString(deadline) + " running=" + TimerId.describe(running);
  }
}
