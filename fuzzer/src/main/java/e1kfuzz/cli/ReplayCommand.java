package e1kfuzz.cli;

import e1kfuzz.corpus.BadInputException;
import e1kfuzz.corpus.TraceFiles;
import e1kfuzz.engine.Replay;
import e1kfuzz.engine.ReplayResult;
import e1kfuzz.model.Trace;
import e1kfuzz.model.Variant;
import e1kfuzz.report.HtmlReport;
import e1kfuzz.report.ReplayJson;
import e1kfuzz.report.ReplayText;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code e1kfuzz replay}: run trace files on the model and say what each variant does. */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Replay trace files on the model of one variant or all of them, checking every invariant after every step.",
      "Prints a step table per file and variant (time, step, ICR, IMS, mode, delayed_causes, running timers, "
          + "and what the device did), then the verdicts; @expect lines in a trace are checked."
    })
final class ReplayCommand implements Callable<Integer> {
  enum Format {
    text,
    json,
    html
  }

  @Spec CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "Trace files (.trace).")
  List<Path> files;

  @Option(
      names = "--variant",
      paramLabel = "NAME|all",
      defaultValue = "all",
      split = ",",
      converter = VariantSelection.class,
      description =
          "Variant to run, or all (default: ${DEFAULT-VALUE}); several may be given; see 'e1kfuzz variants'. "
              + "With --backend qemu: the variant whose @expect lines QEMU is held to (default: the one the build maps to).")
  List<Variant> variants;

  @Option(
      names = "--format",
      defaultValue = "text",
      description =
          "text, json or html (one self-contained page, an SVG timeline per file and variant; default: ${DEFAULT-VALUE}).")
  Format format;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description =
          "With --format html: write the page to FILE (atomically) and print the verdicts; without it the page goes to stdout.")
  Path output;

  @Option(
      names = "--strict",
      description =
          "Also check the strict invariants (strict:*). A file whose @expect lines name no strict signature is "
              + "still held to them by a run without the strict invariants; the strict violations are shown.")
  boolean strict;

  @Option(names = "--summary", description = "Text format: only the verdicts, no step tables.")
  boolean summary;

  enum Backend {
    model,
    qemu
  }

  @Option(
      names = "--backend",
      defaultValue = "model",
      description =
          "model (default) or qemu: replay on a real qemu-system-x86_64 over qtest (see 'diff' to compare both).")
  Backend backend;

  @picocli.CommandLine.Mixin QemuOptions qemuOptions = new QemuOptions();

  @Override
  public Integer call() {
    if (output != null && format != Format.html) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "-o/--output needs --format html");
    }
    if (format == Format.html && backend != Backend.model) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--format html needs --backend model");
    }
    if (backend == Backend.qemu && format != Format.text) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(),
          "--backend qemu prints text only (use 'e1kfuzz diff' to compare with the model)");
    }
    if (summary && format != Format.text) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--summary is for the text format");
    }
    if (backend == Backend.qemu) {
      for (String o : new String[] {"--strict", "--summary"}) {
        if (spec.commandLine().getParseResult().hasMatchedOption(o)) {
          throw new picocli.CommandLine.ParameterException(
              spec.commandLine(),
              o + " cannot be combined with --backend qemu: QEMU shows its aborts, step by step");
        }
      }
      if (QemuOptions.ALL.equals(qemuOptions.qemu)) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(),
            "--qemu all is for diff and fuzz --backend diff; replay --backend qemu runs one build");
      }
      List<Variant> vs = VariantSelection.distinct(variants);
      if (vs.size() > 1 && spec.commandLine().getParseResult().hasMatchedOption("--variant")) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(),
            "--backend qemu holds one build to one variant's @expect lines: give one --variant, or none (the build's own)");
      }
      return new QemuReplay(
              spec,
              files,
              qemuOptions.qemu,
              qemuOptions.moduleDir,
              vs.size() == 1 ? vs.get(0) : null)
          .call();
    }
    if (qemuOptions.given()) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), qemuOptions.givenName() + " needs --backend qemu");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (output != null && !CliSupport.outputFileUsable(output, "-o", err)) {
      return ExitCodes.BAD_INPUT;
    }
    List<Variant> variants = VariantSelection.distinct(this.variants);
    List<String> strictFiles = new ArrayList<>();
    boolean tables = format == Format.text && !summary;
    List<ReplayResult> results = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    for (Path file : files) {
      Trace trace;
      try {
        trace = TraceFiles.read(file);
      } catch (BadInputException e) {
        errors.add(e.getMessage());
        err.println("e1kfuzz: " + e.getMessage());
        continue;
      }
      if (!strict && trace.strictExpectations()) {
        strictFiles.add(file.toString());
      }
      for (Variant v : variants) {
        ReplayResult r =
            Replay.run(file.toString(), trace, v, strict, tables || format == Format.html);
        results.add(r);
        if (tables) {
          out.print(ReplayText.table(r));
          out.println();
        }
      }
    }
    if (format == Format.json) {
      out.print(ReplayJson.render(results, errors));
    } else if (format == Format.html && output == null) {
      out.print(HtmlReport.ofReplays(results, errors).render());
    } else {
      if (format == Format.html) {
        try {
          HtmlReport.ofReplays(results, errors).write(output);
        } catch (java.io.IOException e) {
          CliSupport.cannotWriteFile(output, e, err);
          return ExitCodes.BAD_INPUT;
        }
        out.println("HTML timelines: " + output);
      }
      out.println("Verdicts" + (strict ? " (strict)" : "") + ":");
      out.print(ReplayText.summary(results));
      for (String f : strictFiles) {
        out.println(
            "note: "
                + f
                + ": its @expect lines name strict signatures, so it ran with the strict invariants");
      }
      long bad = results.stream().filter(r -> !r.ok()).count();
      long violatedAsExpected =
          results.stream()
              .filter(
                  r ->
                      r.ok()
                          && r.outcome() instanceof e1kfuzz.model.Outcome.Violated
                          && !r.metWithoutStrict())
              .count();
      out.printf(
          "%s: %d as expected (%d violated as expected), %d unexpected (violated or mismatched), %s%n",
          CliSupport.count(results.size(), "run"),
          results.size() - bad,
          violatedAsExpected,
          bad,
          CliSupport.count(errors.size(), "unreadable file"));
    }
    if (!errors.isEmpty()) {
      return ExitCodes.BAD_INPUT;
    }
    return results.stream().allMatch(ReplayResult::ok) ? ExitCodes.OK : ExitCodes.FOUND;
  }
}
