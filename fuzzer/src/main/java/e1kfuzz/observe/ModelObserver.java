package e1kfuzz.observe;

import e1kfuzz.model.E1000eCore;
import e1kfuzz.model.Event;
import e1kfuzz.model.Reg;
import e1kfuzz.model.Runner;
import e1kfuzz.model.Step;
import e1kfuzz.model.Variant;
import java.util.ArrayList;
import java.util.List;

/** Runs a trace on the model and observes it the way the QEMU backend observes a real device. */
public final class ModelObserver {
  private ModelObserver() {}

  public static ObservedRun run(Variant variant, List<Step> steps) {
    List<Observation> obs = new ArrayList<>();
    List<Signal> signals = new ArrayList<>();
    ObservedRun.Ending[] ending = {new ObservedRun.Completed()};
    Observation[] settled = {null};
    boolean[] line = {false};
    int[] frames = {0};
    // The trace, then the guest idle as the QEMU backend leaves it before observing it settled.
    List<Step> withSettle = new ArrayList<>(steps);
    withSettle.add(new Step.Wait(ObservedRun.SETTLE_NS));
    Runner.runUntilAbort(
        variant,
        withSettle,
        (n, step, start, events, core) -> {
          int msix = 0;
          boolean msi = false;
          String abortDetail = "";
          List<Signal> stepSignals = new ArrayList<>();
          for (Event e : events) {
            if (e instanceof Event.ViolationEvent v && v.signature() == core.abortSignature()) {
              abortDetail = v.detail();
            } else if (e instanceof Event.IntxLevel l) {
              line[0] = intx(stepSignals, n, core, line[0], l.level() && l.visible(), l.timeNs());
            } else if (e instanceof Event.IntxGate g) {
              line[0] = intx(stepSignals, n, core, line[0], g.lineHigh(), g.timeNs());
            } else if (e instanceof Event.FrameReceived) {
              frames[0]++;
            } else if (e instanceof Event.Interrupt in) {
              if (in.delivery() == Event.Delivery.MSIX) {
                msix |= 1 << in.vector();
                stepSignals.add(signal(n, Signal.Kind.MSIX, in.vector(), in.timeNs(), core));
              } else if (in.delivery() == Event.Delivery.MSI) {
                msi = true;
                stepSignals.add(signal(n, Signal.Kind.MSI, -1, in.timeNs(), core));
              }
            }
          }
          if (core.abortSignature() != null) {
            if (n <= steps.size()) { // an abort while settling leaves the trace completed
              ending[0] = new ObservedRun.Aborted(core.abortSignature(), n, abortDetail);
            }
            return false;
          }
          signals.addAll(stepSignals);
          Observation o =
              new Observation(
                  n,
                  core.ics(),
                  core.ims(),
                  core.pci().pendingBits(),
                  line[0],
                  msix,
                  msi,
                  frames[0],
                  core.ivar());
          if (n <= steps.size()) {
            obs.add(o);
          } else {
            settled[0] = o;
          }
          return true;
        });
    return new ObservedRun(obs, ending[0], List.of(), signals, settled[0]);
  }

  /** The INTx line's new level; a rise is a signal. */
  private static boolean intx(
      List<Signal> signals, int step, E1000eCore core, boolean was, boolean high, long ns) {
    if (high && !was) {
      signals.add(signal(step, Signal.Kind.INTX, -1, ns, core));
    }
    return high;
  }

  private static Signal signal(int step, Signal.Kind kind, int vector, long ns, E1000eCore core) {
    int throttle = kind == Signal.Kind.MSIX ? Reg.EITR0.offset() + 4 * vector : Reg.ITR.offset();
    return new Signal(step, kind, vector, ns, ns, 256L * core.mmioRead(throttle));
  }
}
