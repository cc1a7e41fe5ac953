package e1kfuzz.qemu;

import e1kfuzz.model.E1000eCore;
import e1kfuzz.model.Reg;
import e1kfuzz.model.Step;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * How trace steps become qtest commands for an e1000e at 00:02.0 (spec §1, ../shared/qemu): the
 * guest memory layout, the preamble that programs BARs, rings, MSI and MSI-X table entries, and the
 * translation of each step. Keeps the little state the translation needs (ring tails, the MSI-X
 * control word, the command register).
 */
public final class Qtest {
  public static final long BAR0 = 0xE000_0000L;
  public static final long BAR3 = 0xE004_0000L;
  public static final long PBA = BAR3 + 0x2000;

  /** Config-space address of device 00:02.0 for port 0xcf8. */
  static final long CFG = 0x8000_1000L;

  /** The IOAPIC pin of 00:02.0's INTA on q35. */
  public static final int INTX_PIN = 22;

  static final int COMMAND_MEM = 0x0002;
  static final int COMMAND_MEM_BM = 0x0006;
  static final int COMMAND_INTX_DISABLE = 0x0400;
  static final int COMMAND_BUS_MASTER = 0x0004;
  static final long TX_RING = 0x20_0000L; // queue q at + q * 0x1000, 256 descriptors each
  static final long TX_FRAME = 0x21_0000L;
  static final long RX_RING = 0x22_0000L; // queue q at + q * 0x1000
  static final long RX_BUFFERS = 0x23_0000L; // 2 x 256 buffers of 2 KiB
  public static final long MSIX_MARKERS = 0x30_0000L; // vector v writes 0xc0de000v at + 4v
  public static final long MSI_MARKER = MSIX_MARKERS + 0x14; // right after: one read takes all six
  static final int RING = 256;
  public static final String MAC = "52:54:00:12:34:56";

  private int txTail0;
  private int txTail1;
  private int rxTail0 = RING - 1;
  private int msixControl;
  private int command = COMMAND_MEM_BM;

  static String outl(long port, long v) {
    return String.format(Locale.ROOT, "outl 0x%x 0x%x", port, v);
  }

  static String cfgWord(int reg, int value) {
    // Select the dword, then write the word at its offset within the data port.
    return outl(0xcf8, CFG | (reg & ~3))
        + "\n"
        + String.format(Locale.ROOT, "outw 0x%x 0x%x", 0xcfc + (reg & 3), value);
  }

  static String writel(long addr, long v) {
    return String.format(Locale.ROOT, "writel 0x%x 0x%x", addr, v & 0xFFFF_FFFFL);
  }

  static String readl(long addr) {
    return String.format(Locale.ROOT, "readl 0x%x", addr);
  }

  /** Program the function after QEMU starts or after a system reset. */
  public List<String> preamble() {
    txTail0 = 0;
    txTail1 = 0;
    rxTail0 = RING - 1;
    msixControl = 0;
    command = COMMAND_MEM_BM;
    List<String> c = new ArrayList<>();
    c.add(outl(0xcf8, CFG | 0x10));
    c.add(outl(0xcfc, BAR0));
    c.add(outl(0xcf8, CFG | 0x1c));
    c.add(outl(0xcfc, BAR3));
    lines(c, cfgWord(0x04, command));
    // MSI-X table: each entry points at its marker word; the mask bits keep their reset value
    // (set).
    for (int v = 0; v < 5; v++) {
      c.add(writel(BAR3 + 16L * v, MSIX_MARKERS + 4L * v));
      c.add(writel(BAR3 + 16L * v + 4, 0));
      c.add(writel(BAR3 + 16L * v + 8, 0xC0DE_0000L | v));
    }
    // MSI (64-bit capability at 0xd0): address and data.
    c.add(outl(0xcf8, CFG | 0xd4));
    c.add(outl(0xcfc, MSI_MARKER));
    c.add(outl(0xcf8, CFG | 0xd8));
    c.add(outl(0xcfc, 0));
    lines(c, cfgWord(0xdc, 0x5151));
    // TX rings (never TDT: a TDT write with an empty ring raises TXQE), a frame buffer, RX rings.
    c.add(memWrite(TX_FRAME, frame(60, false)));
    c.addAll(rings());
    return c;
  }

