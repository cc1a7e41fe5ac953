package e1kfuzz.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Something the device did, stamped with virtual time; the model's event log is a list of these.
 */
public sealed interface Event {

  long timeNs();

  /** One line of human-readable text, without the timestamp. */
  String describe();

  record TimerArmed(long timeNs, TimerId timer, long deadlineNs) implements Event {
    @Override
    public String describe() {
      return timer.traceName() + " armed, due at " + deadlineNs + "ns";
    }
  }

  record TimerFired(long timeNs, TimerId timer) implements Event {
    @Override
    public String describe() {
      return timer.traceName() + " fired";
    }
  }

  record TimerStopped(long timeNs, TimerId timer) implements Event {
    @Override
    public String describe() {
      return timer.traceName() + " stopped";
    }
  }

  /**
   * fire_all_timers stopped a running throttling timer before its deadline and ran its callback at
   * once: not an expiry on the clock, so timing checks that look at {@link TimerFired} ignore it.
   */
  record TimerFiredNow(long timeNs, TimerId timer) implements Event {
    @Override
    public String describe() {
      return timer.traceName() + " stopped and its callback run now (fire_all_timers)";
    }
  }

  /**
   * Causes moved into delayed_causes; {@code underMsi} says whether MSI (else INTx) was the mode.
   */
  record CausesParked(long timeNs, int causes, boolean underMsi) implements Event {
    @Override
    public String describe() {
      return "parked " + Cause.describe(causes) + (underMsi ? " (MSI mode)" : " (INTx mode)");
    }
  }

  record CausesCollected(long timeNs, int causes, boolean underMsix) implements Event {
    @Override
    public String describe() {
      return "collected " + Cause.describe(causes) + (underMsix ? " under MSI-X" : "");
    }
  }

  record CausesDiscarded(long timeNs, int causes) implements Event {
    @Override
    public String describe() {
      return "discarded parked " + Cause.describe(causes);
    }
  }

  /**
   * The device's INTx pin changed level; {@code visible} is false while the command register's INTx
   * Disable bit hides the pin from the interrupt controller.
   */
  record IntxLevel(long timeNs, boolean level, boolean visible) implements Event {
    @Override
    public String describe() {
      return "INTx "
          + (level ? "raised" : "lowered")
          + (visible ? "" : " (hidden by INTx Disable)");
    }
  }

  /** INTx Disable changed what the interrupt controller sees of a raised pin. */
  record IntxGate(long timeNs, boolean lineHigh) implements Event {
    @Override
    public String describe() {
      return "INTx line to the interrupt controller "
          + (lineHigh ? "high (INTx Disable cleared)" : "low (INTx Disable set)");
    }
  }

  /**
   * A frame reached the device's receive path (e1000e_receive_internal with RX enabled): QEMU
   * traces it as written to the guest, or as not written when the ring has no free buffer. The
   * real-QEMU backend counts these to know when every frame the model expects has arrived.
   */
  record FrameReceived(long timeNs, boolean written) implements Event {
    @Override
    public String describe() {
      return written
          ? "frame received"
          : "frame received with no free buffer (held for the next RDT write)";
    }
  }

  /** How an interrupt reached (or was held back from) the guest. */
  enum Delivery {
    INTX("INTx assert"),
    MSI("MSI message"),
    MSIX("MSI-X message"),
    PBA("MSI-X pending bit");

    private final String text;

    Delivery(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }
  }

  /**
   * An interrupt sent (or parked in the PBA) and the causes that produced it, with where each cause
   * came from: raised directly, or collected from delayed_causes after being parked in INTx or MSI
   * mode; {@code parkedAtMsixEnable} are those still parked when MSI-X was enabled. {@code vector}
   * is -1 for INTx and 0 for MSI.
   */
  record Interrupt(
      long timeNs,
      Delivery delivery,
      int vector,
      int causes,
      int parkedInIntx,
      int parkedInMsi,
      int parkedAtMsixEnable)
      implements Event {
    @Override
    public String describe() {
      StringBuilder sb = new StringBuilder(delivery.text());
      if (delivery == Delivery.MSIX || delivery == Delivery.PBA) {
        sb.append(' ').append(vector);
      }
      sb.append(" [").append(Cause.describe(causes));
      int direct = directCauses();
      if (direct != causes) {
        sb.append("; direct ").append(Cause.describe(direct));
        parkedOrigins().forEach(o -> sb.append("; ").append(o));
      }
      return sb.append(']').toString();
    }

    /** The causes raised directly rather than collected from delayed_causes. */
    public int directCauses() {
      int direct = causes & ~(parkedInIntx | parkedInMsi);
      if ((causes & Cause.OTHER_CAUSES) != 0) {
        direct &= ~Cause.OTHER; // OTHER only summarises the causes listed
      }
      return direct;
    }

    /**
     * Where the parked causes came from, one phrase per origin ("parked in INTx ACK"); empty when
     * none was parked.
     */
    public List<String> parkedOrigins() {
      List<String> out = new ArrayList<>();
      if (parkedInIntx != 0) {
        out.add("parked in INTx " + Cause.describe(parkedInIntx));
      }
      if (parkedInMsi != 0) {
        out.add("parked in MSI " + Cause.describe(parkedInMsi));
      }
      if (parkedAtMsixEnable != 0) {
        out.add("still parked at MSI-X enable " + Cause.describe(parkedAtMsixEnable));
      }
      return out;
    }
  }

  record PendingCleared(long timeNs, int vector) implements Event {
    @Override
    public String describe() {
      return String.format(Locale.ROOT, "MSI-X pending bit %d cleared", vector);
    }
  }

  /** The model reached an invariant violation (an assert-style abort or a delivery rule). */
  record ViolationEvent(long timeNs, Signature signature, String detail) implements Event {
    @Override
    public String describe() {
      return "VIOLATION " + signature.id() + ": " + detail;
    }
  }
}
