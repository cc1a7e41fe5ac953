package e1kfuzz.cli;

import e1kfuzz.corpus.Regression;
import e1kfuzz.corpus.TraceFiles;
import e1kfuzz.engine.Shrinker;
import e1kfuzz.model.Outcome;
import e1kfuzz.model.Runner;
import e1kfuzz.model.Trace;
import e1kfuzz.model.Variant;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code e1kfuzz shrink FILE}: shrink a failing trace; the result goes next to it. */
@Command(
    name = "shrink",
    mixinStandardHelpOptions = true,
    description = {
      "Shrink a failing trace to a 1-minimal one.",
      "Shrink a failing trace to a 1-minimal one that fails with the same signature on the same variant, "
          + "and write it next to the input as <signature>-<content-hash>.trace (never over the input).",
      "Exit 3: the written trace fails (as the input did); 0: the trace fails nowhere, nothing to shrink."
    })
final class ShrinkCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "The failing trace.")
  Path file;

  @Option(
      names = "--variant",
      paramLabel = "NAME",
      converter = VariantSelection.One.class,
      description =
          "Variant whose failure to keep (default: the first variant, in registry order, on which the trace fails).")
  Variant variant;

  @Option(names = "--strict", description = "Also check the strict invariants.")
  boolean strict;

  @Option(
      names = "--zero-ns-windows",
      description =
          "Allow shrinking into a form where a step runs while a timer is already due (a 0-ns window, not replayable step by step under qtest). By default a trace that the exact builds replay shrinks to one they replay too.")
  boolean zeroNsWindows;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Trace trace = CliSupport.readTrace(file, err);
    if (trace == null) {
      return ExitCodes.BAD_INPUT;
    }
    Path folder = file.toAbsolutePath().getParent();
    if (!CliSupport.outputFolderUsable(folder, "the shrunk trace", err)) {
      return ExitCodes.BAD_INPUT;
    }
    List<Variant> candidates = variant != null ? List.of(variant) : List.of(Variant.values());
    for (Variant v : candidates) {
      if (Runner.run(v, trace.steps(), strict) instanceof Outcome.Violated violated) {
        boolean replayable =
            !zeroNsWindows && e1kfuzz.timing.ExactTiming.problem(v, trace.steps()) == null;
        Shrinker.Result r =
            Shrinker.shrink(
                v,
                trace.steps(),
                violated.signature(),
                strict,
                replayable,
                Shrinker.DEFAULT_MAX_RUNS);
        List<String> header = new ArrayList<>();
        header.add(
            "e1kfuzz shrink: " + violated.signature().id() + " on " + v.id() + ", from " + file);
        header.add(r.summary() + (replayable ? "; kept in a form the exact builds replay" : ""));
        Trace shrunk =
            Trace.of(r.steps())
                .withHeader(header)
                .withExpectations(Regression.expectations(r.steps(), strict));
        Path target =
            file.toAbsolutePath()
                .getParent()
                .resolve(Regression.fileName(violated.signature().id(), r.steps()));
        try {
          if (target.equals(file.toAbsolutePath())) {
            out.println(r.summary() + "; the input is already minimal: " + file);
            return ExitCodes.FOUND;
          }
          boolean written = TraceFiles.writeNew(target, shrunk.format());
          out.println(r.summary() + (written ? "; wrote " : "; already there: ") + target);
        } catch (FileAlreadyExistsException e) {
          err.println("e1kfuzz: " + target + " exists with different content; not overwritten");
          return ExitCodes.BAD_INPUT;
        } catch (IOException e) {
          CliSupport.cannotWriteFile(target, e, err);
          return ExitCodes.BAD_INPUT;
        }
        out.print(shrunk.format());
        // The written trace fails as the input did (shrinking keeps the failure): a finding.
        return ExitCodes.FOUND;
      }
    }
    out.println(
        "the trace fails on "
            + (variant != null ? variant.id() + " no invariant" : "no variant")
            + (strict ? "" : " (without --strict)")
            + "; nothing to shrink");
    return ExitCodes.OK;
  }
}
