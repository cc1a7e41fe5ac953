package e1kfuzz.model;

/**
 * QEMU v7.2.0 (and every release from 2.7 to 7.2.19): delivery through
 * e1000e_update_interrupt_state with msi_causes_pending, throttling-timer callbacks that assert the
 * interrupt mode and only deliver when a pending flag is set (flags that are never cleared), and a
 * collect that asserts there is nothing to collect when MSI-X is enabled.
 */
class Qemu720 extends E1000eCore {
  /** Causes already notified by MSI/MSI-X and not yet cleared (storm prevention). */
  int msiCausesPending;

  /** Set when an interrupt is postponed by the throttling timer; nothing clears them. */
  boolean itrIntrPending;

  final boolean[] eitrIntrPending = new boolean[Pci.MSIX_VECTORS];

  @Override
  void copyVariantState(E1000eCore other) {
    Qemu720 o = (Qemu720) other;
    msiCausesPending = o.msiCausesPending;
    itrIntrPending = o.itrIntrPending;
    System.arraycopy(o.eitrIntrPending, 0, eitrIntrPending, 0, eitrIntrPending.length);
  }

  @Override
  void hashVariantState(StateHasher h) {
    h.add(msiCausesPending).add(itrIntrPending);
    for (boolean p : eitrIntrPending) {
      h.add(p);
    }
  }

  /**
   * e1000e_core_reset clears none of the three: a set pending flag makes every later expiry of its
   * throttling timer deliver, and stale msi_causes_pending hides causes from the next MSI/MSI-X
   * delivery until an update finds nothing pending.
   */
  @Override
  public boolean stateOutlivesReset() {
    boolean flags = itrIntrPending;
    for (boolean p : eitrIntrPending) {
      flags |= p;
    }
    return flags || msiCausesPending != 0;
  }

  @Override
  int collectDelayedCauses() {
    if (pci().msixEnabled()) {
      check(
          delayedCauses == 0,
          Signature.COLLECT_DELAYED_CAUSES,
          "collect under MSI-X with delayed_causes " + Cause.describe(delayedCauses));
      return 0;
    }
    return takeDelayedCauses();
  }

  @Override
  void setInterruptCause(int val) {
    int collected = collectDelayedCauses();
    noteCauseOrigins(val, collected);
    icr |= val | collected;
    updateInterruptState();
  }

  /** e1000e_update_interrupt_state. */
  void updateInterruptState() {
    boolean isMsix = pci().msixEnabled();
    if (isMsix && (icr & Cause.OTHER_CAUSES) != 0) {
      icr |= Cause.OTHER;
    }
    fixIcrAsserted();
    ics = icr;
    notePending();
    boolean pending = (ims & icr) != 0;
    if (!pending) {
      msiCausesPending = 0;
    }
    if (isMsix || pci().msiEnabled()) {
      if (pending) {
        sendMsi(isMsix);
      }
    } else if (pending) {
      if (!postponeInterrupt(TimerId.ITR)) {
        raiseLegacyIrq(ims & icr);
      }
    } else {
      lowerLegacyIrq();
    }
  }

  /** e1000e_send_msi: only causes not notified yet are sent. */
  private void sendMsi(boolean msix) {
    int causes = icr & ims & ~Cause.ASSERTED;
    msiCausesPending &= causes;
    causes ^= msiCausesPending;
    if (causes == 0) {
      return;
    }
    msiCausesPending |= causes;
    if (msix) {
      msixNotify(causes);
    } else if (!postponeInterrupt(TimerId.ITR)) {
      msiNotify(causes);
    }
  }

  @Override
  void forgetNotifiedCauses(int causes) {
    msiCausesPending &= ~causes;
  }

  @Override
  boolean postponeInterrupt(TimerId throttle) {
    if (timers.running(throttle)) {
      if (throttle == TimerId.ITR) {
        mark(Mark.ITR_POSTPONED);
        itrIntrPending = true;
      } else {
        mark(Mark.EITR_POSTPONED);
        eitrIntrPending[throttle.ordinal() - TimerId.EITR0.ordinal()] = true;
      }
      return true;
    }
    rearmTimer(throttle);
    return false;
  }

