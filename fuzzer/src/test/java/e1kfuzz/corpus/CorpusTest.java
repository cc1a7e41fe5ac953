package e1kfuzz.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import e1kfuzz.engine.Replay;
import e1kfuzz.engine.ReplayResult;
import e1kfuzz.model.Trace;
import e1kfuzz.model.Variant;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The corpus is the regression suite: every file under corpus/ is a test, one per variant. */
class CorpusTest {
  static final Path CORPUS = Paths.get("..", "corpus");

  static List<Path> corpusFiles() throws IOException {
    try (Stream<Path> files = Files.list(CORPUS)) {
      return files.filter(p -> p.toString().endsWith(".trace")).sorted().toList();
    }
  }

  @TestFactory
  Stream<DynamicNode> everyCorpusFileOnEveryVariant() throws IOException {
    return corpusFiles().stream()
        .map(
            file ->
                DynamicContainer.dynamicContainer(
                    file.getFileName().toString(),
                    file.toUri(),
                    Stream.of(Variant.values())
                        .map(
                            v ->
                                DynamicTest.dynamicTest(
                                    v.id(),
                                    () -> {
                                      Trace trace = TraceFiles.read(file);
                                      ReplayResult r =
                                          Replay.run(file.toString(), trace, v, false, false);
                                      assertTrue(
                                          r.expected().isPresent(),
                                          file + " has no @expect line for " + v.id());
                                      assertEquals(
                                          r.expected().get(),
                                          r.outcome().result(),
                                          file + " on " + v.id());
                                    }))));
  }

  @Test
  void corpusCoversEveryNonStrictSignatureAndEveryVariantFailsSomewhere() throws Exception {
    java.util.Set<String> results = new java.util.TreeSet<>();
    for (Path file : corpusFiles()) {
      Trace trace = TraceFiles.read(file);
      for (Variant v : Variant.values()) {
        trace.expectedResult(v).ifPresent(results::add);
      }
    }
    for (String sig :
        List.of(
            "assert:collect-delayed-causes",
            "assert:itr-timer-under-msix",
            "assert:eitr-timer-without-msix",
            "legacy-cause-over-msix",
            "intx-under-msix",
            "ok")) {
      assertTrue(results.contains(sig), "no corpus file expects " + sig);
    }
    assertFalse(corpusFiles().isEmpty());
  }
}
