package e1kfuzz.engine;

import e1kfuzz.model.Cause;
import e1kfuzz.model.E1000eCore;
import e1kfuzz.model.Pci;
import e1kfuzz.model.Reg;
import e1kfuzz.model.Step;
import e1kfuzz.model.TimerId;
import e1kfuzz.model.Violation;
import java.util.ArrayList;
import java.util.List;

/**
 * Generates traces biased towards races. Choices depend on a running device model (the "shadow"):
 * waits land just before, at, just after or between the deadlines of the timers that run, and an
 * MSI-X switch is likelier while delay or ITR timers run or causes are parked.
 */
public final class TraceGenerator {
  private static final Step.MsixControl[] MSIX_OPS = Step.MsixControl.values();
  private static final TimerId[] TIMERS = TimerId.values();

  /** Registers to write, repeated by weight: the interrupt paths first. */
  private static final Reg[] WRITE_TARGETS =
      weighted(
          Reg.IMS,
          8,
          Reg.ICS,
          8,
          Reg.ICR,
          4,
          Reg.IMC,
          4,
          Reg.CTRL_EXT,
          4,
          Reg.IVAR,
          4,
          Reg.TIDV,
          4,
          Reg.ITR,
          3,
          Reg.RDTR,
          3,
          Reg.RCTL,
          3,
          Reg.TCTL,
          3,
          Reg.EIAC,
          2,
          Reg.IAM,
          2,
          Reg.RADV,
          2,
          Reg.TADV,
          2,
          Reg.RAID,
          2,
          Reg.EITR0,
          1,
          Reg.EITR1,
          1,
          Reg.EITR2,
          1,
          Reg.EITR3,
          1,
          Reg.EITR4,
          1,
          Reg.RSRPD,
          1,
          Reg.TARC0,
          1,
          Reg.TARC1,
          1,
          Reg.RFCTL,
          1,
          Reg.PBACLR,
          1,
          Reg.MDIC,
          1,
          Reg.CTRL,
          1,
          Reg.TDT,
          1,
          Reg.TDT1,
          1);

  private static final Reg[] READ_TARGETS =
      weighted(Reg.ICR, 10, Reg.ICS, 4, Reg.IAC, 2, Reg.IMS, 2, Reg.ITR, 1, Reg.STATUS, 1);

  private static final int[] CAUSE_BITS = {
    Cause.TXDW, Cause.TXQE, Cause.LSC, Cause.RXSEQ, Cause.RXDMT0, Cause.RXO, Cause.RXT0, Cause.MDAC,
    Cause.TXD_LOW, Cause.SRPD, Cause.ACK, Cause.MNG, Cause.RXQ0, Cause.RXQ1, Cause.TXQ0, Cause.TXQ1,
    Cause.OTHER
  };
  private static final int[] MASKS = {
    0,
    0xFFFFFFFF,
    Cause.IMS_VALID,
    Cause.EXTENDED,
    Cause.OTHER_CAUSES,
    Cause.DELAYABLE_TX,
    Cause.DELAYABLE_RX,
    Cause.OTHER | Cause.LSC,
    Cause.OTHER | Cause.ACK,
    Cause.TXDW | Cause.LSC
  };
  private static final int[] CTRL_EXT_BITS = {
    0, 1 << 24, 1 << 27, 1 << 29, 1 << 31, (1 << 29) | (1 << 27), (1 << 31) | (1 << 24)
  };
  private static final int[] IVAR_VALUES = {
    0, 0x800A0908, 0x000A0908, 0x000A0000, 0x00000B00, 0x80000000
  };
  private static final int[] DELAY_VALUES = {0, 1, 0x10, 0x100, 0x1000, 0xFFFF};
  private static final int[] XITR_VALUES = {0, 1, 500, 0x1000, 0xFFFF};
  private static final int[] RCTL_VALUES = {0, 0x2, 0x42, 0x801A, 0x04000002};
  private static final int[] TCTL_VALUES = {0, 0x2, 0xA};
  private static final int[] TARC_VALUES = {0x403, 0, 0x400};
  private static final int FPD = 1 << 31;

