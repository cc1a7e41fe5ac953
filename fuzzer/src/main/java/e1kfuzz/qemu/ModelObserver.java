package e1kfuzz.qemu;

import e1kfuzz.model.E1000eCore;
import e1kfuzz.model.Event;
import e1kfuzz.model.Step;
import e1kfuzz.model.Variant;
import java.util.ArrayList;
import java.util.List;

/** Runs a trace on the model and observes it the way the QEMU backend observes a real device. */
public final class ModelObserver {
  private ModelObserver() {}

  /** The model's side of a comparison: one observation per executed step, and the abort if any. */
  public record ModelRun(List<Observation> observations, String abortSignature, int abortStep) {}

  public static ModelRun run(Variant variant, List<Step> steps) {
    E1000eCore core = variant.newCore();
    List<Event> events = new ArrayList<>();
    core.setEventSink(events::add);
    List<Observation> obs = new ArrayList<>();
    boolean line = false;
    int frames = 0;
    for (int i = 0; i < steps.size(); i++) {
      events.clear();
      core.step(steps.get(i));
      int msix = 0;
      boolean msi = false;
      for (Event e : events) {
        if (e instanceof Event.IntxLevel l) {
          line = l.level() && l.visible();
        } else if (e instanceof Event.IntxGate g) {
          line = g.lineHigh();
        } else if (e instanceof Event.FrameReceived) {
          frames++;
        } else if (e instanceof Event.Interrupt in) {
          if (in.delivery() == Event.Delivery.MSIX) {
            msix |= 1 << in.vector();
          } else if (in.delivery() == Event.Delivery.MSI) {
            msi = true;
          }
        }
      }
      if (core.abortSignature() != null) {
        return new ModelRun(obs, core.abortSignature().id(), i + 1);
      }
      obs.add(new Observation(i + 1, core.ics(), core.ims(), core.pci().pendingBits(), line, msix, msi, frames));
    }
    return new ModelRun(obs, null, -1);
  }
}
