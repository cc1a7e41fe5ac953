package e1kfuzz.cli;

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
    description = "Manage the regression corpus.",
    subcommands = {CorpusCommand.Add.class, CorpusCommand.Check.class})
final class CorpusCommand {

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description = {
        "Validate traces, compute the @expect line of every variant by running them, and store each",
        "under the corpus folder as <signature>-<content-hash>.trace (existing files are never replaced)."
      })
  static final class Add implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE")
    List<Path> files;

    @Option(names = "--corpus", paramLabel = "DIR", defaultValue = "corpus", description = "Corpus folder (default: ${DEFAULT-VALUE}).")
    Path corpus;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      int code = ExitCodes.OK;
      for (Path f : files) {
        Trace t = CliSupport.readTrace(f, err);
        if (t == null) {
          code = ExitCodes.BAD_INPUT;
          continue;
        }
        List<Expectation> expect = Regression.expectations(t.steps(), false);
        Trace stored = t.withExpectations(expect);
        Path target = corpus.resolve(Regression.fileName(Regression.leadingResult(expect), t.steps()));
        try {
          boolean written = TraceFiles.writeNew(target, stored.format());
          out.println((written ? "added " : "already there: ") + target + "  (from " + f + ")");
        } catch (FileAlreadyExistsException e) {
          err.println("e1kfuzz: " + target + " exists with different content; not overwritten");
          code = ExitCodes.INTERNAL_ERROR;
        } catch (IOException e) {
          err.println("e1kfuzz: cannot write " + target + ": " + e.getMessage());
          return ExitCodes.INTERNAL_ERROR;
        }
      }
      return code;
    }
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = "Replay every .trace in the folder against its @expect lines (all variants).")
  static final class Check implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "DIR", defaultValue = "corpus")
    Path dir;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      List<Path> files;
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
        out.println(r.file() + ": " + ReplayText.verdict(r)
            + (r.expected().isEmpty() ? "  MISSING @expect line" : ""));
        bad++;
      }
      out.printf("%d files, %d variants each: %d mismatches, %d unreadable%n", files.size(), Variant.values().length, bad, unreadable);
      return unreadable > 0 ? ExitCodes.BAD_INPUT : bad > 0 ? ExitCodes.FOUND : ExitCodes.OK;
    }
  }
}
