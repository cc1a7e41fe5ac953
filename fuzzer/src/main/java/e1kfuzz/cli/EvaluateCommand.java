package e1kfuzz.cli;

import e1kfuzz.corpus.FindingWriter;
import e1kfuzz.engine.Alphabet;
import e1kfuzz.engine.Campaign;
import e1kfuzz.engine.CampaignOptions;
import e1kfuzz.engine.Evaluation;
import e1kfuzz.engine.Explorer;
import e1kfuzz.engine.Finding;
import e1kfuzz.engine.GeneratorOptions;
import e1kfuzz.engine.Guidance;
import e1kfuzz.model.Step;
import e1kfuzz.model.Variant;
import e1kfuzz.report.EvaluateReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code e1kfuzz evaluate}: which variant reaches which signature, the fix-candidate table. */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description = {
      "For every variant and every signature (strict ones included): reachable or not, and the shortest trace found.",
      "Explores every trace up to --depth over the default alphabet, then fuzzes all variants for --time "
          + "(two thirds without, one third with the strict invariants); the shorter trace wins.",
      "Exit 3 when any variant reaches any signature (the pre-fix variants always do), 0 when none does."
    })
final class EvaluateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--time",
      paramLabel = "DURATION",
      defaultValue = "60s",
      converter = DurationConverter.class,
      description = "Fuzzing budget: 500ms, 30s, 5m, 1h (default: ${DEFAULT-VALUE}).")
  Duration time;

  @Option(
      names = "--depth",
      paramLabel = "D",
      defaultValue = "6",
      description = "Exploration depth (default: ${DEFAULT-VALUE}).")
  int depth;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "1",
      description = "Fuzzing seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--jobs",
      paramLabel = "J",
      description = "Worker threads (default: number of cores).")
  Integer jobs;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "findings/evaluate",
      description = "Where the shortest traces go (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(
      names = "--format",
      defaultValue = "text",
      description =
          "text (a Markdown table), json, or html (the table linked to a timeline of every shortest trace) (default: ${DEFAULT-VALUE}).")
  ReplayCommand.Format format;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description =
          "Write the report (in --format) to FILE, atomically, and print the text table; default: the report goes to stdout.")
  Path output;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Duration budget = time;
    if (depth < 1 || depth > 64) {
      err.println("e1kfuzz: --depth must be between 1 and 64, got " + depth);
      return ExitCodes.BAD_INPUT;
    }
    if (jobs != null && jobs < 1) {
      err.println("e1kfuzz: --jobs must be at least 1, got " + jobs);
      return ExitCodes.BAD_INPUT;
    }
    // Both outputs are checked before minutes of exploration and fuzzing.
    if (!CliSupport.outputFolderUsable(out, "the shortest traces", err)
        || (output != null && !CliSupport.outputFileUsable(output, "-o", err))) {
      return ExitCodes.BAD_INPUT;
    }
    int j = jobs == null ? Runtime.getRuntime().availableProcessors() : jobs;
    List<Variant> variants = List.of(Variant.values());
    Alphabet alphabet = Alphabet.defaultAlphabet();
    String alphabetName = "the default alphabet (" + alphabet.symbols().size() + " symbols)";
    java.util.concurrent.atomic.AtomicBoolean stop =
        new java.util.concurrent.atomic.AtomicBoolean();
    try (GracefulStop hook = GracefulStop.install(() -> stop.set(true))) {
      List<Explorer.Result> explored = new ArrayList<>();
      for (Variant v : variants) {
        err.printf(Locale.ROOT, "exploring %s to depth %d%n", v.id(), depth);
        err.flush();
        explored.add(
            Explorer.explore(
                new Explorer.Options(v, depth, true, alphabet, j, 50_000_000), null, stop::get));
      }
      // Strict invariants fire in ordinary use and end a run early, hiding the others: fuzz both
      // ways.
      List<Finding> findings = new ArrayList<>();
      long runs = 0;
      long nanos = 0;
      Duration plain = budget.multipliedBy(2).dividedBy(3);
      for (boolean strict : new boolean[] {false, true}) {
        Duration t = strict ? budget.minus(plain) : plain;
        err.printf(
            Locale.ROOT,
            "fuzzing all variants for %s%s, seed %d%n",
            DurationConverter.format(t),
            strict ? " (strict)" : "",
            seed);
        err.flush();
        Campaign c =
            new Campaign(
                new CampaignOptions(
                    variants,
                    seed,
                    0,
                    t.isZero() ? Duration.ofMillis(1) : t,
                    j,
                    GeneratorOptions.defaults(),
                    strict,
                    0,
                    1,
                    Guidance.COVERAGE));
        Campaign.Result r = c.run(null);
        runs += r.runs();
        nanos += r.elapsedNanos();
        for (Finding f : r.findings()) {
          if (f.signature().strict() == strict) {
            findings.add(f);
          }
        }
      }
      Evaluation.Table table = Evaluation.combine(variants, explored, findings, runs, nanos);
      Map<List<Step>, Path> files = new LinkedHashMap<>();
      try {
        for (Variant v : variants) {
          for (var s : table.signatures()) {
            Evaluation.Cell c = table.cell(v, s);
            if (c.reachable() && !files.containsKey(c.steps())) {
              List<String> header =
                  List.of(
                      "e1kfuzz evaluate: shortest trace found to "
                          + s.id()
                          + " on "
                          + v.id()
                          + " ("
                          + c.source().name().toLowerCase(Locale.ROOT)
                          + ")");
              files.put(
                  c.steps(),
                  FindingWriter.writeCase(out, s.id(), c.steps(), header, s.strict()).file());
            }
          }
        }
      } catch (IOException e) {
        CliSupport.cannotWrite(out, e, err);
        hook.finish(ExitCodes.BAD_INPUT);
        return ExitCodes.BAD_INPUT;
      }
      if (!CliSupport.printReport(
          format,
          output,
          EvaluateReport.text(table, files, alphabetName),
          () -> EvaluateReport.json(table, files, alphabetName),
          () -> EvaluateReport.html(table, files, alphabetName),
          stdout,
          err)) {
        hook.finish(ExitCodes.BAD_INPUT);
        return ExitCodes.BAD_INPUT;
      }
      // A reachable cell is a run that failed an invariant: a finding, as in fuzz and explore.
      boolean found =
          variants.stream()
              .anyMatch(
                  v -> table.signatures().stream().anyMatch(s -> table.cell(v, s).reachable()));
      int code = found ? ExitCodes.FOUND : ExitCodes.OK;
      hook.finish(code);
      return code;
    }
  }
}
