package e1kfuzz.engine;

import java.util.ArrayDeque;
import java.util.Deque;

/** A scripted fake of {@link Rng}: returns the queued answers in order, then fails loudly. */
final class ScriptedRng implements Rng {
  private final Deque<Long> answers = new ArrayDeque<>();

  ScriptedRng answer(long... values) {
    for (long v : values) {
      answers.add(v);
    }
    return this;
  }

  private long next(long bound) {
    Long v = answers.poll();
    if (v == null) {
      throw new AssertionError("script exhausted");
    }
    if (v < 0 || v >= bound) {
      throw new AssertionError("scripted " + v + " outside [0, " + bound + ")");
    }
    return v;
  }

  @Override
  public int nextInt(int bound) {
    return (int) next(bound);
  }

  @Override
  public long nextLong(long bound) {
    return next(bound);
  }

  @Override
  public int nextBits() {
    return (int) next(1L << 32);
  }

  /** Fails when scripted answers were left unused: the script did not describe the run. */
  void assertAllUsed() {
    if (!answers.isEmpty()) {
      throw new AssertionError("scripted answers left unused: " + answers);
    }
  }
}
