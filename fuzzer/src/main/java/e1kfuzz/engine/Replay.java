package e1kfuzz.engine;

import e1kfuzz.model.Outcome;
import e1kfuzz.model.Runner;
import e1kfuzz.model.Trace;
import e1kfuzz.model.Variant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Replays parsed traces on the model. */
public final class Replay {
  private Replay() {}

  /**
   * Runs {@code trace} on {@code variant}; with {@code recordRows} every step's state and events
   * are kept for reports.
   *
   * <p>A trace's {@code @expect} lines state the outcome with the strict invariants on when one of
   * them names a strict signature ({@link Trace#strictExpectations()}): such a trace always runs
   * with them. Otherwise they state the outcome without them (the same either way when no strict
   * invariant fires); with {@code strict} the strict outcome is shown and the expectation is held
   * against a run without the strict invariants.
   */
  public static ReplayResult run(
      String file, Trace trace, Variant variant, boolean strict, boolean recordRows) {
    List<StepRow> rows = new ArrayList<>();
    Runner.StepObserver observer =
        recordRows
            ? (n, step, state, events) -> rows.add(new StepRow(n, step, state, events))
            : null;
    boolean strictExpectations = trace.strictExpectations();
    Outcome outcome = Runner.run(variant, trace.steps(), strict || strictExpectations, observer);
    Optional<String> expected = trace.expectedResult(variant);
    if (strict
        && !strictExpectations
        && expected.isPresent()
        && outcome instanceof Outcome.Violated v
        && v.signature().strict()) {
      boolean met = expected.get().equals(Runner.run(variant, trace.steps(), false).result());
      return new ReplayResult(file, variant, outcome, expected, List.copyOf(rows), met);
    }
    return new ReplayResult(file, variant, outcome, expected, List.copyOf(rows));
  }
}