  @Override
  void onThrottlingTimer() {
    if (pci().msixEnabled()) {
      mark(Mark.ITR_CALLBACK_UNDER_MSIX);
    }
    check(!pci().msixEnabled(), Signature.ITR_TIMER_UNDER_MSIX, "ITR callback with MSI-X enabled");
    if (!itrIntrPending) {
      return;
    }
    mark(Mark.STALE_PENDING_FLAG_FIRED);
    if (pci().msiEnabled()) {
      // dd0ef12866 (7.1): forget what was notified so the postponed MSI is sent.
      msiCausesPending = 0;
    }
    setInterruptCause(0);
  }

  @Override
  void onMsixThrottlingTimer(int vector) {
    if (!pci().msixEnabled()) {
      mark(Mark.EITR_CALLBACK_WITHOUT_MSIX);
    }
    check(
        pci().msixEnabled(),
        Signature.EITR_TIMER_WITHOUT_MSIX,
        "EITR" + vector + " callback with MSI-X disabled");
    if (!eitrIntrPending[vector]) {
      return;
    }
    msixNotifyFromTimer(vector);
  }

  @Override
  void fireAllTimers() {
    mark(Mark.FIRE_ALL_TIMERS);
    int collected = collectDelayedCauses();
    noteCauseOrigins(0, collected);
    icr |= collected;
    fireThrottlingTimersNow();
  }

  /** The ITR/EITR part of fire_all_timers: each running one is stopped and its callback run. */
  final void fireThrottlingTimersNow() {
    onInterruptTimersCleared();
    if (timers.running(TimerId.ITR)) {
      timers.stop(TimerId.ITR);
      emitTimerFiredNow(TimerId.ITR);
      onThrottlingTimer();
    }
    for (int v = 0; v < Pci.MSIX_VECTORS; v++) {
      if (timers.running(TimerId.eitr(v))) {
        timers.stop(TimerId.eitr(v));
        emitTimerFiredNow(TimerId.eitr(v));
        onMsixThrottlingTimer(v);
      }
    }
  }

  /** e1000e_mac_icr_read. */
  @Override
  int readIcr() {
    int ret = icr;
    if (ims == 0) {
      icr = 0;
    }
    if (!pci().msixEnabled()) {
      // 870374214e (7.0): clear on read outside MSI-X.
      icr = 0;
    }
    if ((icr & Cause.ASSERTED) != 0 && (ctrlExt & CTRL_EXT_IAME) != 0) {
      icr = 0;
      ims &= ~iam;
    }
    updateInterruptState();
    return ret;
  }

  /** e1000e_set_icr. */
  @Override
  void writeIcr(int val) {
    if ((icr & Cause.ASSERTED) != 0 && (ctrlExt & CTRL_EXT_IAME) != 0) {
      ims &= ~iam;
    }
    int next = icr & ~val;
    if ((val & Cause.OTHER) != 0) {
      next &= ~Cause.OTHER_CAUSES;
    }
    icr = next;
    updateInterruptState();
  }

  /** e1000e_set_ims. */
  @Override
  void writeIms(int val) {
    int valid = val & Cause.IMS_VALID;
    ims |= valid;
    clearPendingForIms(valid);
    if (valid == Cause.IMS_VALID && (ctrlExt & CTRL_EXT_INT_TIMERS_CLEAR_ENA) != 0) {
      fireAllTimers();
    }
    updateInterruptState();
  }

  /** IMS writes with CTRL_EXT.PBA_CLR clear the pending bits of the vectors they unmask. */
  final void clearPendingForIms(int valid) {
    if ((valid & Cause.EXTENDED) != 0 && (ctrlExt & CTRL_EXT_PBA_CLR) != 0 && pci().msixEnabled()) {
      msixClear(valid);
    }
  }

  /** e1000e_set_imc. */
  @Override
  void writeImc(int val) {
    ims &= ~val;
    updateInterruptState();
  }

  /**
   * e1000e_set_ctrl (7.2): CTRL.RST only reloads the MAC address; registers and timers are
   * untouched.
   */
  @Override
  void writeCtrl(int val) {
    ctrl = val & ~CTRL_RST;
  }
}
