package e1kfuzz.cli;

import e1kfuzz.diff.DiffCampaign;
import e1kfuzz.engine.CampaignOptions;
import e1kfuzz.engine.GeneratorOptions;
import e1kfuzz.model.Variant;
import e1kfuzz.qemu.QemuBuild;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;

/** {@code fuzz --backend diff}: a differential campaign against a real QEMU. */
final class DiffFuzz {
  private final CommandSpec spec;
  private final CampaignOptions options;
  private final String qemu;
  private final Path moduleDir;
  private final long marginNs;
  private final Path out;
  private final boolean freshQemu;

  DiffFuzz(
      CommandSpec spec,
      CampaignOptions options,
      String qemu,
      Path moduleDir,
      long marginNs,
      Path out,
      boolean freshQemu) {
    this.freshQemu = freshQemu;
    this.spec = spec;
    this.options = options;
    this.qemu = qemu;
    this.moduleDir = moduleDir;
    this.marginNs = marginNs;
    this.out = out;
  }

  int call() {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    // One build with --qemu PATH; every selected variant's exact build with --qemu all or no
    // --qemu.
    List<Variant> asked =
        qemu != null && !qemu.equals("all") && options.variants().size() != 1
            ? null
            : options.variants();
    List<QemuTargets.Target> targets = QemuTargets.resolve(qemu, moduleDir, asked, stdout, err);
    if (targets == null) {
      return ExitCodes.NO_QEMU;
    }
    if (targets.size() > 1) {
      stdout.printf(
          "%d builds, one campaign each (each gets the whole --time / --runs budget)%n",
          targets.size());
    }
    List<String> rows = new ArrayList<>();
    boolean diverged = false;
    boolean failed = false;
    for (QemuTargets.Target t : targets) {
      DiffCampaign.Result r = campaign(t.build(), t.variant(), marginNs, stdout, err);
      if (r == null) {
        return ExitCodes.BAD_INPUT; // its findings could not be written (said with the reason)
      }
      diverged |= r.seen() > 0;
      failed |= !r.backendFailures().isEmpty() || r.stoppedBecause() != null;
      double seconds = r.elapsedNanos() / 1e9;
      rows.add(
          String.format(
              Locale.ROOT,
              "  %-24s %-16s %9d %11d %10d %9d %12d %8.1f%s",
              shortName(QemuTargets.displayName(t.build())),
              t.variant().id(),
              r.compared(),
              r.seen(),
              r.unreproduced().size(),
              r.backendFailures().size(),
              r.qemuStarts(),
              seconds > 0 ? r.compared() / seconds : 0.0,
              r.stoppedBecause() != null ? "  STOPPED: " + r.stoppedBecause() : ""));
      if (stopRequested) {
        break;
      }
    }
    stdout.printf(
        "%nper build:%n  %-24s %-16s %9s %11s %10s %9s %12s %8s%n",
        "build",
        "model",
        "compared",
        "divergences",
        "not repro",
        "failures",
        "QEMU starts",
        "traces/s");
    rows.forEach(stdout::println);
    if (diverged) {
      return ExitCodes.DIVERGED;
    }
    return failed ? ExitCodes.BACKEND_FAILURE : ExitCodes.OK;
  }

  private volatile boolean stopRequested;

  /** A build's name for the table's 24-character column: a long path keeps its end. */
  private static String shortName(String name) {
    return name.length() <= 24 ? name : "…" + name.substring(name.length() - 23);
  }

