package e1kfuzz.timing;

import e1kfuzz.model.Runner;
import e1kfuzz.model.Step;
import e1kfuzz.model.TimerId;
import e1kfuzz.model.Variant;
import java.util.List;
import java.util.Locale;

/**
 * Whether a trace replays on a QEMU with exact virtual time (the qtest accelerator of the exact
 * builds and of QEMU's own test suite), where the clock moves only on {@code clock_step}.
 *
 * <p>The one thing such a QEMU cannot replay is a step that runs while a timer is already due: a
 * timer whose deadline is the very instant a step ends (a 0-ns delay or throttling timer, TIDV = 0
 * after reset included). QEMU's main loop runs it before it reads the next qtest command; the
 * model, like a running VM whose vCPU thread writes registers beside the main loop, lets the next
 * step in first and fires the timer at the next time advance. Such a 0-ns window is a real race on
 * a VM. Under qtest it reproduces only when the steps of the window reach QEMU in one batch (no
 * main-loop iteration between them, as scripts/replay-qtest.sh sends them); a comparison that
 * observes the device after every step, as the backend's does, cannot hold it.
 */
public final class ExactTiming {
  private ExactTiming() {}

  /**
   * Null when the trace replays step by step under qtest exactly as the model runs it, else why
   * not.
   */
  public static String problem(Variant variant, List<Step> steps) {
    String[] problem = {null};
    Runner.runUntilAbort(
        variant,
        steps,
        (n, step, start, events, core) -> {
          if (core.abortSignature() != null) {
            return false;
          }
          for (TimerId t : TimerId.values()) {
            if (core.timerRunning(t) && core.timerDeadline(t) == core.now()) {
              problem[0] =
                  String.format(
                      Locale.ROOT,
                      "%s is due at the instant of step %d (%s): QEMU under qtest runs it before the next command, "
                          + "the model (like a running VM) at the next time advance",
                      t.traceName(),
                      n,
                      step.format());
              return false;
            }
          }
          return true;
        });
    return problem[0];
  }
}
