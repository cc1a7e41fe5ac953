package e1kfuzz.diff;

import e1kfuzz.model.Cause;
import e1kfuzz.model.E1000eCore;
import e1kfuzz.model.Reg;
import e1kfuzz.model.Signature;
import e1kfuzz.model.Step;
import e1kfuzz.observe.Observation;
import e1kfuzz.observe.ObservedRun;
import e1kfuzz.observe.Signal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The delivery invariants checked on what a real QEMU showed, without the model: a finding stands
 * on QEMU's own observations (ICS, IMS, PBA, IVAR after each step, the interrupts with their
 * virtual times, the device once the guest stopped acting) and on the guest's own steps, not on the
 * model agreeing with itself. Each check claims only what the observations prove: where they cannot
 * tell (a pending bit already set, a signal whose time is known only to within a window), it says
 * nothing.
 *
 * <p>The unthrottled and lost checks need a run with exact virtual time ({@link
 * ObservedRun#signals}, {@link ObservedRun#settled}): the exact builds, and the model.
 */
public final class RealChecks {
  private RealChecks() {}

  /** A delivery invariant the observations break, at a step (one past the last: settled). */
  public record Finding(Signature signature, int step, String detail) {
    public String describe() {
      return signature.id() + " at step " + step + ": " + detail;
    }
  }

  /** The first finding of each signature, in step order. */
  public static List<Finding> check(List<Step> steps, ObservedRun run) {
    List<Finding> found = new ArrayList<>();
    addIfFound(found, spuriousMessage(steps, run));
    addIfFound(found, unthrottled(steps, run));
    addIfFound(found, autoClearBeforeMessage(steps, run));
    addIfFound(found, lostInterrupt(steps, run));
    found.sort(Comparator.comparingInt(Finding::step));
    return found;
  }

  private static void addIfFound(List<Finding> found, Finding f) {
    if (f != null) {
      found.add(f);
    }
  }

  /**
   * Spurious: a message arrived on vector v, or its pending bit appeared, during a step that only
   * lets time pass ({@code wait}, {@code expire}) although, when the step began, IMS unmasked no
   * cause that IVAR maps to v: IMS gains bits only by a guest write, so no cause of v could become
   * active during the step, and the 82574 signals only active causes.
   */
  public static Finding spuriousMessage(List<Step> steps, ObservedRun run) {
    int ims = 0; // at power-on
    int ivar = 0;
    int pba = 0;
    for (Observation o : run.observations()) {
      Step step = steps.get(o.step() - 1);
      if (step instanceof Step.Wait || step instanceof Step.Expire) {
        int newPending = o.pba() & ~pba;
        for (int v = 0; v < 5; v++) {
          boolean message = (o.msixMessages() & (1 << v)) != 0;
          boolean pendingBit = (newPending & (1 << v)) != 0;
          if ((message || pendingBit) && (ims & Cause.onVector(ivar, v)) == 0) {
            return new Finding(
                Signature.SPURIOUS_INTERRUPT,
                o.step(),
                String.format(
                    Locale.ROOT,
                    "%s on vector %d during step %d (%s), when IMS %s unmasked nothing IVAR %s"
                        + " maps to vector %d",
                    message ? "an MSI-X message" : "a new pending bit",
                    v,
                    o.step(),
                    step.format(),
                    Step.hex(ims),
                    Step.hex(ivar),
                    v));
          }
        }
      }
      ims = o.ims();
      ivar = o.ivar();
      pba = o.pba();
    }
    return null;
  }

  /**
   * Unthrottled: two interrupts on one channel (an MSI-X vector, or INTx/MSI) closer than the
   * interval the first one loaded (its EITR or ITR, read back right after it, times 256 ns), both
   * times bounded by what was observed: the latest the second can have come minus the earliest the
   * first can have come is less than the interval. A switch of interrupt mode, a reset, or the
   * guest clearing the counters (an IMS write with CTRL_EXT.INT_TIMERS_CLEAR_ENA) starts them
   * afresh.
   */
  public static Finding unthrottled(List<Step> steps, ObservedRun run) {
    Signal[] last = new Signal[Signal.LEGACY + 1];
    Guest guest = new Guest();
    int next = 0;
    List<Signal> signals = run.signals();
    for (int n = 1; n <= steps.size() + 1; n++) {
      if (n <= steps.size() && guest.apply(steps.get(n - 1)).restartsCounters()) {
        java.util.Arrays.fill(last, null);
      }
      for (; next < signals.size() && signals.get(next).step() == n; next++) {
        Signal s = signals.get(next);
        Signal p = last[s.channel()];
        if (p != null && s.latestNs() - p.earliestNs() < p.intervalNs()) {
          return new Finding(
              Signature.UNTHROTTLED_INTERRUPT,
              n,
              String.format(
                  Locale.ROOT,
                  "%s, at most %d ns after the %s, which loaded %s = %d ns",
                  s.describe(),
                  s.latestNs() - p.earliestNs(),
                  p.describe(),
                  s.kind() == Signal.Kind.MSIX ? "EITR" + s.vector() : "ITR",
                  p.intervalNs()));
        }
        last[s.channel()] = s;
      }
    }
    return null;
  }

  /**
   * Cause lost by auto-clear: under MSI-X the guest raised an unmasked cause by an ICS write, or
   * unmasked a cause by an IMS write, and after that step the cause is masked in IMS although its
   * vector sent no message and shows no pending bit: only auto-clear (EIAC, which with
   * CTRL_EXT.IAME clear masks the cause too), which belongs to the message, can have done it. (ICR
   * itself is not observable without clearing it: QEMU's ICS reads return the causes as last
   * raised, not as auto-clear left them.)
   */
  public static Finding autoClearBeforeMessage(List<Step> steps, ObservedRun run) {
    Guest guest = new Guest();
    int ims = 0;
    int ivar = 0;
    for (Observation o : run.observations()) {
      Step step = steps.get(o.step() - 1);
      guest.apply(step);
      int raised = 0; // causes the step made active, as far as the guest's own write says
      if (step instanceof Step.Write w && w.offset() == Reg.ICS.offset()) {
        raised = w.value() & ims;
      } else if (step instanceof Step.Write w && w.offset() == Reg.IMS.offset()) {
        raised = w.value(); // unmasked by this very write: only auto-clear masks them again
      }
      if (guest.msix && raised != 0) {
        int vanished = raised & ~Cause.ASSERTED & ~o.ims();
        for (int v = 0; v < 5; v++) {
          int gone = vanished & Cause.onVector(ivar, v);
          if (gone != 0 && (o.msixMessages() & (1 << v)) == 0 && (o.pba() & (1 << v)) == 0) {
            return new Finding(
                Signature.AUTO_CLEAR_BEFORE_MESSAGE,
                o.step(),
                String.format(
                    Locale.ROOT,
                    "%s, raised or unmasked by the guest at step %d (%s; IMS was %s), is masked"
                        + " after it (IMS %s) although vector %d sent no message and has no pending"
                        + " bit",
                    Cause.describe(gone),
                    o.step(),
                    step.format(),
                    Step.hex(ims),
                    Step.hex(o.ims()),
                    v));
          }
        }
      }
      ims = o.ims();
      ivar = o.ivar();
    }
    return null;
  }

  /**
   * Lost: once the guest stopped acting and every timer ran out ({@link ObservedRun#settled}), a
   * cause is pending and unmasked, the current mode can deliver it, and nothing signalled it since
   * it last became pending and unmasked: no MSI-X message on its vector nor its pending bit
   * (MSI-X), no MSI message (MSI), the INTx line low (INTx). A cause pending from before the last
   * switch of mode, reset or change of bus mastering, or (MSI-X) from before IVAR last changed, is
   * not judged; nor are messages while bus mastering is off (QEMU drops them).
   */
  public static Finding lostInterrupt(List<Step> steps, ObservedRun run) {
    Observation end = run.settled();
    if (end == null || !(run.ending() instanceof ObservedRun.Completed)) {
      return null;
    }
    List<Observation> obs = new ArrayList<>(run.observations());
    obs.add(end);
    Guest guest = new Guest();
    int lastModeChange = 0;
    int lastIvarChange = 0;
    int ivar = 0;
    for (Observation o : obs) {
      if (o.step() <= steps.size() && guest.apply(steps.get(o.step() - 1)).changesMode()) {
        lastModeChange = o.step();
      }
      if (o.ivar() != ivar) {
        lastIvarChange = o.step();
      }
      ivar = o.ivar();
    }
    int pending = end.ics() & end.ims() & ~Cause.ASSERTED;
    for (int bit = 0; bit < 31; bit++) {
      int cause = 1 << bit;
      if ((pending & cause) == 0) {
        continue;
      }
      int since = obs.size(); // the step from which the cause is pending and unmasked throughout
      while (since > 1 && (obs.get(since - 2).ics() & obs.get(since - 2).ims() & cause) != 0) {
        since--;
      }
      if (lastModeChange >= since) {
        continue;
      }
      String lost = null;
      if ((guest.msix || guest.msi) && !guest.busMaster) {
        continue; // no message can arrive without bus mastering
      }
      if (guest.msix) {
        for (int v = 0; v < 5 && lost == null; v++) {
          int bitOfV = 1 << v;
          if ((Cause.onVector(end.ivar(), v) & cause) != 0
              && lastIvarChange < since
              && (end.pba() & bitOfV) == 0
              && !sent(obs, since, o -> (o.msixMessages() & bitOfV) != 0)) {
            lost = "no MSI-X message on vector " + v + " and no pending bit";
          }
        }
      } else if (guest.msi) {
        if (!sent(obs, since, Observation::msiMessage)) {
          lost = "no MSI message";
        }
      } else if (guest.intx && !end.intxLine()) {
        lost = "the INTx line low";
      }
      if (lost != null) {
        return new Finding(
            Signature.LOST_INTERRUPT,
            end.step(),
            String.format(
                Locale.ROOT,
                "%s pending and unmasked since step %d (ICS %s, IMS %s), and %d ns after the"
                    + " last step: %s since then",
                Cause.describe(cause),
                since,
                Step.hex(end.ics()),
                Step.hex(end.ims()),
                ObservedRun.SETTLE_NS,
                lost));
      }
    }
    return null;
  }

  private static boolean sent(
      List<Observation> obs, int since, java.util.function.Predicate<Observation> message) {
    return obs.stream().anyMatch(o -> o.step() >= since && message.test(o));
  }

  /** The interrupt mode as the guest's own steps set it (PCI configuration is the guest's). */
  private static final class Guest {
    boolean msix;
    boolean msi;
    boolean intx = true;
    boolean busMaster = true;
    int ctrlExt;

    /** What a step did to the interrupt channels. */
    enum Effect {
      NONE,
      COUNTERS_CLEARED,
      MODE_CHANGED;

      boolean restartsCounters() {
        return this != NONE;
      }

      boolean changesMode() {
        return this == MODE_CHANGED;
      }
    }

    Effect apply(Step s) {
      if (s instanceof Step.Msix m) {
        boolean was = msix;
        msix = m.op() == Step.MsixControl.ON || (msix && m.op() != Step.MsixControl.OFF);
        return was != msix ? Effect.MODE_CHANGED : Effect.NONE;
      }
      if (s instanceof Step.Msi m) {
        boolean was = msi;
        msi = m.enable();
        return was != msi ? Effect.MODE_CHANGED : Effect.NONE;
      }
      if (s instanceof Step.Intx i) {
        intx = i.enable();
        return Effect.NONE;
      }
      if (s instanceof Step.BusMaster b) {
        // Messages are writes, dropped while it is clear; a message lost then is not sent again.
        boolean was = busMaster;
        busMaster = b.enable();
        return was != busMaster ? Effect.MODE_CHANGED : Effect.NONE;
      }
      if (s instanceof Step.Reset) {
        msix = false;
        msi = false;
        intx = true;
        busMaster = true;
        ctrlExt = 0;
        return Effect.MODE_CHANGED;
      }
      if (s instanceof Step.Write w) {
        Reg reg = Reg.targetAt(w.offset());
        if (reg == Reg.CTRL_EXT) {
          ctrlExt = w.value();
        } else if ((reg == Reg.CTRL || reg == Reg.CTRL_DUP)
            && (w.value() & E1000eCore.CTRL_RST) != 0) {
          ctrlExt = 0;
          return Effect.MODE_CHANGED; // a device reset: every register, ITR/EITR included
        } else if (reg == Reg.IMS && (ctrlExt & E1000eCore.CTRL_EXT_INT_TIMERS_CLEAR_ENA) != 0) {
          return Effect.COUNTERS_CLEARED;
        }
      }
      return Effect.NONE;
    }
  }
}
