package e1kfuzz.cli;

import e1kfuzz.corpus.BadInputException;
import e1kfuzz.corpus.CampaignState;
import e1kfuzz.corpus.FindingWriter;
import e1kfuzz.diff.Confirmation;
import e1kfuzz.diff.RealChecks;
import e1kfuzz.engine.Campaign;
import e1kfuzz.engine.CampaignOptions;
import e1kfuzz.engine.Finding;
import e1kfuzz.engine.GeneratorOptions;
import e1kfuzz.engine.Guidance;
import e1kfuzz.model.Signature;
import e1kfuzz.model.Step;
import e1kfuzz.model.Variant;
import e1kfuzz.observe.ModelObserver;
import e1kfuzz.report.CampaignReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code e1kfuzz fuzz}: a campaign of generated traces; findings are shrunk and written. */
@Command(
    name = "fuzz",
    mixinStandardHelpOptions = true,
    description = {
      "Run a fuzzing campaign; shrink and write every distinct failure as a regression trace.",
      "Generate race-biased traces, run them on the model with every invariant checked after every step, "
          + "shrink each distinct failure (variant + signature) and write it as a regression trace into --out.",
      "The same seed and options give the same findings files, whatever --jobs is (with --runs)."
    })
final class FuzzCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--variant",
      paramLabel = "NAME|all",
      defaultValue = "all",
      split = ",",
      converter = VariantSelection.class,
      description =
          "Variant to fuzz, or all (default: ${DEFAULT-VALUE}); several may be given, repeated or comma-separated. "
              + "With several, each trace is generated once (steered by the qemu-10.2 model) and runs on every one of them.")
  List<Variant> variants;

  @Option(
      names = "--seed",
      paramLabel = "S",
      description = "Campaign seed (default: random, printed first).")
  Long seed;

  @Option(
      names = "--time",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "Stop after this long: 500ms, 30s, 5m, 1h (default: 30s unless --runs; with --resume: what was left).")
  Duration time;

  @Option(names = "--runs", paramLabel = "N", description = "Stop after N runs (per shard).")
  Long runs;

  @Option(
      names = "--jobs",
      paramLabel = "J",
      description =
          "Worker threads (default: number of cores; with --backend diff twice that, as each"
              + " worker mostly waits for its QEMU).")
  Integer jobs;

  @Option(
      names = "--max-steps",
      paramLabel = "L",
      defaultValue = "" + GeneratorOptions.DEFAULT_MAX_STEPS,
      description = "Steps per generated trace (default: ${DEFAULT-VALUE}).")
  int maxSteps;

  @Option(
      names = "--weights",
      paramLabel = "KIND=W,...",
      description =
          "Step-kind weights over the defaults, e.g. wait=40,reset=0. Kinds and defaults: "
              + "write=30 read=5 tx=10 rx=8 msix=8 msix-vector=3 msi=3 intx=2 link=2 mdic=2 wait=20 expire=6 reset=1.")
  String weights;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Where findings go (default: findings, or the resumed campaign's).")
  Path out;

  @Option(
      names = "--state",
      paramLabel = "DIR",
      description =
          "Keep the campaign's progress in DIR (replaced atomically every few seconds) so --resume DIR can go on.")
  Path stateDir;

  @Option(
      names = "--resume",
      paramLabel = "DIR",
      description =
          "Go on with the campaign saved in DIR, with its seed and options; --time gives a new budget (default: what is left).")
  Path resumeDir;

  @Option(
      names = "--guidance",
      defaultValue = "coverage",
      description =
          "coverage: half the runs mutate traces that reached new coverage; none: fresh random traces only (default: ${DEFAULT-VALUE}).")
  Guidance guidance;

  @Option(
      names = "--zero-ns-windows",
      description =
          "Keep findings that need a step to run while a timer is already due (0-ns windows: real on a running VM, not replayable under qtest). By default each finding is the first run that fails in a form the exact builds replay, shrunk keeping that form.")
  boolean zeroNsWindows;

  @Option(
      names = "--no-confirm",
      description =
          "Do not replay the shrunk findings on their variants' exact builds (by default each one that the exact builds can replay is checked there, when the build exists).")
  boolean noConfirm;

  @Option(names = "--strict", description = "Also check the strict invariants.")
  boolean strict;

  @Option(
      names = "--shard",
      paramLabel = "K/N",
      description =
          "Run shard K of N: N shards together do the runs of one N-times longer campaign.")
  String shard;

  @Option(
      names = "--format",
      defaultValue = "text",
      description = "Summary format: text or json (default: ${DEFAULT-VALUE}).")
  ReplayCommand.Format format;

  @Option(
      names = "--junit",
      paramLabel = "FILE",
      description = "Also write JUnit XML (one test case per variant and signature).")
  Path junit;

  @Option(
      names = "--html",
      paramLabel = "FILE",
      description = "Also write one HTML page with the timeline of every shrunk finding.")
  Path html;

  enum Backend {
    model,
    diff
  }

  @Option(
      names = "--backend",
      defaultValue = "model",
      description =
          "model (default): check the model's invariants; diff: run timing-robust traces on the model and on a real QEMU (--qemu) and report where they differ.")
  Backend backend;

  @CommandLine.Mixin QemuOptions qemuOptions = new QemuOptions();

  @Option(
      names = "--margin",
      paramLabel = "DURATION",
      defaultValue = "5ms",
      converter = DurationConverter.class,
      description =
          "With --backend diff: timing margin for real-time replays (default: ${DEFAULT-VALUE}).")
  Duration margin;

  @Option(
      names = "--fresh-qemu",
      description =
          "With --backend diff: start a fresh QEMU for every trace instead of resetting one.")
  boolean freshQemu;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (format == ReplayCommand.Format.html) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--format is text or json for fuzz; use --html FILE for timelines");
    }
    var parsed = spec.commandLine().getParseResult();
    if (backend != Backend.diff) {
      // Options of a differential campaign are refused rather than ignored.
      for (String o : new String[] {"--qemu", "--qemu-module-dir", "--margin", "--fresh-qemu"}) {
        if (parsed.hasMatchedOption(o)) {
          throw new CommandLine.ParameterException(spec.commandLine(), o + " needs --backend diff");
        }
      }
    }
    if (backend == Backend.diff) {
      // Refused before any work rather than silently ignored (a differential campaign reports in
      // text).
      for (String o :
          new String[] {
            "--junit",
            "--html",
            "--state",
            "--resume",
            "--zero-ns-windows",
            "--no-confirm",
            "--shard",
            "--strict",
            "--guidance"
          }) {
        if (parsed.hasMatchedOption(o)) {
          throw new CommandLine.ParameterException(
              spec.commandLine(), o + " cannot be combined with --backend diff");
        }
      }
      if (format == ReplayCommand.Format.json) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "--format json cannot be combined with --backend diff: its report is text, its findings trace files");
      }
    }
    CampaignOptions options;
    CampaignState.Saved saved = null;
    if (resumeDir != null) {
      saved = loadForResume(err);
      if (saved == null) {
        return ExitCodes.BAD_INPUT;
      }
      options = saved.options();
      if (out == null) {
        out = Path.of(saved.out());
      }
      stateDir = resumeDir;
    } else {
      options = options();
    }
    if (out == null) {
      out = Path.of("findings");
    }
    // Every output is checked before the campaign: a run is not made for nothing.
    if (!CliSupport.outputFolderUsable(out, err)
        || (junit != null && !CliSupport.outputFileUsable(junit, "--junit", err))
        || (html != null && !CliSupport.outputFileUsable(html, "--html", err))
        || (stateDir != null
            && !CliSupport.outputFolderUsable(stateDir, "the campaign state", err))) {
      return ExitCodes.BAD_INPUT;
    }
    if (backend == Backend.diff) {
      return new DiffFuzz(
              spec,
              options,
              qemuOptions.qemu,
              qemuOptions.moduleDir,
              margin.toNanos(),
              out,
              freshQemu)
          .call();
    }
    if (format == ReplayCommand.Format.text) {
      stdout.print(CampaignReport.parameters(options, out.toString()));
      if (saved != null) {
        stdout.printf(
            java.util.Locale.ROOT,
            "resumed from %s at run %d (%.0f s run before)%n",
            resumeDir,
            saved.snapshot().nextRun(),
            saved.elapsedNanos() / 1e9);
      }
      stdout.flush();
    }
    // Delivery findings in a form QEMU's observations alone show, so that the exact builds
    // confirm them without the model (computed on the model: the same with or without QEMU).
    Campaign campaign = new Campaign(options).observedBy(FuzzCommand::observable);
    long elapsedBefore = saved == null ? 0 : saved.elapsedNanos();
    if (saved != null) {
      campaign.resumeFrom(saved.snapshot());
    }
    StateSaver saver =
        stateDir == null ? null : new StateSaver(stateDir, options, elapsedBefore, out.toString());
    if (saver != null) {
      try {
        CampaignState.removeStaleTemporaries(stateDir);
      } catch (IOException e) {
        err.println(
            "e1kfuzz: cannot use " + stateDir + " for the campaign state: " + CliSupport.why(e));
        return ExitCodes.BAD_INPUT;
      }
    }
    if (saver != null) {
      campaign.onEpoch(saver::maybeSave);
    }
    // Ctrl-C / SIGTERM: stop generating, shrink and write what was found, print the summary.
    GracefulStop stop = GracefulStop.install(campaign::requestStop);
    int code = ExitCodes.INTERNAL_ERROR;
    try {
      Campaign.Result result = campaign.run(new ProgressLine(err, System.console() != null));
      IOException stateFailure = null;
      if (saver != null) {
        try {
          saver.save(campaign);
        } catch (IOException e) {
          stateFailure = e;
        }
      }
      // The findings are written even when the state could not be: the campaign's work is kept.
      code = finish(result, options, stdout, err);
      if (stateFailure != null) {
        err.println(
            "e1kfuzz: cannot save the campaign state in "
                + stateDir
                + ": "
                + CliSupport.why(stateFailure));
        code = ExitCodes.BAD_INPUT;
      } else if (saver != null) {
        resumeHint(result, options, format == ReplayCommand.Format.text ? stdout : err);
      }
      return code;
    } finally {
      stop.finish(code);
    }
  }

  /**
   * After a campaign with {@code --state} that did not do all its runs (stopped by a signal, or its
   * --time over before --runs, or --time alone): how to go on with it.
   */
  private void resumeHint(Campaign.Result result, CampaignOptions options, PrintWriter to) {
    boolean complete = options.runs() > 0 && result.nextRun() >= options.runs();
    if (complete) {
      return;
    }
    to.printf(
        java.util.Locale.ROOT,
        "%ncampaign state saved in %s at run %d%s; go on with: ./e1kfuzz fuzz --resume %s%s%n",
        stateDir,
        result.nextRun(),
        result.interrupted() ? " (stopped)" : "",
        stateDir,
        result.interrupted() ? "" : " --time DURATION");
    to.flush();
  }

  /** The saved campaign, or null after saying why it cannot be resumed. */
  private CampaignState.Saved loadForResume(PrintWriter err) {
    for (String o :
        new String[] {
          "--seed",
          "--variant",
          "--runs",
          "--max-steps",
          "--weights",
          "--strict",
          "--shard",
          "--guidance",
          "--state",
          "--zero-ns-windows"
        }) {
      if (spec.commandLine().getParseResult().hasMatchedOption(o)) {
        err.println(
            "e1kfuzz: "
                + o
                + " cannot be combined with --resume: the campaign keeps its own options");
        return null;
      }
    }
    CampaignState.Saved s;
    try {
      s = CampaignState.load(resumeDir);
    } catch (BadInputException e) {
      err.println("e1kfuzz: " + e.getMessage());
      return null;
    }
    CampaignOptions o = s.options();
    Duration budget;
    if (time != null) {
      budget = time;
    } else if (o.time() != null) {
      budget = o.time().minusNanos(s.elapsedNanos());
      if (budget.toMillis() < 1) {
        budget = Duration.ofMillis(1); // nothing left: finish (shrink and write) at once
      }
    } else {
      budget = null;
    }
    int j = jobs != null ? jobs : Runtime.getRuntime().availableProcessors();
    CampaignOptions resumed =
        new CampaignOptions(
            o.variants(),
            o.seed(),
            o.runs(),
            budget,
            Math.max(1, j),
            o.generator(),
            o.strict(),
            o.shardIndex(),
            o.shardCount(),
            o.guidance(),
            o.zeroNsWindows());
    return new CampaignState.Saved(resumed, s.elapsedNanos(), s.out(), s.snapshot());
  }

  private int finish(
      Campaign.Result result, CampaignOptions options, PrintWriter stdout, PrintWriter err) {
    List<FindingWriter.Written> written;
    try {
      written =
          FindingWriter.write(
              out,
              result.findings(),
              options.strict(),
              options.seed(),
              CampaignOrigin.of(options),
              confirm(result.findings(), result.interrupted(), err));
      for (Path f :
          FindingWriter.writeInternalErrors(
              out, result.internalFailures(), options.seed(), CampaignOrigin.of(options))) {
        err.println(
            "e1kfuzz: internal error saved for a bug report: " + f + " (stack trace next to it)");
      }
      if (junit != null) {
        CampaignReport.junit(junit, result, written);
      }
      if (html != null) {
        e1kfuzz.report.HtmlReport.ofCampaign(result, written).write(html);
      }
    } catch (IOException e) {
      CliSupport.cannotWrite(out, e, err);
      // The campaign's work is not lost: the shrunk traces go to stderr.
      result
          .findings()
          .forEach(
              f ->
                  err.print(
                      "# "
                          + f.signature().id()
                          + " on "
                          + f.variant().id()
                          + "\n"
                          + e1kfuzz.model.Trace.of(f.shrunk().steps()).format()));
      return ExitCodes.BAD_INPUT;
    }
    if (format == ReplayCommand.Format.json) {
      try {
        stdout.print(CampaignReport.json(result, written));
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    } else {
      stdout.print(CampaignReport.summary(result, written));
    }
    stdout.flush();
    if (!result.internalFailures().isEmpty()) {
      return ExitCodes.INTERNAL_ERROR;
    }
    return result.findings().isEmpty() ? ExitCodes.OK : ExitCodes.FOUND;
  }

  /**
   * Replays each finding that the exact builds can replay on its variant's exact build, when there
   * is one: the header then says whether real QEMU confirms it. Not after Ctrl-C or SIGTERM (the
   * JVM is shutting down, and the user wants out).
   */
  private Map<Finding, String> confirm(List<Finding> findings, boolean stopped, PrintWriter err) {
    Map<Finding, String> notes = new HashMap<>();
    for (Finding f : findings) {
      if (f.notExactReplayable() != null) {
        continue;
      }
      if (noConfirm || stopped) {
        notes.put(
            f,
            "replayable under qtest (not checked: "
                + (noConfirm ? "--no-confirm" : "the campaign was stopped")
                + "; ./e1kfuzz diff FILE --qemu all checks it)");
        continue;
      }
      Confirmation.Verdict v = Confirmation.check(f.variant(), f.shrunk().steps(), f.signature());
      if (v != null) {
        notes.put(f, v.text());
        if (!v.confirmed()) {
          err.println(
              "e1kfuzz: " + f.signature().id() + " on " + f.variant().id() + ": " + v.text());
        }
      }
    }
    return notes;
  }

  /** Whether the model-free checks find {@code signature} in the model's observations. */
  static boolean observable(Variant variant, List<Step> steps, Signature signature) {
    return RealChecks.check(steps, ModelObserver.run(variant, steps)).stream()
        .anyMatch(f -> f.signature() == signature);
  }

  private CampaignOptions options() {
    var cl = spec.commandLine();
    Duration duration = time;
    if (runs != null && runs < 1) {
      throw new CommandLine.ParameterException(cl, "--runs must be at least 1, got " + runs);
    }
    if (duration == null && runs == null) {
      duration = Duration.ofSeconds(30);
    }
    int cores = Runtime.getRuntime().availableProcessors();
    int j = jobs != null ? jobs : backend == Backend.diff ? 2 * cores : cores;
    if (j < 1 || j > 1024) {
      throw new CommandLine.ParameterException(cl, "--jobs must be between 1 and 1024, got " + j);
    }
    if (maxSteps < 1 || maxSteps > 100_000) {
      throw new CommandLine.ParameterException(
          cl, "--max-steps must be between 1 and 100000, got " + maxSteps);
    }
    int[] w;
    try {
      w =
          weights == null
              ? GeneratorOptions.defaultWeights()
              : GeneratorOptions.parseWeights(weights);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cl, "--weights: " + e.getMessage());
    }
    int shardIndex = 0;
    int shardCount = 1;
    if (shard != null) {
      String[] kn = shard.split("/", -1);
      try {
        if (kn.length != 2) {
          throw new NumberFormatException();
        }
        int k = Integer.parseInt(kn[0]);
        int n = Integer.parseInt(kn[1]);
        if (n < 1 || k < 1 || k > n) {
          throw new NumberFormatException();
        }
        shardIndex = k - 1;
        shardCount = n;
      } catch (NumberFormatException e) {
        throw new CommandLine.ParameterException(
            cl, "--shard: expected K/N with 1 <= K <= N, got '" + shard + "'");
      }
    }
    long s = seed != null ? seed : new SecureRandom().nextLong() >>> 1;
    return new CampaignOptions(
        VariantSelection.distinct(variants),
        s,
        runs == null ? 0 : runs,
        duration,
        j,
        new GeneratorOptions(maxSteps, w),
        strict,
        shardIndex,
        shardCount,
        guidance,
        zeroNsWindows);
  }
}
