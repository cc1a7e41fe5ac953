package e1kfuzz.observe;

import java.util.Locale;

/**
 * One interrupt as the host sees it: an MSI-X message on a vector, an MSI message, or the INTx line
 * going high, during a step, at a virtual time known to within {@code [earliestNs, latestNs]}, with
 * the throttling interval the device's ITR (INTx, MSI) or EITR (the vector) read back right after
 * ({@code intervalNs}, 256 ns per unit). The QEMU backend records signals only on builds with exact
 * virtual time; the model records them at their exact instant.
 */
public record Signal(
    int step, Kind kind, int vector, long earliestNs, long latestNs, long intervalNs) {

  /** What reached the host. */
  public enum Kind {
    MSIX("MSI-X message"),
    MSI("MSI message"),
    INTX("INTx assertion");

    private final String text;

    Kind(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  /** The throttling channel: the MSI-X vector, or {@link #LEGACY} for INTx and MSI (ITR). */
  public int channel() {
    return kind == Kind.MSIX ? vector : LEGACY;
  }

  /** INTx and MSI share ITR. */
  public static final int LEGACY = 5;

  public String describe() {
    String when =
        earliestNs == latestNs
            ? earliestNs + " ns"
            : String.format(Locale.ROOT, "between %d and %d ns", earliestNs, latestNs);
    return kind.text() + (kind == Kind.MSIX ? " on vector " + vector : "") + " at " + when;
  }
}
