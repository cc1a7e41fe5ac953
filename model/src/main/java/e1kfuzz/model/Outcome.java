package e1kfuzz.model;

/** How a run of a trace on one variant ended. Step numbers count from 1. */
public sealed interface Outcome {

  /** {@code ok} or the signature id: the RESULT word of an {@code @expect} line. */
  String result();

  record Passed(int steps, long timeNs) implements Outcome {
    @Override
    public String result() {
      return Expectation.OK;
    }
  }

  record Violated(Signature signature, int step, long timeNs, String detail) implements Outcome {
    @Override
    public String result() {
      return signature.id();
    }
  }
}
