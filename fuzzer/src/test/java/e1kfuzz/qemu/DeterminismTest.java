package e1kfuzz.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import e1kfuzz.corpus.TraceFiles;
import e1kfuzz.model.Step;
import e1kfuzz.model.Variant;
import e1kfuzz.observe.ObservedRun;
import e1kfuzz.timing.ExactTiming;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The exact loop is deterministic: every comparable corpus trace, replayed again and again on its
 * variant's exact build (one QEMU reset between runs where the build allows it, fresh ones
 * otherwise), gives the same observations and the same abort every time. Held frames, autoneg
 * inside long waits and resets are where the backend used to race with QEMU's main loop.
 */
class DeterminismTest {
  static final int REPEATS = 4;

  @TestFactory
  Stream<DynamicTest> everyCorpusTraceGivesTheSameObservationsEveryTime() throws Exception {
    Path corpus = Path.of("").toAbsolutePath().getParent().resolve("corpus");
    List<Path> files;
    try (Stream<Path> s = Files.list(corpus)) {
      files = s.filter(p -> p.toString().endsWith(".trace")).sorted().toList();
    }
    List<DynamicTest> tests = new ArrayList<>();
    for (Variant v : Variant.values()) {
      tests.add(
          DynamicTest.dynamicTest(
              v.id(),
              () -> {
                QemuBuild b = ExactQemuTest.exact(v);
                try (QemuBackend runner = new QemuBackend(b, true)) {
                  for (Path f : files) {
                    List<Step> steps = TraceFiles.read(f).steps();
                    if (Qtest.firstUnsupported(steps) != null
                        || ExactTiming.problem(v, steps) != null) {
                      continue;
                    }
                    ObservedRun first = runner.run(steps);
                    assertNull(first.failure(), f + ": " + first.failure());
                    for (int i = 1; i < REPEATS; i++) {
                      ObservedRun again = runner.run(steps);
                      assertNull(again.failure(), f + ": " + again.failure());
                      assertEquals(
                          first.observations(),
                          again.observations(),
                          f + " on " + v.id() + ", run " + (i + 1));
                      assertEquals(
                          first.abortId(),
                          again.abortId(),
                          f + " on " + v.id() + ", run " + (i + 1));
                      assertEquals(
                          first.abortStep(),
                          again.abortStep(),
                          f + " on " + v.id() + ", run " + (i + 1));
                    }
                  }
                }
              }));
    }
    return tests.stream();
  }
}
