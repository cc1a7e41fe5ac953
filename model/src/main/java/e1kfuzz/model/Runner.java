package e1kfuzz.model;

import java.util.ArrayList;
import java.util.List;

/** Runs a sequence of steps on a fresh device of one variant, checking every invariant after every step. */
public final class Runner {
  private Runner() {}

  /** Sees each step's result: the state after it and the events it produced. */
  @FunctionalInterface
  public interface StepObserver {
    void afterStep(int stepNumber, Step step, DeviceState state, List<Event> events);
  }

  public static Outcome run(Variant variant, List<Step> steps, boolean strict) {
    return run(variant, steps, strict, null);
  }

  public static Outcome run(Variant variant, List<Step> steps, boolean strict, StepObserver observer) {
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
      if (v != null) {
        return new Outcome.Violated(v.signature(), i + 1, v.timeNs(), v.detail());
      }
    }
    return new Outcome.Passed(steps.size(), core.now());
  }
}