  /**
   * TX and RX ring registers and RX descriptors: after power-on, a system reset, and a software
   * reset (CTRL.RST on 8.0+, which clears them; the model keeps its rings usable, as a driver
   * re-programming them would).
   */
  public List<String> rings() {
    txTail0 = 0;
    txTail1 = 0;
    rxTail0 = RING - 1;
    List<String> c = new ArrayList<>();
    for (int q = 0; q < 2; q++) {
      c.add(writel(BAR0 + 0x3800 + 0x100L * q, TX_RING + 0x1000L * q));
      c.add(writel(BAR0 + 0x3804 + 0x100L * q, 0));
      c.add(writel(BAR0 + 0x3808 + 0x100L * q, RING * 16));
    }
    // RX rings full of 2 KiB buffers; RDT one behind the head keeps 255 free, far from RXDMT0.
    for (int q = 0; q < 2; q++) {
      c.add(memWrite(RX_RING + 0x1000L * q, rxDescriptors(q)));
      c.add(writel(BAR0 + 0x2800 + 0x100L * q, RX_RING + 0x1000L * q));
      c.add(writel(BAR0 + 0x2804 + 0x100L * q, 0));
      c.add(writel(BAR0 + 0x2808 + 0x100L * q, RING * 16));
      c.add(writel(BAR0 + 0x2818 + 0x100L * q, RING - 1));
    }
    return c;
  }

  /** RX ring q's descriptors, each pointing at its own 2 KiB buffer. */
  private static byte[] rxDescriptors(int q) {
    byte[] ring = new byte[RING * 16];
    for (int i = 0; i < RING; i++) {
      long buf = RX_BUFFERS + (q * RING + i) * 2048L;
      for (int b = 0; b < 8; b++) {
        ring[i * 16 + b] = (byte) (buf >>> (8 * b));
      }
    }
    return ring;
  }

  /**
   * After a system reset: a device that takes every frame the net layer and the netdev's socket
   * still hold, each with a trace event. A flush (an RDT write, bus mastering turned on) while RX
   * is disabled would drop the queued frame unseen, and a frame received while bus mastering is off
   * reads its descriptor as zeros. So: ring 0 gets one free descriptor from an RDH write (RDH =
   * 255, RDT = 0), which does not flush; RCTL.EN flushes the queued frame into it (and empties the
   * ring: RDH = 0); bus mastering goes on (nothing queued, nothing to flush; a frame the netdev
   * reads now finds no buffer and is queued); RDT = 255 then flushes and frees the ring, and the
   * netdev reads the rest. With n frames held, RDH ends at n - 1.
   */
  List<String> drainRx() {
    List<String> c = new ArrayList<>();
    c.add(outl(0xcf8, CFG | 0x10));
    c.add(outl(0xcfc, BAR0));
    lines(c, cfgWord(0x04, COMMAND_MEM));
    c.add(memWrite(RX_RING, rxDescriptors(0)));
    c.add(writel(BAR0 + 0x2800, RX_RING));
    c.add(writel(BAR0 + 0x2804, 0));
    c.add(writel(BAR0 + 0x2808, RING * 16));
    c.add(writel(BAR0 + 0x2810, RING - 1));
    c.add(writel(BAR0 + Reg.RCTL.offset(), E1000eCore.RCTL_EN));
    lines(c, cfgWord(0x04, COMMAND_MEM_BM));
    c.add(writel(BAR0 + 0x2818, RING - 1));
    return c;
  }

  /**
   * Splits re-initialisation commands before each command that makes the net layer flush the frames
   * it holds (a write of the PCI command register, an RDT write), so that the backend can let
   * QEMU's main loop offer the next held frame before each flush.
   */
  static List<List<String>> splitAtFlushes(List<String> commands) {
    String rdt0 = String.format(Locale.ROOT, "writel 0x%x ", BAR0 + 0x2818);
    String rdt1 = String.format(Locale.ROOT, "writel 0x%x ", BAR0 + 0x2918);
    String command = outl(0xcf8, CFG | 0x04);
    List<List<String>> out = new ArrayList<>();
    List<String> cur = new ArrayList<>();
    for (String c : commands) {
      if ((c.startsWith(rdt0) || c.startsWith(rdt1) || c.equals(command)) && !cur.isEmpty()) {
        out.add(cur);
        cur = new ArrayList<>();
      }
      cur.add(c);
    }
    out.add(cur);
    return out;
  }

