package e1kfuzz.model;

import java.util.Optional;

/**
 * Every invariant the model checks, with the stable signature string used in outputs, corpus
 * headers and file names. Strict ones are checked only when asked for.
 */
public enum Signature {
  COLLECT_DELAYED_CAUSES(
      "assert:collect-delayed-causes",
      false,
      "collect ran under MSI-X with delayed causes (QEMU's assert(core->delayed_causes == 0))",
      "e1000e_intmgr_collect_delayed_causes"),
  ITR_TIMER_UNDER_MSIX(
      "assert:itr-timer-under-msix",
      false,
      "the ITR throttling callback ran while MSI-X was enabled (QEMU's assert(!msix_enabled))",
      "e1000e_intrmgr_on_throttling_timer"),
  EITR_TIMER_WITHOUT_MSIX(
      "assert:eitr-timer-without-msix",
      false,
      "an EITR throttling callback ran while MSI-X was disabled (QEMU's assert(msix_enabled))",
      "e1000e_intrmgr_on_msix_throttling_timer"),
  LEGACY_CAUSE_OVER_MSIX(
      "legacy-cause-over-msix",
      false,
      "an MSI-X message or pending bit was produced by a cause still parked when MSI-X was enabled"),
  INTX_UNDER_MSIX("intx-under-msix", false, "the device asserted INTx while MSI-X was enabled"),
  IMS_INVALID_BITS(
      "consistency:ims-invalid-bits",
      false,
      "IMS holds a bit outside the IMS valid mask 0x01f782d7"),
  PENDING_BIT_UNMASKED(
      "consistency:pending-bit-unmasked",
      false,
      "an MSI-X pending bit is set while its vector is enabled and unmasked"),
  DELAY_TIMER_ARMED_UNDER_MSIX(
      "consistency:delay-timer-armed-under-msix",
      false,
      "a delay timer (RDTR/RADV/RAID/TIDV/TADV) was armed while MSI-X was enabled"),
  RESET_STATE(
      "consistency:reset-state",
      false,
      "right after a reset a timer runs or delayed_causes is not 0"),
  SPURIOUS_INTERRUPT(
      "delivery:spurious-interrupt",
      false,
      "an MSI-X message or pending bit, an MSI message or an INTx assertion with no pending unmasked"
          + " cause for it in ICR & IMS"),
  UNTHROTTLED_INTERRUPT(
      "delivery:unthrottled-interrupt",
      false,
      "two interrupts on one MSI-X vector (or INTx/MSI) closer than its EITR (ITR) programs"),
  AUTO_CLEAR_BEFORE_MESSAGE(
      "delivery:auto-clear-before-message",
      false,
      "EIAC (or IAM) cleared a cause while EITR held back its MSI-X message: the 82574 clears it"
          + " when the message is sent"),
  LOST_INTERRUPT(
      "delivery:lost-interrupt",
      false,
      "with every timer run out, an unmasked pending cause the current mode can deliver was never"
          + " signalled (no INTx, MSI or MSI-X message, no pending bit)"),
  STALE_DELAYED_STATE_UNDER_MSIX(
      "strict:stale-delayed-state-under-msix",
      true,
      "MSI-X is enabled while delayed_causes is not 0 or a delay timer is armed"),
  ICR_ASSERTED_MISMATCH(
      "strict:icr-asserted-mismatch",
      true,
      "INT_ASSERTED (ICR bit 31) is not set exactly when another ICR bit is"),
  ICS_MIRROR_STALE("strict:ics-mirror-stale", true, "ICS reads differ from ICR");

  private final String id;
  private final boolean strict;
  private final String description;

  /** The QEMU function whose assert() this signature is, or null for e1kfuzz's own invariants. */
  private final String assertingFunction;

  private final boolean deferred;

  Signature(String id, boolean strict, String description) {
    this(id, strict, description, null);
  }

  Signature(String id, boolean strict, String description, String assertingFunction) {
    this.id = id;
    this.strict = strict;
    this.description = description;
    this.assertingFunction = assertingFunction;
    this.deferred = id.startsWith("delivery:");
  }

  /** The stable string, e.g. {@code assert:collect-delayed-causes}. */
  public String id() {
    return id;
  }

  public boolean strict() {
    return strict;
  }

  /**
   * A delivery signature does not end a run: an assert, a mode or a consistency violation that
   * comes later in the same trace is the run's outcome instead, so that a frequent delivery finding
   * never hides the crash or the state error behind it.
   */
  public boolean deferred() {
    return deferred;
  }

  public String description() {
    return description;
  }

  /** Whether QEMU aborts here: the signature is an assert() in a QEMU function. */
  public boolean isAbort() {
    return assertingFunction != null;
  }

  /**
   * The assert signature whose QEMU function a failed-assertion message names ("file:line:
   * function: Assertion ... failed."), if any.
   */
  public static Optional<Signature> ofAssertionMessage(String message) {
    for (Signature s : values()) {
      if (s.assertingFunction != null && message.contains(s.assertingFunction + ":")) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  public static Optional<Signature> byId(String id) {
    for (Signature s : values()) {
      if (s.id.equals(id)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
