package e1kfuzz.cli;

import e1kfuzz.corpus.Regression;
import e1kfuzz.corpus.TraceFiles;
import e1kfuzz.export.JunitExport;
import e1kfuzz.export.QtestExport;
import e1kfuzz.model.Trace;
import e1kfuzz.model.Variant;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
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
      "Export a trace as a qtest script for QEMU developers, or as a JUnit 5 test.",
      "Export a trace as a standalone commented qtest script (pipe it into QEMU; waits become '#!sleep') "
          + "or as a JUnit 5 test class that replays it on the model and asserts every variant's outcome."
    })
final class ExportCommand implements Callable<Integer> {
  enum Target {
    qtest,
    junit
  }

  @Spec CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "The trace to export.")
  Path file;

  @Option(names = "--to", required = true, description = "qtest or junit.")
  Target to;

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
    String other = to == Target.qtest ? "--package" : "--variant";
    if (spec.commandLine().getParseResult().hasMatchedOption(other)) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), other + " is for --to " + (to == Target.qtest ? "junit" : "qtest"));
    }
    if (output != null && !CliSupport.outputFileUsable(output, "-o", err)) {
      return ExitCodes.BAD_INPUT;
    }
    Trace trace = CliSupport.readTrace(file, err);
    if (trace == null) {
      return ExitCodes.BAD_INPUT;
    }
    if (trace.expectations().isEmpty()) {
      trace = trace.withExpectations(Regression.expectations(trace.steps(), false));
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
}
