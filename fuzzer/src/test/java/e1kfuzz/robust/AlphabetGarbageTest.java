package e1kfuzz.robust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import e1kfuzz.corpus.TraceFiles;
import e1kfuzz.engine.Alphabet;
import e1kfuzz.model.TraceSyntaxException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The alphabet-file reader of {@code explore} on generated garbage: it parses (and the canonical
 * text parses back to the same symbols) or gives the documented {@code file:line:col} or invalid
 * UTF-8 error, never another exception. Same counts and switches as {@link TraceGarbageTest}.
 */
class AlphabetGarbageTest {
  static String judge(String source, byte[] input, Object parsed, Throwable thrown) {
    if (thrown == null) {
      Alphabet a = (Alphabet) parsed;
      try {
        return Alphabet.parse("again", a.format()).symbols().equals(a.symbols())
            ? null
            : "the canonical text parses to other symbols:\n" + a.format();
      } catch (TraceSyntaxException e) {
        return "the canonical text does not parse: " + e.getMessage();
      }
    }
    return TraceGarbageTest.judge(source, input, null, thrown);
  }

  @Test
  void garbageGivesOnlyTheDocumentedErrors() throws Exception {
    List<String> samples = new ArrayList<>();
    samples.add(Alphabet.defaultText());
    samples.add(
        "write IMS 0x1\nwait before-deadline\nwait at-deadline\nwait after-deadline\nmsix on\n");
    samples.addAll(TraceGarbageTest.corpusTexts().subList(0, 5));
    GarbageFuzzer.Report r =
        new GarbageFuzzer(TraceGarbageTest.SEED, samples)
            .run(TraceGarbageTest.INPUTS, TraceFiles::parseAlphabet, AlphabetGarbageTest::judge);
    System.out.println("AlphabetGarbageTest: seed " + TraceGarbageTest.SEED + ": " + r);
    assertTrue(r.problems().isEmpty(), String.join("\n", r.problems()));
    assertEquals(TraceGarbageTest.INPUTS, r.inputs());
    assertTrue(r.accepted() > 0, "some mutated alphabets still parse: " + r);
  }
}
