package e1kfuzz.robust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import e1kfuzz.corpus.BadInputException;
import e1kfuzz.corpus.TraceFiles;
import e1kfuzz.model.Trace;
import e1kfuzz.model.TraceParser;
import e1kfuzz.model.TraceSyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The trace reader (strict UTF-8, then {@link TraceParser}) on generated garbage: it either parses
 * (and the canonical text parses back to the same trace) or fails with the documented error, a
 * {@link BadInputException} saying {@code file:line:col: problem: 'text'} or {@code file:line:
 * invalid UTF-8: byte 0xNN at offset K}, with a line that exists. Never another exception.
 *
 * <p>20,000 inputs in {@code make test}; {@code -De1kfuzz.garbage.inputs=N} (make nightly) for
 * more, {@code -De1kfuzz.garbage.seed=S} for another seed.
 */
class TraceGarbageTest {
  static final long INPUTS = Long.getLong("e1kfuzz.garbage.inputs", 20_000);
  static final long SEED = Long.getLong("e1kfuzz.garbage.seed", 1);

  static final Pattern SYNTAX = Pattern.compile("(?s)(.+?):(\\d+):(\\d+): ([^\\n]+): '([^\\n]*)'");
  static final Pattern UTF8 =
      Pattern.compile("(.+?):(\\d+): invalid UTF-8: byte 0x([0-9a-f]{2}) at offset (\\d+)");

  static List<String> corpusTexts() throws Exception {
    List<String> texts = new ArrayList<>();
    try (Stream<Path> s = Files.list(Paths.get("..", "corpus"))) {
      for (Path p : s.filter(f -> f.toString().endsWith(".trace")).sorted().toList()) {
        texts.add(Files.readString(p));
      }
    }
    return texts;
  }

  /** The documented outcomes of {@link TraceFiles#parse}; null when this is one. */
  static String judge(String source, byte[] input, Object parsed, Throwable thrown) {
    if (thrown == null) {
      Trace t = (Trace) parsed;
      try {
        Trace again = TraceParser.parse("again", t.format());
        return again.equals(t)
            ? null
            : "the canonical text parses to another trace:\n" + t.format();
      } catch (TraceSyntaxException e) {
        return "the canonical text does not parse: " + e.getMessage();
      }
    }
    if (!(thrown instanceof BadInputException)) {
      return "undocumented " + thrown;
    }
    String msg = thrown.getMessage();
    long lines = 1;
    for (byte b : input) {
      if (b == '\n') {
        lines++;
      }
    }
    Matcher u = UTF8.matcher(msg);
    if (u.matches()) {
      int offset = Integer.parseInt(u.group(4));
      if (!u.group(1).equals(source)
          || offset >= input.length
          || !String.format("%02x", input[offset] & 0xff).equals(u.group(3))) {
        return "wrong UTF-8 error: " + msg;
      }
      long line = 1;
      for (int i = 0; i < offset; i++) {
        line += input[i] == '\n' ? 1 : 0;
      }
      return Long.parseLong(u.group(2)) == line ? null : "UTF-8 error on the wrong line: " + msg;
    }
    Matcher m = SYNTAX.matcher(msg);
    if (!m.matches() || !(thrown.getCause() instanceof TraceSyntaxException tse)) {
      return "undocumented message: " + msg;
    }
    long line = Long.parseLong(m.group(2));
    int col = Integer.parseInt(m.group(3));
    if (!m.group(1).equals(source) || line < 1 || line > lines || col < 1) {
      return "position out of range: " + msg;
    }
    String[] text = new String(input, StandardCharsets.UTF_8).split("\n", -1);
    if (col > text[(int) line - 1].length() + 1) {
      return "column beyond the end of the line: " + msg;
    }
    return tse.line() == line && tse.column() == col
        ? null
        : "exception and message disagree: " + msg;
  }

  @Test
  void garbageGivesOnlyTheDocumentedErrors() throws Exception {
    GarbageFuzzer fuzzer = new GarbageFuzzer(SEED, corpusTexts());
    GarbageFuzzer.Report r = fuzzer.run(INPUTS, TraceFiles::parse, TraceGarbageTest::judge);
    System.out.println("TraceGarbageTest: seed " + SEED + ": " + r);
    assertTrue(r.problems().isEmpty(), String.join("\n", r.problems()));
    assertEquals(INPUTS, r.inputs());
    // Every generator ran, and some of its inputs were rejected: the garbage reaches the checks.
    for (String g : GarbageFuzzer.GENERATORS) {
      long[] a = r.byGenerator().get(g);
      assertNotNull(a, g);
      assertTrue(a[0] > 0 && a[1] < a[0], g + " " + a[0] + "/" + a[1]);
    }
    assertTrue(r.accepted() > 0, "some mutated inputs still parse: " + r);
  }

  @Test
  void theGeneratorIsAPureFunctionOfSeedAndIndex() throws Exception {
    List<String> texts = corpusTexts();
    GarbageFuzzer a = new GarbageFuzzer(7, texts);
    GarbageFuzzer b = new GarbageFuzzer(7, texts);
    for (long i = 0; i < 200; i++) {
      assertTrue(java.util.Arrays.equals(a.input(i), b.input(i)), "input " + i);
    }
    assertTrue(!java.util.Arrays.equals(a.input(3), new GarbageFuzzer(8, texts).input(3)));
  }

  @Test
  void theJudgeCatchesWhatItIsThereToCatch() throws Exception {
    byte[] in = "write TIDV 0xffff\n".getBytes(StandardCharsets.UTF_8);
    assertNull(judge("x", in, TraceFiles.parse("x", in), null));
    assertTrue(
        judge("x", in, null, new ArrayIndexOutOfBoundsException(3)).startsWith("undocumented"));
    assertTrue(
        judge("x", in, null, new BadInputException("x: something"))
            .startsWith("undocumented message"));
    assertTrue(
        judge(
                "x",
                in,
                null,
                new BadInputException(
                    "x:9:1: bad: 'y'", new TraceSyntaxException("x", 9, 1, "bad", "y")))
            .startsWith("position out of range"));
    GarbageFuzzer f = new GarbageFuzzer(1, corpusTexts());
    GarbageFuzzer.Report r =
        f.run(
            50,
            (s, b) -> {
              throw new IllegalStateException("boom");
            },
            TraceGarbageTest::judge);
    assertEquals(20, r.problems().size(), "reports are capped");
    assertTrue(
        r.problems().get(0).contains("undocumented java.lang.IllegalStateException: boom"),
        r.problems().get(0));
  }
}
