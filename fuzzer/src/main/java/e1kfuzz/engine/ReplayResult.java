package e1kfuzz.engine;

import e1kfuzz.model.Outcome;
import e1kfuzz.model.Variant;
import java.util.List;
import java.util.Optional;

/**
 * A trace replayed on one variant: the outcome, what the trace's {@code @expect} lines say about
 * this variant (if anything), whether that holds, and the step rows when they were recorded.
 *
 * <p>{@code expectationMet} is usually {@code expected == outcome}; it differs when the strict
 * invariants were asked for on a trace whose {@code @expect} lines state the outcome without them
 * (see {@link Replay#run}): the outcome shown is the strict one, the expectation is held against
 * the run without them.
 */
public record ReplayResult(
    String file,
    Variant variant,
    Outcome outcome,
    Optional<String> expected,
    List<StepRow> rows,
    boolean expectationMet) {

  /** The expectation, if any, is held against {@code outcome} itself. */
  public ReplayResult(
      String file,
      Variant variant,
      Outcome outcome,
      Optional<String> expected,
      List<StepRow> rows) {
    this(
        file,
        variant,
        outcome,
        expected,
        rows,
        expected.map(e -> e.equals(outcome.result())).orElse(true));
  }

  /** Expectation met; without one, a run passes only when no invariant was violated. */
  public boolean ok() {
    return expected.isPresent() ? expectationMet : outcome instanceof Outcome.Passed;
  }

  /** True when the trace states an expectation for this variant and the outcome differs. */
  public boolean expectationFailed() {
    return expected.isPresent() && !expectationMet;
  }

  /**
   * True when the expectation holds only without the strict invariants: the outcome shown is a
   * strict violation that the trace's {@code @expect} lines do not state.
   */
  public boolean metWithoutStrict() {
    return expected.isPresent() && expectationMet && !expected.get().equals(outcome.result());
  }
}
