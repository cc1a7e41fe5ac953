package e1kfuzz.model;

import com.google.common.collect.ImmutableMap;
import java.util.Locale;
import java.util.Optional;

/**
 * The BAR0 registers the model gives behaviour to, with their QEMU names and offsets. Writes to any
 * other offset are accepted and ignored, reads of them return 0. The {@code _A} constants are the
 * old 82542 alias offsets, which reach the same register.
 */
public enum Reg {
  CTRL(0x00000),
  CTRL_DUP(0x00004, CTRL),
  STATUS(0x00008),
  CTRL_EXT(0x00018),
  MDIC(0x00020),
  ICR(0x000C0),
  ITR(0x000C4),
  ICS(0x000C8),
  IMS(0x000D0),
  IMC(0x000D8),
  EIAC(0x000DC),
  IAM(0x000E0),
  IVAR(0x000E4),
  EITR0(0x000E8),
  EITR1(0x000EC),
  EITR2(0x000F0),
  EITR3(0x000F4),
  EITR4(0x000F8),
  RCTL(0x00100),
  RDTR_A(0x00108, null),
  TCTL(0x00400),
  TDT_A(0x00438, null),
  TIDV_A(0x00440, null),
  RDTR(0x02820),
  RADV(0x0282C),
  RSRPD(0x02C00),
  RAID(0x02C08),
  TDT(0x03818),
  TIDV(0x03820),
  TADV(0x0382C),
  TARC0(0x03840),
  TDT1(0x03918),
  TARC1(0x03940),
  IAC(0x04100),
  RFCTL(0x05008),
  PBACLR(0x05B68);

  /** BAR0 is 128 KiB. */
  public static final int BAR0_SIZE = 0x20000;

  private static final ImmutableMap<String, Reg> BY_NAME;
  private static final ImmutableMap<Integer, Reg> BY_OFFSET;

  /** The register (alias resolved) behind each 4-byte slot of BAR0; a hot-path lookup. */
  private static final Reg[] TARGET_BY_SLOT = new Reg[BAR0_SIZE / 4];

  static {
    ImmutableMap.Builder<String, Reg> names = ImmutableMap.builder();
    ImmutableMap.Builder<Integer, Reg> offsets = ImmutableMap.builder();
    for (Reg reg : values()) {
      names.put(reg.name(), reg);
      offsets.put(reg.offset, reg);
    }
    BY_NAME = names.buildOrThrow();
    BY_OFFSET = offsets.buildOrThrow();
    for (Reg reg : values()) {
      TARGET_BY_SLOT[reg.offset / 4] = reg.target();
    }
  }

  private final int offset;
  private final Reg aliasOf;
  private final boolean alias;

  Reg(int offset) {
    this.offset = offset;
    this.aliasOf = null;
    this.alias = false;
  }

  Reg(int offset, Reg aliasOf) {
    this.offset = offset;
    this.aliasOf = aliasOf;
    this.alias = true;
  }

  public int offset() {
    return offset;
  }

  /** The register this offset really reaches (itself unless it is an alias). */
  public Reg target() {
    if (!alias) {
      return this;
    }
    if (aliasOf != null) {
      return aliasOf;
    }
    // Enum constants cannot name later constants in their constructor arguments.
    return switch (this) {
      case RDTR_A -> RDTR;
      case TDT_A -> TDT;
      case TIDV_A -> TIDV;
      default -> throw new AssertionError(this);
    };
  }

  /** The register a 4-aligned BAR0 offset reaches (aliases resolved), or null if none. */
  public static Reg targetAt(int offset) {
    return offset >= 0 && offset < BAR0_SIZE && (offset & 3) == 0
        ? TARGET_BY_SLOT[offset >>> 2]
        : null;
  }

  public static Optional<Reg> byName(String name) {
    return Optional.ofNullable(BY_NAME.get(name.toUpperCase(Locale.ROOT)));
  }

  public static Optional<Reg> atOffset(int offset) {
    return Optional.ofNullable(BY_OFFSET.get(offset));
  }

  /** The trace spelling of an offset: the register name when there is one, else {@code 0x%05x}. */
  public static String nameOf(int offset) {
    Reg reg = BY_OFFSET.get(offset);
    return reg != null ? reg.name() : String.format(Locale.ROOT, "0x%05x", offset);
  }
}
