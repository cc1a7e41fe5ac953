package e1kfuzz.engine;

import e1kfuzz.model.Step;
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
  RESET(1),
  /** Driver scenarios use it; campaigns only when given a weight. */
  BUSMASTER(0);

  private final int defaultWeight;

  StepKind(int defaultWeight) {
    this.defaultWeight = defaultWeight;
  }

  public int defaultWeight() {
    return defaultWeight;
  }

  /** The kind of a step. */
  public static StepKind of(Step step) {
    if (step instanceof Step.Write) {
      return WRITE;
    } else if (step instanceof Step.Read) {
      return READ;
    } else if (step instanceof Step.Tx) {
      return TX;
    } else if (step instanceof Step.Rx) {
      return RX;
    } else if (step instanceof Step.Msix) {
      return MSIX;
    } else if (step instanceof Step.MsixVector) {
      return MSIX_VECTOR;
    } else if (step instanceof Step.Msi) {
      return MSI;
    } else if (step instanceof Step.Intx) {
      return INTX;
    } else if (step instanceof Step.Link) {
      return LINK;
    } else if (step instanceof Step.Mdic) {
      return MDIC;
    } else if (step instanceof Step.Wait) {
      return WAIT;
    } else if (step instanceof Step.Expire) {
      return EXPIRE;
    } else if (step instanceof Step.Reset) {
      return RESET;
    } else if (step instanceof Step.BusMaster) {
      return BUSMASTER;
    }
    throw new IllegalArgumentException("unknown step " + step);
  }

  /** The name used in {@code --weights}, e.g. {@code msix-vector}. */
  public String optionName() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
