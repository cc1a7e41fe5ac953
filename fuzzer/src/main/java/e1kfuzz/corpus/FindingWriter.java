package e1kfuzz.corpus;

import e1kfuzz.engine.Finding;
import e1kfuzz.engine.InternalFailure;
import e1kfuzz.model.Expectation;
import e1kfuzz.model.Step;
import e1kfuzz.model.Trace;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes findings as regression traces. Findings that shrank to the same steps share one file.
 * Files are written atomically and an existing file is never replaced: if it holds the same steps
 * it is reported as already known, otherwise the write fails.
 */
public final class FindingWriter {
  private FindingWriter() {}

  /**
   * Header line of an internal-error trace: {@code e1kfuzz internal error on VARIANT: EXCEPTION}.
   */
  public static final String INTERNAL_HEADER = "e1kfuzz internal error on ";

  /**
   * How a header's {@code replay:} line names {@code file}: relative to the working directory when
   * the file is under it, else its bare name. Findings get committed to corpora and shared, so no
   * machine path (a home folder, a CI workspace, /tmp) goes into the file.
   */
  public static String replayPath(Path file) {
    return replayPath(file, Path.of("").toAbsolutePath());
  }

  /** {@link #replayPath(Path)} against the working directory {@code workDir} (absolute). */
  static String replayPath(Path file, Path workDir) {
    Path dir = workDir.normalize();
    Path abs = dir.resolve(file).normalize();
    if (abs.startsWith(dir) && !abs.equals(dir)) {
      return dir.relativize(abs).toString();
    }
    return file.getFileName().toString();
  }

  /** The header line that says how to replay {@code file}, followed by {@code options} if any. */
  static String replayLine(Path file, String options) {
    return "replay: ./e1kfuzz replay " + replayPath(file) + options;
  }

  /** A file for one or more findings with the same shrunk steps. */
  public record Written(Path file, List<Finding> findings, boolean alreadyPresent, Trace trace) {}

  /**
   * @param origin how to regenerate the runs (seed and generator options), for the header
   * @throws IOException when the folder cannot be written; files written before stay intact
   */
  public static List<Written> write(
      Path dir, List<Finding> findings, boolean strict, long seed, String origin)
      throws IOException {
    return write(dir, findings, strict, seed, origin, Map.of());
  }

  /**
   * @param exactNotes per finding, what its exact build said (see {@link #exactLine}); findings
   *     without one get the replayability the model alone can tell
   */
  public static List<Written> write(
      Path dir,
      List<Finding> findings,
      boolean strict,
      long seed,
      String origin,
      Map<Finding, String> exactNotes)
      throws IOException {
    Map<List<Step>, List<Finding>> byTrace = new LinkedHashMap<>();
    for (Finding f : findings) {
      byTrace.computeIfAbsent(f.shrunk().steps(), k -> new ArrayList<>()).add(f);
    }
    List<Written> out = new ArrayList<>();
    for (Map.Entry<List<Step>, List<Finding>> e : byTrace.entrySet()) {
      List<Step> steps = e.getKey();
      List<String> header = new ArrayList<>();
      for (Finding f : e.getValue()) {
        header.add("e1kfuzz finding: " + f.signature().id() + " on " + f.variant().id());
        header.add(
            "  seed "
                + seed
                + ", run "
                + f.run()
                + ", original length "
                + f.original().size()
                + " steps; "
                + f.shrunk().summary());
        header.add("  " + exactLine(f, exactNotes.get(f)));
      }
      header.add("found by: " + origin);
      Written w = writeCase(dir, e.getValue().get(0).signature().id(), steps, header, strict);
      out.add(new Written(w.file(), List.copyOf(e.getValue()), w.alreadyPresent(), w.trace()));
    }
    return out;
  }