  private static void lines(List<String> c, String multi) {
    c.addAll(List.of(multi.split("\n")));
  }

  static String memWrite(long addr, byte[] data) {
    return String.format(
        Locale.ROOT, "write 0x%x 0x%x 0x%s", addr, data.length, HexFormat.of().formatHex(data));
  }

  /**
   * Reads that observe the device after a step: ICS (ICR without clearing), IMS, PBA, IVAR, after
   * {@link #signalReads()}. {@link DeviceReads#parse} reads the replies.
   */
  static List<String> observe() {
    List<String> c = new ArrayList<>(signalReads());
    c.addAll(stateReads());
    return c;
  }

  /** ICS (ICR without clearing it), IMS, the MSI-X PBA and IVAR: the device's interrupt state. */
  public static List<String> stateReads() {
    return List.of(
        readl(BAR0 + Reg.ICS.offset()),
        readl(BAR0 + Reg.IMS.offset()),
        readl(PBA),
        readl(BAR0 + Reg.IVAR.offset()));
  }

  /**
   * Reads that collect the interrupts since the last such reads: the MSI-X marker words and the MSI
   * marker word after them, in one read, then cleared. {@link SignalReads#parse} reads the replies.
   */
  static List<String> signalReads() {
    return List.of(
        String.format(Locale.ROOT, "read 0x%x 0x18", MSIX_MARKERS),
        String.format(Locale.ROOT, "write 0x%x 0x18 0x%s", MSIX_MARKERS, "00".repeat(24)));
  }

  /**
   * Writes 0 to ITR and EITR0-4, which leaves the intervals QEMU uses at their reset values but
   * makes the registers read back 0, as at power-on: QEMU's device reset keeps the values the guest
   * last wrote for reads (all releases), so a reused process would show the previous trace's.
   */
  static List<String> powerOnThrottleReadback() {
    List<String> c = new ArrayList<>();
    c.add(writel(BAR0 + Reg.ITR.offset(), 0));
    for (int v = 0; v < 5; v++) {
      c.add(writel(BAR0 + Reg.EITR0.offset() + 4L * v, 0));
    }
    return c;
  }

  /** The throttling registers ITR and EITR0-4, whose intervals interrupts load when sent. */
  static List<String> throttleReads() {
    List<String> c = new ArrayList<>();
    c.add(readl(BAR0 + Reg.ITR.offset()));
    for (int v = 0; v < 5; v++) {
      c.add(readl(BAR0 + Reg.EITR0.offset() + 4L * v));
    }
    return c;
  }

  /** The interrupts as the replies to {@link #signalReads()} show them. */
  record SignalReads(int msixMessages, boolean msiMessage) {
    static final int COUNT = 2;

    static SignalReads parse(List<String> replies) {
      String markers = replies.get(0).substring(replies.get(0).indexOf("0x") + 2);
      byte[] m = HexFormat.of().parseHex(markers);
      int msix = 0;
      for (int v = 0; v < 5; v++) {
        if ((m[4 * v] | m[4 * v + 1] | m[4 * v + 2] | m[4 * v + 3]) != 0) {
          msix |= 1 << v;
        }
      }
      boolean msi = (m[20] | m[21] | m[22] | m[23]) != 0;
      return new SignalReads(msix, msi);
    }

    boolean any() {
      return msixMessages != 0 || msiMessage;
    }
  }

  /** The throttling registers as the replies to {@link #throttleReads()} show them (16 bits). */
  record ThrottleReads(int itr, int[] eitr) {
    static ThrottleReads parse(List<String> replies) {
      int[] eitr = new int[5];
      for (int v = 0; v < 5; v++) {
        eitr[v] = (int) QtestSession.value(replies.get(1 + v)) & 0xffff;
      }
      return new ThrottleReads((int) QtestSession.value(replies.get(0)) & 0xffff, eitr);
    }
  }

  /** The device as the replies to {@link #observe()} show it. */
  record DeviceReads(SignalReads signals, int ics, int ims, int pba, int ivar) {
    static DeviceReads parse(List<String> replies) {
      int n = SignalReads.COUNT;
      return new DeviceReads(
          SignalReads.parse(replies.subList(0, n)),
          (int) QtestSession.value(replies.get(n)),
          (int) QtestSession.value(replies.get(n + 1)),
          (int) QtestSession.value(replies.get(n + 2)) & 0x1f,
          (int) QtestSession.value(replies.get(n + 3)));
    }
  }

