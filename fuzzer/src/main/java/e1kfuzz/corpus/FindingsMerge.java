package e1kfuzz.corpus;

import e1kfuzz.model.Expectation;
import e1kfuzz.model.Outcome;
import e1kfuzz.model.Runner;
import e1kfuzz.model.Signature;
import e1kfuzz.model.Step;
import e1kfuzz.model.Trace;
import e1kfuzz.model.Variant;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Merges the findings folders of several campaigns (the shards of a nightly run): one trace per
 * variant and signature, the shortest (ties: the smaller canonical step text, then the smaller file
 * name, then the smaller path), and says which of them the corpus does not expect yet.
 *
 * <p>A findings file says what it holds in its header ({@code e1kfuzz finding: SIG on VARIANT},
 * {@code e1kfuzz internal error on VARIANT: ...}); a trace without such lines is taken for its
 * failing {@code @expect} lines. Every finding claim is checked by replaying the trace on the
 * model.
 */
public final class FindingsMerge {
  /**
   * The signature word of an exception inside the model (see {@link
   * FindingWriter#writeInternalErrors}).
   */
  public static final String INTERNAL_ERROR = "internal-error";

  static final String FINDING_PREFIX = "# e1kfuzz finding: ";
  static final String INTERNAL_PREFIX = "# " + FindingWriter.INTERNAL_HEADER;

  private FindingsMerge() {}

  /** A variant id and a signature id (or {@link #INTERNAL_ERROR}). */
  public record Key(String variant, String signature) implements Comparable<Key> {
    private static final Comparator<Key> ORDER =
        Comparator.comparingInt((Key k) -> variantOrder(k.variant))
            .thenComparing(Key::variant)
            .thenComparing(Key::signature);

    @Override
    public int compareTo(Key o) {
      return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
      return variant + " " + signature;
    }

    private static int variantOrder(String id) {
      return Variant.byId(id).map(Enum::ordinal).orElse(Integer.MAX_VALUE);
    }
  }

  /** One readable findings file and what it claims. */
  public record Source(Path file, Trace trace, Set<Key> keys) {
    String stepText() {
      return Trace.of(trace.steps()).format();
    }
  }

  /** The trace kept for one key, and how many files offered one. */
  public record Chosen(Key key, Source source, int candidates) {}

  /** A file written (or found already there with the same steps) in the output folder. */
  public record Output(Path file, List<Key> keys, boolean alreadyPresent) {}

  /** What the merge read and chose; {@code errors} name file and line. */
  public record Result(
      int filesRead,
      List<Chosen> chosen,
      Set<Key> expected,
      List<Key> unexpected,
      List<String> errors) {}

  /**
   * Reads every {@code .trace} file of the inputs (folders, or files) and keeps the shortest trace
   * per key.
   */
  public static Result merge(List<Path> inputs, Path corpus) {
    List<String> errors = new ArrayList<>();
    List<Source> sources = new ArrayList<>();
    for (Path f : traceFiles(inputs, errors)) {
      try {
        sources.add(read(f));
      } catch (BadInputException e) {
        errors.add(e.getMessage());
      }
    }
    Map<Key, List<Source>> byKey = new TreeMap<>();
    for (Source s : sources) {
      for (Key k : s.keys()) {
        byKey.computeIfAbsent(k, x -> new ArrayList<>()).add(s);
      }
    }
    Comparator<Source> best =
        Comparator.comparingInt((Source s) -> s.trace().steps().size())
            .thenComparing(Source::stepText)
            .thenComparing(s -> s.file().getFileName().toString())
            .thenComparing(s -> s.file().toString());
    List<Chosen> chosen = new ArrayList<>();
    byKey.forEach(
        (k, list) -> chosen.add(new Chosen(k, list.stream().min(best).orElseThrow(), list.size())));
    Set<Key> expected = expected(corpus, errors);
    List<Key> unexpected =
        chosen.stream().map(Chosen::key).filter(k -> !expected.contains(k)).toList();
    return new Result(
        sources.size(), List.copyOf(chosen), expected, unexpected, List.copyOf(errors));
  }

