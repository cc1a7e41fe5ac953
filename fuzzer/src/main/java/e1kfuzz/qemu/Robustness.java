package e1kfuzz.qemu;

import e1kfuzz.model.E1000eCore;
import e1kfuzz.model.Event;
import e1kfuzz.model.Step;
import e1kfuzz.model.TimerId;
import e1kfuzz.model.Variant;
import e1kfuzz.timing.ExactTiming;
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

  /** For a build with the qtest accelerator: see {@link ExactTiming}. */
  public static String checkExact(Variant variant, List<Step> steps) {
    return ExactTiming.problem(variant, steps);
  }

  /** The check that fits the build: exact with the qtest accelerator, with margins otherwise. */
  public static String check(QemuBuild build, Variant variant, List<Step> steps, long marginNs) {
    return build.qtestAccel() ? checkExact(variant, steps) : check(variant, steps, marginNs);
  }

  /** Null when robust, else the first problem, naming the step. */
  public static String check(Variant variant, List<Step> steps, long marginNs) {
    E1000eCore core = variant.newCore();
    List<Event> events = new ArrayList<>();
    core.setEventSink(events::add);
    for (int i = 0; i < steps.size(); i++) {
      Step s = steps.get(i);
      events.clear();
      long intendedEnd = s instanceof Step.Wait w ? core.now() + w.ns() : -1;
      core.step(s);
      if (core.abortSignature() != null) {
        // QEMU dies here. A timer-driven abort must come clearly before the step's observation.
        if (s instanceof Step.Expire || (intendedEnd >= 0 && intendedEnd - core.now() < marginNs)) {
          return String.format(Locale.ROOT, "the abort at %dns is within %dns of the end of step %d (%s)",
              core.now(), marginNs, i + 1, s.format());
        }
        return null;
      }
      long now = core.now();
      for (Event e : events) {
        if (e instanceof Event.TimerFired f && now - f.timeNs() < marginNs) {
          return String.format(Locale.ROOT, "%s fires at %dns, only %dns before the end of step %d (%s); margin %dns",
              f.timer().traceName(), f.timeNs(), now - f.timeNs(), i + 1, s.format(), marginNs);
        }
      }
      for (TimerId t : TimerId.values()) {
        if (core.timerRunning(t) && core.timerDeadline(t) - now < marginNs) {
          return String.format(Locale.ROOT, "%s is due %dns after step %d (%s); margin %dns",
              t.traceName(), core.timerDeadline(t) - now, i + 1, s.format(), marginNs);
        }
      }
    }
    return null;
  }
}