  /** Why the first step that cannot be replayed on QEMU cannot, or null if all can. */
  public static String firstUnsupported(List<Step> steps) {
    for (String why : reasons(steps)) {
      if (why != null) {
        return why;
      }
    }
    return null;
  }

  /**
   * {@code steps} without those this backend cannot replay ({@link #firstUnsupported} finds none in
   * the result): what a differential campaign compares of a generated trace.
   */
  public static List<Step> withoutUnsupported(List<Step> steps) {
    List<String> why = reasons(steps);
    List<Step> kept = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      if (why.get(i) == null) {
        kept.add(steps.get(i));
      }
    }
    return kept;
  }

  /**
   * Why each step cannot be replayed where it stands (null where it can). Bus mastering is the one
   * state that decides it, and the steps that set it are always replayable, so leaving out the
   * others changes no step's answer.
   */
  private static List<String> reasons(List<Step> steps) {
    List<String> out = new ArrayList<>(steps.size());
    boolean busMaster = true;
    for (Step s : steps) {
      String why = unsupported(s);
      out.add(why == null && !busMaster ? withoutBusMaster(s) : why);
      if (s instanceof Step.BusMaster b) {
        busMaster = b.enable();
      } else if (s instanceof Step.Reset) {
        busMaster = true;
      }
    }
    return out;
  }

  /**
   * Steps that make QEMU use DMA while bus mastering is off: it then reads descriptors through a
   * disabled bus-master address space, which the model does not describe (it holds them).
   */
  private static String withoutBusMaster(Step s) {
    Reg reg = s instanceof Step.Write w ? Reg.targetAt(w.offset()) : null;
    if (s instanceof Step.Tx || reg == Reg.TDT || reg == Reg.TDT1 || reg == Reg.TCTL) {
      return "'"
          + s.format()
          + "' while bus mastering is off: TX DMA without bus mastering is not modelled";
    }
    if ((reg == Reg.RCTL && (((Step.Write) s).value() & E1000eCore.RCTL_EN) != 0)
        || (s instanceof Step.Link l && l.up())) {
      return "'"
          + s.format()
          + "' while bus mastering is off: a flush of held frames without bus mastering is not modelled";
    }
    return null;
  }

  /** Why a step cannot be replayed on QEMU by this backend, or null. */
  public static String unsupported(Step step) {
    if (step instanceof Step.Rx rx && rx.queue1()) {
      return "rx q1 needs RSS, which the backend does not set up";
    }
    if (step instanceof Step.Write w && Reg.targetAt(w.offset()) == null) {
      return "write to "
          + Reg.nameOf(w.offset())
          + ": an offset the model ignores but QEMU may not";
    }
    if (step instanceof Step.Write w
        && Reg.targetAt(w.offset()) == Reg.MDIC
        && (w.value() & 0x0C000000) == 0x04000000
        && ((w.value() >>> 21) & 0x1F) == 1) {
      return "MDIC PHY write: PHY state is not modelled";
    }
    return null;
  }

  /**
   * The commands of one guest step (not waits, links, resets or RX, which the backend does itself).
   */
  public List<String> commands(Step step) {
    List<String> c = new ArrayList<>();
    if (step instanceof Step.Write w) {
      Reg reg = Reg.targetAt(w.offset());
      if (reg == Reg.TDT) {
        c.add(writel(BAR0 + 0x3818, txTail0)); // a doorbell: the model has no ring of its own
      } else if (reg == Reg.TDT1) {
        c.add(writel(BAR0 + 0x3918, txTail1));
      } else {
        c.add(writel(BAR0 + w.offset(), w.value()));
      }
    } else if (step instanceof Step.Read r) {
      c.add(readl(BAR0 + r.offset()));
    } else if (step instanceof Step.Tx tx) {
      int q = tx.queue1() ? 1 : 0;
      int tail = q == 0 ? txTail0 : txTail1;
      long cmd = 0x01 | 0x02 | (tx.noRs() ? 0 : 0x08) | (tx.ide() ? 0x80 : 0); // EOP IFCS RS IDE
      byte[] d = new byte[16];
      for (int b = 0; b < 8; b++) {
        d[b] = (byte) (TX_FRAME >>> (8 * b));
      }
      long lower = 60 | (cmd << 24);
      for (int b = 0; b < 4; b++) {
        d[8 + b] = (byte) (lower >>> (8 * b));
      }
      c.add(memWrite(TX_RING + 0x1000L * q + 16L * tail, d));
      tail = (tail + 1) % RING;
      if (q == 0) {
        txTail0 = tail;
      } else {
        txTail1 = tail;
      }
      c.add(writel(BAR0 + 0x3818 + 0x100L * q, tail));
    } else if (step instanceof Step.Msix m) {
      switch (m.op()) {
        case ON -> msixControl |= 0x8000;
        case OFF -> msixControl &= ~0x8000;
        case MASK -> msixControl |= 0x4000;
        case UNMASK -> msixControl &= ~0x4000;
      }
      lines(c, cfgWord(0xa2, msixControl));
    } else if (step instanceof Step.MsixVector v) {
      c.add(writel(BAR3 + 16L * v.vector() + 12, v.masked() ? 1 : 0));
    } else if (step instanceof Step.Msi m) {
      lines(c, cfgWord(0xd2, 0x0080 | (m.enable() ? 1 : 0)));
    } else if (step instanceof Step.Intx i) {
      command = i.enable() ? command & ~COMMAND_INTX_DISABLE : command | COMMAND_INTX_DISABLE;
      lines(c, cfgWord(0x04, command));
    } else if (step instanceof Step.BusMaster b) {
      command = b.enable() ? command | COMMAND_BUS_MASTER : command & ~COMMAND_BUS_MASTER;
      lines(c, cfgWord(0x04, command));
    } else if (step instanceof Step.Mdic) {
      c.add(writel(BAR0 + Reg.MDIC.offset(), Step.Mdic.VALUE));
    } else {
      throw new IllegalArgumentException("not a guest step: " + step.format());
    }
    return c;
  }

  /** Gives back one RX buffer after a frame was written (keeps the ring far from RXDMT0). */
  public List<String> replenishRx() {
    rxTail0 = (rxTail0 + 1) % RING;
    return List.of(writel(BAR0 + 0x2818, rxTail0));
  }

  /** Reads RDH of ring 0. */
  public static List<String> readRdh() {
    return List.of(readl(BAR0 + 0x2810));
  }

  public static List<String> setRdt0(int value) {
    return List.of(writel(BAR0 + 0x2818, value));
  }

  public int rxTail0() {
    return rxTail0;
  }

  /**
   * An Ethernet frame to the device's MAC: a pure TCP ACK (IPv4, 54 bytes padded) or plain bytes.
   */
  public static byte[] frame(int length, boolean tcpAck) {
    byte[] f = new byte[length];
    byte[] dst = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    byte[] src = {0x52, 0x54, 0x00, 0x65, 0x43, 0x21};
    System.arraycopy(dst, 0, f, 0, 6);
    System.arraycopy(src, 0, f, 6, 6);
    if (!tcpAck) {
      f[12] = (byte) 0x88;
      f[13] = (byte) 0xb5; // local experimental ethertype
      return f;
    }
    f[12] = 0x08; // IPv4
    f[14] = 0x45;
    f[16] = 0;
    f[17] = 40; // total length: 20 IP + 20 TCP
    f[22] = 64; // TTL
    f[23] = 6; // TCP
    byte[] ips = {10, 0, 0, 2, 10, 0, 0, 1};
    System.arraycopy(ips, 0, f, 26, 8);
    int csum = 0;
    for (int i = 14; i < 34; i += 2) {
      csum += ((f[i] & 0xff) << 8) | (f[i + 1] & 0xff);
    }
    csum = (csum & 0xffff) + (csum >>> 16);
    csum = ~((csum & 0xffff) + (csum >>> 16)) & 0xffff;
    f[24] = (byte) (csum >>> 8);
    f[25] = (byte) csum;
    f[34] = 0x30;
    f[35] = 0x39; // src port 12345
    f[36] = 0x00;
    f[37] = 0x50; // dst port 80
    f[46] = 0x50; // data offset 5
    f[47] = 0x10; // ACK
    f[48] = 0x20; // window
    return f;
  }
}
