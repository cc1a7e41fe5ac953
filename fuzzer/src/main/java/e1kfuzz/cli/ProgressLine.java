package e1kfuzz.cli;

import e1kfuzz.engine.Campaign;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * One progress line: rewritten in place on a terminal at most once a second, else a line every 5 s.
 */
final class ProgressLine implements Campaign.ProgressListener {
  private final PrintWriter err;
  private final boolean terminal;
  private long lastPrint = -1;

  ProgressLine(PrintWriter err, boolean terminal) {
    this.err = err;
    this.terminal = terminal;
  }

  @Override
  public void onProgress(Campaign.Progress p) {
    long interval = terminal ? 1_000_000_000L : 5_000_000_000L;
    if (lastPrint >= 0 && p.elapsedNanos() - lastPrint < interval) {
      return;
    }
    lastPrint = p.elapsedNanos();
    double secs = p.elapsedNanos() / 1e9;
    String line =
        String.format(
            Locale.ROOT,
            "runs %d (%.0f/s), findings %d, signatures %d, coverage %d, elapsed %.0fs%s",
            p.runs(),
            secs > 0 ? p.runs() / secs : 0.0,
            p.findings(),
            p.signatures(),
            p.coveragePoints(),
            secs,
            p.remainingNanos() >= 0
                ? String.format(Locale.ROOT, ", remaining %.0fs", p.remainingNanos() / 1e9)
                : "");
    if (terminal) {
      err.print("\r" + line + "   ");
    } else {
      err.println(line);
    }
    err.flush();
  }
}
