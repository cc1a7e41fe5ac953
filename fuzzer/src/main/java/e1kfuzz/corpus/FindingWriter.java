package e1kfuzz.corpus;

import e1kfuzz.engine.Finding;
import e1kfuzz.model.Expectation;
import e1kfuzz.model.Step;
import e1kfuzz.model.Trace;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
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

  /** A file for one or more findings with the same shrunk steps. */
  public record Written(Path file, List<Finding> findings, boolean alreadyPresent, Trace trace) {}

  /**
   * @param origin how to regenerate the runs (seed and generator options), for the header
   * @throws IOException when the folder cannot be written; files written before stay intact
   */
  public static List<Written> write(
      Path dir, List<Finding> findings, boolean strict, long seed, String origin) throws IOException {
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
            "  seed " + seed + ", run " + f.run() + ", original length " + f.original().size()
                + " steps; " + f.shrunk().summary());
      }
      header.add("found by: " + origin);
      Written w = writeCase(dir, e.getValue().get(0).signature().id(), steps, header, strict);
      out.add(new Written(w.file(), List.copyOf(e.getValue()), w.alreadyPresent(), w.trace()));
    }
    return out;
  }

  /**
   * Writes one regression case named after {@code result} with {@code @expect} lines for every
   * variant; the header gets a replay command. An identical existing file counts as present.
   */
  public static Written writeCase(Path dir, String result, List<Step> steps, List<String> headerLines, boolean strict)
      throws IOException {
    List<Expectation> expect = Regression.expectations(steps, strict);
    Path file = dir.resolve(Regression.fileName(result, steps));
    List<String> header = new ArrayList<>(headerLines);
    header.add("replay: ./e1kfuzz replay " + file + (strict ? " --strict" : ""));
    Trace trace = Trace.of(steps).withHeader(header).withExpectations(expect);
    boolean present;
    try {
      present = !TraceFiles.writeNew(file, trace.format());
    } catch (FileAlreadyExistsException ex) {
      Trace existing;
      try {
        existing = TraceFiles.read(file);
      } catch (BadInputException bad) {
        throw new IOException(file + " exists and is not a readable trace; not overwritten", bad);
      }
      if (!existing.steps().equals(steps)) {
        throw new IOException(file + " exists with different steps; not overwritten");
      }
      present = true;
    }
    return new Written(file, List.of(), present, trace);
  }
}
