package e1kfuzz.model;

import java.util.Locale;
import java.util.Optional;

/**
 * The device's virtual-clock timers: the five interrupt-delay timers, the ITR and five EITR
 * throttling timers, and the PHY auto-negotiation timer that completes a link-up.
 */
public enum TimerId {
  RDTR(Reg.RDTR, 1024),
  RADV(Reg.RADV, 1024),
  RAID(Reg.RAID, 1024),
  TIDV(Reg.TIDV, 1024),
  TADV(Reg.TADV, 1024),
  ITR(Reg.ITR, 256),
  EITR0(Reg.EITR0, 256),
  EITR1(Reg.EITR1, 256),
  EITR2(Reg.EITR2, 256),
  EITR3(Reg.EITR3, 256),
  EITR4(Reg.EITR4, 256),
  AUTONEG(null, 0);

  public static final int COUNT = values().length;

  /** Bit mask (by ordinal) of the five delay timers. */
  public static final int DELAY_TIMERS = bit(RDTR) | bit(RADV) | bit(RAID) | bit(TIDV) | bit(TADV);

  private static final TimerId[] VALUES = values();

  private final Reg register;
  private final int resolutionNs;

  TimerId(Reg register, int resolutionNs) {
    this.register = register;
    this.resolutionNs = resolutionNs;
  }

  /** The register whose value, times {@link #resolutionNs()}, is the period; null for AUTONEG. */
  public Reg register() {
    return register;
  }

  public int resolutionNs() {
    return resolutionNs;
  }

  public boolean isDelayTimer() {
    return (DELAY_TIMERS & bit(this)) != 0;
  }

  public static TimerId eitr(int vector) {
    return VALUES[EITR0.ordinal() + vector];
  }

  public static int bit(TimerId t) {
    return 1 << t.ordinal();
  }

  public static TimerId byOrdinal(int ordinal) {
    return VALUES[ordinal];
  }

  /** The trace spelling, e.g. {@code tidv}, {@code eitr3}. */
  public String traceName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<TimerId> byTraceName(String name) {
    for (TimerId t : VALUES) {
      if (t.traceName().equals(name)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  /**
   * Names the timers whose bits are set in {@code mask}, e.g. {@code tidv,tadv}; none prints as
   * {@code -}.
   */
  public static String describe(int mask) {
    if (mask == 0) {
      return "-";
    }
    StringBuilder sb = new StringBuilder();
    for (TimerId t : VALUES) {
      if ((mask & bit(t)) != 0) {
        if (sb.length() > 0) {
          sb.append(',');
        }
        sb.append(t.traceName());
      }
    }
    return sb.toString();
  }
}
