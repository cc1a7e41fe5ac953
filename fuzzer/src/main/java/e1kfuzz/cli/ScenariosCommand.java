package e1kfuzz.cli;

import e1kfuzz.corpus.BadInputException;
import e1kfuzz.corpus.FindingWriter;
import e1kfuzz.model.Expectation;
import e1kfuzz.model.Variant;
import e1kfuzz.report.ScenarioReport;
import e1kfuzz.scenario.Scenario;
import e1kfuzz.scenario.ScenarioFiles;
import e1kfuzz.scenario.ScenarioFinding;
import e1kfuzz.scenario.ScenarioSearch;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code e1kfuzz scenarios}: what real guest drivers' paths do on every variant, with windows. */
@Command(
    name = "scenarios",
    mixinStandardHelpOptions = true,
    description = {
      "For every driver scenario (scenarios/*.scenario: a driver's register and PCI-config sequence with its free "
          + "parameters) and every variant: search the parameters (every choice when there are at most "
          + "--max-choices, else the defaults and a seeded sample) and the arrival offset over its whole range "
          + "(a grid, then bisection to the nanosecond), and report which outcomes it reaches, the window of "
          + "offsets for each, a shrunk trace, and the exact build's verdict at every window edge.",
      "Exit 3 when a scenario reaches any signature on any variant, 4 when an exact build disagrees with the "
          + "model at a checked offset, 0 when every scenario is safe everywhere."
    })
