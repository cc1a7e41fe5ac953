package e1kfuzz.cli;

import e1kfuzz.corpus.FindingsMerge;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code e1kfuzz merge}: the findings of several shards, one trace per variant and signature. */
@Command(
    name = "merge",
    mixinStandardHelpOptions = true,
    description = {
      "Merge the findings of several campaigns and say which ones the corpus does not expect (exit 6).",
      "Merge findings folders (the shards of a nightly campaign): keep the shortest trace per variant and signature "
          + "(ties: smaller step text, then file name, then path), write them into --out, and exit 6 when one of them is "
          + "not stated by an @expect line of the corpus. Every finding is checked by replay."
    })
final class MergeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      arity = "1..*",
      paramLabel = "DIR|FILE",
      description = "Findings folders or trace files.")
  List<Path> inputs;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "findings-merged",
      description =
          "Where the merged findings go (default: ${DEFAULT-VALUE}); existing files are never replaced.")
  Path out;

  static final String DEFAULT_CORPUS = "corpus";

  @Option(
      names = "--corpus",
      paramLabel = "DIR",
      defaultValue = DEFAULT_CORPUS,
      description =
          "Corpus whose @expect lines say what is already known (default: ${DEFAULT-VALUE}).")
  Path corpus;

  @Override
  public Integer call() {
    PrintWriter stdout = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!CliSupport.outputFolderUsable(out, "the merged findings", err)) {
      return ExitCodes.BAD_INPUT;
    }
    FindingsMerge.Result r = FindingsMerge.merge(inputs, corpus);
    r.errors().forEach(e -> err.println("e1kfuzz: " + e));
    List<FindingsMerge.Output> written;
    try {
      written = FindingsMerge.write(r, out);
    } catch (IOException e) {
      CliSupport.cannotWrite(out, e, err);
      return ExitCodes.BAD_INPUT;
    }
    var chosen = FindingsMerge.byKey(r);
    stdout.printf(
        Locale.ROOT,
        "%-16s %-40s %6s %6s  %-8s %s%n",
        "VARIANT",
        "SIGNATURE",
        "STEPS",
        "FILES",
        "CORPUS",
        "FILE");
    for (FindingsMerge.Output o : written) {
      for (FindingsMerge.Key k : o.keys()) {
        FindingsMerge.Chosen c = chosen.get(k);
        stdout.printf(
            Locale.ROOT,
            "%-16s %-40s %6d %6d  %-8s %s%s%n",
            k.variant(),
            k.signature(),
            c.source().trace().steps().size(),
            c.candidates(),
            r.expected().contains(k) ? "expected" : "NEW",
            o.file(),
            o.alreadyPresent() ? " (already there)" : "");
      }
    }
    stdout.printf(
        Locale.ROOT,
        "%s read, %d unreadable or wrong; %s in %s; %d not in %s%n",
        CliSupport.count(r.filesRead(), "file"),
        r.errors().size(),
        CliSupport.count(r.chosen().size(), "variant/signature pair"),
        CliSupport.count(written.size(), "file"),
        r.unexpected().size(),
        corpus);
    java.util.Map<FindingsMerge.Key, Path> fileOf = new java.util.HashMap<>();
    written.forEach(o -> o.keys().forEach(k -> fileOf.put(k, o.file())));
    for (FindingsMerge.Key k : r.unexpected()) {
      Path f = fileOf.get(k);
      stdout.println(
          "NEW: "
              + k.signature()
              + " on "
              + k.variant()
              + ": "
              + f
              + (k.signature().equals(FindingsMerge.INTERNAL_ERROR)
                  ? " (a bug in e1kfuzz; stack trace in " + FindingsMerge.stackFile(f) + ")"
                  : "; once understood, keep it: ./e1kfuzz corpus add "
                      + f
                      + (corpus.equals(Path.of(DEFAULT_CORPUS)) ? "" : " --corpus " + corpus)));
    }
    stdout.flush();
    if (!r.unexpected().isEmpty()) {
      return ExitCodes.NEW_FINDING;
    }
    return r.errors().isEmpty() ? ExitCodes.OK : ExitCodes.BAD_INPUT;
  }
}
