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
      "Prints a step table per file and variant (time, step, ICR, IMS, mode, delayed_causes, running timers,",
      "and what the device did), then the verdicts; @expect lines in a trace are checked."
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
      converter = VariantSelection.class,
      description = "Variant to run (default: ${DEFAULT-VALUE}); see 'e1kfuzz variants'.")
  List<Variant> variants;

  @Option(names = "--format", defaultValue = "text",
      description = "text, json or html (one self-contained page, an SVG timeline per file and variant; default: ${DEFAULT-VALUE}).")
  Format format;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE",
      description = "With --format html: write the page to FILE (atomically) and print the verdicts; without it the page goes to stdout.")
  Path output;

  @Option(names = "--strict", description = "Also check the strict invariants (strict:*).")
  boolean strict;

  @Option(names = "--summary", description = "Text format: only the verdicts, no step tables.")
  boolean summary;

  enum Backend {
    model,
    qemu
  }

  @Option(names = "--backend", defaultValue = "model",
      description = "model (default) or qemu: replay on a real qemu-system-x86_64 over qtest (see 'diff' to compare both).")
  Backend backend;

  @Option(names = "--qemu", paramLabel = "PATH",
      description = "With --backend qemu: the QEMU binary, launcher or cached build name (default: qemu-system-x86_64 on PATH).")
  String qemu;

  @Option(names = "--qemu-module-dir", paramLabel = "DIR",
      description = "With --backend qemu: QEMU_MODULE_DIR for an unpacked, not installed build (accel-tcg module).")
  java.nio.file.Path moduleDir;

  @Override
  public Integer call() {
    if (output != null && format != Format.html) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "-o/--output needs --format html");
    }
    if (format == Format.html && backend != Backend.model) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--format html needs --backend model");
    }
    if (backend == Backend.qemu && format != Format.text) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--backend qemu prints text only (use 'e1kfuzz diff' to compare with the model)");
    }
    if (backend == Backend.qemu) {
      return new QemuReplay(spec, files, qemu, moduleDir, variants.size() == 1 ? variants.get(0) : null).call();
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
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
      for (Variant v : variants) {
        ReplayResult r = Replay.run(file.toString(), trace, v, strict, tables || format == Format.html);
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
          err.println("e1kfuzz: cannot write " + output + ": " + e.getMessage());
          return ExitCodes.BAD_INPUT;
        }
        out.println("HTML timelines: " + output);
      }
      out.println("Verdicts" + (strict ? " (strict)" : "") + ":");
      out.print(ReplayText.summary(results));
      long bad = results.stream().filter(r -> !r.ok()).count();
      out.printf("%d runs, %d as expected or ok, %d violated or mismatched, %d unreadable files%n",
          results.size(), results.size() - bad, bad, errors.size());
    }
    if (!errors.isEmpty()) {
      return ExitCodes.BAD_INPUT;
    }
    return results.stream().allMatch(ReplayResult::ok) ? ExitCodes.OK : ExitCodes.FOUND;
  }
}
