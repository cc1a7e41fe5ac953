package e1kfuzz.model;

/** What the device shows after a step: the registers and lines a real QEMU exposes too. */
public record DeviceState(
    long timeNs,
    int icr,
    int ics,
    int ims,
    int delayedCauses,
    int runningTimers,
    boolean msixEnabled,
    boolean msiEnabled,
    boolean intxLevel,
    boolean intxDisabled,
    int pendingBits,
    int iac) {

  static DeviceState of(E1000eCore core) {
    Pci pci = core.pci();
    return new DeviceState(
        core.now(),
        core.icr(),
        core.ics(),
        core.ims(),
        core.delayedCauses(),
        core.runningTimers(),
        pci.msixEnabled(),
        pci.msiEnabled(),
        pci.intxLevel(),
        pci.intxDisabled(),
        pci.pendingBits(),
        core.iac());
  }

  /** The interrupt mode the guest has selected: MSI-X, MSI or INTx. */
  public String mode() {
    return msixEnabled ? "MSI-X" : msiEnabled ? "MSI" : "INTx";
  }
}
