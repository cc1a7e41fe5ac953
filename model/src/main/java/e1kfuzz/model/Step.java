package e1kfuzz.model;

import java.util.Locale;

/**
 * One guest action or one advance of virtual time. A step is a value; {@link #format()} prints the
 * exact trace line that {@link TraceParser} reads back.
 */
public sealed interface Step {

  /** Performs this step on a device model. */
  void applyTo(E1000eCore core);

  /** The canonical trace line. */
  String format();

  /** A 32-bit MMIO write to BAR0. */
  record Write(int offset, int value) implements Step {
    @Override
    public void applyTo(E1000eCore core) {
      core.mmioWrite(offset, value);
    }

    @Override
    public String format() {
      return "write " + Reg.nameOf(offset) + " " + hex(value);
    }
  }

  /** A 32-bit MMIO read of BAR0, with the side effects the release gives it. */
  record Read(int offset) implements Step {
    @Override
    public void applyTo(E1000eCore core) {
      core.mmioRead(offset);
    }

    @Override
    public String format() {
      return "read " + Reg.nameOf(offset);
    }
  }

  /**
   * The guest posts one TX descriptor (one whole frame) on a queue and writes that queue's TDT.
   *
   * @param ide interrupt delay enable: the completion goes through TIDV/TADV
   * @param noRs no report-status bit: no write-back, so no TXDW/TXQn and its IDE does not count
   * @param queue1 queue 1 instead of queue 0
   */
  record Tx(boolean ide, boolean noRs, boolean queue1) implements Step {
    @Override
    public void applyTo(E1000eCore core) {
      core.guestTransmit(this);
    }

    @Override
    public String format() {
      return "tx" + (ide ? " ide" : "") + (noRs ? " nors" : "") + (queue1 ? " q1" : "");
    }
  }

  /**
   * A frame arrives from the network.
   *
   * @param ack a pure TCP ACK (60 bytes)
   * @param small a 60-byte frame (plain frames are 1000 bytes); SRPD needs RSRPD above its length
   * @param noBuffer no free RX buffer for it: only RXO is raised
   * @param queue1 RSS steers it to queue 1
   */
  record Rx(boolean ack, boolean small, boolean noBuffer, boolean queue1) implements Step {
    /** Length of a plain frame, in bytes, without FCS. */
    public static final int PLAIN_LENGTH = 1000;

    /** Length of a small frame and of a pure TCP ACK (the Ethernet minimum), without FCS. */
    public static final int SMALL_LENGTH = 60;

    public int length() {
      return ack || small ? SMALL_LENGTH : PLAIN_LENGTH;
    }

    @Override
    public void applyTo(E1000eCore core) {
      core.networkReceive(this);
    }

    @Override
    public String format() {
      return "rx"
          + (ack ? " ack" : "")
          + (small ? " small" : "")
          + (noBuffer ? " nobuf" : "")
          + (queue1 ? " q1" : "");
    }
  }

  /** Config-space write of the MSI-X Message Control word: enable bit or function mask. */
  record Msix(MsixControl op) implements Step {
    @Override
    public void applyTo(E1000eCore core) {
      core.pci().writeMsixControl(op);
    }

    @Override
    public String format() {
      return "msix " + op.word();
    }
  }

  /** What a {@link Msix} step writes. */
  enum MsixControl {
    ON("on"),
    OFF("off"),
    MASK("mask"),
    UNMASK("unmask");

    private final String word;

    MsixControl(String word) {
      this.word = word;
    }

    public String word() {
      return word;
    }
  }

  /** MSI-X table write of one vector's control word (mask bit). */
  record MsixVector(int vector, boolean masked) implements Step {
    public MsixVector {
      if (vector < 0 || vector >= Pci.MSIX_VECTORS) {
        throw new IllegalArgumentException("MSI-X vector out of range: " + vector);
      }
    }

    @Override
    public void applyTo(E1000eCore core) {
      core.pci().writeVectorMask(vector, masked);
    }

    @Override
    public String format() {
      return "msix vector " + vector + (masked ? " mask" : " unmask");
    }
  }

  /** Config-space write of the MSI enable bit. */
  record Msi(boolean enable) implements Step {
    @Override
    public void applyTo(E1000eCore core) {
      core.pci().writeMsiEnable(enable);
    }

    @Override
    public String format() {
      return "msi " + (enable ? "on" : "off");
    }
  }

  /**
   * Config-space write of the PCI command register's INTx Disable bit ({@code intx off} sets it),
   * with memory space on and Bus Master as it is.
   */
  record Intx(boolean enable) implements Step {
    @Override
    public void applyTo(E1000eCore core) {
      core.writeCommand(!enable);
    }

    @Override
    public String format() {
      return "intx " + (enable ? "on" : "off");
    }
  }

  /**
   * Config-space write of the PCI command register's Bus Master bit, with memory space and INTx
   * Disable kept as they are: a driver's pci_clear_master / pci_set_master.
   */
  record BusMaster(boolean enable) implements Step {
    @Override
    public void applyTo(E1000eCore core) {
      core.writeBusMaster(enable);
    }

    @Override
    public String format() {
      return "busmaster " + (enable ? "on" : "off");
    }
  }

  /** The network backend's link goes down or up. */
  record Link(boolean up) implements Step {
    @Override
    public void applyTo(E1000eCore core) {
      core.setLinkStatus(up);
    }

    @Override
    public String format() {
      return "link " + (up ? "up" : "down");
    }
  }

  /** An MDIC write (PHY read of the PHY status register) with INT_EN, which raises MDAC. */
  record Mdic() implements Step {
    /** INT_EN | OP_READ | PHY address 1 | register 1. */
    public static final int VALUE = 0x28210000;

    @Override
    public void applyTo(E1000eCore core) {
      core.mmioWrite(Reg.MDIC.offset(), VALUE);
    }

    @Override
    public String format() {
      return "mdic";
    }
  }

  /** Advance virtual time; every timer due on the way fires, in deadline order. */
  record Wait(long ns) implements Step {
    public Wait {
      if (ns < 0) {
        throw new IllegalArgumentException("negative wait: " + ns);
      }
    }

    @Override
    public void applyTo(E1000eCore core) {
      core.advanceTo(core.now() + ns);
    }

    @Override
    public String format() {
      return "wait " + formatDuration(ns);
    }
  }

  /** Advance exactly to one timer's deadline; nothing happens when that timer is not running. */
  record Expire(TimerId timer) implements Step {
    @Override
    public void applyTo(E1000eCore core) {
      core.expire(timer);
    }

    @Override
    public String format() {
      return "expire " + timer.traceName();
    }
  }

  /** A PCI device reset (QMP system_reset): device core reset plus MSI/MSI-X/INTx reset. */
  record Reset() implements Step {
    @Override
    public void applyTo(E1000eCore core) {
      core.deviceReset();
    }

    @Override
    public String format() {
      return "reset";
    }
  }

  /** Fixed-width lower-case hex, e.g. {@code 0x0000ffff}: how traces and reports print a value. */
  public static String hex(int value) {
    return String.format(Locale.ROOT, "0x%08x", value);
  }

  /** The largest unit (ms, us, ns) that divides the duration exactly, e.g. {@code 67ms}. */
  static String formatDuration(long ns) {
    if (ns != 0 && ns % 1_000_000 == 0) {
      return ns / 1_000_000 + "ms";
    }
    if (ns != 0 && ns % 1_000 == 0) {
      return ns / 1_000 + "us";
    }
    return ns + "ns";
  }
}
