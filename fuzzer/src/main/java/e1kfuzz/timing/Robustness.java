package e1kfuzz.timing;

import e1kfuzz.model.Event;
import e1kfuzz.model.Runner;
import e1kfuzz.model.Step;
import e1kfuzz.model.TimerId;
import e1kfuzz.model.Variant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether a trace keeps the same order of events on a QEMU whose virtual clock follows the host
 * clock, where each step lands a little later than its virtual time. After every step (where the
 * backend acts and observes) every running timer must be due at least {@code margin} later, and
 * every timer that fired during a wait must have fired at least {@code margin} before the wait
 * ended. An {@code expire} therefore never is robust: it ends exactly on a deadline.
 */
public final class Robustness {
  public static final long DEFAULT_MARGIN_NS = 5_000_000;

  private Robustness() {}

  /** One place where a trace is too tight for the margin. */
  public record Problem(
      Kind kind, int step, Step action, String timer, long atNs, long gapNs, long marginNs) {
    /** The three rules. */
    public enum Kind {
      /** A timer-driven abort that comes too close to the end of its step. */
      ABORT_NEAR_STEP_END,
      /** A timer that fired too close before the end of its step. */
      FIRED_NEAR_STEP_END,
      /** A timer that is due too soon after a step. */
      DUE_SOON_AFTER_STEP
    }

    public String describe() {
      return switch (kind) {
        case ABORT_NEAR_STEP_END ->
            String.format(
                Locale.ROOT,
                "the abort at %dns is within %dns of the end of step %d (%s)",
                atNs,
                marginNs,
                step,
                action.format());
        case FIRED_NEAR_STEP_END ->
            String.format(
                Locale.ROOT,
                "%s fires at %dns, only %dns before the end of step %d (%s); margin %dns",
                timer,
                atNs,
                gapNs,
                step,
                action.format(),
                marginNs);
        case DUE_SOON_AFTER_STEP ->
            String.format(
                Locale.ROOT,
                "%s is due %dns after step %d (%s); margin %dns",
                timer,
                gapNs,
                step,
                action.format(),
                marginNs);
      };
    }
  }

  /** For a build with the qtest accelerator: see {@link ExactTiming}. */
  public static String checkExact(Variant variant, List<Step> steps) {
    return ExactTiming.problem(variant, steps);
  }

  /** Null when robust, else the first problem, naming the step. */
  public static String check(Variant variant, List<Step> steps, long marginNs) {
    List<Problem> p = problems(variant, steps, marginNs, 1);
    return p.isEmpty() ? null : p.get(0).describe();
  }

  /** Every problem, in step order: the measure {@link Robustifier} improves. */
  public static List<Problem> problems(Variant variant, List<Step> steps, long marginNs) {
    return problems(variant, steps, marginNs, Integer.MAX_VALUE);
  }

  private static List<Problem> problems(
      Variant variant, List<Step> steps, long marginNs, int limit) {
    List<Problem> out = new ArrayList<>();
    Runner.runUntilAbort(
        variant,
        steps,
        (n, s, start, events, core) -> {
          long now = core.now();
          if (core.abortSignature() != null) {
            // QEMU dies here. A timer-driven abort must come clearly before the step's observation.
            long intendedEnd = s instanceof Step.Wait w ? start + w.ns() : -1;
            if (s instanceof Step.Expire || (intendedEnd >= 0 && intendedEnd - now < marginNs)) {
              out.add(
                  new Problem(
                      Problem.Kind.ABORT_NEAR_STEP_END,
                      n,
                      s,
                      null,
                      now,
                      intendedEnd - now,
                      marginNs));
            }
            return false;
          }
          for (Event e : events) {
            if (e instanceof Event.TimerFired f && now - f.timeNs() < marginNs) {
              out.add(
                  new Problem(
                      Problem.Kind.FIRED_NEAR_STEP_END,
                      n,
                      s,
                      f.timer().traceName(),
                      f.timeNs(),
                      now - f.timeNs(),
                      marginNs));
            }
          }
          for (TimerId t : TimerId.values()) {
            if (core.timerRunning(t) && core.timerDeadline(t) - now < marginNs) {
              out.add(
                  new Problem(
                      Problem.Kind.DUE_SOON_AFTER_STEP,
                      n,
                      s,
                      t.traceName(),
                      core.timerDeadline(t),
                      core.timerDeadline(t) - now,
                      marginNs));
            }
          }
          return out.size() < limit;
        });
    return out;
  }
}