  /**
   * Writes the chosen traces into {@code out}, one file per distinct step sequence, atomically; an
   * existing file with the same steps is left alone, one with other steps is an error (never
   * replaced).
   */
  public static List<Output> write(Result result, Path out) throws IOException {
    // Findings that shrank to the same steps share one file (as FindingWriter does), whatever each
    // shard named it: the smallest of their names is kept.
    Map<String, List<Chosen>> bySteps = new TreeMap<>();
    for (Chosen c : result.chosen()) {
      bySteps.computeIfAbsent(c.source().stepText(), n -> new ArrayList<>()).add(c);
    }
    List<Output> outputs = new ArrayList<>();
    for (List<Chosen> group : bySteps.values()) {
      List<Source> files =
          group.stream()
              .map(Chosen::source)
              .distinct()
              .sorted(
                  Comparator.comparing((Source s) -> s.file().getFileName().toString())
                      .thenComparing(s -> s.file().toString()))
              .toList();
      Path target = out.resolve(files.get(0).file().getFileName());
      Trace first = files.get(0).trace();
      Set<String> header = new LinkedHashSet<>();
      for (Source s : files) {
        s.trace().header().stream().filter(h -> !h.startsWith("replay:")).forEach(header::add);
      }
      header.add("merged by: e1kfuzz merge");
      header.add(FindingWriter.replayLine(target, ""));
      Trace merged = first.withHeader(header);
      boolean present = !FindingWriter.writeOrConfirm(target, merged);
      for (Source s : files) {
        Path stack = stackFile(s.file());
        if (Files.isRegularFile(stack)) {
          writeOrKeep(
              out.resolve(stack.getFileName()), Files.readString(stack, StandardCharsets.UTF_8));
          break;
        }
      }
      outputs.add(new Output(target, group.stream().map(Chosen::key).sorted().toList(), present));
    }
    outputs.sort(Comparator.comparing((Output o) -> o.file().toString()));
    return outputs;
  }

  private static void writeOrKeep(Path target, String text) throws IOException {
    try {
      TraceFiles.writeNew(target, text);
    } catch (FileAlreadyExistsException ex) {
      // a stack trace of the same failure from another run: the first one written is kept
    }
  }

  /** {@code internal-error-x.trace} → {@code internal-error-x.stack.txt}. */
  public static Path stackFile(Path trace) {
    String name = trace.getFileName().toString();
    String base =
        name.endsWith(".trace") ? name.substring(0, name.length() - ".trace".length()) : name;
    return trace.resolveSibling(base + ".stack.txt");
  }

  /** The .trace files of folders (sorted by name) and the named files, in argument order. */
  static List<Path> traceFiles(List<Path> inputs, List<String> errors) {
    List<Path> files = new ArrayList<>();
    for (Path in : inputs) {
      if (Files.isDirectory(in)) {
        try (Stream<Path> s = Files.list(in)) {
          files.addAll(
              s.filter(p -> p.getFileName().toString().endsWith(".trace")).sorted().toList());
        } catch (IOException e) {
          errors.add(in + ": cannot list: " + TraceFiles.describe(e));
        }
      } else if (Files.exists(in)) {
        files.add(in);
      } else {
        errors.add(in + ": no such file or folder");
      }
    }
    return files;
  }

  /** Reads a findings file and checks what its header claims by replaying it. */
  public static Source read(Path file) throws BadInputException {
    Source s = readClaims(file);
    if (s.keys().isEmpty()) {
      throw new BadInputException(
          file
              + ":1: no finding in it (no 'e1kfuzz finding:' header line and no failing @expect line)");
    }
    return s;
  }

