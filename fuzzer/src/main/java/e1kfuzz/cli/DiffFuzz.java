package e1kfuzz.cli;

import e1kfuzz.corpus.Regression;
import e1kfuzz.corpus.TraceFiles;
import e1kfuzz.engine.Campaign;
import e1kfuzz.engine.CampaignOptions;
import e1kfuzz.engine.GeneratorOptions;
import e1kfuzz.model.Trace;
import e1kfuzz.model.Variant;
import e1kfuzz.qemu.DiffCampaign;
import e1kfuzz.qemu.QemuBackend;
import e1kfuzz.qemu.QemuBuild;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** {@code fuzz --backend diff}: a differential campaign against a real QEMU. */
final class DiffFuzz {
  private final CommandSpec spec;
  private final CampaignOptions options;
  private final String qemu;
  private final Path moduleDir;
  private final String margin;
  private final Path out;
  private final boolean freshQemu;

  DiffFuzz(CommandSpec spec, CampaignOptions options, String qemu, Path moduleDir, String margin, Path out, boolean freshQemu) {
    this.freshQemu = freshQemu;
    this.spec = spec;
    this.options = options;
    this.qemu = qemu;
    this.moduleDir = moduleDir;
    this.margin = margin;
    this.out = out;
  }

  int call() {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    long marginNs;
    try {
      marginNs = Campaign.parseDuration(margin).toNanos();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--margin: " + e.getMessage());
    }
    // One build with --qemu PATH; every selected variant's exact build with --qemu all or no --qemu.
    List<Variant> asked = qemu != null && !qemu.equals("all") && options.variants().size() != 1 ? null : options.variants();
    List<QemuTargets.Target> targets = QemuTargets.resolve(qemu, moduleDir, asked, stdout, err);
    if (targets == null) {
      return ExitCodes.NO_QEMU;
    }
    if (targets.size() > 1) {
      stdout.printf("%d builds, one campaign each (each gets the whole --time / --runs budget)%n", targets.size());
    }
    int code = ExitCodes.OK;
    for (QemuTargets.Target t : targets) {
      int c = campaign(t.build(), t.variant(), marginNs, stdout, err);
      if (c == ExitCodes.INTERNAL_ERROR || code == ExitCodes.OK) {
        code = c;
      }
      if (c == ExitCodes.INTERNAL_ERROR) {
        break;
      }
    }
    return code;
  }

  private int campaign(QemuBuild build, Variant v, long marginNs, PrintWriter stdout, PrintWriter err) {
    // `expire` never is timing-robust in real time; with exact virtual time it is kept.
    int[] w = options.generator().weights().clone();
    if (!build.qtestAccel()) {
      w[e1kfuzz.engine.StepKind.EXPIRE.ordinal()] = 0;
    }
    DiffCampaign.Options o = new DiffCampaign.Options(build, v, options.seed(), options.runs(), options.time(),
        new GeneratorOptions(options.generator().maxSteps(), w), marginNs, !freshQemu);
    stdout.printf("e1kfuzz fuzz --backend diff: seed %d%nqemu %s (%s) against model %s; %s; %s; %s; max-steps %d%n",
        options.seed(), build.path(), build.versionLine(), v.id(),
        options.time() != null ? "time " + options.time().toSeconds() + "s" : "runs " + options.runs(),
        build.qtestAccel() ? "exact virtual time (qtest accelerator)" : "real-time waits, margin " + marginNs / 1_000_000 + "ms",
        freshQemu || !QemuBackend.Runner.reusesFor(build) ? "a fresh QEMU per trace" : "one QEMU reused with a reset between traces",
        options.generator().maxSteps());
    stdout.flush();
    DiffCampaign campaign = new DiffCampaign(o);
    Thread hook = new Thread(campaign::requestStop, "e1kfuzz-diff-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    DiffCampaign.Result r;
    long[] last = {-1};
    try {
      r = campaign.run((generated, compared, divergences, elapsed) -> {
        if (last[0] < 0 || elapsed - last[0] >= 5_000_000_000L) {
          last[0] = elapsed;
          err.printf(Locale.ROOT, "generated %d, compared %d, divergences %d, elapsed %.0fs%n", generated, compared, divergences, elapsed / 1e9);
          err.flush();
        }
      });
    } catch (IOException e) {
      err.println("e1kfuzz: backend: " + e.getMessage());
      return ExitCodes.INTERNAL_ERROR;
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException exiting) {
        // shutting down
      }
    }
    double seconds = r.elapsedNanos() / 1e9;
    stdout.printf(Locale.ROOT, "%n%s: %d traces generated, %d timing-robust, %d compared in %.1f min (%.2f traces/s), %d QEMU starts, %d divergences, %d not reproduced, %d backend failures%n",
        v.id(), r.generated(), r.robust(), r.compared(), seconds / 60, seconds > 0 ? r.compared() / seconds : 0.0,
        r.qemuStarts(), r.divergences().size(), r.unreproduced().size(), r.backendFailures().size());
    List<Path> files = new ArrayList<>();
    for (DiffCampaign.Divergent d : r.divergences()) {
      List<String> header = new ArrayList<>();
      header.add("e1kfuzz diff finding: " + build.versionLine() + " against model " + v.id());
      header.add("  seed " + options.seed() + ", run " + d.run() + ", original length " + d.original().size()
          + " steps; shrunk to " + d.shrunk().size() + " in " + d.shrinkRuns() + " runs");
      for (String line : d.divergence().describe().split("\n")) {
        header.add("  " + line.strip());
      }
      header.add("replay: ./e1kfuzz diff FILE --qemu " + build.path());
      Trace t = Trace.of(d.shrunk()).withHeader(header).withExpectations(Regression.expectations(d.shrunk(), false));
      Path f = out.resolve(Regression.fileName("diverged-" + v.id(), d.shrunk()));
      try {
        TraceFiles.writeNew(f, t.format());
      } catch (FileAlreadyExistsException e) {
        err.println("e1kfuzz: " + f + " exists with different content; not overwritten");
      } catch (IOException e) {
        err.println("e1kfuzz: cannot write " + f + ": " + e.getMessage());
        return ExitCodes.INTERNAL_ERROR;
      }
      files.add(f);
      stdout.println("DIVERGED (run " + d.run() + "): " + d.divergence().describe());
      stdout.println("  ./e1kfuzz diff " + f + " --qemu " + build.path());
    }
    for (String f : r.backendFailures()) {
      stdout.println("BACKEND FAILURE: " + f);
    }
    for (String u : r.unreproduced()) {
      stdout.println("DIVERGED ONCE, NOT REPRODUCED (timing noise beyond the margin?): " + u);
    }
    return r.divergences().isEmpty() ? ExitCodes.OK : ExitCodes.DIVERGED;
  }
}
