package e1kfuzz.model;

/**
 * e1kfuzz's own bookkeeping beside the QEMU mirror: where each parked cause and each ICR bit came
 * from (parked under INTx, under MSI, or still parked when MSI-X was enabled). QEMU keeps none of
 * this; it exists for the event log and for the {@code legacy-cause-over-msix} invariant. All
 * values are cause bit masks.
 */
final class CauseOrigins {
  // Of delayed_causes: parked while MSI was enabled; still parked when MSI-X was enabled.
  private int delayedParkedInMsi;
  private int delayedAtMsixEnable;
  // Of the ICR bits: taken from delayed_causes parked under INTx, under MSI, or at the MSI-X
  // switch.
  private int icrParkedInIntx;
  private int icrParkedInMsi;
  private int icrParkedAtMsixEnable;
  // What the last collect took, until it is written into ICR.
  private int collectedParkedInMsi;
  private int collectedAtMsixEnable;

  /**
   * Vectors whose postponed notification (EITR) carries a cause parked before MSI-X was enabled.
   */
  private int eitrTaintedPending;

  /** Causes were parked in delayed_causes with MSI enabled or not. */
  void parked(int causes, boolean msiEnabled) {
    if (msiEnabled) {
      delayedParkedInMsi |= causes;
    } else {
      delayedParkedInMsi &= ~causes;
    }
  }

  /** A collect took {@code taken} out of delayed_causes, which is now empty. */
  void collected(int taken) {
    collectedParkedInMsi = delayedParkedInMsi & taken;
    collectedAtMsixEnable = delayedAtMsixEnable & taken;
    delayedCleared();
  }

  /** delayed_causes was emptied (collected, discarded or reset). */
  void delayedCleared() {
    delayedParkedInMsi = 0;
    delayedAtMsixEnable = 0;
  }

  /**
   * The ICR bits about to be set: {@code collected} were taken from delayed_causes by the last
   * collect, the rest of {@code direct} are raised directly.
   */
  void icrSet(int direct, int collected) {
    int directOnly = direct & ~collected;
    icrParkedInIntx &= ~directOnly;
    icrParkedInMsi &= ~directOnly;
    icrParkedAtMsixEnable &= ~directOnly;
    if (collected != 0) {
      icrParkedInMsi = (icrParkedInMsi & ~collected) | collectedParkedInMsi;
      icrParkedInIntx = (icrParkedInIntx & ~collected) | (collected & ~collectedParkedInMsi);
      icrParkedAtMsixEnable = (icrParkedAtMsixEnable & ~collected) | collectedAtMsixEnable;
    }
  }

  /** MSI-X went from disabled to enabled with {@code delayedCauses} parked. */
  void msixEnabled(int delayedCauses) {
    delayedAtMsixEnable = delayedCauses;
    icrParkedAtMsixEnable = 0;
  }

  void msixDisabled() {
    delayedAtMsixEnable = 0;
  }

  /** The register reset: ICR is empty, no vector carries a tainted notification. */
  void registersReset() {
    icrParkedInIntx = 0;
    icrParkedInMsi = 0;
    icrParkedAtMsixEnable = 0;
    eitrTaintedPending = 0;
  }

  /** Of {@code causes}, those in ICR that were parked under INTx. */
  int inIntx(int causes) {
    return causes & icrParkedInIntx;
  }

  int inMsi(int causes) {
    return causes & icrParkedInMsi;
  }

  /** Of {@code causes}, those that were still parked when MSI-X was enabled. */
  int atMsixEnable(int causes) {
    return causes & icrParkedAtMsixEnable;
  }

  /** The vector's postponed notification now carries a cause parked before MSI-X was enabled. */
  void taint(int vector) {
    eitrTaintedPending |= 1 << vector;
  }

  /** Whether the vector's postponed notification was tainted; clears the mark. */
  boolean takeTaint(int vector) {
    boolean tainted = (eitrTaintedPending & (1 << vector)) != 0;
    eitrTaintedPending &= ~(1 << vector);
    return tainted;
  }

  void copyFrom(CauseOrigins o) {
    delayedParkedInMsi = o.delayedParkedInMsi;
    delayedAtMsixEnable = o.delayedAtMsixEnable;
    icrParkedInIntx = o.icrParkedInIntx;
    icrParkedInMsi = o.icrParkedInMsi;
    icrParkedAtMsixEnable = o.icrParkedAtMsixEnable;
    collectedParkedInMsi = o.collectedParkedInMsi;
    collectedAtMsixEnable = o.collectedAtMsixEnable;
    eitrTaintedPending = o.eitrTaintedPending;
  }

  void hashInto(StateHasher h) {
    h.add(delayedParkedInMsi).add(delayedAtMsixEnable).add(icrParkedInIntx).add(icrParkedInMsi);
    h.add(icrParkedAtMsixEnable).add(collectedParkedInMsi).add(collectedAtMsixEnable);
    h.add(eitrTaintedPending);
  }
}
