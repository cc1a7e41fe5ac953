package e1kfuzz.model;

import java.util.function.Supplier;

/**
 * The e1000e interrupt manager and the device paths that raise causes, as QEMU implements them.
 * This class holds what every modelled release shares; the release-specific functions are abstract
 * here and implemented by {@link Qemu720} (v7.2.0) and overridden, one upstream change at a time,
 * by the later variants. Method names mirror the QEMU functions they model.
 *
 * <p>The model has no I/O and no wall clock: time is {@link #now()} in virtual nanoseconds and only
 * moves in {@link #advanceTo(long)}. Reaching a QEMU assertion throws {@link DeviceAbort}, which
 * ends the run as QEMU's abort ends the VM.
 */
public abstract class E1000eCore {
  // Register bits used below (BAR0 register bits, see the spec §2).
  public static final int CTRL_RST = 1 << 26;

  /**
   * SWDPIN2 | SWDPIN0 | SPD_1000 | SLU | ADVD3WUC, as QEMU's register init (read back on 10.0.x).
   */
  static final int CTRL_RESET = 0x00140241;

  static final int STATUS_LU = 1 << 1;
  static final int CTRL_EXT_SELF_CLEARING = 0x1000 | 0x2000;
  static final int CTRL_EXT_EIAME = 1 << 24;
  static final int CTRL_EXT_IAME = 1 << 27;
  public static final int CTRL_EXT_INT_TIMERS_CLEAR_ENA = 1 << 29;
  static final int CTRL_EXT_PBA_CLR = 1 << 31;
  static final int DELAY_FPD = 1 << 31;
  static final int RFCTL_ACK_DIS = 1 << 12;
  public static final int RCTL_EN = 1 << 1;
  static final int RCTL_LBM_MAC = 0x40;
  static final int RCTL_SECRC = 1 << 26;
  static final int TCTL_EN = 1 << 1;
  static final int TARC_ENABLE = 1 << 10;
  static final int TARC_RESET = 0x403;
  static final int TARC_READ_MASK = 0x780007FF;
  static final int IVAR_TX_INT_EVERY_WB = 1 << 31;
  static final int IVAR_ENTRY_VALID = 0x8;
  static final int MDIC_INT_EN = 1 << 29;
  static final int MDIC_READY = 1 << 28;
  static final int MDIC_ERROR = 1 << 30;
  static final int PBACLR_VALID = 0x1F;

  /** E1000E_MIN_XITR: the stored ITR/EITR value never goes below 500 (128 µs). */
  static final int MIN_XITR = 500;

  static final long AUTONEG_DELAY_MS = 500;
  static final int TX_RING_SLOTS = 255;
  static final int FCS_LENGTH = 4;

  /** Descriptor flags kept for posted TX descriptors. */
  private static final byte DESC_RS = 1;

  private static final byte DESC_IDE = 2;

  // The MSI-X causes in the order e1000e_msix_notify walks them, and their IVAR field shifts.
  private static final int[] MSIX_CAUSES = {
    Cause.RXQ0, Cause.RXQ1, Cause.TXQ0, Cause.TXQ1, Cause.OTHER
  };
  private static final int[] IVAR_SHIFTS = {0, 4, 8, 12, 16};

  private final Pci pci = new Pci(this);
  final Timers timers = new Timers();
  long now;

  // The register file (only what the interrupt paths use).
  int ctrl;
  int status;
  int ctrlExt;
  int mdic;
  int icr;
  int ics;
  int ims;
  int itr;
  int itrGuest;
  final int[] eitr = new int[Pci.MSIX_VECTORS];
  final int[] eitrGuest = new int[Pci.MSIX_VECTORS];
  int iam;
  int eiac;
  int ivar;
  int rctl;
  int tctl;
  int rdtr;
  int radv;
  int raid;
  int rsrpd;
  int tidv;
  int tadv;
  int tarc0;
  int tarc1;
  int iac;
  int rfctl;
  int pbaclr;

  /** Causes parked while a delay timer runs (QEMU's delayed_causes). */
  int delayedCauses;

  // The network side: the backend's link, TX descriptors posted but not yet processed,
  // frames held by the net layer while the device cannot receive.
  boolean netLinkUp = true;

  /**
   * PHY BMSR.AN_COMP: clear after power-on and reset (QEMU's PHY init), set when autoneg completes.
   */
  boolean autonegComplete;

  // Allocated on first use: most runs never post a descriptor on both queues or hold a frame.
  private final byte[][] txRing = new byte[2][];
  private final int[] txPosted = new int[2];
  private java.util.ArrayDeque<Step.Rx> heldFrames;

  /** Where causes came from: e1kfuzz's bookkeeping, not QEMU's state. */
  private final CauseOrigins origins = new CauseOrigins();

  /** What has to be signalled and when it may be: e1kfuzz's bookkeeping, not QEMU's state. */
  private final DeliveryMonitor delivery = new DeliveryMonitor();

  // Run bookkeeping.
  private EventSink events;
  private long marks;
  private boolean strict;

  /** The delivery invariants are on unless a benchmark measures their cost. */
  private boolean deliveryChecks = true;

  private Violation violation;
  private Signature abort;
  private boolean justReset;

  /** Steps applied so far: the step number of a violation. */
  private int stepsRun;

  /** The out-parameter of the delay functions, as the C code's {@code uint32_t *causes}. */
  int causesLeft;

  protected E1000eCore() {
    powerOn();
  }

  /** The state right after realize: the device core reset with the link up. */
  private void powerOn() {
    resetRegisters();
    pci.reset();
    justReset = false;
  }

  // ------------------------------------------------------------------------------------------
  // Run control

  public final long now() {
    return now;
  }

  public final Pci pci() {
    return pci;
  }

  /** Where events go; null (the default) records nothing, which is what fuzzing wants. */
  public final void setEventSink(EventSink sink) {
    this.events = sink;
  }

  /** Check the strict invariants too. */
  /** Turns the delivery invariants off (to measure what they cost) or on (the default). */
  public final void setDeliveryChecks(boolean on) {
    this.deliveryChecks = on;
  }

  public final void setStrict(boolean strict) {
    this.strict = strict;
  }

  public final boolean reached(Mark mark) {
    return (marks & mark.bit()) != 0;
  }

  final void mark(Mark mark) {
    marks |= mark.bit();
  }

  /**
   * Applies one step, then checks the after-step invariants; returns the first violation, or null.
   */
  public final Violation step(Step step) {
    justReset = false;
    stepsRun++;
    try {
      step.applyTo(this);
      deliverSocketFrames();
    } catch (DeviceAbort a) {
      abort = a.signature();
      record(a.signature(), a.getMessage());
      return violation;
    }
    notePending();
    if (deliveryChecks && timers.runningMask() == 0) {
      // Quiescent: no timer will signal anything more, so what is owed now is lost.
      String lost = lostInterrupt();
      if (lost != null) {
        record(Signature.LOST_INTERRUPT, lost);
      }
    }
    if (violation == null || violation.signature().deferred()) {
      checkStateInvariants();
    }
    return violation;
  }

