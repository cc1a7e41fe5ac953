package e1kfuzz.model;

import java.util.Optional;
import java.util.function.Supplier;

/** The registry of modelled QEMU releases and fix candidates. */
public enum Variant {
  QEMU_7_2_0(
      "qemu-7.2.0",
      "v7.2.0: delayed-cause assert, ITR/EITR throttling asserts, pending flags, msi_causes_pending",
      "QEMU 2.7 - 7.2.19",
      Qemu720::new),
  QEMU_7_2_20(
      "qemu-7.2.20",
      "qemu-7.2.0 with the merged fix backported; the ITR/EITR asserts remain",
      "QEMU 7.2.20 - 7.2.22 (Debian 12 deb12u17, deb12u18)",
      Qemu7220::new),
  QEMU_8_1(
      "qemu-8.1",
      "raise/lower delivery, throttling asserts and pending flags removed, delayed-cause assert kept",
      "QEMU 8.1.0 - 10.1.0, 10.0.0 - 10.0.3",
      Qemu81::new),
  QEMU_10_2(
      "qemu-10.2",
      "the merged fix 8e4649cac9: collect takes parked causes into ICR even under MSI-X",
      "QEMU 10.2, 10.0.4+, 10.1.1+",
      Qemu102::new),
  FIX_V1(
      "fix-v1",
      "qemu-8.1 plus the first posted patch: under MSI-X collect discards parked causes, timers run on",
      "patch of 2025-08-06 (not merged)",
      FixV1::new),
  FIX_MODE_SWITCH(
      "fix-mode-switch",
      "qemu-10.2 plus: enabling MSI-X discards parked causes, stops the delay timers and ITR",
      "candidate fix (not posted)",
      FixModeSwitch::new),
  FIX_THROTTLE(
      "fix-throttle",
      "fix-mode-switch plus a throttling fix after Piggin's 2025 series: EITR expiry sends only"
          + " for an active cause and re-arms, auto-clear waits for the message, ITR expiry re-arms",
      "candidate fix (not posted)",
      FixThrottle::new);

  private final String id;
  private final String description;
  private final String releases;
  private final Supplier<E1000eCore> factory;

  Variant(String id, String description, String releases, Supplier<E1000eCore> factory) {
    this.id = id;
    this.description = description;
    this.releases = releases;
    this.factory = factory;
  }

  /** The name used on the command line and in traces, e.g. {@code qemu-7.2.0}. */
  public String id() {
    return id;
  }

  public String description() {
    return description;
  }

  public String releases() {
    return releases;
  }

  /**
   * Whether {@code step} is a software reset: a CTRL (or its alias) write with RST, which the 8.0+
   * code handles as a device reset (e1000e_set_ctrl calling e1000e_reset) and 7.2 ignores.
   */
  public boolean softwareResets(Step step) {
    return !sevenTwoCode()
        && step instanceof Step.Write w
        && (w.offset() == Reg.CTRL.offset() || w.offset() == Reg.CTRL_DUP.offset())
        && (w.value() & E1000eCore.CTRL_RST) != 0;
  }

  /** The variants built on QEMU 7.2's e1000e_core.c (before the 8.0/8.1 rework). */
  private boolean sevenTwoCode() {
    return this == QEMU_7_2_0 || this == QEMU_7_2_20;
  }

  /** A fresh device in its power-on state. */
  public E1000eCore newCore() {
    return factory.get();
  }

  public static Optional<Variant> byId(String id) {
    for (Variant v : values()) {
      if (v.id.equals(id)) {
        return Optional.of(v);
      }
    }
    return Optional.empty();
  }
}