  /**
   * What a trace file claims, as {@link #read} takes it (its header's finding lines, checked by
   * replay, else its failing {@code @expect} lines); the keys are empty for a trace that claims no
   * failure.
   */
  public static Source readClaims(Path file) throws BadInputException {
    Trace trace = TraceFiles.read(file);
    String text = TraceFiles.readText(file);
    Set<Key> keys = new TreeSet<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (!line.startsWith("#") && !line.isEmpty()) {
        break;
      }
      if (line.startsWith(FINDING_PREFIX)) {
        keys.add(findingClaim(file, i + 1, line.substring(FINDING_PREFIX.length()), trace.steps()));
      } else if (line.startsWith(INTERNAL_PREFIX)) {
        String rest = line.substring(INTERNAL_PREFIX.length());
        int colon = rest.indexOf(':');
        String variant = (colon < 0 ? rest : rest.substring(0, colon)).strip();
        if (Variant.byId(variant).isEmpty()) {
          throw new BadInputException(file + ":" + (i + 1) + ": unknown variant '" + variant + "'");
        }
        keys.add(new Key(variant, INTERNAL_ERROR));
      }
    }
    if (keys.isEmpty()) {
      for (Variant v : Variant.values()) {
        trace
            .expectedResult(v)
            .filter(r -> !r.equals(Expectation.OK))
            .ifPresent(r -> keys.add(new Key(v.id(), r)));
      }
    }
    return new Source(file, trace, keys);
  }

  private static Key findingClaim(Path file, int line, String claim, List<Step> steps)
      throws BadInputException {
    String[] words = claim.strip().split(" on ", -1);
    if (words.length != 2) {
      throw new BadInputException(
          file
              + ":"
              + line
              + ": expected 'e1kfuzz finding: SIGNATURE on VARIANT': '"
              + claim
              + "'");
    }
    String sig = words[0].strip();
    String var = words[1].strip();
    Signature signature =
        Signature.byId(sig)
            .orElseThrow(
                () ->
                    new BadInputException(file + ":" + line + ": unknown signature '" + sig + "'"));
    Variant variant =
        Variant.byId(var)
            .orElseThrow(
                () -> new BadInputException(file + ":" + line + ": unknown variant '" + var + "'"));
    Outcome o;
    try {
      o = Runner.run(variant, steps, sig.startsWith("strict:"));
    } catch (RuntimeException e) {
      throw new BadInputException(
          file + ":" + line + ": replaying it on " + var + " fails inside the model: " + e, e);
    }
    if (!(o instanceof Outcome.Violated v) || v.signature() != signature) {
      throw new BadInputException(
          file
              + ":"
              + line
              + ": claims "
              + sig
              + " on "
              + var
              + " but the trace gives "
              + o.result());
    }
    return new Key(var, sig);
  }

  /**
   * Every (variant, failing result) the corpus's {@code @expect} lines state; bad files go to
   * {@code errors}.
   */
  public static Set<Key> expected(Path corpus, List<String> errors) {
    Set<Key> expected = new TreeSet<>();
    if (corpus == null) {
      return expected;
    }
    List<String> listErrors = new ArrayList<>();
    for (Path f : traceFiles(List.of(corpus), listErrors)) {
      try {
        Trace t = TraceFiles.read(f);
        for (Variant v : Variant.values()) {
          t.expectedResult(v)
              .filter(r -> !r.equals(Expectation.OK))
              .ifPresent(r -> expected.add(new Key(v.id(), r)));
        }
      } catch (BadInputException e) {
        errors.add(e.getMessage());
      }
    }
    listErrors.forEach(e -> errors.add("corpus " + e));
    return expected;
  }

  /** Keys in a stable order with their chosen file (for reports). */
  public static Map<Key, Chosen> byKey(Result r) {
    Map<Key, Chosen> m = new LinkedHashMap<>();
    r.chosen().forEach(c -> m.put(c.key(), c));
    return m;
  }
}
