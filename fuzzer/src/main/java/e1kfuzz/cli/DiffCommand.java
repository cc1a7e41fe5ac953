package e1kfuzz.cli;

import e1kfuzz.diff.Differ;
import e1kfuzz.diff.RealChecks;
import e1kfuzz.model.Step;
import e1kfuzz.model.Trace;
import e1kfuzz.model.Variant;
import e1kfuzz.observe.ModelObserver;
import e1kfuzz.observe.ObservedRun;
import e1kfuzz.qemu.QemuBackend;
import e1kfuzz.qemu.QemuBuild;
import e1kfuzz.qemu.QemuUnavailableException;
import e1kfuzz.qemu.Qtest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code e1kfuzz diff}: run traces on the model and on a real QEMU and compare what both did. */
@Command(
    name = "diff",
    mixinStandardHelpOptions = true,
    description = {
      "Compare the model with a real QEMU, trace by trace (exit 4 on divergence).",
      "Replay traces on a real qemu-system-x86_64 over qtest and on the model of the matching variant, and "
          + "compare after every step: abort signature, ICR (through ICS), IMS, MSI-X pending bits, the INTx line, "
          + "MSI-X messages per vector, MSI messages, the frames received so far and IVAR. Prints the first "
          + "divergence with both timelines; exit 4 (exit 7 when nothing diverged but QEMU failed on some traces).",
      "Model-free: when QEMU's own observations prove a spurious MSI-X message or pending bit (one that comes "
          + "while only time passes and IMS unmasks nothing IVAR maps to its vector), a line 'delivery:spurious-"
          + "interrupt on QEMU alone' says so, whatever the model says.",
      "Debian's builds have no qtest accelerator: time follows the host clock, so traces need margins "
          + "(--margin) between timer deadlines and steps. A trace a build cannot replay faithfully is skipped with the "
          + "reason (--run-fragile compares it anyway)."
    })
final class DiffCommand implements Callable<Integer> {
  static final String INSTALL =
      "install one with 'apt-get update && apt-get install -y qemu-system-x86' or fetch the four Debian builds with 'make qemu'";

