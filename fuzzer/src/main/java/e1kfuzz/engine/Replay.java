package e1kfuzz.engine;

import e1kfuzz.model.Outcome;
import e1kfuzz.model.Runner;
import e1kfuzz.model.Trace;
import e1kfuzz.model.Variant;
import java.util.ArrayList;
import java.util.List;

/** Replays parsed traces on the model. */
public final class Replay {
  private Replay() {}

  /**
   * Runs {@code trace} on {@code variant}; with {@code recordRows} every step's state and events
   * are kept for reports.
   */
  public static ReplayResult run(
      String file, Trace trace, Variant variant, boolean strict, boolean recordRows) {
    List<StepRow> rows = new ArrayList<>();
    Runner.StepObserver observer =
        recordRows ? (n, step, state, events) -> rows.add(new StepRow(n, step, state, events)) : null;
    Outcome outcome = Runner.run(variant, trace.steps(), strict, observer);
    return new ReplayResult(file, variant, outcome, trace.expectedResult(variant), List.copyOf(rows));
  }
}
