package e1kfuzz.observe;

import e1kfuzz.model.E1000eCore;
import e1kfuzz.model.Event;
import e1kfuzz.model.Reg;
import e1kfuzz.model.Runner;
import e1kfuzz.model.Step;
import e1kfuzz.model.Variant;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a trace on the model and observes it the way the QEMU backend observes a real device: after
 * every step, every interrupt at its instant, and the device once the guest idled for {@link
 * ObservedRun#SETTLE_NS} after the trace (settled deadline by deadline, as the backend does).
 */
public final class ModelObserver {
  private ModelObserver() {}

  public static ObservedRun run(Variant variant, List<Step> steps) {
    List<Observation> obs = new ArrayList<>();
    Watch watch = new Watch();
    ObservedRun.Ending[] ending = {new ObservedRun.Completed()};
    E1000eCore core =
        Runner.runUntilAbort(
            variant,
            steps,
            (n, step, start, events, c) -> {
              String abortDetail = watch.see(n, events, c);
              if (c.abortSignature() != null) {
                ending[0] = new ObservedRun.Aborted(c.abortSignature(), n, abortDetail);
              } else {
                obs.add(watch.observation(n, c));
              }
              return true;
            });
    Observation settled =
        ending[0] instanceof ObservedRun.Completed ? settle(core, steps.size() + 1, watch) : null;
    return new ObservedRun(obs, ending[0], List.of(), watch.signals, settled);
  }

  /**
   * The guest idle for {@link ObservedRun#SETTLE_NS}: the device then, or null when it aborts on
   * the way or more than {@link ObservedRun#SETTLE_MAX_DEADLINES} timer deadlines come first.
   */
  private static Observation settle(E1000eCore core, int pseudoStep, Watch watch) {
    List<Event> events = new ArrayList<>();
    core.setEventSink(events::add);
    int signalsBefore = watch.signals.size();
    long target = core.now() + ObservedRun.SETTLE_NS;
    long next;
    for (int d = 0; (next = core.nextDeadline(core.now())) <= target; d++) {
      if (d == ObservedRun.SETTLE_MAX_DEADLINES || !idle(core, next, pseudoStep, watch, events)) {
        watch.signals.subList(signalsBefore, watch.signals.size()).clear();
        return null;
      }
    }
    if (!idle(core, target, pseudoStep, watch, events)) {
      watch.signals.subList(signalsBefore, watch.signals.size()).clear();
      return null;
    }
    return watch.observation(pseudoStep, core);
  }

  /** Lets virtual time run to {@code until}; false if the device aborted. */
  private static boolean idle(
      E1000eCore core, long until, int pseudoStep, Watch watch, List<Event> events) {
    events.clear();
    core.step(new Step.Wait(until - core.now()));
    watch.see(pseudoStep, events, core);
    return core.abortSignature() == null;
  }

  /** What the backend would see: accumulated over a step's events. */
  private static final class Watch {
    final List<Signal> signals = new ArrayList<>();
    final HostInterrupts host = new HostInterrupts();
    int frames;
    int msix;
    boolean msi;

    /** Takes in one step's events; returns the detail of an abort among them ("" if none). */
    String see(int step, List<Event> events, E1000eCore core) {
      String abortDetail = "";
      for (Event e : events) {
        if (e instanceof Event.ViolationEvent v && v.signature() == core.abortSignature()) {
          abortDetail = v.detail();
        } else if (e instanceof Event.FrameReceived) {
          frames++;
        }
        Signal.Kind kind = host.see(e);
        if (kind != null) {
          int vector =
              e instanceof Event.Interrupt in && kind == Signal.Kind.MSIX ? in.vector() : -1;
          msix |= vector >= 0 ? 1 << vector : 0;
          msi |= kind == Signal.Kind.MSI;
          signals.add(signal(step, kind, vector, e.timeNs(), core));
        }
      }
      return abortDetail;
    }

    /** The observation after a step: the device now and the interrupts since the last one. */
    Observation observation(int step, E1000eCore core) {
      Observation o =
          new Observation(
              step,
              core.ics(),
              core.ims(),
              core.pci().pendingBits(),
              host.line(),
              msix,
              msi,
              frames,
              core.ivar());
      msix = 0;
      msi = false;
      return o;
    }

    private static Signal signal(int step, Signal.Kind kind, int vector, long ns, E1000eCore core) {
      int throttle = kind == Signal.Kind.MSIX ? Reg.EITR0.offset() + 4 * vector : Reg.ITR.offset();
      return new Signal(step, kind, vector, ns, ns, 256L * core.mmioRead(throttle));
    }
  }
}
