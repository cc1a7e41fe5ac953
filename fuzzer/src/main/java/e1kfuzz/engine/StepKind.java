package e1kfuzz.engine;

import java.util.Locale;

/** The step kinds of trace format v1, with the generator's default weights. */
public enum StepKind {
  WRITE(30),
  READ(5),
  TX(10),
  RX(8),
  MSIX(8),
  MSIX_VECTOR(3),
  MSI(3),
  INTX(2),
  LINK(2),
  MDIC(2),
  WAIT(20),
  EXPIRE(6),
  RESET(1);

  private final int defaultWeight;

  StepKind(int defaultWeight) {
    this.defaultWeight = defaultWeight;
  }

  public int defaultWeight() {
    return defaultWeight;
  }

  /** The name used in {@code --weights}, e.g. {@code msix-vector}. */
  public String optionName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
