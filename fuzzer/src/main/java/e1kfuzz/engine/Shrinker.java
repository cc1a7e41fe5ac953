package e1kfuzz.engine;

import com.google.common.base.Preconditions;
import e1kfuzz.model.Outcome;
import e1kfuzz.model.Runner;
import e1kfuzz.model.Signature;
import e1kfuzz.model.Step;
import e1kfuzz.model.Variant;
import e1kfuzz.timing.ExactTiming;
import java.util.ArrayList;
import java.util.List;

/**
 * Shrinks a failing trace with a fixed sequence of passes, repeated until none makes progress: cut
 * after the violating step; delete chunks, halving their size; delete single steps; merge and
 * shorten waits; simplify values; replace steps by simpler ones. A candidate is kept only when it
 * fails with the same signature on the same variant. At the fixpoint the result is 1-minimal:
 * removing any single step, or clearing any single set bit of a written value, loses the failure.
 */
public final class Shrinker {
  /** Upper bound on candidate runs, so a pathological input cannot hang a campaign. */
  public static final int DEFAULT_MAX_RUNS = 200_000;

  /** The shrunk trace, how long the input was, and how many candidate runs it took. */
  public record Result(
      List<Step> steps, int originalLength, int runs, Outcome.Violated outcome, boolean exhausted) {
    public String summary() {
      return "shrunk "
          + originalLength
          + " → "
          + steps.size()
          + " steps in "
          + runs
          + " runs"
          + (exhausted ? " (run budget exhausted: may not be 1-minimal)" : "");
    }
  }

  /** Decides whether a candidate still fails the same way: the failing step number, else -1. */
  @FunctionalInterface
  public interface Oracle {
    int failingStep(List<Step> candidate);
  }

  private final Oracle oracle;
  private final int maxRuns;
  private List<Step> current;
  private int runs;

  private Shrinker(Oracle oracle, int maxRuns) {
    this.oracle = oracle;
    this.maxRuns = maxRuns;
  }

  /**
   * Shrinks {@code steps}, which must fail on {@code variant} with {@code signature}.
   *
   * @throws IllegalArgumentException if they do not
   */
  public static Result shrink(
      Variant variant, List<Step> steps, Signature signature, boolean strict) {
    return shrink(variant, steps, signature, strict, DEFAULT_MAX_RUNS);
  }

  public static Result shrink(
      Variant variant, List<Step> steps, Signature signature, boolean strict, int maxRuns) {
    return shrink(variant, steps, signature, strict, false, maxRuns);
  }

  /**
   * With {@code exactReplayable}, a candidate is kept only if it also replays under qtest ({@link
   * ExactTiming}): the shrunk trace is one that the exact builds and a qtest regression test can
   * hold. {@code steps} must then replay too.
   */
  public static Result shrink(
      Variant variant,
      List<Step> steps,
      Signature signature,
      boolean strict,
      boolean exactReplayable,
      int maxRuns) {
    return shrink(variant, steps, signature, strict, exactReplayable, c -> true, maxRuns);
  }

  /**
   * As above; a candidate is kept only if {@code alsoHolds} holds for it (up to its failing step)
   * too, for example that the finding shows in observations. {@code steps} must satisfy it too.
   */
  public static Result shrink(
      Variant variant,
      List<Step> steps,
      Signature signature,
      boolean strict,
      boolean exactReplayable,
      java.util.function.Predicate<List<Step>> alsoHolds,
      int maxRuns) {
    Oracle sameSignature =
        c -> {
          int step =
              Runner.run(variant, c, strict) instanceof Outcome.Violated v
                      && v.signature() == signature
                  ? v.step()
                  : -1;
          if (step <= 0) {
            return -1;
          }
          List<Step> failing = c.subList(0, step);
          boolean keeps =
              (!exactReplayable || ExactTiming.problem(variant, failing) == null)
                  && alsoHolds.test(failing);
          return keeps ? step : -1;
        };
    Preconditions.checkArgument(
        sameSignature.failingStep(steps) > 0,
        "the trace does not fail with %s on %s%s",
        signature.id(),
        variant.id(),
        exactReplayable ? " in a form the exact builds replay" : "");
    Shrunk shrunk = shrink(steps, sameSignature, maxRuns);
    Outcome.Violated outcome = (Outcome.Violated) Runner.run(variant, shrunk.steps(), strict);
    return new Result(shrunk.steps(), steps.size(), shrunk.runs(), outcome, shrunk.exhausted());
  }

  /** The result of an oracle-driven shrink: the steps and how many candidates were run. */
  public record Shrunk(List<Step> steps, int runs, boolean exhausted) {}

  /**
   * Shrinks {@code steps}, which must fail according to {@code oracle}; the passes keep a candidate
   * only when the oracle says it still fails.
   */
  public static Shrunk shrink(List<Step> steps, Oracle oracle, int maxRuns) {
    Shrinker s = new Shrinker(oracle, maxRuns);
    int failingStep = s.test(steps);
    Preconditions.checkArgument(failingStep > 0, "the trace does not fail");
    s.current = new ArrayList<>(steps.subList(0, failingStep));
    boolean progress = true;
    while (progress && s.runs < maxRuns) {
      progress = s.deleteChunks();
      progress |= s.deleteSingleSteps();
      progress |= s.mergeWaits();
      progress |= s.shortenWaits();
      progress |= s.simplifyValues();
      progress |= s.simplifySteps();
    }
    return new Shrunk(List.copyOf(s.current), s.runs, s.runs >= maxRuns);
  }

