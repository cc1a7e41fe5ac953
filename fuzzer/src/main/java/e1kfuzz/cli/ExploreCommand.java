package e1kfuzz.cli;

import e1kfuzz.corpus.BadInputException;
import e1kfuzz.corpus.FindingWriter;
import e1kfuzz.corpus.TraceFiles;
import e1kfuzz.engine.Alphabet;
import e1kfuzz.engine.Explorer;
import e1kfuzz.model.Signature;
import e1kfuzz.model.Variant;
import e1kfuzz.report.ExploreReport;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code e1kfuzz explore}: exhaustive bounded exploration, shortest counterexamples per signature.
 */
@Command(
    name = "explore",
    mixinStandardHelpOptions = true,
    description = {
      "Enumerate every trace of up to D steps over an alphabet, breadth first, merging traces that reach the same device state.",
      "Per signature: the shortest counterexample (written as a .trace), or 'no violation up to depth D over this alphabet'."
    })
final class ExploreCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--depth",
      paramLabel = "D",
      defaultValue = "6",
      description = "Longest trace (default: ${DEFAULT-VALUE}).")
  int depth;

  @Option(
      names = "--variant",
      paramLabel = "NAME|all",
      defaultValue = "all",
      split = ",",
      converter = VariantSelection.class,
      description =
          "Variant to explore, or all (default: ${DEFAULT-VALUE}); several may be given, repeated or comma-separated.")
  List<Variant> variants;

  @Option(names = "--strict", description = "Also look for the strict signatures.")
  boolean strict;

  @Option(
      names = "--alphabet",
      paramLabel = "FILE",
      description = "Alphabet file (default: the built-in one; see --print-alphabet).")
  Path alphabetFile;

  @Option(
      names = "--print-alphabet",
      description =
          "Print the default alphabet and exit (alone: with other options it is refused).")
  boolean printAlphabet;

  @Option(
      names = "--jobs",
      paramLabel = "J",
      description = "Worker threads (default: number of cores).")
  Integer jobs;

  @Option(
      names = "--max-states",
      paramLabel = "N",
      description =
          "Stop a variant's exploration past N states, to bound memory (default: as many as the max heap holds, about 30 bytes a state; E1KFUZZ_JAVA_OPTS=-Xmx16g raises it).")
  Long maxStates;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "findings/explore",
      description = "Where counterexamples go (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(
      names = "--format",
      defaultValue = "text",
      description = "Report format: text or json (default: ${DEFAULT-VALUE}).")
  ReplayCommand.Format format;

  @Override
  public Integer call() {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (printAlphabet) {
      for (var o : spec.commandLine().getParseResult().matchedOptions()) {
        if (!o.longestName().equals("--print-alphabet")) {
          throw new CommandLine.ParameterException(
              spec.commandLine(),
              "--print-alphabet prints the default alphabet and runs nothing: it takes no other option ("
                  + o.longestName()
                  + ")");
        }
      }
      stdout.print(Alphabet.defaultText());
      return ExitCodes.OK;
    }
    if (format == ReplayCommand.Format.html) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--format is text or json for explore");
    }
    if (maxStates != null && (maxStates < 1 || maxStates > Explorer.MAX_STATES)) {
      err.printf(
          Locale.ROOT,
          "e1kfuzz: --max-states must be at least 1 and at most %d (the largest state table), got %d%n",
          Explorer.MAX_STATES,
          maxStates);
      return ExitCodes.BAD_INPUT;
    }
    if (depth < 1 || depth > 64) {
      err.println("e1kfuzz: --depth must be between 1 and 64, got " + depth);
      return ExitCodes.BAD_INPUT;
    }
    Alphabet alphabet;
    try {
      alphabet =
          alphabetFile == null ? Alphabet.defaultAlphabet() : TraceFiles.readAlphabet(alphabetFile);
    } catch (BadInputException e) {
      err.println("e1kfuzz: " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    }
    int j = jobs == null ? Runtime.getRuntime().availableProcessors() : jobs;
    if (j < 1) {
      err.println("e1kfuzz: --jobs must be at least 1, got " + j);
      return ExitCodes.BAD_INPUT;
    }
    if (!CliSupport.outputFolderUsable(out, "counterexamples", err)) {
      return ExitCodes.BAD_INPUT;
    }
    List<Variant> variants = VariantSelection.distinct(this.variants);
    long maxHeap = Runtime.getRuntime().maxMemory();
    long limit = maxStates != null ? maxStates : Math.max(1, Explorer.statesThatFit(maxHeap));
    String alphabetName = alphabet.source() + " (" + alphabet.symbols().size() + " symbols)";
    boolean text = format == ReplayCommand.Format.text;
    if (text) {
      stdout.printf(
          Locale.ROOT,
          "e1kfuzz explore: depth %d, alphabet %s, strict %s, jobs %d, variants %s%n",
          depth,
          alphabetName,
          strict ? "on" : "off",
          j,
          VariantSelection.format(variants));
      stdout.printf(
          Locale.ROOT,
          "state limit %,d (%s; max heap %,d MiB)%n",
          limit,
          maxStates == null ? "what the max heap holds" : "--max-states",
          maxHeap >> 20);
      stdout.flush();
    }
    if (maxStates != null && Explorer.heapBytesFor(maxStates) > maxHeap) {
      err.printf(
          Locale.ROOT,
          "e1kfuzz: warning: %,d states may need %,d MiB of heap, more than the max heap of %,d MiB"
              + " (E1KFUZZ_JAVA_OPTS=-Xmx... raises it)%n",
          maxStates,
          Explorer.heapBytesFor(maxStates) >> 20,
          maxHeap >> 20);
    }
    resetPeakHeap();
    stopRequested = false;
    List<ExploreReport.Entry> entries = new ArrayList<>();
    int code = ExitCodes.INTERNAL_ERROR;
    try (GracefulStop stop = GracefulStop.install(() -> stopRequested = true)) {
      try {
        for (Variant v : variants) {
          Explorer.Result r =
              Explorer.explore(
                  new Explorer.Options(v, depth, strict, alphabet, j, limit),
                  (variant, level, total) -> {
                    if (text) {
                      err.println(ExploreReport.level(variant.id(), level, total));
                      err.flush();
                    }
                  },
                  () -> stopRequested);
          entries.add(new ExploreReport.Entry(r, write(r, alphabetName)));
          if (stopRequested) {
            break;
          }
        }
      } catch (IOException e) {
        err.println("e1kfuzz: cannot write counterexamples to " + out + ": " + CliSupport.why(e));
        stop.finish(ExitCodes.BAD_INPUT);
        return ExitCodes.BAD_INPUT;
      }
      long peak = peakHeap();
      if (text) {
        stdout.print(ExploreReport.text(entries, "this alphabet"));
        stdout.printf(
            Locale.ROOT,
            "%npeak heap: %,d MiB (sum of the heap pools' peaks; max heap %,d MiB)%n",
            peak >> 20,
            Runtime.getRuntime().maxMemory() >> 20);
        boolean heapLimited =
            maxStates == null
                && entries.stream()
                    .anyMatch(
                        e ->
                            e.result().stopReason() != null
                                && e.result().stopReason().startsWith("state limit"));
        if (heapLimited) {
          stdout.printf(
              Locale.ROOT,
              "the state limit is what the max heap holds: with E1KFUZZ_JAVA_OPTS=-Xmx16g it is %,d states%n",
              Explorer.statesThatFit(16L << 30));
        }
      } else {
        stdout.print(
            ExploreReport.json(entries, alphabet.source(), alphabet.symbols().size(), peak));
      }
      stdout.flush();
      boolean found = entries.stream().anyMatch(e -> !e.result().shortest().isEmpty());
      code = found ? ExitCodes.FOUND : ExitCodes.OK;
      stop.finish(code);
      return code;
    }
  }

  private volatile boolean stopRequested;

  private Map<Signature, Path> write(Explorer.Result r, String alphabetName) throws IOException {
    Map<Signature, Path> files = new TreeMap<>();
    if (r.shortest().isEmpty()) {
      return files;
    }
    Files.createDirectories(out);
    for (Explorer.Counterexample c : r.shortest().values()) {
      List<String> header =
          List.of(
              "e1kfuzz explore: a shortest trace to "
                  + c.signature().id()
                  + " on "
                  + r.variant().id(),
              "  breadth-first over "
                  + alphabetName
                  + ", depth "
                  + r.depth()
                  + (r.strict() ? ", strict" : ""));
      files.put(
          c.signature(),
          FindingWriter.writeCase(out, c.signature().id(), c.steps(), header, r.strict()).file());
    }
    return files;
  }

  private static void resetPeakHeap() {
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        p.resetPeakUsage();
      }
    }
  }

  private static long peakHeap() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP && p.getPeakUsage() != null) {
        sum += p.getPeakUsage().getUsed();
      }
    }
    return sum;
  }
}
