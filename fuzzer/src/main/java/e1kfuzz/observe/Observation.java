package e1kfuzz.observe;

/**
 * What can be seen of the device after a step, on the model and on QEMU alike: ICR (through the ICS
 * mirror), IMS, the MSI-X pending bits, the INTx line at the interrupt controller, and the MSI-X
 * vectors and MSI messages that arrived during the step, and how many frames have reached the
 * device's receive path since the trace began (QEMU's "Received packet" trace events), and IVAR
 * (which vector each cause goes to: what the model-free delivery checks need).
 */
public record Observation(
    int step,
    int ics,
    int ims,
    int pba,
    boolean intxLine,
    int msixMessages,
    boolean msiMessage,
    int framesReceived,
    int ivar) {
  public Observation withFramesReceived(int frames) {
    return new Observation(step, ics, ims, pba, intxLine, msixMessages, msiMessage, frames, ivar);
  }

  public String describe() {
    return String.format(
        java.util.Locale.ROOT,
        "ICS=0x%08x IMS=0x%08x PBA=0x%02x INTx=%s MSI-X msgs=%s MSI=%s RX=%d IVAR=0x%08x",
        ics,
        ims,
        pba,
        intxLine ? "high" : "low",
        vectors(msixMessages),
        msiMessage ? "yes" : "no",
        framesReceived,
        ivar);
  }

  static String vectors(int mask) {
    if (mask == 0) {
      return "-";
    }
    StringBuilder sb = new StringBuilder();
    for (int v = 0; v < 5; v++) {
      if ((mask & (1 << v)) != 0) {
        sb.append(sb.length() > 0 ? "," : "").append(v);
      }
    }
    return sb.toString();
  }
}