  /** One build's campaign; null only when its findings cannot be written. */
  private DiffCampaign.Result campaign(
      QemuBuild build, Variant v, long marginNs, PrintWriter stdout, PrintWriter err) {
    // `expire` never is timing-robust in real time; with exact virtual time it is kept.
    int[] w = options.generator().weights().clone();
    if (!build.qtestAccel()) {
      w[e1kfuzz.engine.StepKind.EXPIRE.ordinal()] = 0;
    }
    int jobs = options.jobs();
    DiffCampaign.Options o =
        new DiffCampaign.Options(
            build,
            v,
            options.seed(),
            options.runs(),
            options.time(),
            new GeneratorOptions(options.generator().maxSteps(), w),
            marginNs,
            !freshQemu,
            jobs);
    stdout.printf(
        "e1kfuzz fuzz --backend diff: seed %d%nqemu %s (%s) against model %s; %s; %s; %s; max-steps %d; %d job%s%n",
        options.seed(),
        QemuTargets.displayName(build),
        build.versionLine(),
        v.id(),
        options.time() != null
            ? "time " + options.time().toSeconds() + "s"
            : "runs " + options.runs(),
        build.qtestAccel()
            ? "exact virtual time (qtest accelerator)"
            : "real-time waits, margin " + e1kfuzz.model.Step.formatDuration(marginNs),
        freshQemu ? "a fresh QEMU per trace" : "one QEMU per job, reset between traces",
        options.generator().maxSteps(),
        jobs,
        jobs == 1 ? "" : "s");
    stdout.flush();
    DiffCampaign campaign = new DiffCampaign(o);
    Thread hook =
        new Thread(
            () -> {
              stopRequested = true;
              campaign.requestStop();
            },
            "e1kfuzz-diff-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    long[] last = {-1};
    DiffFindings findings =
        new DiffFindings(
            out,
            build,
            v,
            options.seed(),
            err,
            (generated, compared, divergences, elapsed) -> {
              if (last[0] < 0 || elapsed - last[0] >= 5_000_000_000L) {
                last[0] = elapsed;
                err.printf(
                    Locale.ROOT,
                    "generated %d, compared %d, divergences %d, elapsed %.0fs%n",
                    generated,
                    compared,
                    divergences,
                    elapsed / 1e9);
                err.flush();
              }
            });
    DiffCampaign.Result r;
    try {
      r = campaign.run(findings);
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException exiting) {
        // shutting down
      }
    }
    double seconds = r.elapsedNanos() / 1e9;
    stdout.printf(
        Locale.ROOT,
        "%n%s: %d traces generated, %d comparable, %d compared in %.1f s (%.2f traces/s), %d QEMU starts, "
            + "%d divergences seen (%d shrunk, %d not reproduced), %d backend failures%n",
        v.id(),
        r.generated(),
        r.robust(),
        r.compared(),
        seconds,
        seconds > 0 ? r.compared() / seconds : 0.0,
        r.qemuStarts(),
        r.seen(),
        r.divergences().size(),
        r.unreproduced().size(),
        r.backendFailures().size());
    for (DiffCampaign.Divergent d : r.divergences()) {
      stdout.println(
          "DIVERGED (run "
              + d.run()
              + ", shrunk "
              + d.original().size()
              + " -> "
              + d.shrunk().size()
              + " steps): "
              + d.divergence().describe());
    }
    for (DiffCampaign.Unreproduced u : r.unreproduced()) {
      stdout.println(
          "DIVERGED ONCE, NOT REPRODUCED (run "
              + u.run()
              + "): "
              + u.divergence().describe().replace("\n", "; "));
    }
    int shown = 0;
    for (DiffCampaign.BackendFailure f : r.backendFailures()) {
      if (shown++ < 5) {
        stdout.println(
            "BACKEND FAILURE (run "
                + f.run()
                + (f.whileShrinking() ? ", shrinking" : "")
                + "): "
                + f.failure());
      }
    }
    if (shown > 5) {
      stdout.println("... " + (shown - 5) + " more backend failures");
    }
    if (r.stoppedBecause() != null) {
      stdout.println("STOPPED EARLY: " + r.stoppedBecause());
    }
    if (!findings.files().isEmpty()) {
      stdout.println(
          "written to "
              + out
              + ": "
              + CliSupport.count(findings.files().size(), "file")
              + "; replay one with ./e1kfuzz diff FILE --qemu "
              + QemuTargets.displayName(build)
              + " --variant "
              + v.id());
    }
    stdout.flush();
    return findings.writeErrors() > 0 ? null : r;
  }
}
