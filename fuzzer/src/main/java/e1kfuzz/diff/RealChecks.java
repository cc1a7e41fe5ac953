package e1kfuzz.diff;

import e1kfuzz.model.Cause;
import e1kfuzz.model.Step;
import e1kfuzz.observe.Observation;
import e1kfuzz.observe.ObservedRun;
import java.util.List;
import java.util.Locale;

/**
 * Delivery invariants checked on what a real QEMU showed, without the model: a finding stands on
 * QEMU's own observations, not on the model agreeing with itself. QEMU is observed once per step,
 * so a check says only what one step's observations prove.
 */
public final class RealChecks {
  private RealChecks() {}

  /**
   * The first spurious MSI-X message the observations prove, or null. A message arrived on vector v
   * during a step that only lets time pass ({@code wait}, {@code expire}) although, when the step
   * began, IMS unmasked no cause that IVAR maps to v: IMS gains bits only by a guest write, so no
   * cause of v could become active during the step, and the 82574 signals only active causes.
   */
  public static String spuriousMessage(List<Step> steps, ObservedRun run) {
    List<Observation> obs = run.observations();
    int ims = 0; // at power-on
    int ivar = 0;
    int pba = 0;
    for (Observation o : obs) {
      Step step = steps.get(o.step() - 1);
      boolean timeOnly = step instanceof Step.Wait || step instanceof Step.Expire;
      if (timeOnly) {
        int newPending = o.pba() & ~pba;
        for (int v = 0; v < 5; v++) {
          boolean message = (o.msixMessages() & (1 << v)) != 0;
          boolean pendingBit = (newPending & (1 << v)) != 0;
          if ((message || pendingBit) && (ims & Cause.onVector(ivar, v)) == 0) {
            return String.format(
                Locale.ROOT,
                "QEMU's own observations show it: %s on vector %d during step %d (%s),"
                    + " when IMS %s unmasked nothing IVAR %s maps to vector %d",
                message ? "an MSI-X message" : "a new pending bit",
                v,
                o.step(),
                step.format(),
                Step.hex(ims),
                Step.hex(ivar),
                v);
          }
        }
      }
      ims = o.ims();
      ivar = o.ivar();
      pba = o.pba();
    }
    return null;
  }
}
