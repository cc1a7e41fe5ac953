package e1kfuzz.cli;

import e1kfuzz.corpus.BadInputException;
import e1kfuzz.corpus.FindingWriter;
import e1kfuzz.corpus.FindingsMerge;
import e1kfuzz.corpus.Regression;
import e1kfuzz.corpus.TraceFiles;
import e1kfuzz.engine.Replay;
import e1kfuzz.engine.ReplayResult;
import e1kfuzz.model.Expectation;
import e1kfuzz.model.Trace;
import e1kfuzz.model.Variant;
import e1kfuzz.report.ReplayText;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code e1kfuzz corpus add|check}: keep regression traces. */
@Command(
    name = "corpus",
    mixinStandardHelpOptions = true,
    description = {
      "Manage the regression corpus: corpus add FILE..., corpus check [DIR].",
      "Run 'e1kfuzz help corpus add' or 'e1kfuzz corpus check --help' for each subcommand."
    },
    subcommands = {CorpusCommand.Add.class, CorpusCommand.Check.class})
final class CorpusCommand {

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description = {
        "Store traces in the corpus with the @expect line of every variant, as merge then expects them.",
        "Validate each trace, compute every variant's @expect line by running it, and store it under the corpus folder "
            + "as <signature>-<content-hash>.trace, named after the finding it keeps (existing files are never replaced).",
        "A trace whose findings or @expect lines name a strict signature is stored with the outcomes under the strict "
            + "invariants (replay, corpus check and merge then read it that way). @expect lines already in the trace are kept; "
            + "when one disagrees with what the trace does, the trace is refused (exit 2) with the variant named."
      })
  static final class Add implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(
        arity = "1..*",
        paramLabel = "FILE",
        description =
            "Traces to store: findings (from fuzz, merge, explore, shrink...) or hand-written ones.")
    List<Path> files;

    @Option(
        names = "--corpus",
        paramLabel = "DIR",
        defaultValue = "corpus",
        description = "Corpus folder (default: ${DEFAULT-VALUE}).")
    Path corpus;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      if (!CliSupport.outputFolderUsable(corpus, "the corpus", err)) {
        return ExitCodes.BAD_INPUT;
      }
      int code = ExitCodes.OK;
      for (Path f : files) {
        Case c;
        try {
          c = regressionCase(f);
        } catch (BadInputException e) {
          err.println("e1kfuzz: " + e.getMessage());
          code = ExitCodes.BAD_INPUT;
          continue;
        }
        Path target = corpus.resolve(Regression.fileName(c.name(), c.trace().steps()));
        List<String> header = new ArrayList<>();
        for (String h : c.trace().header()) {
          // The finding's own replay line named its old place.
          header.add(
              h.startsWith("replay: ")
                  ? "replay: ./e1kfuzz replay " + FindingWriter.replayPath(target)
                  : h);
        }
        try {
          boolean written = TraceFiles.writeNew(target, c.trace().withHeader(header).format());
          out.println(
              (written ? "added " : "already there: ")
                  + target
                  + "  (from "
                  + f
                  + (c.strict() ? "; strict" : "")
                  + ")");
        } catch (FileAlreadyExistsException e) {
          err.println("e1kfuzz: " + target + " exists with different content; not overwritten");
          code = ExitCodes.BAD_INPUT;
        } catch (IOException e) {
          CliSupport.cannotWriteFile(target, e, err);
          return ExitCodes.BAD_INPUT;
        }
      }
      return code;
    }

    /**
     * A trace as the corpus keeps it, the signature its name gives, and whether its lines are
     * strict.
     */
    record Case(Trace trace, String name, boolean strict) {}

    /**
     * The corpus form of a trace: its {@code @expect} lines (kept when it has them and they hold,
     * computed for the variants they do not cover) state the outcome of every variant, with the
     * strict invariants when its findings or lines name a strict signature, so that every finding
     * it claims is among them and {@code merge} recognises it.
     */
    static Case regressionCase(Path f) throws BadInputException {
      FindingsMerge.Source source = FindingsMerge.readClaims(f);
      Trace t = source.trace();
      for (FindingsMerge.Key k : source.keys()) {
        if (k.signature().equals(FindingsMerge.INTERNAL_ERROR)) {
          throw new BadInputException(
              f
                  + ": an internal error of e1kfuzz on "
                  + k.variant()
                  + " (a bug to report, with the stack trace next to it), not a regression case");
        }
      }
      boolean strict =
          t.strictExpectations()
              || source.keys().stream().anyMatch(k -> k.signature().startsWith("strict:"));
      List<Expectation> computed = Regression.expectations(t.steps(), strict);
      String mode = strict ? "with the strict invariants" : "without the strict invariants";
      List<String> disagree = new ArrayList<>();
      List<Expectation> expect = new ArrayList<>(t.expectations());
      boolean any =
          t.expectations().stream().anyMatch(e -> e.variant().equals(Expectation.ANY_VARIANT));
      for (int i = 0; i < computed.size(); i++) {
        Variant v = Variant.values()[i];
        String does = computed.get(i).result();
        var stated = t.expectedResult(v);
        if (stated.isPresent() && !stated.get().equals(does)) {
          disagree.add(v.id() + ": @expect says " + stated.get() + ", the trace gives " + does);
        } else if (stated.isEmpty() && !any) {
          expect.add(computed.get(i));
        }
      }
      if (!disagree.isEmpty()) {
        throw new BadInputException(
            f
                + ": its @expect lines disagree with what it does ("
                + mode
                + "): "
                + String.join("; ", disagree)
                + "; correct them, or delete them and corpus add computes them");
      }
      for (FindingsMerge.Key k : source.keys()) {
        String does = computed.get(Variant.byId(k.variant()).orElseThrow().ordinal()).result();
        if (!does.equals(k.signature())) {
          throw new BadInputException(
              f
                  + ": it claims "
                  + k.signature()
                  + " on "
                  + k.variant()
                  + ", but "
                  + mode
                  + " the trace gives "
                  + does
                  + " there: one @expect line per variant cannot state every finding it claims; "
                  + "add a copy per finding, each claiming one of them");
        }
      }
      String name =
          source.keys().isEmpty()
              ? Regression.leadingResult(expect)
              : source.keys().iterator().next().signature();
      return new Case(t.withExpectations(expect), name, strict);
    }
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = {
        "Replay every .trace in the corpus folder against its @expect lines, on every variant (exit 3 on a mismatch).",
        "A file whose @expect lines name a strict signature runs with the strict invariants."
      })
  static final class Check implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(
        arity = "0..1",
        paramLabel = "DIR",
        defaultValue = "corpus",
        description = "The corpus folder (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      List<Path> files;
      if (!Files.isDirectory(dir)) {
        err.println(
            "e1kfuzz: corpus folder "
                + dir
                + (Files.exists(dir) ? " is not a folder" : " does not exist")
                + " (corpus check [DIR] replays the .trace files of a folder; default: corpus)");
        return ExitCodes.BAD_INPUT;
      }
      try (Stream<Path> s = Files.list(dir)) {
        files = s.filter(p -> p.toString().endsWith(".trace")).sorted().toList();
      } catch (IOException e) {
        err.println("e1kfuzz: cannot list " + dir + ": " + e1kfuzz.corpus.TraceFiles.describe(e));
        return ExitCodes.BAD_INPUT;
      }
      int bad = 0;
      int unreadable = 0;
      List<ReplayResult> mismatches = new ArrayList<>();
      for (Path f : files) {
        Trace t = CliSupport.readTrace(f, err);
        if (t == null) {
          unreadable++;
          continue;
        }
        for (Variant v : Variant.values()) {
          ReplayResult r = Replay.run(f.toString(), t, v, false, false);
          if (r.expected().isEmpty() || r.expectationFailed()) {
            mismatches.add(r);
          }
        }
      }
      for (ReplayResult r : mismatches) {
        out.println(
            r.file()
                + ": "
                + ReplayText.verdict(r)
                + (r.expected().isEmpty() ? "  MISSING @expect line" : ""));
        bad++;
      }
      out.printf(
          "%s, %d variants each: %s, %d unreadable%n",
          CliSupport.count(files.size(), "file"),
          Variant.values().length,
          CliSupport.count(bad, "mismatch", "mismatches"),
          unreadable);
      return unreadable > 0 ? ExitCodes.BAD_INPUT : bad > 0 ? ExitCodes.FOUND : ExitCodes.OK;
    }
  }
}