  /** The violating step number if {@code candidate} fails the same way, else -1. */
  private int test(List<Step> candidate) {
    runs++;
    return oracle.failingStep(candidate);
  }

  /** Keeps {@code candidate} (cut after its violating step) if it fails the same way. */
  private boolean accept(List<Step> candidate) {
    if (runs >= maxRuns) {
      return false;
    }
    int failing = test(candidate);
    if (failing < 0) {
      return false;
    }
    current = new ArrayList<>(candidate.subList(0, failing));
    return true;
  }

  private List<Step> without(int from, int to) {
    List<Step> c = new ArrayList<>(current.size() - (to - from));
    c.addAll(current.subList(0, from));
    c.addAll(current.subList(to, current.size()));
    return c;
  }

  private List<Step> replaced(int i, Step step) {
    List<Step> c = new ArrayList<>(current);
    c.set(i, step);
    return c;
  }

  private boolean deleteChunks() {
    boolean progress = false;
    for (int size = current.size() / 2; size >= 2; size /= 2) {
      int i = 0;
      while (i + size <= current.size()) {
        if (accept(without(i, i + size))) {
          progress = true;
        } else {
          i += size;
        }
      }
    }
    return progress;
  }

  private boolean deleteSingleSteps() {
    boolean progress = false;
    for (int i = current.size() - 1; i >= 0; i--) {
      if (i < current.size() && accept(without(i, i + 1))) {
        progress = true;
      }
    }
    return progress;
  }

  /**
   * Adjacent waits become one; a wait's time moves into the next wait (removing the earlier one),
   * so time passes in as few places as the failure allows.
   */
  private boolean mergeWaits() {
    boolean progress = false;
    for (int i = 0; i < current.size(); i++) {
      if (!(current.get(i) instanceof Step.Wait a)) {
        continue;
      }
      for (int j = i + 1; j < current.size(); j++) {
        if (current.get(j) instanceof Step.Wait b) {
          List<Step> c = new ArrayList<>(current);
          c.set(j, new Step.Wait(a.ns() + b.ns()));
          c.remove(i);
          if (accept(c)) {
            progress = true;
            i--;
          }
          break;
        }
      }
    }
    return progress;
  }

  /** Shorter and rounder waits: 0, whole milliseconds, whole microseconds, half. */
  private boolean shortenWaits() {
    boolean progress = false;
    for (int i = 0; i < current.size(); i++) {
      boolean changed = true;
      while (changed && i < current.size() && current.get(i) instanceof Step.Wait w && w.ns() > 0) {
        changed = false;
        long ns = w.ns();
        for (long candidate :
            new long[] {0, ns / 1_000_000 * 1_000_000, ns / 1_000 * 1_000, ns / 2}) {
          if (candidate < ns && accept(replaced(i, new Step.Wait(candidate)))) {
            changed = true;
            progress = true;
            break;
          }
        }
      }
    }
    return progress;
  }

  /** Written values: 0, then only the lowest set bit, then each set bit cleared in turn. */
  private boolean simplifyValues() {
    boolean progress = false;
    for (int i = 0; i < current.size(); i++) {
      boolean changed = true;
      while (changed
          && i < current.size()
          && current.get(i) instanceof Step.Write w
          && w.value() != 0) {
        changed = false;
        int v = w.value();
        if (accept(replaced(i, new Step.Write(w.offset(), 0)))
            || (Integer.bitCount(v) > 1
                && accept(replaced(i, new Step.Write(w.offset(), Integer.lowestOneBit(v)))))) {
          changed = progress = true;
          continue;
        }
        for (int m = v; m != 0; m &= m - 1) {
          if (accept(replaced(i, new Step.Write(w.offset(), v & ~Integer.lowestOneBit(m))))) {
            changed = progress = true;
            break;
          }
        }
      }
    }
    return progress;
  }

  /** Fewer flags on tx/rx, vector 0 for vector steps. */
  private boolean simplifySteps() {
    boolean progress = false;
    for (int i = 0; i < current.size(); i++) {
      for (Step simpler : simpler(current.get(i))) {
        if (i < current.size() && accept(replaced(i, simpler))) {
          progress = true;
          break;
        }
      }
    }
    return progress;
  }

  private static List<Step> simpler(Step s) {
    List<Step> out = new ArrayList<>();
    if (s instanceof Step.Tx t) {
      if (t.ide()) out.add(new Step.Tx(false, t.noRs(), t.queue1()));
      if (t.noRs()) out.add(new Step.Tx(t.ide(), false, t.queue1()));
      if (t.queue1()) out.add(new Step.Tx(t.ide(), t.noRs(), false));
    } else if (s instanceof Step.Rx r) {
      if (r.ack()) out.add(new Step.Rx(false, r.small(), r.noBuffer(), r.queue1()));
      if (r.small()) out.add(new Step.Rx(r.ack(), false, r.noBuffer(), r.queue1()));
      if (r.noBuffer()) out.add(new Step.Rx(r.ack(), r.small(), false, r.queue1()));
      if (r.queue1()) out.add(new Step.Rx(r.ack(), r.small(), r.noBuffer(), false));
    } else if (s instanceof Step.MsixVector v && v.vector() != 0) {
      out.add(new Step.MsixVector(0, v.masked()));
    }
    return out;
  }
}
