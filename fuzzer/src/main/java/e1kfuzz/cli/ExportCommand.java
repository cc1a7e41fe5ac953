package e1kfuzz.cli;

import e1kfuzz.corpus.Regression;
import e1kfuzz.corpus.TraceFiles;
import e1kfuzz.diff.Confirmation;
import e1kfuzz.export.IssueReport;
import e1kfuzz.export.JunitExport;
import e1kfuzz.export.QtestCExport;
import e1kfuzz.export.QtestExport;
import e1kfuzz.model.Trace;
import e1kfuzz.model.Variant;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code e1kfuzz export}: a reproducer QEMU developers can run without e1kfuzz, or a JUnit test.
 */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {
      "Export a trace as a qtest script, a C qtest or a patch for QEMU developers, or as a JUnit 5"
          + " test.",
      "Export a trace as a standalone commented qtest script (pipe it into QEMU; waits become '#!sleep'),"
          + " as a JUnit 5 test class that replays it on the model and asserts every variant's outcome,"
          + " or a trace or a folder of traces as one C test file for QEMU's tests/qtest (--to qtest-c)"
          + " or as a patch that adds that file to a QEMU source tree (--to qemu-patch), or one"
          + " finding as an issue-ready Markdown report (--to report), checked on the exact builds"
          + " there are."
    })
final class ExportCommand implements Callable<Integer> {
  enum Target {
    qtest,
    junit,
    qtest_c,
    qemu_patch,
    report;

    /** Accepts qtest-c and qemu-patch as written on the command line. */
    static final class Converter implements picocli.CommandLine.ITypeConverter<Target> {
      @Override
      public Target convert(String value) {
        try {
          return Target.valueOf(value.replace('-', '_'));
        } catch (IllegalArgumentException e) {
          throw new picocli.CommandLine.TypeConversionException(
              "'" + value + "' is not one of qtest, junit, qtest-c, qemu-patch, report");
        }
      }
    }
  }

  @Spec CommandSpec spec;

  @Parameters(
      paramLabel = "FILE",
      description = "The trace to export (with --to qtest-c or qemu-patch: or a folder of them).")
  Path file;

  @Option(
      names = "--to",
      required = true,
      converter = Target.Converter.class,
      description = "qtest, junit, qtest-c, qemu-patch or report.")
  Target to;