  /**
   * The end of a trace: lets virtual time run in {@code scratch} (a device of this variant, which
   * is overwritten) until no timer runs, and records a lost interrupt here if one shows then. A
   * trace that ends while timers run is judged as if the guest had stopped acting, without a step
   * more.
   */
  public final void settle(Supplier<E1000eCore> scratchDevice) {
    if (!deliveryChecks || abort != null || timers.runningMask() == 0) {
      return; // already judged after the last step
    }
    E1000eCore scratch = scratchDevice.get();
    scratch.copyFrom(this);
    scratch.events = null;
    for (int i = 0; i < SETTLE_MAX_TIMERS && scratch.timers.runningMask() != 0; i++) {
      scratch.step(new Step.Wait(scratch.nextDeadline(scratch.now - 1) - scratch.now));
      if (scratch.abort != null) {
        return; // QEMU would abort on the way: no interrupt to judge
      }
    }
    String lost = scratch.timers.runningMask() == 0 ? scratch.lostInterrupt() : null;
    if (lost != null) {
      record(
          Signature.LOST_INTERRUPT,
          lost + " (once every timer had run out, at " + scratch.now + " ns)");
    }
  }

  /** Timer expiries {@link #settle} lets happen before it gives up (timers that re-arm forever). */
  private static final int SETTLE_MAX_TIMERS = 64;

  /** The assertion QEMU would have aborted on, or null: after it the device is gone. */
  public final Signature abortSignature() {
    return abort;
  }

  /** The first violation reached so far, or null. */
  public final Violation violation() {
    return violation;
  }

  final void record(Signature signature, String detail) {
    if (signature.strict() && !strict) {
      return;
    }
    if (violation == null || (violation.signature().deferred() && !signature.deferred())) {
      // A delivery finding never hides the crash or state error that comes after it.
      violation = new Violation(signature, now, detail, stepsRun);
    }
    if (events != null) {
      events.accept(new Event.ViolationEvent(now, signature, detail));
    }
  }

  /** QEMU's assert(): the run ends here. */
  final void check(boolean condition, Signature signature, String detail) {
    if (!condition) {
      throw new DeviceAbort(signature, detail);
    }
  }

