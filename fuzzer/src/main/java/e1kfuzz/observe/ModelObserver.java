package e1kfuzz.observe;

import e1kfuzz.model.Event;
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
    ObservedRun.Ending[] ending = {new ObservedRun.Completed()};
    boolean[] line = {false};
    int[] frames = {0};
    Runner.runUntilAbort(
        variant,
        steps,
        (n, step, start, events, core) -> {
          int msix = 0;
          boolean msi = false;
          String abortDetail = "";
          for (Event e : events) {
            if (e instanceof Event.ViolationEvent v && v.signature() == core.abortSignature()) {
              abortDetail = v.detail();
            } else if (e instanceof Event.IntxLevel l) {
              line[0] = l.level() && l.visible();
            } else if (e instanceof Event.IntxGate g) {
              line[0] = g.lineHigh();
            } else if (e instanceof Event.FrameReceived) {
              frames[0]++;
            } else if (e instanceof Event.Interrupt in) {
              if (in.delivery() == Event.Delivery.MSIX) {
                msix |= 1 << in.vector();
              } else if (in.delivery() == Event.Delivery.MSI) {
                msi = true;
              }
            }
          }
          if (core.abortSignature() != null) {
            ending[0] = new ObservedRun.Aborted(core.abortSignature(), n, abortDetail);
          } else {
            obs.add(
                new Observation(
                    n,
                    core.ics(),
                    core.ims(),
                    core.pci().pendingBits(),
                    line[0],
                    msix,
                    msi,
                    frames[0],
                    core.ivar()));
          }
          return true;
        });
    return new ObservedRun(obs, ending[0], List.of());
  }
}
