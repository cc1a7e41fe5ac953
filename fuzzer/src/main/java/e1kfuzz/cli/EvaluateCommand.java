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
      "Explores every trace up to --depth over the default alphabet, then fuzzes all variants for --time",
      "(two thirds without, one third with the strict invariants); the shorter trace wins."
    })
final class EvaluateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--time", paramLabel = "DURATION", defaultValue = "60s", description = "Fuzzing budget (default: ${DEFAULT-VALUE}).")
  String time;

  @Option(names = "--depth", paramLabel = "D", defaultValue = "6", description = "Exploration depth (default: ${DEFAULT-VALUE}).")
  int depth;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "Fuzzing seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--jobs", paramLabel = "J", description = "Worker threads (default: number of cores).")
  Integer jobs;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "findings/evaluate",
      description = "Where the shortest traces go (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--format", defaultValue = "text",
      description = "text (a Markdown table), json, or html (the table linked to a timeline of every shortest trace) (default: ${DEFAULT-VALUE}).")
  ReplayCommand.Format format;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "With --format html: write the page here (else to stdout).")
  Path output;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Duration budget;
    try {
      budget = Campaign.parseDuration(time);
    } catch (IllegalArgumentException e) {
      err.println("e1kfuzz: --time: " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    }
    if (depth < 1 || depth > 64) {
      err.println("e1kfuzz: --depth must be between 1 and 64, got " + depth);
      return ExitCodes.BAD_INPUT;
    }
    int j = jobs == null ? Runtime.getRuntime().availableProcessors() : Math.max(1, jobs);
    List<Variant> variants = List.of(Variant.values());
    Alphabet alphabet = Alphabet.defaultAlphabet();
    String alphabetName = "the default alphabet (" + alphabet.symbols().size() + " symbols)";
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    try (GracefulStop hook = GracefulStop.install(() -> stop.set(true))) {
      List<Explorer.Result> explored = new ArrayList<>();
      for (Variant v : variants) {
        err.printf(Locale.ROOT, "exploring %s to depth %d%n", v.id(), depth);
        err.flush();
        explored.add(Explorer.explore(new Explorer.Options(v, depth, true, alphabet, j, 50_000_000), null, stop::get));
      }
      // Strict invariants fire in ordinary use and end a run early, hiding the others: fuzz both ways.
      List<Finding> findings = new ArrayList<>();
      long runs = 0;
      long nanos = 0;
      Duration plain = budget.multipliedBy(2).dividedBy(3);
      for (boolean strict : new boolean[] {false, true}) {
        Duration t = strict ? budget.minus(plain) : plain;
        err.printf(Locale.ROOT, "fuzzing all variants for %.0f s%s, seed %d%n", t.toMillis() / 1e3, strict ? " (strict)" : "", seed);
        err.flush();
        Campaign c = new Campaign(new CampaignOptions(variants, seed, 0, t.isZero() ? Duration.ofMillis(1) : t, j,
            GeneratorOptions.defaults(), strict, 0, 1, Guidance.COVERAGE));
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
              List<String> header = List.of("e1kfuzz evaluate: shortest trace found to " + s.id() + " on " + v.id()
                  + " (" + c.source().name().toLowerCase(Locale.ROOT) + ")");
              files.put(c.steps(), FindingWriter.writeCase(out, s.id(), c.steps(), header, s.strict()).file());
            }
          }
        }
      } catch (IOException e) {
        err.println("e1kfuzz: cannot write the shortest traces: " + e.getMessage());
        hook.finish(ExitCodes.INTERNAL_ERROR);
        return ExitCodes.INTERNAL_ERROR;
      }
      switch (format) {
        case json -> stdout.print(EvaluateReport.json(table, files, alphabetName));
        case html -> {
          if (output == null) {
            stdout.print(EvaluateReport.html(table, files, alphabetName).render());
          } else {
            try {
              EvaluateReport.html(table, files, alphabetName).write(output);
            } catch (IOException e) {
              err.println("e1kfuzz: cannot write " + output + ": " + e.getMessage());
              hook.finish(ExitCodes.INTERNAL_ERROR);
              return ExitCodes.INTERNAL_ERROR;
            }
            stdout.print(EvaluateReport.text(table, files, alphabetName));
            stdout.println("timelines: " + output);
          }
        }
        default -> stdout.print(EvaluateReport.text(table, files, alphabetName));
      }
      stdout.flush();
      hook.finish(ExitCodes.OK);
      return ExitCodes.OK;
    }
  }
}