  private void checkStateInvariants() {
    if ((ims & ~Cause.IMS_VALID) != 0) {
      record(Signature.IMS_INVALID_BITS, "IMS=" + Step.hex(ims));
    }
    if ((pci.pendingBits() & ~pci.maskedVectors()) != 0) {
      record(
          Signature.PENDING_BIT_UNMASKED,
          "PBA=" + Step.hex(pci.pendingBits()) + " masked=" + Step.hex(pci.maskedVectors()));
    }
    if (justReset && (timers.runningMask() != 0 || delayedCauses != 0)) {
      record(
          Signature.RESET_STATE,
          "running "
              + TimerId.describe(timers.runningMask())
              + ", delayed_causes "
              + Cause.describe(delayedCauses));
    }
    if (strict) {
      int delayTimers = timers.runningMask() & TimerId.DELAY_TIMERS;
      if (pci.msixEnabled() && (delayedCauses != 0 || delayTimers != 0)) {
        record(
            Signature.STALE_DELAYED_STATE_UNDER_MSIX,
            "delayed_causes "
                + Cause.describe(delayedCauses)
                + ", running "
                + TimerId.describe(delayTimers));
      }
      if (((icr & ~Cause.ASSERTED) != 0) != ((icr & Cause.ASSERTED) != 0)) {
        record(Signature.ICR_ASSERTED_MISMATCH, "ICR=" + Step.hex(icr));
      }
      if (ics != icr) {
        record(Signature.ICS_MIRROR_STALE, "ICS=" + Step.hex(ics) + " ICR=" + Step.hex(icr));
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // Exploration: copying a device and hashing its state

  /**
   * Forgets the violation recorded so far (not an abort: an aborted device stays gone), so that
   * exploration can go on from a state after a non-fatal violation and see the next one.
   */
  public final void clearViolation() {
    if (abort == null) {
      violation = null;
    }
  }

  /** Makes this device an exact copy of {@code other}, a device of the same variant. */
  public final void copyFrom(E1000eCore other) {
    if (other.getClass() != getClass()) {
      throw new IllegalArgumentException(
          "copy from a "
              + other.getClass().getSimpleName()
              + " into a "
              + getClass().getSimpleName());
    }
    pci.copyFrom(other.pci);
    timers.copyFrom(other.timers);
    now = other.now;
    ctrl = other.ctrl;
    status = other.status;
    ctrlExt = other.ctrlExt;
    mdic = other.mdic;
    icr = other.icr;
    ics = other.ics;
    ims = other.ims;
    itr = other.itr;
    itrGuest = other.itrGuest;
    System.arraycopy(other.eitr, 0, eitr, 0, eitr.length);
    System.arraycopy(other.eitrGuest, 0, eitrGuest, 0, eitrGuest.length);
    iam = other.iam;
    eiac = other.eiac;
    ivar = other.ivar;
    rctl = other.rctl;
    tctl = other.tctl;
    rdtr = other.rdtr;
    radv = other.radv;
    raid = other.raid;
    rsrpd = other.rsrpd;
    tidv = other.tidv;
    tadv = other.tadv;
    tarc0 = other.tarc0;
    tarc1 = other.tarc1;
    iac = other.iac;
    rfctl = other.rfctl;
    pbaclr = other.pbaclr;
    delayedCauses = other.delayedCauses;
    netLinkUp = other.netLinkUp;
    autonegComplete = other.autonegComplete;
    // Copies reuse this device's ring arrays and frame queue (exploration copies a device for
    // every transition, a campaign copies a fresh one for every run): where the other device has
    // none, this one keeps its own, emptied (ring slots from txPosted on are never read).
    for (int q = 0; q < txRing.length; q++) {
      if (other.txRing[q] != null) {
        if (txRing[q] == null) {
          txRing[q] = new byte[TX_RING_SLOTS];
        }
        System.arraycopy(other.txRing[q], 0, txRing[q], 0, TX_RING_SLOTS);
      }
      txPosted[q] = other.txPosted[q];
    }
    if (heldFrames != null) {
      heldFrames.clear();
    }
    if (other.heldFrames != null && !other.heldFrames.isEmpty()) {
      if (heldFrames == null) {
        heldFrames = new java.util.ArrayDeque<>();
      }
      heldFrames.addAll(other.heldFrames);
    }
    origins.copyFrom(other.origins);
    delivery.copyFrom(other.delivery);
    stepsRun = other.stepsRun;
    marks = other.marks;
    strict = other.strict;
    deliveryChecks = other.deliveryChecks;
    violation = other.violation;
    abort = other.abort;
    justReset = other.justReset;
    causesLeft = other.causesLeft;
    copyVariantState(other);
  }

  /** The fields a variant adds to the shared state; {@code other} has this device's class. */
  void copyVariantState(E1000eCore other) {}

  /**
   * Feeds into {@code h} everything that decides how the device behaves from here on: registers,
   * parked causes and their provenance, timers relative to now (with the arming order among equal
   * deadlines, which decides who fires first), the PCI function, posted descriptors and held
   * frames, and now modulo 1 ms (the autoneg timer rounds to whole milliseconds). Not included:
   * absolute time, marks, and the violation already recorded.
   */
  public final void hashState(StateHasher h) {
    h.add(now % 1_000_000);
    timers.hashInto(h, now);
    h.add(pci.fingerprint());
    h.add(ctrl)
        .add(status)
        .add(ctrlExt)
        .add(mdic)
        .add(icr)
        .add(ics)
        .add(ims)
        .add(itr)
        .add(itrGuest);
    for (int i = 0; i < eitr.length; i++) {
      h.add(eitr[i]).add(eitrGuest[i]);
    }
    h.add(iam).add(eiac).add(ivar).add(rctl).add(tctl).add(rdtr).add(radv).add(raid).add(rsrpd);
    h.add(tidv).add(tadv).add(tarc0).add(tarc1).add(iac).add(rfctl).add(pbaclr);
    h.add(delayedCauses).add(netLinkUp).add(autonegComplete);
    for (int q = 0; q < txRing.length; q++) {
      h.add(txPosted[q]);
      for (int i = 0; i < txPosted[q]; i++) {
        h.add(txRing[q][i]);
      }
    }
    if (heldFrames != null) {
      h.add(heldFrames.size());
      for (Step.Rx f : heldFrames) {
        h.add(
            (f.ack() ? 1 : 0)
                | (f.small() ? 2 : 0)
                | (f.noBuffer() ? 4 : 0)
                | (f.queue1() ? 8 : 0));
      }
    } else {
      h.add(0);
    }
    origins.hashInto(h);
    delivery.hashInto(h, now);
    hashVariantState(h);
  }

  /** The fields a variant adds to the shared state. */
  void hashVariantState(StateHasher h) {}

  // ------------------------------------------------------------------------------------------
  // Observation (what a real QEMU shows too)

  public final int icr() {
    return icr;
  }

  public final int ics() {
    return ics;
  }

  public final int ivar() {
    return ivar;
  }

  public final int ims() {
    return ims;
  }

  public final int delayedCauses() {
    return delayedCauses;
  }

  public final int iac() {
    return iac;
  }

  /** Bit mask (by {@link TimerId} ordinal) of the running timers. */
  public final int runningTimers() {
    return timers.runningMask();
  }

  /**
   * Whether this device holds state that a device reset leaves as it is, and that can shape what
   * comes after it (QEMU 7.2's pending flags): a QEMU that ran it no longer behaves like a freshly
   * started one, even after a system reset.
   */
  public boolean stateOutlivesReset() {
    return false;
  }

  /** RCTL.EN and STATUS.LU: a frame arriving now would be received rather than held. */
  public final boolean rxReady() {
    return (rctl & RCTL_EN) != 0 && (status & STATUS_LU) != 0 && pci.busMaster();
  }

  /**
   * Whether a frame arriving now is offered to the device at once: the backend link is up and the
   * net layer holds no frame (otherwise it waits behind the held one).
   */
  /** The backend's link (QMP set_link), as opposed to STATUS.LU. */
  public final boolean backendLinkUp() {
    return netLinkUp;
  }

  /** Frames the net layer and the netdev's socket hold for the device (the first one queued). */
  public final int heldFrames() {
    return heldFrames == null ? 0 : heldFrames.size();
  }

  public final boolean rxOffered() {
    return netLinkUp && (heldFrames == null || heldFrames.isEmpty());
  }

  /**
   * The virtual time a backend moves its clock to for {@code step}, from {@code now}: after a wait,
   * or at the deadline an expire lands on (now if its timer does not run or the device aborted).
   */
  public final long timeAfter(Step step, long now) {
    if (step instanceof Step.Wait w) {
      return now + w.ns();
    }
    if (step instanceof Step.Expire e && abort == null && timers.running(e.timer())) {
      return Math.max(now, timers.deadline(e.timer()));
    }
    return now;
  }

  public final boolean timerRunning(TimerId t) {
    return timers.running(t);
  }

  public final long timerDeadline(TimerId t) {
    return timers.deadline(t);
  }

  /** The earliest deadline of a running timer later than {@code afterNs}, or Long.MAX_VALUE. */
  public final long nextDeadline(long afterNs) {
    long best = Long.MAX_VALUE;
    for (int m = timers.runningMask(); m != 0; m &= m - 1) {
      long d = timers.deadline(TimerId.byOrdinal(Integer.numberOfTrailingZeros(m)));
      if (d > afterNs && d < best) {
        best = d;
      }
    }
    return best;
  }

  // ------------------------------------------------------------------------------------------
  // Virtual time

  /** Moves the clock to {@code target}, firing every timer due on the way in order. */
  public final void advanceTo(long target) {
    TimerId t;
    while ((t = timers.nextDue(target)) != null) {
      now = timers.deadline(t);
      timers.stop(t);
      if (events != null) {
        events.accept(new Event.TimerFired(now, t));
      }
      onTimerExpired(t);
      if (heldFrames != null && !heldFrames.isEmpty()) { // cheap test first: this is the hot path
        TimerId next = timers.nextDue(target);
        if (next == null || timers.deadline(next) > now) {
          deliverSocketFrames(); // the main loop's next iteration, after every timer due now
        }
      }
    }
    now = target;
  }

  final void expire(TimerId t) {
    if (timers.running(t)) {
      advanceTo(timers.deadline(t));
    }
  }

  private void onTimerExpired(TimerId t) {
    switch (t) {
      case ITR -> onThrottlingTimer();
      case EITR0, EITR1, EITR2, EITR3, EITR4 ->
          onMsixThrottlingTimer(t.ordinal() - TimerId.EITR0.ordinal());
      case AUTONEG -> onAutonegTimer();
      default -> onDelayTimer(t);
    }
  }

  /** e1000e_intrmgr_rearm_timer: restart the full period from now. */
  final void rearmTimer(TimerId t) {
    long delayNs = (long) timerRegister(t) * t.resolutionNs();
    if (t.isDelayTimer() && pci.msixEnabled()) {
      record(Signature.DELAY_TIMER_ARMED_UNDER_MSIX, t.traceName() + " armed under MSI-X");
    }
    if (delayNs == 0) {
      mark(Mark.ZERO_LENGTH_DELAY_TIMER);
    }
    timers.arm(t, now + delayNs);
    if (events != null) {
      events.accept(new Event.TimerArmed(now, t, now + delayNs));
    }
  }

  private int timerRegister(TimerId t) {
    return switch (t) {
      case RDTR -> rdtr;
      case RADV -> radv;
      case RAID -> raid;
      case TIDV -> tidv;
      case TADV -> tadv;
      case ITR -> itr;
      case EITR0, EITR1, EITR2, EITR3, EITR4 -> eitr[t.ordinal() - TimerId.EITR0.ordinal()];
      case AUTONEG -> throw new IllegalArgumentException("autoneg has no delay register");
    };
  }

  /** e1000e_intrmgr_stop_timer. */
  final void stopTimer(TimerId t) {
    if (timers.running(t)) {
      timers.stop(t);
      if (events != null) {
        events.accept(new Event.TimerStopped(now, t));
      }
    }
  }

  final void stopDelayTimers() {
    stopTimer(TimerId.RADV);
    stopTimer(TimerId.RDTR);
    stopTimer(TimerId.RAID);
    stopTimer(TimerId.TIDV);
    stopTimer(TimerId.TADV);
  }

  /** e1000e_intrmgr_reset. */
  final void intrmgrReset() {
    delayedCauses = 0;
    origins.delayedCleared();
    stopDelayTimers();
    stopTimer(TimerId.ITR);
    for (int v = 0; v < Pci.MSIX_VECTORS; v++) {
      stopTimer(TimerId.eitr(v));
    }
  }

  /** e1000e_intrmgr_on_timer: a delay timer expired; fire the delayed interrupts. */
  void onDelayTimer(TimerId t) {
    setInterruptCause(0);
  }

  // ------------------------------------------------------------------------------------------
  // Delay logic (§5), the same in every release

  /** e1000e_intrmgr_delay_tx_causes; the causes not delayed are left in {@link #causesLeft}. */
  final boolean delayTxCauses(int causes) {
    causesLeft = causes;
    if (pci.msixEnabled()) {
      return false;
    }
    park(causes & Cause.DELAYABLE_TX);
    causesLeft = causes & ~Cause.DELAYABLE_TX;
    if (causesLeft != 0) {
      return false;
    }
    mark(Mark.TX_CAUSES_PARKED);
    rearmTimer(TimerId.TIDV);
    if (!timers.running(TimerId.TADV) && tadv != 0) {
      rearmTimer(TimerId.TADV);
    }
    return true;
  }

  /** e1000e_intrmgr_delay_rx_causes; the causes not delayed are left in {@link #causesLeft}. */
  final boolean delayRxCauses(int causes) {
    causesLeft = causes;
    if (pci.msixEnabled()) {
      return false;
    }
    int delayable = Cause.DELAYABLE_RX;
    if ((rfctl & RFCTL_ACK_DIS) == 0) {
      delayable |= Cause.ACK;
    }
    park(causes & delayable);
    causesLeft = causes & ~delayable;
    if (rdtr == 0 || causesLeft != 0) {
      return false;
    }
    if (raid == 0 && (delayedCauses & Cause.ACK) != 0) {
      return false;
    }
    mark(Mark.RX_CAUSES_PARKED);
    rearmTimer(TimerId.RDTR);
    if (!timers.running(TimerId.RADV) && radv != 0) {
      rearmTimer(TimerId.RADV);
    }
    if (!timers.running(TimerId.RAID) && (delayedCauses & Cause.ACK) != 0) {
      rearmTimer(TimerId.RAID);
    }
    return true;
  }

  private void park(int causes) {
    if (causes == 0) {
      return;
    }
    delayedCauses |= causes;
    origins.parked(causes, pci.msiEnabled());
    if (events != null) {
      events.accept(new Event.CausesParked(now, causes, pci.msiEnabled()));
    }
  }

  /**
   * e1000e_intmgr_collect_delayed_causes. Before the Sep 2025 fix it asserted under MSI-X; the
   * variants decide.
   */
  abstract int collectDelayedCauses();

  /** The fixed collect: take and zero delayed_causes and stop the five delay timers. */
  final int takeDelayedCauses() {
    int res = delayedCauses;
    origins.collected(res);
    if (res != 0) {
      if (pci.msixEnabled()) {
        mark(Mark.COLLECT_UNDER_MSIX);
      }
      if (events != null) {
        events.accept(new Event.CausesCollected(now, res, pci.msixEnabled()));
      }
    }
    delayedCauses = 0;
    stopDelayTimers();
    return res;
  }

  /** Drops the parked causes without delivering them (what the fix candidates do). */
  final void discardDelayedCauses() {
    if (delayedCauses != 0) {
      mark(Mark.PARKED_CAUSES_DISCARDED);
      if (events != null) {
        events.accept(new Event.CausesDiscarded(now, delayedCauses));
      }
    }
    delayedCauses = 0;
    origins.delayedCleared();
  }

  /**
   * Records where the ICR bits about to be set come from: {@code collected} were taken from
   * delayed_causes by the last collect, the rest of {@code direct} are raised directly.
   */
  final void noteCauseOrigins(int direct, int collected) {
    origins.icrSet(direct, collected);
  }

  // ------------------------------------------------------------------------------------------
  // Release-specific interrupt delivery (implemented by Qemu720, changed by Qemu81)

  /** e1000e_set_interrupt_cause: add causes (and the collected delayed ones) and deliver. */
  abstract void setInterruptCause(int val);

  /** e1000e_intrmgr_on_throttling_timer (ITR). */
  abstract void onThrottlingTimer();

  /** e1000e_intrmgr_on_msix_throttling_timer (EITR[vector]). */
  abstract void onMsixThrottlingTimer(int vector);

  /** e1000e_intrmgr_fire_all_timers (IMS full-mask write with INT_TIMERS_CLEAR_ENA). */
  abstract void fireAllTimers();

  /** e1000e_mac_icr_read: the read side effects of ICR (clear on read, per release). */
  abstract int readIcr();

  /** e1000e_set_icr: write-1-to-clear of ICR. */
  abstract void writeIcr(int val);

  /** e1000e_set_ims: unmask causes (and fire_all_timers with INT_TIMERS_CLEAR_ENA). */
  abstract void writeIms(int val);

  /** e1000e_set_imc: mask causes. */
  abstract void writeImc(int val);

  /** e1000e_set_ctrl: CTRL and its alias, where RST is handled per release. */
  abstract void writeCtrl(int val);

  /** e1000e_postpone_interrupt: true if the throttling timer runs, else re-arm it and send now. */
  abstract boolean postponeInterrupt(TimerId throttle);

  /** A vector's EIAC auto-clear also forgets the causes as notified (7.2's msi_causes_pending). */
  void forgetNotifiedCauses(int causes) {}

  /**
   * Whether e1000e_msix_notify_one applies EIAC and auto-mask to a cause whose message EITR holds
   * back (every release does; the throttling fix does not).
   */
  boolean autoClearsHeldBackCauses() {
    return true;
  }

  /** Hook for e1000e_write_config on the write that enables MSI-X: e1000e has none. */
  void onMsixEnableWrite() {}

  // ------------------------------------------------------------------------------------------
  // Delivery pieces shared by every release

  /** e1000e_fix_icr_asserted: INT_ASSERTED is set iff another ICR bit is. */
  final void fixIcrAsserted() {
    icr &= ~Cause.ASSERTED;
    if (icr != 0) {
      icr |= Cause.ASSERTED;
    }
  }

  /** e1000e_raise_legacy_irq: IAC counts every assertion. */
  final void raiseLegacyIrq(int causes) {
    if (iac != -1) {
      iac++;
    }
    emitInterruptFromIcr(Event.Delivery.INTX, -1, causes);
    if (!pci.msixEnabled() && !pci.msiEnabled()) {
      checkSignal(DeliveryMonitor.LEGACY, "INTx", !pci.intxLevel());
    }
    pci.setIntxLevel(true);
    if (pci.msixEnabled()) {
      record(
          Signature.INTX_UNDER_MSIX,
          "INTx asserted for " + Cause.describe(causes) + " with MSI-X enabled");
    }
  }

  final void lowerLegacyIrq() {
    pci.setIntxLevel(false);
  }

  final void msiNotify(int causes) {
    checkSignal(DeliveryMonitor.LEGACY, "MSI message", true);
    if (pci.busMaster()) { // without it QEMU drops the message write, as for MSI-X
      emitInterruptFromIcr(Event.Delivery.MSI, 0, causes);
    }
  }

  /** e1000e_msix_notify: one notification per queue/OTHER cause, through its IVAR entry. */
  final void msixNotify(int causes) {
    for (int i = 0; i < MSIX_CAUSES.length; i++) {
      if ((causes & MSIX_CAUSES[i]) != 0) {
        msixNotifyOne(MSIX_CAUSES[i], (ivar >>> IVAR_SHIFTS[i]) & 0xF);
      }
    }
  }

  /** e1000e_msix_notify_one: notify the mapped vector unless EITR postpones, then EIAME / EIAC. */
  private void msixNotifyOne(int cause, int ivarEntry) {
    int heldBack = -1; // the vector whose EITR holds back this cause's message, if any
    if ((ivarEntry & IVAR_ENTRY_VALID) != 0) {
      int vector = ivarEntry & 0x7;
      if (vector < Pci.MSIX_VECTORS) {
        int contributors = cause == Cause.OTHER ? (icr & Cause.OTHER_CAUSES) | cause : cause;
        int stale = origins.atMsixEnable(contributors & icr);
        if (!postponeInterrupt(TimerId.eitr(vector))) {
          if (stale != 0) {
            record(
                Signature.LEGACY_CAUSE_OVER_MSIX,
                "vector "
                    + vector
                    + " notified for "
                    + Cause.describe(stale)
                    + ", parked before MSI-X was enabled");
          }
          checkMsixSignal(vector);
          pci.notifyVector(
              vector,
              contributors,
              origins.inIntx(contributors),
              origins.inMsi(contributors),
              stale);
        } else {
          heldBack = vector;
          if (stale != 0) {
            // The expiry of EITR[vector] will send this notification.
            origins.taint(vector);
          }
        }
      }
    }
    if (heldBack >= 0 && !autoClearsHeldBackCauses()) {
      return; // EIAC and auto-mask wait for the message
    }
    // A message that went out on the vector at this very instant (another cause of the same vector
    // in this notification) carries this cause too: auto-clearing it then is what the 82574 does.
    if (deliveryChecks
        && heldBack >= 0
        && delivery.lastNotified(heldBack) != now
        && ((icr & eiac & cause) != 0
            || ((ctrlExt & CTRL_EXT_IAME) == 0 && (ims & eiac & cause) != 0))) {
      record(
          Signature.AUTO_CLEAR_BEFORE_MESSAGE,
          "EIAC clears "
              + Cause.describe(eiac & cause)
              + " from ICR"
              + ((ctrlExt & CTRL_EXT_IAME) == 0 ? " and IMS" : "")
              + " while EITR"
              + heldBack
              + " holds back the message of vector "
              + heldBack);
    }
    if ((ctrlExt & CTRL_EXT_EIAME) != 0) {
      iam &= ~cause;
    }
    int effective = eiac & cause;
    if ((icr & effective) != 0) {
      mark(Mark.EIAC_AUTO_CLEAR);
    }
    icr &= ~effective;
    forgetNotifiedCauses(effective);
    if ((ctrlExt & CTRL_EXT_IAME) == 0) {
      ims &= ~effective;
    }
    notePending();
  }

  /** QEMU's msix_notify for a throttling-timer expiry: no causes of its own. */
  final void msixNotifyFromTimer(int vector) {
    if (origins.takeTaint(vector)) {
      record(
          Signature.LEGACY_CAUSE_OVER_MSIX,
          "vector "
              + vector
              + " notified at EITR expiry for a cause parked before MSI-X was enabled");
    }
    checkMsixSignal(vector);
    pci.notifyVector(vector, 0, 0, 0, 0);
  }

  // ------------------------------------------------------------------------------------------
  // Delivery invariants (e1kfuzz's own checks of what the 82574 promises the driver)

  /** Causes that became pending are owed a signal on the channel the current mode uses for them. */
  final void notePending() {
    if (!deliveryChecks) {
      return;
    }
    int newly = delivery.newlyPending(icr & ims & ~Cause.ASSERTED);
    if (newly == 0) {
      return;
    }
    // Under MSI-X a cause is signalled on a vector only through its IVAR field (the OTHER causes
    // through OTHER); one that IVAR maps to no vector when it becomes pending is owed nothing.
    delivery.owe(pci.msixEnabled() ? newly & mappedCauses() : newly);
  }

  /**
   * A signal on an MSI-X vector: a message, or its pending bit when the vector is masked. Setting a
   * pending bit that is already set changes nothing the guest can see, so it is no spurious signal
   * of its own (the bit's message, when the guest unmasks the vector, is judged by what set it).
   */
  private void checkMsixSignal(int vector) {
    if (!deliveryChecks) {
      return;
    }
    boolean alreadyPending = pci.vectorMasked(vector) && (pci.pendingBits() & (1 << vector)) != 0;
    if (!alreadyPending && (icr & ims & causesOf(vector)) == 0) {
      record(
          Signature.SPURIOUS_INTERRUPT,
          (pci.vectorMasked(vector) ? "pending bit" : "MSI-X message")
              + " on vector "
              + vector
              + " with no pending unmasked cause mapped to it (ICR "
              + Step.hex(icr)
              + ", IMS "
              + Step.hex(ims)
              + ", IVAR "
              + Step.hex(ivar)
              + ")");
    }
    if (!pci.vectorMasked(vector)) {
      throttle(vector, "MSI-X message on vector " + vector, "EITR" + vector);
    }
    delivery.signalled(vector, now, causesOf(vector));
  }

  /** A signal on the INTx/MSI channel; {@code counts} is false for an INTx line already high. */
  private void checkSignal(int channel, String what, boolean counts) {
    if (!deliveryChecks) {
      return;
    }
    if ((icr & ims & ~Cause.ASSERTED) == 0) {
      record(
          Signature.SPURIOUS_INTERRUPT,
          what
              + " with no pending unmasked cause (ICR "
              + Step.hex(icr)
              + ", IMS "
              + Step.hex(ims)
              + ")");
    }
    if (counts) {
      throttle(channel, what, "ITR");
    }
    delivery.signalled(channel, now, ~0);
  }

  /**
   * The throttling counter: loaded on every interrupt with the interval the guest programmed (since
   * the last reset; 0, the reset value, throttles nothing); the next interrupt must wait for it.
   */
  private void throttle(int channel, String what, String register) {
    if (delivery.tooSoon(channel, now)) {
      long previous = delivery.lastSignal(channel);
      record(
          Signature.UNTHROTTLED_INTERRUPT,
          what
              + " "
              + (now - previous)
              + " ns after the one at "
              + previous
              + " ns, whose "
              + register
              + " programmed "
              + delivery.loadedInterval(channel)
              + " ns");
    }
    delivery.signalledAt(channel, now);
  }

  /** Why an owed interrupt is lost now that no timer runs, or null. */
  private String lostInterrupt() {
    int pending = icr & ims & ~Cause.ASSERTED;
    if (pending == 0) {
      return null;
    }
    int lost = pending & delivery.owed();
    if (pci.msixEnabled()) {
      for (int v = 0; v < Pci.MSIX_VECTORS; v++) {
        if ((lost & causesOf(v)) != 0) {
          return Cause.describe(lost & causesOf(v))
              + " pending on vector "
              + v
              + " with no message and no pending bit since it was raised";
        }
      }
      return null;
    }
    if (lost == 0) {
      return null;
    }
    pending = lost;
    if (pci.msiEnabled()) {
      return Cause.describe(pending) + " pending with no MSI message since it was raised";
    }
    if (!pci.intxDisabled() && !pci.intxLevel()) {
      return Cause.describe(pending) + " pending with the INTx line low";
    }
    return null;
  }

  /**
   * The causes whose IVAR field differs between two IVAR values: a cause moved to another vector
   * (or to none) while owed is forgiven, the datasheet says nothing of such a move.
   */
  private static int remappedCauses(int before, int after) {
    int causes = 0;
    for (int i = 0; i < MSIX_CAUSES.length; i++) {
      if (((before ^ after) >>> IVAR_SHIFTS[i] & 0xF) != 0) {
        causes |= MSIX_CAUSES[i];
      }
    }
    return causes;
  }

  /** The causes IVAR maps to some vector. */
  private int mappedCauses() {
    int causes = 0;
    for (int v = 0; v < Pci.MSIX_VECTORS; v++) {
      causes |= causesOf(v);
    }
    return causes;
  }

  /** The causes whose IVAR entry maps them to {@code vector} (queue causes and OTHER). */
  final int causesOf(int vector) {
    return Cause.onVector(ivar, vector);
  }

  /** fire_all_timers: the guest asked for every interrupt timer to be cleared. */
  final void onInterruptTimersCleared() {
    delivery.countersCleared(now);
  }

  /** MSI-X or MSI was switched on or off: what is owed belongs to the old mode. */
  final void onInterruptModeChanged() {
    delivery.modeChanged(now);
  }

  /** e1000e_msix_clear: clear the pending bits of the vectors mapped to these causes. */
  final void msixClear(int causes) {
    for (int i = 0; i < MSIX_CAUSES.length; i++) {
      if ((causes & MSIX_CAUSES[i]) != 0) {
        int entry = (ivar >>> IVAR_SHIFTS[i]) & 0xF;
        if ((entry & IVAR_ENTRY_VALID) != 0 && (entry & 0x7) < Pci.MSIX_VECTORS) {
          pci.clearPending(entry & 0x7);
        }
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // PCI config hooks

  /** MSI-X went from disabled to enabled: what is parked now is "parked at the switch". */
  final void onMsixEnabled() {
    if (delayedCauses != 0) {
      mark(Mark.MSIX_ENABLED_WITH_PARKED_CAUSES);
    }
    origins.msixEnabled(delayedCauses);
  }

  final void onMsixDisabled() {
    origins.msixDisabled();
  }

  // ------------------------------------------------------------------------------------------
  // MMIO

  /** A guest write to BAR0. */
  public final void mmioWrite(int offset, int val) {
    Reg reg = Reg.targetAt(offset);
    if (reg == null) {
      return;
    }
    switch (reg) {
      case CTRL, CTRL_DUP -> writeCtrl(val);
      case STATUS, IAC -> {} // read-only here (STATUS only keeps PHYRA, which is not modelled)
      case CTRL_EXT -> ctrlExt = val & ~CTRL_EXT_SELF_CLEARING;
      case MDIC -> writeMdic(val);
      case ICR -> writeIcr(val);
      case ICS -> setInterruptCause(val);
      case IMS -> writeIms(val);
      case IMC -> writeImc(val);
      case ITR -> {
        itrGuest = val & 0xFFFF;
        itr = Math.max(itrGuest, MIN_XITR);
        delivery.program(DeliveryMonitor.LEGACY, itrGuest);
      }
      case EITR0, EITR1, EITR2, EITR3, EITR4 -> {
        int v = reg.ordinal() - Reg.EITR0.ordinal();
        eitrGuest[v] = val & 0xFFFF;
        eitr[v] = Math.max(eitrGuest[v], MIN_XITR);
        delivery.program(v, eitrGuest[v]);
      }
      case EIAC -> eiac = val;
      case IAM -> iam = val;
      case IVAR -> {
        delivery.forgive(remappedCauses(ivar, val));
        ivar = val;
      }
      case RCTL -> writeRctl(val);
      case TCTL -> writeTctl(val);
      case TDT -> writeTdt(0);
      case TDT1 -> writeTdt(1);
      case RDTR -> {
        rdtr = val & 0xFFFF;
        if ((val & DELAY_FPD) != 0 && timers.running(TimerId.RDTR)) {
          mark(Mark.FPD_FLUSH);
          setInterruptCause(0);
        }
      }
      case TIDV -> {
        tidv = val & 0xFFFF;
        if ((val & DELAY_FPD) != 0 && timers.running(TimerId.TIDV)) {
          mark(Mark.FPD_FLUSH);
          setInterruptCause(0);
        }
      }
      case RADV -> radv = val & 0xFFFF;
      case RAID -> raid = val & 0xFFFF;
      case TADV -> tadv = val & 0xFFFF;
      case RSRPD -> rsrpd = val & 0xFFF;
      case TARC0 -> tarc0 = val;
      case TARC1 -> tarc1 = val;
      case RFCTL -> rfctl = val;
      case PBACLR -> writePbaclr(val);
      default -> throw new IllegalStateException("unhandled register " + reg);
    }
  }

  /** A guest read of BAR0, with the side effects the release gives it. */
  public final int mmioRead(int offset) {
    Reg reg = Reg.targetAt(offset);
    if (reg == null) {
      return 0;
    }
    return switch (reg) {
      case CTRL, CTRL_DUP -> ctrl;
      case STATUS -> status;
      case CTRL_EXT -> ctrlExt;
      case MDIC -> mdic;
      case ICR -> readIcr();
      case ICS -> ics;
      case IMS -> ims;
      case IMC -> 0;
      case ITR -> itrGuest;
      case EITR0, EITR1, EITR2, EITR3, EITR4 -> eitrGuest[reg.ordinal() - Reg.EITR0.ordinal()];
      case EIAC -> eiac;
      case IAM -> iam;
      case IVAR -> ivar;
      case RCTL -> rctl;
      case TCTL -> tctl;
      case TDT, TDT1 -> 0;
      case RDTR -> rdtr;
      case RADV -> radv;
      case RAID -> raid;
      case TIDV -> tidv;
      case TADV -> tadv;
      case RSRPD -> rsrpd;
      case TARC0 -> tarc0 & TARC_READ_MASK;
      case TARC1 -> tarc1 & TARC_READ_MASK;
      case IAC -> {
        int v = iac;
        iac = 0;
        yield v;
      }
      case RFCTL -> rfctl;
      case PBACLR -> pbaclr;
      default -> throw new IllegalStateException("unhandled register " + reg);
    };
  }

  /**
   * e1000e_set_mdic: a PHY address other than 1 is an error; INT_EN then comes from the old value.
   */
  private void writeMdic(int val) {
    int v = val;
    if (((v >>> 21) & 0x1F) != 1) {
      v = mdic | MDIC_ERROR;
    }
    mdic = v | MDIC_READY;
    if ((v & MDIC_INT_EN) != 0) {
      setInterruptCause(Cause.MDAC);
    }
  }

  private void writePbaclr(int val) {
    pbaclr = val & PBACLR_VALID;
    if (!pci.msixEnabled()) {
      return;
    }
    for (int v = 0; v < Pci.MSIX_VECTORS; v++) {
      if ((pbaclr & (1 << v)) != 0) {
        pci.clearPending(v);
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // TX

  /** The guest posts one descriptor on a queue and writes that queue's TDT. */
  final void guestTransmit(Step.Tx tx) {
    int q = tx.queue1() ? 1 : 0;
    if (txRing[q] == null) {
      txRing[q] = new byte[TX_RING_SLOTS];
    }
    if (txPosted[q] < TX_RING_SLOTS) {
      byte flags = (byte) ((tx.noRs() ? 0 : DESC_RS) | (tx.ide() ? DESC_IDE : 0));
      txRing[q][txPosted[q]++] = flags;
    }
    writeTdt(q);
  }

  /** e1000e_set_tdt: the doorbell starts TX on that queue if its TARC enables it. */
  private void writeTdt(int q) {
    if (((q == 0 ? tarc0 : tarc1) & TARC_ENABLE) != 0) {
      startXmit(q);
    }
  }

  /** e1000e_set_tctl: stores TCTL, then runs TX on every TARC-enabled queue. */
  private void writeTctl(int val) {
    tctl = val;
    if ((tarc0 & TARC_ENABLE) != 0) {
      startXmit(0);
    }
    if ((tarc1 & TARC_ENABLE) != 0) {
      startXmit(1);
    }
  }

  /**
   * e1000e_start_xmit: drains the ring. The completion cause is TXQE plus, per written-back
   * descriptor, TXDW (or TXQ0/TXQ1 when MSI-X is enabled at this moment); the last written-back
   * descriptor's IDE decides whether the causes go through the TX delay timers.
   */
  private void startXmit(int q) {
    if ((tctl & TCTL_EN) == 0 || !pci.busMaster()) {
      return; // without bus mastering the descriptors wait (not checked against QEMU: see Qtest)
    }
    int cause = Cause.TXQE;
    boolean ide = false;
    for (int i = 0; i < txPosted[q]; i++) {
      byte d = txRing[q][i];
      // QEMU tests the MAC-loopback bit alone, so LBM = 11 (transceiver loopback) loops back too
      // (found by the exact differential campaign on fix-mode-switch).
      if ((rctl & RCTL_LBM_MAC) == RCTL_LBM_MAC) {
        mark(Mark.TX_LOOPBACK);
        receive(new Step.Rx(false, true, false, false), true);
      }
      if ((d & DESC_RS) != 0 || (ivar & IVAR_TX_INT_EVERY_WB) != 0) {
        ide = (d & DESC_IDE) != 0;
        cause |= pci.msixEnabled() ? (q == 0 ? Cause.TXQ0 : Cause.TXQ1) : Cause.TXDW;
      }
    }
    txPosted[q] = 0;
    if (!ide || !delayTxCauses(cause)) {
      setInterruptCause(ide ? causesLeft : cause);
    }
  }

  // ------------------------------------------------------------------------------------------
  // RX

  /** A frame from the network backend. */
  final void networkReceive(Step.Rx frame) {
    if (heldFrames != null && !heldFrames.isEmpty()) {
      // While the net layer holds a frame the netdev does not read its socket: this one waits
      // there behind it, whatever the link does meanwhile (found by the exact differential
      // campaign on qemu-7.2.0: a frame sent while the link was down arrived after link up).
      hold(frame);
      return;
    }
    if (!netLinkUp) {
      return; // the netdev reads it and the net layer drops it while the link is down
    }
    if (!pci.busMaster()) {
      hold(frame); // e1000x_rx_ready refuses it: no DMA without bus mastering
      return;
    }
    receive(frame, false);
  }

  private void hold(Step.Rx frame) {
    if (heldFrames == null) {
      heldFrames = new java.util.ArrayDeque<>();
    }
    if (heldFrames.size() < TX_RING_SLOTS) {
      mark(Mark.RX_HELD);
      // "No free buffer" describes the ring when the frame arrives; held until later, it finds
      // the ring as the guest keeps it, with buffers (found by fuzz --backend diff).
      heldFrames.add(
          frame.noBuffer()
              ? new Step.Rx(frame.ack(), frame.small(), false, frame.queue1())
              : frame);
    }
  }

  /**
   * e1000e_receive_internal. A frame the device cannot take (RCTL.EN clear or link not up) is held
   * by the net layer until the next RCTL write with EN; a looped-back frame is dropped instead.
   */
  private void receive(Step.Rx frame, boolean loopback) {
    if ((rctl & RCTL_EN) == 0 || (status & STATUS_LU) == 0) {
      if (!loopback) {
        hold(frame);
      }
      return;
    }
    if (events != null) {
      events.accept(new Event.FrameReceived(now, !frame.noBuffer()));
    }
    int n = 0;
    if (frame.noBuffer()) {
      n |= Cause.RXO;
    } else {
      int total = frame.length() + ((rctl & RCTL_SECRC) != 0 ? 0 : FCS_LENGTH);
      if (total < rsrpd) {
        n |= Cause.SRPD;
      }
      if (frame.ack() && (rfctl & RFCTL_ACK_DIS) == 0) {
        n |= Cause.ACK;
      }
      if (pci.msixEnabled()) {
        n |= frame.queue1() ? Cause.RXQ1 : Cause.RXQ0;
      } else {
        n |= Cause.RXT0;
      }
    }
    if (!delayRxCauses(n)) {
      setInterruptCause(causesLeft);
    }
    if (frame.noBuffer()) {
      // QEMU reports "taken 0 bytes" for a frame it has no buffer for, so the net layer holds it;
      // the guest giving buffers back (an RDT write, which the step includes) flushes it and it is
      // received normally (found by the first exact differential campaign).
      mark(Mark.RX_HELD);
      receive(new Step.Rx(frame.ack(), frame.small(), false, frame.queue1()), false);
    }
  }

  /** e1000e_set_rx_control: with EN set, the net layer flushes the frames it held. */
  private void writeRctl(int val) {
    rctl = val;
    if ((rctl & RCTL_EN) != 0) {
      startRecv();
    }
  }

  /**
   * e1000e_start_recv: the net layer flushes the frames it held. Only one held frame sits in the
   * net layer's queue; the netdev reads the next one only once that one is dealt with. A device
   * that can receive takes the queued one now and the others just after (see deliverSocketFrames);
   * one that cannot (RCTL.EN or STATUS.LU clear) drops the queued frame, and the next one is held
   * again (found by the exact differential campaign). While the backend link is down the net layer
   * drops every frame it delivers, and the netdev goes on reading: a flush then drops them all.
   */
  final void startRecv() {
    if (heldFrames == null || heldFrames.isEmpty()) {
      return;
    }
    if (!netLinkUp) {
      heldFrames.clear();
      return;
    }
    if ((rctl & RCTL_EN) == 0 || (status & STATUS_LU) == 0) {
      heldFrames.poll();
      return;
    }
    // Only the queued frame is delivered within the flush; the netdev reads the others from its
    // socket afterwards (deliverSocketFrames), once the code that flushed is done.
    receive(heldFrames.poll(), false);
  }

  /**
   * The main loop's next iterations after a flush let the netdev read its socket again: the frames
   * still held arrive one by one, at the same virtual instant but after the step or the timer
   * callback that flushed (after autonegotiation's LSC, say: found by the exact differential
   * campaign on qemu-7.2.0 and qemu-8.1, seed 424242, where the second frame's RXT0 was still
   * parked when MSI-X came on, and QEMU aborted). A device that cannot take one leaves it held.
   */
  final void deliverSocketFrames() {
    while (heldFrames != null && !heldFrames.isEmpty() && netLinkUp && rxReady()) {
      receive(heldFrames.poll(), false);
    }
  }

  /**
   * A config write of the PCI command register's INTx Disable bit: e1000e_write_config starts
   * receiving when the written command has bus mastering set.
   */
  final void writeCommand(boolean intxDisable) {
    pci.writeIntxDisable(intxDisable);
    if (pci.busMaster()) {
      startRecv();
    }
  }

  /**
   * A config write of the PCI command register's Bus Master bit. While it is clear the device
   * cannot receive (e1000x_rx_ready), so the net layer holds arriving frames; setting it starts
   * receiving, which flushes them (a kexec'd kernel's pci_set_master after the old one's shutdown
   * cleared it).
   */
  final void writeBusMaster(boolean on) {
    pci.writeBusMaster(on);
    if (on) {
      startRecv();
    }
  }

  // ------------------------------------------------------------------------------------------
  // Link

  /**
   * e1000e_core_set_link_status, which QEMU calls on every set_link, changed or not: link down is
   * immediate; link up restarts autonegotiation unless it already completed (not the case after
   * power-on or reset), and that restart drops STATUS.LU until the 500 ms timer. LSC whenever
   * STATUS changed.
   */
  final void setLinkStatus(boolean up) {
    netLinkUp = up;
    int oldStatus = status;
    if (!up) {
      status &= ~STATUS_LU;
      autonegComplete = false;
    } else if (!autonegComplete) {
      restartAutoneg();
    } else {
      status |= STATUS_LU;
      startRecv();
    }
    if (status != oldStatus) {
      setInterruptCause(Cause.LSC);
    }
  }

  /** e1000x_restart_autoneg: a millisecond timer, so the deadline is on a whole millisecond. */
  private void restartAutoneg() {
    status &= ~STATUS_LU;
    long deadline = (now / 1_000_000 + AUTONEG_DELAY_MS) * 1_000_000;
    timers.arm(TimerId.AUTONEG, deadline);
    if (events != null) {
      events.accept(new Event.TimerArmed(now, TimerId.AUTONEG, deadline));
    }
  }

  /** e1000e_autoneg_timer: link up and LSC, if the backend link is still up. */
  private void onAutonegTimer() {
    if (netLinkUp) {
      status |= STATUS_LU;
      autonegComplete = true;
      startRecv();
      setInterruptCause(Cause.LSC);
    }
  }

  // ------------------------------------------------------------------------------------------
  // Reset

  /** A PCI device reset: the device core and the PCI function. */
  final void deviceReset() {
    resetCore();
    pci.reset();
    // The driver's re-initialisation makes the net layer flush three times (PCI command with bus
    // mastering, RDT of ring 0, RDT of ring 1); the reset device cannot take a frame, so each
    // flush drops the queued one and the netdev offers the next. Frames beyond the third are
    // still held (measured on the exact builds of 7.2 and 10.0 with 1 to 7 held frames: exactly
    // three are lost; three was the most the first exact campaigns had seen, hence "all").
    for (int flush = 0; flush < 3; flush++) {
      startRecv();
    }
  }

  /**
   * qemu_purge_queued_packets (CTRL.RST on 8.0+): the net layer's queue holds only the first held
   * frame; the netdev keeps the others in its socket and, told the queued one is gone, reads the
   * next, which the reset device cannot take, so it is held in turn.
   */
  final void purgeQueuedFrame() {
    if (heldFrames != null) {
      heldFrames.poll();
    }
  }

  /** e1000e_reset: the interrupt manager, the autoneg timer and the register file. */
  final void resetCore() {
    intrmgrReset();
    stopTimer(TimerId.AUTONEG);
    resetRegisters();
    justReset = true;
  }

  private void resetRegisters() {
    ctrl = CTRL_RESET;
    status = netLinkUp ? STATUS_LU : 0;
    autonegComplete = false;
    ctrlExt = 0;
    mdic = 0;
    icr = 0;
    ics = 0;
    ims = 0;
    itr = MIN_XITR;
    java.util.Arrays.fill(eitr, MIN_XITR);
    iam = 0;
    eiac = 0;
    ivar = 0;
    rctl = 0;
    tctl = 0;
    rdtr = 0;
    radv = 0;
    raid = 0;
    rsrpd = 0;
    tidv = 0;
    tadv = 0;
    tarc0 = TARC_RESET;
    tarc1 = TARC_RESET;
    iac = 0;
    rfctl = 0;
    pbaclr = 0;
    txPosted[0] = 0;
    txPosted[1] = 0;
    origins.registersReset();
    delivery.reset();
  }

  // ------------------------------------------------------------------------------------------
  // Events

  /** fire_all_timers stopped {@code t} before its deadline and runs its callback now. */
  final void emitTimerFiredNow(TimerId t) {
    if (events != null) {
      events.accept(new Event.TimerFiredNow(now, t));
    }
  }

  final void emitIntx(boolean level, boolean visible) {
    if (events != null) {
      events.accept(new Event.IntxLevel(now, level, visible));
    }
  }

  final void emitIntxGate(boolean lineHigh) {
    if (events != null) {
      events.accept(new Event.IntxGate(now, lineHigh));
    }
  }

  final void emitPendingCleared(int vector) {
    if (events != null) {
      events.accept(new Event.PendingCleared(now, vector));
    }
  }

  final void emitInterrupt(
      Event.Delivery delivery, int vector, int causes, int inIntx, int inMsi, int atEnable) {
    if (events != null) {
      events.accept(new Event.Interrupt(now, delivery, vector, causes, inIntx, inMsi, atEnable));
    }
  }

  private void emitInterruptFromIcr(Event.Delivery delivery, int vector, int causes) {
    if (events != null) {
      emitInterrupt(
          delivery,
          vector,
          causes,
          origins.inIntx(causes),
          origins.inMsi(causes),
          origins.atMsixEnable(causes));
    }
  }
}
