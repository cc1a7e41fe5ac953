package e1kfuzz.report;

import e1kfuzz.engine.ReplayResult;
import e1kfuzz.engine.StepRow;
import e1kfuzz.model.Cause;
import e1kfuzz.model.Event;
import e1kfuzz.model.Outcome;
import e1kfuzz.model.Step;
import e1kfuzz.model.TimerId;
import java.util.List;
import java.util.Locale;

/** Human-readable replay output: a step table per file and variant, then the verdicts. */
public final class ReplayText {
  private ReplayText() {}

  static final String ROW = "%5s %14s  %-28s %-10s  %-10s  %-5s  %-18s %s%n";

  /** The step table of one replay followed by its verdict line. */
  public static String table(ReplayResult r) {
    StringBuilder sb = new StringBuilder();
    sb.append("== ")
        .append(r.file())
        .append(" on ")
        .append(r.variant().id())
        .append(" (")
        .append(r.variant().releases())
        .append(")\n");
    sb.append(
        String.format(
            Locale.ROOT,
            ROW,
            "step",
            "time",
            "action",
            "ICR",
            "IMS",
            "mode",
            "delayed",
            "running timers"));
    for (StepRow row : r.rows()) {
      var s = row.state();
      sb.append(
          String.format(
              Locale.ROOT,
              ROW,
              row.number(),
              row.state().timeNs() + "ns",
              row.step().format(),
              Step.hex(s.icr()),
              Step.hex(s.ims()),
              s.mode(),
              Cause.describe(s.delayedCauses()),
              TimerId.describe(s.runningTimers())));
      for (Event e : row.events()) {
        if (e instanceof Event.TimerArmed) {
          continue; // the running-timers column shows them
        }
        sb.append(
            String.format(
                Locale.ROOT, "%5s %14s    %s%n", "", "@" + e.timeNs() + "ns", e.describe()));
      }
    }
    sb.append(verdict(r)).append('\n');
    return sb.toString();
  }

  /** One line: outcome, where, and the expectation check. */
  public static String verdict(ReplayResult r) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%-16s ", r.variant().id()));
    if (r.outcome() instanceof Outcome.Violated v) {
      sb.append(
          String.format(
              Locale.ROOT,
              "violated %s at step %d (%dns): %s",
              v.signature().id(),
              v.step(),
              v.timeNs(),
              v.detail()));
    } else {
      sb.append("ok");
    }
    if (r.expected().isPresent()) {
      sb.append(
          r.expectationFailed()
              ? "  MISMATCH: expected " + r.expected().get()
              : r.metWithoutStrict()
                  ? "  (@expect " + r.expected().get() + " holds without the strict invariants)"
                  : "  (as expected)");
    }
    return sb.toString();
  }

  /** The summary: one row per file with each variant's result and a mark on mismatches. */
  public static String summary(List<ReplayResult> results) {
    StringBuilder sb = new StringBuilder();
    String file = null;
    for (ReplayResult r : results) {
      if (!r.file().equals(file)) {
        file = r.file();
        sb.append(file).append('\n');
      }
      sb.append("  ").append(verdict(r)).append('\n');
    }
    return sb.toString();
  }
}
