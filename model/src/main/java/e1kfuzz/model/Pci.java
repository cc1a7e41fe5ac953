package e1kfuzz.model;

/**
 * The PCI-core side of the function: MSI-X (enable, function mask, per-vector masks, pending bits),
 * MSI (vector 0) and INTx (pin level and the command register's INTx Disable gate). It behaves as
 * QEMU's generic PCI/MSI/MSI-X code does; e1000e itself never hooks these writes (except in a fix
 * variant, through {@link E1000eCore#onMsixEnableWrite()}).
 */
public final class Pci {
  public static final int MSIX_VECTORS = 5;
  private static final int ALL_VECTORS = (1 << MSIX_VECTORS) - 1;

  private final E1000eCore core;
  private boolean msixEnabled;
  private boolean functionMask;
  private int vectorMask = ALL_VECTORS;
  private int pending;
  private boolean msiEnabled;
  private boolean intxDisabled;
  private boolean intxLevel;
  private boolean busMasterOff;

  Pci(E1000eCore core) {
    this.core = core;
  }

  public boolean msixEnabled() {
    return msixEnabled;
  }

  public boolean msiEnabled() {
    return msiEnabled;
  }

  public boolean functionMask() {
    return functionMask;
  }

  /** Bit v set = the vector-control mask bit of table entry v is set. */
  public int vectorMaskBits() {
    return vectorMask;
  }

  /** The MSI-X pending bit array (bit v = vector v pending). */
  public int pendingBits() {
    return pending;
  }

  public boolean intxDisabled() {
    return intxDisabled;
  }

  /** The command register's Bus Master bit (on after power-on and reset: the harness sets it). */
  public boolean busMaster() {
    return !busMasterOff;
  }

  void writeBusMaster(boolean on) {
    busMasterOff = !on;
  }

  /** The level the device drives on its INTx pin (QEMU's irq_state). */
  public boolean intxLevel() {
    return intxLevel;
  }

  /** A vector is masked when MSI-X is disabled, the function is masked, or its own mask is set. */
  public boolean vectorMasked(int vector) {
    return !msixEnabled || functionMask || (vectorMask & (1 << vector)) != 0;
  }

  /** Bit mask of the vectors that are currently masked. */
  public int maskedVectors() {
    return !msixEnabled || functionMask ? ALL_VECTORS : vectorMask;
  }

  /** A config write covering the MSI-X control byte. */
  void writeMsixControl(Step.MsixControl op) {
    boolean wasEnabled = msixEnabled;
    int wasMasked = maskedVectors();
    switch (op) {
      case ON -> msixEnabled = true;
      case OFF -> msixEnabled = false;
      case MASK -> functionMask = true;
      case UNMASK -> functionMask = false;
    }
    if (wasEnabled != msixEnabled) {
      core.onInterruptModeChanged();
    }
    if (!wasEnabled && msixEnabled) {
      core.onMsixEnabled();
    }
    if (msixEnabled) {
      // The PCI core deasserts INTx on every control write that leaves MSI-X enabled.
      setIntxLevel(false);
      deliverUnmasked(wasMasked);
    } else {
      core.onMsixDisabled();
    }
    if (!wasEnabled && msixEnabled) {
      core.onMsixEnableWrite();
    }
  }

  /** An MSI-X table write of one entry's vector-control word. */
  void writeVectorMask(int vector, boolean masked) {
    int wasMasked = maskedVectors();
    if (masked) {
      vectorMask |= 1 << vector;
    } else {
      vectorMask &= ~(1 << vector);
    }
    deliverUnmasked(wasMasked);
  }

  /** A vector that goes from masked to unmasked with its pending bit set is delivered now. */
  private void deliverUnmasked(int wasMasked) {
    int unmaskedNow = wasMasked & ~maskedVectors() & pending;
    for (int m = unmaskedNow; m != 0; m &= m - 1) {
      int v = Integer.numberOfTrailingZeros(m);
      pending &= ~(1 << v);
      core.mark(Mark.PBA_DELIVERED_ON_UNMASK);
      core.emitPendingCleared(v);
      notifyVector(v, 0, 0, 0, 0);
    }
  }

  void writeMsiEnable(boolean enable) {
    boolean was = msiEnabled;
    msiEnabled = enable;
    if (was != enable) {
      core.onInterruptModeChanged();
    }
    if (msiEnabled) {
      // QEMU's MSI code deasserts INTx on any write to the capability while MSI is enabled.
      setIntxLevel(false);
    }
  }

  void writeIntxDisable(boolean disable) {
    boolean wasVisible = intxLevel && !intxDisabled;
    intxDisabled = disable;
    boolean visible = intxLevel && !intxDisabled;
    if (visible != wasVisible) {
      core.emitIntxGate(visible);
    }
  }

  /**
   * QEMU's msix_notify: a masked (or disabled, or function-masked) vector only gets its pending bit
   * set, an unmasked one sends its message, through the bus-master address space.
   */
  void notifyVector(int vector, int causes, int parkedIntx, int parkedMsi, int parkedAtEnable) {
    if (vectorMasked(vector)) {
      pending |= 1 << vector;
      core.mark(Mark.PBA_SET);
      core.emitInterrupt(Event.Delivery.PBA, vector, causes, parkedIntx, parkedMsi, parkedAtEnable);
    } else if (!busMasterOff) {
      core.emitInterrupt(
          Event.Delivery.MSIX, vector, causes, parkedIntx, parkedMsi, parkedAtEnable);
    }
    // Without bus mastering the message is a write QEMU drops (found by fuzz --backend diff with
    // busmaster steps on every exact build): the device counts it as sent, the guest never sees it.
  }

  void clearPending(int vector) {
    if ((pending & (1 << vector)) != 0) {
      pending &= ~(1 << vector);
      core.emitPendingCleared(vector);
    }
  }

  void setIntxLevel(boolean level) {
    if (intxLevel != level) {
      intxLevel = level;
      core.emitIntx(level, !intxDisabled);
    }
  }

  /**
   * PCI function reset: INTx deasserted, MSI and MSI-X disabled, every vector masked, PBA clear.
   */
  void reset() {
    setIntxLevel(false);
    msixEnabled = false;
    functionMask = false;
    vectorMask = ALL_VECTORS;
    pending = 0;
    msiEnabled = false;
    intxDisabled = false;
    busMasterOff = false;
  }

  void copyFrom(Pci o) {
    msixEnabled = o.msixEnabled;
    functionMask = o.functionMask;
    vectorMask = o.vectorMask;
    pending = o.pending;
    msiEnabled = o.msiEnabled;
    intxDisabled = o.intxDisabled;
    intxLevel = o.intxLevel;
    busMasterOff = o.busMasterOff;
  }

  int fingerprint() {
    return (msixEnabled ? 1 : 0)
        | (functionMask ? 2 : 0)
        | (msiEnabled ? 4 : 0)
        | (intxDisabled ? 8 : 0)
        | (intxLevel ? 16 : 0)
        | vectorMask << 5
        | pending << 10
        | (busMasterOff ? 1 << 15 : 0);
  }
}
