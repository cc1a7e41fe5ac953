package e1kfuzz.model;

/**
 * fix-mode-switch plus a throttling fix after Nicholas Piggin's 2025 series ("net/e1000e|igb: Fix
 * interrupt throttling logic", v3 patches 08-11, not merged): EIAC and auto-mask act only when a
 * message is sent; an EITR expiry sends only for a cause that is active on its vector, and sending
 * re-arms EITR. Beyond the series (whose re-arm covers EITR only): an ITR expiry that sends re-arms
 * ITR. The series' other changes (no 500 floor on ITR/EITR, EITR reset to 0) are left out.
 */
class FixThrottle extends FixModeSwitch {
  /** A held-back message keeps its causes in ICR and IMS until it is sent. */
  @Override
  boolean autoClearsHeldBackCauses() {
    return false;
  }

  /** Only an active cause of the vector is sent, through msix_notify, which re-arms EITR. */
  @Override
  void onMsixThrottlingTimer(int vector) {
    if (!pci().msixEnabled()) {
      mark(Mark.EITR_CALLBACK_WITHOUT_MSIX);
    }
    int active = icr & ims & causesOf(vector);
    if (active != 0) {
      msixNotify(active);
    }
  }

  /** As 8.1, and an interrupt sent at the expiry re-arms ITR. */
  @Override
  void onThrottlingTimer() {
    boolean sends = (ims & icr) != 0;
    super.onThrottlingTimer();
    if (sends) {
      rearmTimer(TimerId.ITR);
    }
  }
}