  @Option(
      names = "--tree",
      paramLabel = "TREE",
      defaultValue = "trixie",
      description =
          "With --to qtest-c or qemu-patch: the QEMU source tree the tests are for, bookworm"
              + " (QEMU 7.2) or trixie (QEMU 10.0), as 'make qemu-src' builds them (default:"
              + " ${DEFAULT-VALUE}).")
  String tree;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "OUT",
      description = "Write here (never over a different existing file); default: standard output.")
  Path output;

  @Option(
      names = "--variant",
      paramLabel = "NAME",
      defaultValue = "qemu-10.2",
      converter = VariantSelection.One.class,
      description =
          "With --to qtest: the variant whose model state is written as comments (default: ${DEFAULT-VALUE}).")
  Variant variant;

  @Option(
      names = "--package",
      paramLabel = "PKG",
      description = "With --to junit: the Java package of the class (default: none).")
  String packageName;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (to == Target.qtest_c || to == Target.qemu_patch) {
      return exportC(out, err);
    }
    if (to == Target.report) {
      return exportReport(out, err);
    }
    if (spec.commandLine().getParseResult().hasMatchedOption("--tree")) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--tree is for --to qtest-c or qemu-patch");
    }
    String other = to == Target.qtest ? "--package" : "--variant";
    if (spec.commandLine().getParseResult().hasMatchedOption(other)) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), other + " is for --to " + (to == Target.qtest ? "junit" : "qtest"));
    }
    if (output != null && !CliSupport.outputFileUsable(output, "-o", err)) {
      return ExitCodes.BAD_INPUT;
    }
    Trace trace = readWithExpectations(file, err);
    if (trace == null) {
      return ExitCodes.BAD_INPUT;
    }
    String text;
    String name = file.getFileName().toString();
    if (to == Target.qtest) {
      String why = QtestExport.unsupported(trace.steps());
      if (why == null
          && trace.steps().stream().anyMatch(s -> s instanceof e1kfuzz.model.Step.Expire)) {
        why = "expire has no fixed duration in real time; run 'e1kfuzz robustify' first";
      }
      if (why != null) {
        err.println("e1kfuzz: " + file + ": cannot export to qtest: " + why);
        return ExitCodes.BAD_INPUT;
      }
      text = QtestExport.script(name, trace, variant);
    } else {
      String cls =
          output != null
              ? output.getFileName().toString().replaceAll("\\.java$", "")
              : JunitExport.className(name);
      if (!javax.lang.model.SourceVersion.isName(cls) || cls.contains(".")) {
        err.println(
            "e1kfuzz: -o "
                + output
                + ": the file of a JUnit class is named after it, and '"
                + cls
                + "' is no Java class name; try -o "
                + JunitExport.className(cls)
                + ".java");
        return ExitCodes.BAD_INPUT;
      }
      text = JunitExport.source(packageName, cls, name, trace);
    }
    return write(text, out, err);
  }

  private int write(String text, PrintWriter out, PrintWriter err) {
    if (output == null) {
      out.print(text);
      return ExitCodes.OK;
    }
    try {
      boolean written = TraceFiles.writeNew(output, text);
      err.println((written ? "wrote " : "already there: ") + output);
      return ExitCodes.OK;
    } catch (FileAlreadyExistsException e) {
      err.println("e1kfuzz: " + output + " exists with different content; not overwritten");
      return ExitCodes.BAD_INPUT;
    } catch (IOException e) {
      CliSupport.cannotWriteFile(output, e, err);
      return ExitCodes.BAD_INPUT;
    }
  }

  /** {@code --to qtest-c} and {@code --to qemu-patch}: one C test per trace of FILE or folder. */
  private int exportC(PrintWriter out, PrintWriter err) {
    QtestCExport.Tree t;
    try {
      t = QtestCExport.Tree.valueOf(tree.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--tree: '" + tree + "' is not one of bookworm, trixie");
    }
    refuse("--to qtest-c or qemu-patch", "--variant", "--package");
    if (output != null && !CliSupport.outputFileUsable(output, "-o", err)) {
      return ExitCodes.BAD_INPUT;
    }
    List<Path> files;
    try (java.util.stream.Stream<Path> list =
        Files.isDirectory(file) ? Files.list(file) : java.util.stream.Stream.of(file)) {
      files = list.filter(p -> p.toString().endsWith(".trace")).sorted().toList();
    } catch (IOException e) {
      err.println("e1kfuzz: " + file + ": cannot list: " + CliSupport.why(e));
      return ExitCodes.BAD_INPUT;
    }
    List<QtestCExport.Named> traces = new ArrayList<>();
    for (Path f : files) {
      Trace trace = readWithExpectations(f, err);
      if (trace == null) {
        return ExitCodes.BAD_INPUT;
      }
      String why = QtestCExport.unsupported(trace, t);
      if (why != null) {
        err.println("e1kfuzz: " + f + ": not exported to C: " + why);
        continue;
      }
      traces.add(new QtestCExport.Named(f.getFileName().toString(), trace));
    }
    if (traces.isEmpty()) {
      err.println("e1kfuzz: " + file + ": no trace to export to C");
      return ExitCodes.BAD_INPUT;
    }
    String text =
        to == Target.qtest_c ? QtestCExport.testFile(traces, t) : QtestCExport.patch(traces, t);
    if (Files.isDirectory(file)) {
      err.println(
          "e1kfuzz: " + traces.size() + " of " + files.size() + " traces exported for " + t.id());
    }
    return write(text, out, err);
  }

  /** {@code --to report}: the finding of one trace, with what each exact build here shows. */
  private int exportReport(PrintWriter out, PrintWriter err) {
    refuse("--to report", "--variant", "--package", "--tree");
    if (output != null && !CliSupport.outputFileUsable(output, "-o", err)) {
      return ExitCodes.BAD_INPUT;
    }
    Trace trace = readWithExpectations(file, err);
    if (trace == null) {
      return ExitCodes.BAD_INPUT;
    }
    java.util.Map<Variant, String> evidence = new java.util.EnumMap<>(Variant.class);
    for (Variant v : Variant.values()) {
      e1kfuzz.model.Signature sig =
          e1kfuzz.model.Signature.byId(trace.expectedResult(v).orElse("ok")).orElse(null);
      Confirmation.Verdict verdict = Confirmation.check(v, trace.steps(), sig);
      if (verdict != null) {
        evidence.put(v, verdict.text());
      }
    }
    return write(IssueReport.markdown(file.getFileName().toString(), trace, evidence), out, err);
  }

  /** Usage error (exit 2) when one of {@code options} was given, which {@code target} ignores. */
  private void refuse(String target, String... options) {
    for (String o : options) {
      if (spec.commandLine().getParseResult().hasMatchedOption(o)) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(), o + " is not for " + target);
      }
    }
  }

  /** The trace, with the outcomes the model gives when it states none; null after an error. */
  private static Trace readWithExpectations(Path f, PrintWriter err) {
    Trace trace = CliSupport.readTrace(f, err);
    if (trace != null && trace.expectations().isEmpty()) {
      trace = trace.withExpectations(Regression.expectations(trace.steps(), false));
    }
    return trace;
  }
}