  /** Waits when no timer runs: 0, 1 µs, one ITR period, 1 ms, ITR/TIDV maxima, 500 ms autoneg. */
  private static final long[] PLAIN_WAITS = {
    0, 1_000, 128_000, 1_000_000, 16_776_960, 67_107_840, 500_000_000
  };

  private static final StepKind[] KINDS = StepKind.values();
  private static final int[] RSRPD_VALUES = {0, 0x41, 0x100, 0xFFF};

  private final GeneratorOptions options;
  private final int[] weights;
  private final int totalWeight;

  public TraceGenerator(GeneratorOptions options) {
    this.options = options;
    this.weights = options.weights();
    this.totalWeight = java.util.Arrays.stream(weights).sum();
  }

  public GeneratorOptions options() {
    return options;
  }

  /**
   * Generates up to {@code maxSteps} steps, applying each to {@code shadow} as it goes; with {@code
   * stopAtViolation} it stops after the step that first violates an invariant (other than a
   * delivery one, which lets a run go on).
   */
  public List<Step> generate(Rng rng, E1000eCore shadow, boolean stopAtViolation) {
    List<Step> steps = new ArrayList<>(options.maxSteps());
    for (int i = 0; i < options.maxSteps(); i++) {
      Step s = nextStep(rng, shadow);
      steps.add(s);
      Violation v = shadow.step(s);
      if (v != null && !v.signature().deferred() && stopAtViolation) {
        break;
      }
    }
    return steps;
  }

  /** One step chosen for the device's current state. */
  public Step nextStep(Rng rng, E1000eCore d) {
    int running = d.runningTimers();
    boolean legacyStatePending =
        d.delayedCauses() != 0
            || (running & (TimerId.DELAY_TIMERS | TimerId.bit(TimerId.ITR))) != 0;
    // Race bias: switch the interrupt mode while legacy state is pending.
    int msixBoost =
        legacyStatePending && !d.pci().msixEnabled() ? 3 * weights[StepKind.MSIX.ordinal()] : 0;
    int r = rng.nextInt(totalWeight + msixBoost);
    StepKind kind = KINDS[KINDS.length - 1];
    for (StepKind k : KINDS) {
      r -= weights[k.ordinal()] + (k == StepKind.MSIX ? msixBoost : 0);
      if (r < 0) {
        kind = k;
        break;
      }
    }
    return switch (kind) {
      case WRITE -> write(rng);
      case READ -> new Step.Read(rng.pick(READ_TARGETS).offset());
      case TX -> new Step.Tx(rng.chance(60), rng.chance(10), rng.chance(20));
      case RX -> new Step.Rx(rng.chance(30), rng.chance(15), rng.chance(10), rng.chance(15));
      case MSIX -> new Step.Msix(msixOp(rng, d, legacyStatePending));
      case MSIX_VECTOR -> new Step.MsixVector(rng.nextInt(Pci.MSIX_VECTORS), rng.chance(30));
      case MSI -> new Step.Msi(!d.pci().msiEnabled() || rng.chance(20));
      case INTX -> new Step.Intx(rng.chance(50));
      case BUSMASTER -> new Step.BusMaster(rng.chance(50));
      case LINK -> new Step.Link(rng.chance(50));
      case MDIC -> new Step.Mdic();
      case WAIT -> new Step.Wait(waitNs(rng, d, running));
      case EXPIRE -> new Step.Expire(expireTarget(rng, running));
      case RESET -> new Step.Reset();
    };
  }

  private static Step.MsixControl msixOp(Rng rng, E1000eCore d, boolean legacyStatePending) {
    if (!d.pci().msixEnabled() && (legacyStatePending || rng.chance(50))) {
      return Step.MsixControl.ON;
    }
    if (d.pci().msixEnabled() && rng.chance(50)) {
      return Step.MsixControl.OFF;
    }
    return rng.pick(MSIX_OPS);
  }

