package e1kfuzz.cli;

import e1kfuzz.corpus.BadInputException;
import e1kfuzz.corpus.Regression;
import e1kfuzz.corpus.TraceFiles;
import e1kfuzz.model.Expectation;
import e1kfuzz.model.Runner;
import e1kfuzz.model.Step;
import e1kfuzz.model.Trace;
import e1kfuzz.model.TraceParser;
import e1kfuzz.model.TraceSyntaxException;
import e1kfuzz.model.Variant;
import e1kfuzz.timing.Robustifier;
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
 * {@code e1kfuzz robustify FILE}: rewrite a trace so that real-time replays keep its order of
 * events.
 */
@Command(
    name = "robustify",
    mixinStandardHelpOptions = true,
    description = {
      "Rewrite a trace with timing margins for real-time replay on QEMU.",
      "Rewrite a trace so that it keeps the same order of events when replayed on a QEMU whose clock follows "
          + "the host clock (Debian builds, no qtest accelerator; see 'diff'): expire steps become waits a margin after "
          + "the deadline, delay (RDTR RADV RAID TIDV TADV) and ITR/EITR values are scaled so timer periods exceed the "
          + "margin (a write of the scaled default is inserted where the trace relies on the 128 us ITR/EITR default), "
          + "and waits are placed between the new deadlines.",
      "Every rewrite is checked on the model: same outcome and same events per step on every variant asked for. "
          + "Writes <stem>.robust.trace next to the input (never over the input or a different existing file), keeping "
          + "its header, comments (a time they name is marked as the input's when periods were scaled) and @expect lines.",
      "Exit 0: written (or already robust), 8: could not be made robust (the reason is printed), 2: bad input."
    })
