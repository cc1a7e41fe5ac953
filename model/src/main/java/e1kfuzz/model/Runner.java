package e1kfuzz.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs a sequence of steps on a fresh device of one variant. {@link #run} is the property check:
 * every invariant after every step, ending at the first violation (a delivery violation lets the
 * run go on, in case a crash or state error follows; the trace's end is judged as the guest
 * stopping there, see {@link E1000eCore#settle}). {@link #runUntilAbort} is the device as QEMU runs
 * it: on past violations, ending only where QEMU's process would (an assert).
 */
public final class Runner {
  private Runner() {}

  /** Sees each step's result: the state after it and the events it produced. */
  @FunctionalInterface
  public interface StepObserver {
    void afterStep(int stepNumber, Step step, DeviceState state, List<Event> events);
  }

  /**
   * Sees each step of {@link #runUntilAbort} with the live device after it (read it, do not step
   * it); returns false to stop the run there.
   */
  @FunctionalInterface
  public interface StepListener {
    boolean afterStep(
        int stepNumber, Step step, long startNs, List<Event> events, E1000eCore device);
  }

  public static Outcome run(Variant variant, List<Step> steps, boolean strict) {
    return run(variant, steps, strict, null);
  }

  public static Outcome run(
      Variant variant, List<Step> steps, boolean strict, StepObserver observer) {
    E1000eCore core = variant.newCore();
    core.setStrict(strict);
    List<Event> events = observer != null ? new ArrayList<>() : null;
    if (events != null) {
      core.setEventSink(events::add);
    }
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      Violation v = core.step(step);
      if (observer != null) {
        observer.afterStep(i + 1, step, DeviceState.of(core), List.copyOf(events));
        events.clear();
      }
      if (v != null && !v.signature().deferred()) {
        return violated(v);
      }
    }
    core.settle(variant::newCore);
    Violation v = core.violation();
    return v != null ? violated(v) : new Outcome.Passed(steps.size(), core.now());
  }

  private static Outcome.Violated violated(Violation v) {
    return new Outcome.Violated(v.signature(), v.step(), v.timeNs(), v.detail());
  }

  /**
   * Runs the steps without stopping at violations, until the end, an abort (the listener sees the
   * aborting step, then the run ends) or the listener's stop. Returns the device as it was left.
   * The events list passed to the listener is reused: copy it to keep it.
   */
  public static E1000eCore runUntilAbort(Variant variant, List<Step> steps, StepListener listener) {
    E1000eCore core = variant.newCore();
    List<Event> events = new ArrayList<>();
    core.setEventSink(events::add);
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      long start = core.now();
      events.clear();
      core.step(step);
      if (!listener.afterStep(i + 1, step, start, events, core) || core.abortSignature() != null) {
        break;
      }
    }
    return core;
  }
}