  @Spec CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "Trace files (.trace) to compare.")
  List<Path> files;

  @CommandLine.Mixin QemuOptions qemuOptions = new QemuOptions();

  @Option(
      names = "--variant",
      paramLabel = "NAME|all",
      split = ",",
      converter = VariantSelection.class,
      description =
          "Model variant to compare with, or all; several may be given (default: the one the build maps to; "
              + "without --qemu or with --qemu all, each variant that has a build).")
  List<Variant> variant;

  @Option(
      names = "--fresh-qemu",
      description = "Start a fresh QEMU for every trace instead of resetting one between traces.")
  boolean freshQemu;

  @Option(
      names = "--margin",
      paramLabel = "DURATION",
      defaultValue = "5ms",
      converter = DurationConverter.class,
      description = "Timing margin for real-time replays (default: ${DEFAULT-VALUE}).")
  java.time.Duration margin;

  @Option(
      names = "--run-fragile",
      description =
          "Compare traces the build cannot replay faithfully too (a timer due at the instant of a step under qtest; "
              + "a deadline within --margin in real time), with a warning; by default they are skipped with the reason.")
  boolean runFragile;

  /** The old opt-in to skipping, now the default; still accepted. */
  @Option(names = "--require-robust", hidden = true)
  boolean requireRobust;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    long marginNs = margin.toNanos();
    String qemu = qemuOptions.qemu;
    List<Variant> asked = variant == null ? null : VariantSelection.distinct(variant);
    if (asked != null && asked.size() > 1 && qemu != null && !qemu.equals(QemuOptions.ALL)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          "--qemu "
              + qemu
              + " is one build, compared with one variant; several --variant need --qemu all (or no --qemu)");
    }
    List<QemuTargets.Target> targets =
        QemuTargets.resolve(qemu, qemuOptions.moduleDir, asked, out, err);
    if (targets == null) {
      return ExitCodes.NO_QEMU;
    }
    int[] totals = new int[5];
    List<Trace> traces = new java.util.ArrayList<>();
    List<Path> names = new java.util.ArrayList<>();
    for (Path f : files) {
      Trace t = CliSupport.readTrace(f, err);
      if (t == null) {
        totals[4]++;
      } else {
        traces.add(t);
        names.add(f);
      }
    }
    for (QemuTargets.Target target : targets) {
      compare(target.build(), target.variant(), traces, names, marginNs, out, totals);
    }
    if (targets.size() > 1) {
      out.printf(
          "all builds: %d same, %d diverged, %d skipped, %d backend failures, %d unreadable%n",
          totals[0], totals[1], totals[2], totals[3], totals[4]);
    }
    if (totals[4] > 0) {
      return ExitCodes.BAD_INPUT;
    }
    if (totals[1] == 0 && totals[3] > 0) {
      return ExitCodes.BACKEND_FAILURE;
    }
    return totals[1] > 0 ? ExitCodes.DIVERGED : ExitCodes.OK;
  }

  /** Compares every trace on one build; adds same, diverged, skipped, failed to {@code totals}. */
  private void compare(
      QemuBuild build,
      Variant v,
      List<Trace> traces,
      List<Path> names,
      long marginNs,
      PrintWriter out,
      int[] totals)
      throws IOException {
    out.println(
        "qemu: "
            + build.path()
            + " ("
            + build.versionLine()
            + ") compared with model "
            + v.id()
            + (build.qtestAccel()
                ? "; qtest accelerator: exact virtual time"
                : "; no qtest accelerator: real-time waits, margin "
                    + Step.formatDuration(margin.toNanos()))
            + (freshQemu ? "; a fresh QEMU per trace" : "; one QEMU, reset between traces"));
    int diverged = 0;
    int agreed = 0;
    int skipped = 0;
    int failed = 0;
    long started = System.nanoTime();
    try (QemuBackend runner = new QemuBackend(build, !freshQemu)) {
      for (int i = 0; i < traces.size(); i++) {
        Path f = names.get(i);
        List<Step> steps = traces.get(i).steps();
        String unsupported = Qtest.firstUnsupported(steps);
        if (unsupported != null) {
          out.println(f + ": skipped: " + unsupported);
          skipped++;
          continue;
        }
        String fragile = build.timingProblem(v, steps, marginNs);
        if (fragile != null) {
          if (!runFragile) {
            out.println(f + ": skipped, cannot be compared on this build: " + fragile);
            skipped++;
            continue;
          }
          out.println(f + ": warning, may not be compared faithfully: " + fragile);
        }
        ObservedRun model = ModelObserver.run(v, steps);
        ObservedRun run = runner.run(steps);
        if (run.failure() != null) {
          out.println(f + ": BACKEND FAILURE: " + run.failure());
          failed++;
          continue;
        }
        for (RealChecks.Finding real : RealChecks.check(steps, run)) {
          // Model-free: what QEMU's own observations prove, whatever the model says.
          out.println(
              f
                  + ": "
                  + real.signature().id()
                  + " on QEMU alone (step "
                  + real.step()
                  + "): "
                  + real.detail());
        }
        Differ.Divergence d = Differ.compare(model, run);
        if (d == null) {
          agreed++;
          out.println(
              f
                  + ": same"
                  + (model.abortId() != null ? " (both abort: " + model.abortId() + ")" : ""));
        } else {
          diverged++;
          out.println(f + ": DIVERGED at " + d.describe());
          out.print(Differ.timelines(steps, model, run));
          if (!run.timerEvents().isEmpty()) {
            out.println("QEMU timer trace: " + String.join("; ", run.timerEvents()));
          }
        }
      }
      double secs = (System.nanoTime() - started) / 1e9;
      int run = agreed + diverged + failed;
      out.printf(
          java.util.Locale.ROOT,
          "%d same, %d diverged, %d skipped, %s%s; %s run in %.2f s (%.1f traces/s, %s)%n",
          agreed,
          diverged,
          skipped,
          CliSupport.count(failed, "backend failure"),
          targets(totals),
          CliSupport.count(run, "trace"),
          secs,
          secs > 0 ? run / secs : 0.0,
          CliSupport.count(runner.starts(), "QEMU start"));
    }
    totals[0] += agreed;
    totals[1] += diverged;
    totals[2] += skipped;
    totals[3] += failed;
  }

  private static String targets(int[] totals) {
    return totals[4] > 0 ? ", " + totals[4] + " unreadable" : ", 0 unreadable";
  }

  static QemuBuild resolve(String qemu, Path moduleDir) throws QemuUnavailableException {
    QemuBuild b = resolve(qemu);
    return moduleDir == null ? b : b.withModuleDir(moduleDir);
  }

  static QemuBuild resolve(String qemu) throws QemuUnavailableException {
    if (qemu == null) {
      for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
        Path p = Path.of(dir.isEmpty() ? "." : dir, "qemu-system-x86_64");
        if (Files.isExecutable(p)) {
          return QemuBuild.probe(p);
        }
      }
      throw new QemuUnavailableException("qemu-system-x86_64 is not on PATH");
    }
    Path p = Path.of(qemu);
    if (!qemu.contains("/") && !Files.exists(p)) {
      p = QemuBuild.cached(qemu).orElse(p);
    }
    return QemuBuild.probe(p);
  }
}