  /**
   * The header line on the exact builds: the confirmation, or whether the trace replays under
   * qtest.
   */
  public static String exactLine(Finding f, String note) {
    if (f.notExactReplayable() != null) {
      return "exact builds: not replayable under qtest: " + f.notExactReplayable();
    }
    return "exact builds: "
        + (note != null
            ? note
            : "replayable under qtest (not checked: no exact build of " + f.variant().id() + ")");
  }

  /**
   * Writes one regression case named after {@code result} with {@code @expect} lines for every
   * variant; the header gets a replay command. An identical existing file counts as present.
   */
  public static Written writeCase(
      Path dir, String result, List<Step> steps, List<String> headerLines, boolean strict)
      throws IOException {
    List<Expectation> expect = Regression.expectations(steps, strict);
    Path file = dir.resolve(Regression.fileName(result, steps));
    List<String> header = new ArrayList<>(headerLines);
    header.add(replayLine(file, strict ? " --strict" : ""));
    Trace trace = Trace.of(steps).withHeader(header).withExpectations(expect);
    return new Written(file, List.of(), !writeOrConfirm(file, trace), trace);
  }

  /**
   * Writes the trace, or confirms that the file already holds the same steps.
   *
   * @return true if written now
   * @throws IOException when the file holds other steps or is not a trace: it is never replaced
   */
  static boolean writeOrConfirm(Path file, Trace trace) throws IOException {
    try {
      return TraceFiles.writeNew(file, trace.format());
    } catch (FileAlreadyExistsException ex) {
      Trace existing;
      try {
        existing = TraceFiles.read(file);
      } catch (BadInputException bad) {
        throw new IOException(file + " exists and is not a readable trace; not overwritten", bad);
      }
      if (!existing.steps().equals(trace.steps())) {
        throw new IOException(file + " exists with different steps; not overwritten");
      }
      return false;
    }
  }

  /**
   * Writes each internal failure as an {@code internal-error-<variant>-<hash>.trace} (the unshrunk
   * steps, with seed and run in the header) and its stack trace next to it as {@code .stack.txt},
   * for a bug report. Same rules as findings: atomic, never replacing a file with other steps.
   *
   * @return the trace files, in the order of {@code failures}
   */
  public static List<Path> writeInternalErrors(
      Path dir, List<InternalFailure> failures, long seed, String origin) throws IOException {
    List<Path> out = new ArrayList<>();
    for (InternalFailure f : failures) {
      // The kind is in the hash: two kinds of failure on the same steps are two reports.
      String hash =
          com.google.common.hash.Hashing.sha256()
              .hashString(
                  f.kind() + "\n" + Trace.of(f.steps()).format(),
                  java.nio.charset.StandardCharsets.UTF_8)
              .toString()
              .substring(0, 12);
      Path file = dir.resolve("internal-error-" + f.variant().id() + "-" + hash + ".trace");
      Path stack = FindingsMerge.stackFile(file);
      List<String> header =
          List.of(
              INTERNAL_HEADER + f.variant().id() + ": " + oneLine(f.exception()),
              "  seed "
                  + seed
                  + ", run "
                  + f.run()
                  + ", "
                  + f.steps().size()
                  + " steps (not shrunk)",
              "found by: " + origin,
              "stack trace: " + stack.getFileName(),
              replayLine(file, " --variant " + f.variant().id()));
      Trace trace = Trace.of(f.steps()).withHeader(header);
      writeOrConfirm(file, trace);
      if (!Files.exists(stack)) {
        TraceFiles.writeNew(
            stack,
            INTERNAL_HEADER
                + f.variant().id()
                + ", seed "
                + seed
                + ", run "
                + f.run()
                + "\nfound by: "
                + origin
                + "\ntrace: "
                + file.getFileName()
                + "\n\n"
                + f.stackTrace());
      }
      out.add(file);
    }
    return out;
  }

  /** Exception messages may hold newlines and control characters; a header line may not. */
  private static String oneLine(String s) {
    StringBuilder sb = new StringBuilder();
    s.codePoints().forEach(c -> sb.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
    return sb.toString().strip();
  }
}