  private static long waitNs(Rng rng, E1000eCore d, int running) {
    if (running == 0 || rng.chance(15)) {
      return rng.chance(80)
          ? PLAIN_WAITS[rng.nextInt(PLAIN_WAITS.length)]
          : rng.nextLong(100_000_000);
    }
    long now = d.now();
    long until = d.timerDeadline(randomRunning(rng, running)) - now;
    return switch (rng.nextInt(4)) {
      case 0 -> until == 0 ? 0 : until - 1 - rng.nextLong(Math.min(until, 1_000)); // just before
      case 1 -> until; // at
      case 2 -> until + 1 + rng.nextLong(1_000); // just after
      default -> (until + d.timerDeadline(randomRunning(rng, running)) - now) / 2; // between two
    };
  }

  private static TimerId expireTarget(Rng rng, int running) {
    return running != 0 && rng.chance(85) ? randomRunning(rng, running) : rng.pick(TIMERS);
  }

  private static TimerId randomRunning(Rng rng, int running) {
    int pick = rng.nextInt(Integer.bitCount(running));
    int m = running;
    for (int i = 0; i < pick; i++) {
      m &= m - 1;
    }
    return TimerId.byOrdinal(Integer.numberOfTrailingZeros(m));
  }

  private static Step write(Rng rng) {
    if (rng.chance(2)) {
      // An offset without behaviour: QEMU ignores it and so must the model.
      return new Step.Write(rng.nextInt(Reg.BAR0_SIZE / 4) * 4, rng.nextBits());
    }
    Reg reg = rng.pick(WRITE_TARGETS);
    return new Step.Write(reg.offset(), value(rng, reg));
  }

  /** A value meaningful for {@code reg}, or (15%) random bits. */
  static int value(Rng rng, Reg reg) {
    if (rng.chance(15)) {
      return rng.nextBits();
    }
    return switch (reg) {
      case IMS, IMC, ICS, ICR, IAM, EIAC -> rng.chance(60) ? rng.pick(CAUSE_BITS) : rng.pick(MASKS);
      case CTRL_EXT -> rng.pick(CTRL_EXT_BITS);
      case IVAR -> rng.chance(50) ? rng.pick(IVAR_VALUES) : randomIvar(rng);
      case ITR, EITR0, EITR1, EITR2, EITR3, EITR4 -> rng.pick(XITR_VALUES);
      case RDTR, TIDV -> rng.pick(DELAY_VALUES) | (rng.chance(25) ? FPD : 0);
      case RADV, TADV, RAID -> rng.pick(DELAY_VALUES);
      case RSRPD -> rng.pick(RSRPD_VALUES);
      case RCTL -> rng.pick(RCTL_VALUES);
      case TCTL -> rng.pick(TCTL_VALUES);
      case TARC0, TARC1 -> rng.pick(TARC_VALUES);
      case RFCTL -> rng.chance(50) ? 0 : 1 << 12;
      case PBACLR -> rng.chance(50) ? 0x1F : 1 << rng.nextInt(Pci.MSIX_VECTORS);
      case MDIC -> rng.chance(70) ? Step.Mdic.VALUE : 1 << 29;
      case CTRL -> rng.chance(50) ? 1 << 26 : 0;
      default -> rng.nextInt(0x10000);
    };
  }

  /** Each of the five IVAR fields valid with a vector 0-4, or invalid; sometimes bit 31. */
  private static int randomIvar(Rng rng) {
    int v = rng.chance(20) ? 1 << 31 : 0;
    for (int field = 0; field < 5; field++) {
      if (rng.chance(70)) {
        v |= (0x8 | rng.nextInt(Pci.MSIX_VECTORS)) << (4 * field);
      }
    }
    return v;
  }

  private static Reg[] weighted(Object... regAndWeight) {
    List<Reg> out = new ArrayList<>();
    for (int i = 0; i < regAndWeight.length; i += 2) {
      for (int k = 0; k < (Integer) regAndWeight[i + 1]; k++) {
        out.add((Reg) regAndWeight[i]);
      }
    }
    return out.toArray(new Reg[0]);
  }
}
