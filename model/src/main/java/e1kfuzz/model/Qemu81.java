package e1kfuzz.model;

/**
 * QEMU 8.1.0 – 10.1.0 and 10.0.0 – 10.0.3: v7.2.0 plus the 8.0/8.1 interrupt rework. Each override
 * names the upstream change it models. The delayed-cause assert in collect is still there.
 */
class Qemu81 extends Qemu720 {

  /** ad431f0f82 "Notify only new interrupts": set_interrupt_cause raises through ICR. */
  @Override
  void setInterruptCause(int val) {
    int collected = collectDelayedCauses();
    noteCauseOrigins(val, collected);
    raiseInterrupts(true, val | collected);
  }

  /** ad431f0f82: e1000e_raise_interrupts(ICR or IMS, causes) notifies only newly raised causes. */
  void raiseInterrupts(boolean toIcr, int causes) {
    boolean isMsix = pci().msixEnabled();
    int old = ims & icr;
    if (toIcr) {
      icr |= causes;
    } else {
      ims |= causes;
    }
    if (isMsix && (icr & Cause.OTHER_CAUSES) != 0) {
      icr |= Cause.OTHER;
    }
    fixIcrAsserted();
    ics = icr;
    notePending();
    int raised = ims & icr & ~old;
    if (raised == 0) {
      return;
    }
    if (isMsix) {
      msixNotify(raised & ~Cause.ASSERTED);
    } else if (!postponeInterrupt(TimerId.ITR)) {
      if (pci().msiEnabled()) {
        msiNotify(raised);
      } else {
        raiseLegacyIrq(raised);
      }
    }
  }

  /** ad431f0f82: e1000e_lower_interrupts; INTx is lowered only outside MSI and MSI-X. */
  void lowerInterrupts(boolean fromIcr, int causes) {
    if (fromIcr) {
      icr &= ~causes;
    } else {
      ims &= ~causes;
    }
    ics = icr;
    notePending();
    if ((ims & icr) == 0 && !pci().msixEnabled() && !pci().msiEnabled()) {
      lowerLegacyIrq();
    }
  }

  /** ad431f0f82 dropped msi_causes_pending. */
  @Override
  void forgetNotifiedCauses(int causes) {}

  /** 31e3f318c8 "Remove pending interrupt flags". */
  @Override
  boolean postponeInterrupt(TimerId throttle) {
    if (timers.running(throttle)) {
      mark(throttle == TimerId.ITR ? Mark.ITR_POSTPONED : Mark.EITR_POSTPONED);
      return true;
    }
    rearmTimer(throttle);
    return false;
  }

  /**
   * 0cbd6e5221 "Do not assert when MSI-X is disabled later" and 31e3f318c8: no assert and no
   * pending flag; if IMS & ICR, send MSI (if enabled) or assert INTx, whatever MSI-X is doing.
   */
  @Override
  void onThrottlingTimer() {
    if (pci().msixEnabled()) {
      mark(Mark.ITR_CALLBACK_UNDER_MSIX);
    }
    if ((ims & icr) != 0) {
      if (pci().msiEnabled()) {
        msiNotify(ims & icr);
      } else {
        raiseLegacyIrq(ims & icr);
      }
    }
  }

  /** 0cbd6e5221 and 31e3f318c8: notify the vector unconditionally (a PBA bit if MSI-X is off). */
  @Override
  void onMsixThrottlingTimer(int vector) {
    if (!pci().msixEnabled()) {
      mark(Mark.EITR_CALLBACK_WITHOUT_MSIX);
    }
    msixNotifyFromTimer(vector);
  }

  /** fire_all_timers no longer collects delayed causes. */
  @Override
  void fireAllTimers() {
    mark(Mark.FIRE_ALL_TIMERS);
    fireThrottlingTimersNow();
  }

  /**
   * e1000e_mac_icr_read, as changed by ad431f0f82 and e414270000: "Add ICR clearing by
   * corresponding IMS bit".
   */
  @Override
  int readIcr() {
    int ret = icr;
    if (ims == 0) {
      lowerInterrupts(true, 0xFFFFFFFF);
    }
    if (!pci().msixEnabled()) {
      lowerInterrupts(true, 0xFFFFFFFF);
    }
    if ((icr & Cause.ASSERTED) != 0) {
      if ((ctrlExt & CTRL_EXT_IAME) != 0) {
        lowerInterrupts(true, 0xFFFFFFFF);
        lowerInterrupts(false, iam);
      }
      if ((icr & ims) != 0) {
        mark(Mark.ICR_CLEARED_BY_IMS_BIT);
        lowerInterrupts(true, 0xFFFFFFFF);
      }
    }
    return ret;
  }

  /**
   * e1000e_set_icr, as changed by ad431f0f82: write-1-to-clear through lower_interrupts, which
   * leaves INT_ASSERTED alone.
   */
  @Override
  void writeIcr(int val) {
    if ((icr & Cause.ASSERTED) != 0 && (ctrlExt & CTRL_EXT_IAME) != 0) {
      lowerInterrupts(false, iam);
    }
    int next = icr & ~val;
    if ((val & Cause.OTHER) != 0) {
      next &= ~Cause.OTHER_CAUSES;
    }
    lowerInterrupts(true, ~next);
  }

  /**
   * e1000e_set_ims, as changed by ad431f0f82: fire_all_timers sees the old IMS; unmasking a set
   * cause raises it.
   */
  @Override
  void writeIms(int val) {
    int valid = val & Cause.IMS_VALID;
    clearPendingForIms(valid);
    if (valid == Cause.IMS_VALID && (ctrlExt & CTRL_EXT_INT_TIMERS_CLEAR_ENA) != 0) {
      fireAllTimers();
    }
    raiseInterrupts(false, valid);
  }

  /** e1000e_set_imc. */
  @Override
  void writeImc(int val) {
    lowerInterrupts(false, val);
  }

  /**
   * e1000e_set_ctrl, as changed by 86343066ba (8.0): CTRL.RST is a software reset of the device
   * core; INTx is not lowered.
   */
  @Override
  void writeCtrl(int val) {
    ctrl = val;
    if ((val & CTRL_RST) != 0) {
      mark(Mark.SOFTWARE_RESET);
      resetCore();
      // The frame the net layer queued is purged; the others wait in the netdev's socket, which
      // offers the next one. The driver then re-programs the cleared rings, and its RDT write
      // flushes that frame to a device that cannot take it: gone too. Every further frame is
      // still held and arrives after the next RCTL.EN (measured on the exact builds of qemu-8.1
      // and qemu-10.2 with 1 to 5 held frames: exactly two are lost).
      purgeQueuedFrame();
      startRecv();
    }
  }
}