final class RobustifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(paramLabel = "FILE", description = "The trace to rewrite.")
  Path file;

  @Option(
      names = "--variant",
      paramLabel = "NAME|all",
      defaultValue = "all",
      split = ",",
      converter = VariantSelection.class,
      description =
          "Variant whose outcome and order of events must be kept, or all (default: ${DEFAULT-VALUE}: every variant); several may be given.")
  List<Variant> variants;

  @Option(
      names = "--margin",
      paramLabel = "DURATION",
      defaultValue = "5ms",
      converter = DurationConverter.class,
      description = "How late a step may land (default: ${DEFAULT-VALUE}).")
  java.time.Duration margin;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "OUT",
      description = "Where to write (default: <stem>.robust.trace next to FILE).")
  Path output;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    long marginNs = margin.toNanos();
    List<Variant> variants = VariantSelection.distinct(this.variants);
    Path target = output != null ? output : sibling(file);
    if (!CliSupport.outputFileUsable(target, output != null ? "-o" : "the robust trace", err)) {
      return ExitCodes.BAD_INPUT;
    }
    Trace trace;
    String text;
    try {
      trace = TraceFiles.read(file);
      text = TraceFiles.readText(file);
    } catch (BadInputException e) {
      err.println("e1kfuzz: " + e.getMessage());
      return ExitCodes.BAD_INPUT;
    }
    boolean all = variants.size() == Variant.values().length;
    String on =
        all
            ? "every variant"
            : variants.stream().map(Variant::id).collect(java.util.stream.Collectors.joining(", "));
    String marginText = Step.formatDuration(marginNs);
    Robustifier.Result r = Robustifier.robustify(trace.steps(), variants, marginNs);
    switch (r.status()) {
      case ALREADY_ROBUST -> {
        out.println(
            file
                + ": already timing-robust with margin "
                + marginText
                + " on "
                + on
                + "; nothing written");
        return ExitCodes.OK;
      }
      case NOT_ROBUST -> {
        out.println(
            file
                + ": cannot be made timing-robust with margin "
                + marginText
                + " on "
                + on
                + ": "
                + r.reason());
        return ExitCodes.NOT_ROBUST;
      }
      default -> {}
    }

    if (target.toAbsolutePath().normalize().equals(file.toAbsolutePath().normalize())
        || sameFile(target, file)) {
      err.println("e1kfuzz: " + target + " is the input; not overwritten (choose another -o)");
      return ExitCodes.BAD_INPUT;
    }
    List<String> header = new ArrayList<>(trace.header());
    header.add(
        "robustified for real-time replay, margin "
            + marginText
            + (all ? "" : " (kept for " + on + " only)")
            + ", from "
            + file.getFileName()
            + ": "
            + String.join("; ", r.rewrites()));
    // The outcomes are unchanged by construction on the variants asked for; the input's @expect
    // lines
    // stay unless another variant's outcome changed (only possible with --variant).
    List<String> changed = new ArrayList<>();
    for (Variant v : Variant.values()) {
      if (!Runner.run(v, trace.steps(), false)
          .result()
          .equals(Runner.run(v, r.steps(), false).result())) {
        changed.add(v.id());
      }
    }
    List<String> expectLines = new ArrayList<>();
    if (changed.isEmpty()) {
      expectLines.addAll(rawExpectLines(text, trace));
    } else {
      for (Expectation e : Regression.expectations(r.steps(), false)) {
        expectLines.add(e.format());
      }
    }
    String body = render(header, expectLines, r, text, trace);
    try {
      Trace back = TraceParser.parse(target.toString(), body);
      if (!back.steps().equals(r.steps())) {
        throw new IllegalStateException(
            "the written text does not parse back to the rewritten steps");
      }
    } catch (TraceSyntaxException e) {
      throw new IllegalStateException("the written text does not parse: " + e.getMessage(), e);
    }
    boolean written;
    try {
      written = TraceFiles.writeNew(target, body);
    } catch (FileAlreadyExistsException e) {
      err.println(
          "e1kfuzz: "
              + target
              + " exists with different content; not overwritten (choose another -o)");
      return ExitCodes.BAD_INPUT;
    } catch (IOException e) {
      CliSupport.cannotWriteFile(target, e, err);
      return ExitCodes.BAD_INPUT;
    }
    out.println(
        file
            + ": timing-robust with margin "
            + marginText
            + " on "
            + on
            + " after: "
            + String.join("; ", r.rewrites()));
    if (!changed.isEmpty()) {
      out.println(
          "note: the outcome changed on "
              + String.join(", ", changed)
              + "; its @expect lines were recomputed");
    }
    out.println((written ? "wrote " : "already there: ") + target);
    return ExitCodes.OK;
  }

  /** {@code dir/x.trace} -> {@code dir/x.robust.trace}. */
  static Path sibling(Path file) {
    String name = file.getFileName().toString();
    String stem =
        name.endsWith(".trace") ? name.substring(0, name.length() - ".trace".length()) : name;
    Path dir = file.toAbsolutePath().getParent();
    return dir.resolve(stem + ".robust.trace");
  }

  private static boolean sameFile(Path a, Path b) {
    try {
      return Files.exists(a) && Files.isSameFile(a, b);
    } catch (IOException e) {
      return false;
    }
  }

  /** Comments around one step line of the input: full comment lines before it, and its own. */
  private record StepComments(List<String> before, String trailing) {}

  /**
   * The comments of the input's step lines, read as {@link TraceParser} splits lines ({@code #}
   * starts a comment anywhere); null if the lines do not match the parsed steps.
   */
  private static List<StepComments> stepComments(String text, Trace trace) {
    List<StepComments> out = new ArrayList<>();
    List<String> pending = new ArrayList<>();
    boolean inHeader = true;
    for (String raw : text.split("\n", -1)) {
      String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
      String trimmed = line.strip();
      if (trimmed.startsWith("#")) {
        if (!inHeader) {
          pending.add(trimmed);
        }
        continue;
      }
      int hash = line.indexOf('#');
      String code = (hash >= 0 ? line.substring(0, hash) : line).strip();
      if (code.isEmpty()) {
        continue;
      }
      inHeader = false;
      if (code.startsWith("@")) {
        continue;
      }
      String trailing = hash >= 0 ? line.substring(hash + 1).strip() : null;
      out.add(
          new StepComments(
              List.copyOf(pending), trailing == null || trailing.isEmpty() ? null : trailing));
      pending.clear();
    }
    if (!pending.isEmpty()) {
      out.add(new StepComments(List.copyOf(pending), null)); // comments after the last step
    }
    int steps = trace.steps().size();
    return out.size() == steps || out.size() == steps + 1 ? out : null;
  }

  /** The input's {@code @expect} lines as written (with their comments). */
  private static List<String> rawExpectLines(String text, Trace trace) {
    List<String> out = new ArrayList<>();
    for (String raw : text.split("\n", -1)) {
      String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
      if (line.strip().startsWith("@")) {
        out.add(line.strip());
      }
    }
    if (out.size() != trace.expectations().size()) {
      out.clear();
      for (Expectation e : trace.expectations()) {
        out.add(e.format());
      }
    }
    return out;
  }

  /** A time in a comment: {@code 128 us}, {@code 67.1 ms}, {@code 500ms}. */
  private static final java.util.regex.Pattern TIME =
      java.util.regex.Pattern.compile("\\b\\d+(?:\\.\\d+)?\\s*(?:ns|us|µs|ms|s)\\b");

  static final String STALE_TIME = " (a time of the input: robustify scaled the timer periods)";

  /**
   * A comment of the input kept next to a rewritten step: when the rewrite scaled the timer periods
   * and the comment names a time ("ITR armed 128 us"), it says that the time is the input's.
   */
  static String keptComment(String comment, boolean periodsScaled) {
    return periodsScaled && TIME.matcher(comment).find() ? comment + STALE_TIME : comment;
  }

  private static String render(
      List<String> header,
      List<String> expectLines,
      Robustifier.Result r,
      String text,
      Trace input) {
    List<StepComments> comments = stepComments(text, input);
    // An inserted step is a write of a scaled default period; a changed write scales a period.
    boolean scaled =
        r.lines().stream()
            .anyMatch(
                l ->
                    l.origin() < 0
                        || (l.step() instanceof Step.Write
                            && !l.step().equals(input.steps().get(l.origin()))));
    StringBuilder sb = new StringBuilder();
    for (String h : header) {
      sb.append(h.isEmpty() ? "#" : "# " + h).append('\n');
    }
    for (String e : expectLines) {
      sb.append(e).append('\n');
    }
    boolean[] seen = new boolean[input.steps().size()];
    for (Robustifier.Line l : r.lines()) {
      StepComments c = comments != null && l.origin() >= 0 ? comments.get(l.origin()) : null;
      if (c != null && !seen[l.origin()]) {
        seen[l.origin()] = true;
        for (String b : c.before()) {
          sb.append(keptComment(b, scaled)).append('\n');
        }
      }
      String comment = l.note();
      String own = c != null && c.trailing() != null ? keptComment(c.trailing(), scaled) : null;
      if (own != null) {
        comment = comment == null ? own : comment + "; " + own;
      }
      String step = l.step().format();
      if (comment == null) {
        sb.append(step).append('\n');
      } else {
        sb.append(step)
            .append(" ".repeat(Math.max(2, 24 - step.length())))
            .append("# ")
            .append(comment)
            .append('\n');
      }
    }
    if (comments != null && comments.size() == input.steps().size() + 1) {
      for (String b : comments.get(comments.size() - 1).before()) {
        sb.append(keptComment(b, scaled)).append('\n');
      }
    }
    return sb.toString();
  }
}