final class ScenariosCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "FILE",
      arity = "0..*",
      description = "Scenario files or folders (default: the scenarios folder).")
  List<Path> files = new ArrayList<>();

  @Option(
      names = "--variant",
      paramLabel = "NAME",
      split = ",",
      converter = VariantSelection.class,
      description = "Variants to search, repeated or comma-separated, or 'all' (default: all).")
  List<Variant> variants;

  @Option(
      names = "--grid",
      paramLabel = "N",
      defaultValue = "1000",
      description =
          "Grid points over a window's range before bisection (default: ${DEFAULT-VALUE}).")
  int grid;

  @Option(
      names = "--max-choices",
      paramLabel = "N",
      defaultValue = "4096",
      description =
          "Search every choice of the discrete parameters up to N choices, else the defaults and a seeded sample of N (default: ${DEFAULT-VALUE}).")
  int maxChoices;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "1",
      description = "Seed of the sample when the choices are too many (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--no-confirm",
      description =
          "Do not replay on the exact builds (by default the edges of every window and every outcome's example are replayed on the variant's exact build, when it exists).")
  boolean noConfirm;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "findings/scenarios",
      description =
          "Where each outcome's full driver sequence goes, as a regression trace (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(
      names = "--jobs",
      paramLabel = "J",
      description = "Worker threads (default: number of cores).")
  Integer jobs;

  @Option(
      names = "--format",
      defaultValue = "text",
      description = "text (Markdown), json, or html (default: ${DEFAULT-VALUE}).")
  ReplayCommand.Format format;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description =
          "Write the report (in --format) to FILE, atomically, and print the text; default: stdout.")
  Path output;

  /** Checked segments per outcome: enough for every window seen in the library. */
  private static final int CHECKED_SEGMENTS = 4;

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (grid < 1 || grid > 1_000_000) {
      err.println("e1kfuzz: --grid must be between 1 and 1000000, got " + grid);
      return ExitCodes.BAD_INPUT;
    }
    if (maxChoices < 1) {
      err.println("e1kfuzz: --max-choices must be at least 1, got " + maxChoices);
      return ExitCodes.BAD_INPUT;
    }
    if (jobs != null && jobs < 1) {
      err.println("e1kfuzz: --jobs must be at least 1, got " + jobs);
      return ExitCodes.BAD_INPUT;
    }
    List<Path> paths = files;
    if (paths.isEmpty()) {
      Path dflt = Path.of("scenarios");
      if (!Files.isDirectory(dflt)) {
        err.println(
            "e1kfuzz: no scenario files given and no 'scenarios' folder here; name files or folders, e.g."
                + " e1kfuzz scenarios path/to/e1kfuzz/scenarios");
        return ExitCodes.BAD_INPUT;
      }
      paths = List.of(dflt);
    }
    List<Scenario> scenarios;
    try {
      scenarios = ScenarioFiles.readAll(paths);
    } catch (BadInputException e) {
      err.println("e1kfuzz: " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    }
    if (!CliSupport.outputFolderUsable(out, "the scenario traces", err)
        || (output != null && !CliSupport.outputFileUsable(output, "-o", err))) {
      return ExitCodes.BAD_INPUT;
    }
    List<Variant> vs =
        variants == null ? List.of(Variant.values()) : VariantSelection.distinct(variants);
    ScenarioSearch.Options options = new ScenarioSearch.Options(grid, maxChoices, seed);
    String settings =
        String.format(
            Locale.ROOT,
            "%s x %s, grid %d, max choices %d, seed %d%s",
            CliSupport.count(scenarios.size(), "scenario"),
            CliSupport.count(vs.size(), "variant"),
            grid,
            maxChoices,
            seed,
            noConfirm ? ", not replayed on exact builds (--no-confirm)" : "");
    err.println("e1kfuzz scenarios: " + settings);
    err.flush();

    // The model search runs in parallel; its result does not depend on --jobs. The exact builds
    // are asked one at a time afterwards, in report order.
    int j = jobs == null ? Runtime.getRuntime().availableProcessors() : jobs;
    ExecutorService pool = Executors.newFixedThreadPool(j);
    Map<Scenario, List<Future<ScenarioSearch.Result>>> pending = new LinkedHashMap<>();
    for (Scenario s : scenarios) {
      List<Future<ScenarioSearch.Result>> fs = new ArrayList<>();
      for (Variant v : vs) {
        fs.add(pool.submit(() -> ScenarioSearch.search(s, v, options)));
      }
      pending.put(s, fs);
    }
    List<ScenarioReport.ScenarioRun> runs = new ArrayList<>();
    boolean found = false;
    boolean disagreed = false;
    try {
      for (var e : pending.entrySet()) {
        List<ScenarioReport.VariantRun> vrs = new ArrayList<>();
        for (Future<ScenarioSearch.Result> f : e.getValue()) {
          ScenarioSearch.Result r = f.get();
          List<ScenarioFinding> findings = new ArrayList<>();
          Map<String, Path> written = new LinkedHashMap<>();
          Map<Map<String, String>, Map<Long, e1kfuzz.diff.Confirmation.Verdict>> verdicts =
              new LinkedHashMap<>();
          for (ScenarioFinding sf : ScenarioFinding.of(r)) {
            if (!noConfirm) {
              err.printf(
                  Locale.ROOT,
                  "replaying %s on %s (%s) on its exact build%n",
                  e.getKey().id(),
                  r.variant().id(),
                  sf.result());
              err.flush();
              sf =
                  sf.checked(
                      r,
                      CHECKED_SEGMENTS,
                      verdicts.computeIfAbsent(sf.choice(), c -> new LinkedHashMap<>()));
              disagreed |= sf.checks().stream().anyMatch(ScenarioFinding.Check::disagrees);
            }
            if (!sf.result().equals(Expectation.OK)) {
              found = true;
              written.put(sf.result(), write(e.getKey(), r, sf));
            }
            findings.add(sf);
          }
          vrs.add(new ScenarioReport.VariantRun(r, findings, written));
        }
        runs.add(new ScenarioReport.ScenarioRun(e.getKey(), vrs));
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException("scenario search failed", e.getCause());
    } catch (IOException e) {
      CliSupport.cannotWrite(out, e, err);
      return ExitCodes.BAD_INPUT;
    } finally {
      pool.shutdownNow();
    }
    if (!CliSupport.printReport(
        format,
        output,
        ScenarioReport.text(runs, settings),
        () -> ScenarioReport.json(runs, settings),
        () -> ScenarioReport.html(runs, settings),
        stdout,
        err)) {
      return ExitCodes.BAD_INPUT;
    }
    return disagreed ? ExitCodes.DIVERGED : found ? ExitCodes.FOUND : ExitCodes.OK;
  }

  /**
   * The full driver sequence at the example offset, as a regression trace with every variant's
   * result.
   */
  private Path write(Scenario s, ScenarioSearch.Result r, ScenarioFinding f) throws IOException {
    List<String> header = new ArrayList<>();
    header.add(
        "e1kfuzz scenarios: "
            + s.id()
            + " ("
            + s.title()
            + ") on "
            + r.variant().id()
            + " reaches "
            + f.result());
    header.add("driver: " + s.driver());
    s.sources().forEach(src -> header.add("source: " + src));
    header.add(
        "choice: "
            + (s.params().isEmpty() ? "(no parameters)" : s.describe(f.choice()))
            + (s.window() == null
                ? ""
                : String.format(
                    Locale.ROOT,
                    "; %s = %d ns, inside a window of %s",
                    s.window().name(),
                    f.exampleOffsetNs(),
                    ScenarioReport.duration(f.widthNs()))));
    return FindingWriter.writeCase(out, f.result(), f.example(), header, false).file();
  }
}
