package e1kfuzz.engine;

import e1kfuzz.model.Expectation;
import e1kfuzz.model.Outcome;
import e1kfuzz.model.Variant;
import java.util.List;
import java.util.Optional;

/**
 * A trace replayed on one variant: the outcome, what the trace's {@code @expect} lines say about
 * this variant (if anything), and the step rows when they were recorded.
 */
public record ReplayResult(
    String file, Variant variant, Outcome outcome, Optional<String> expected, List<StepRow> rows) {

  /** Expectation met; without one, a run passes only when no invariant was violated. */
  public boolean ok() {
    return expected.map(e -> e.equals(outcome.result())).orElse(outcome instanceof Outcome.Passed);
  }

  /** True when the trace states an expectation for this variant and the outcome differs. */
  public boolean expectationFailed() {
    return expected.isPresent() && !expected.get().equals(outcome.result());
  }
}
