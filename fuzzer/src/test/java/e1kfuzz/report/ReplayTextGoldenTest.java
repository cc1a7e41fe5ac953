package e1kfuzz.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import e1kfuzz.corpus.TraceFiles;
import e1kfuzz.engine.Replay;
import e1kfuzz.model.Trace;
import e1kfuzz.model.Variant;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The replay table people read, compared with files under src/test/resources/golden/. Regenerate
 * with {@code make golden} (system property e1kfuzz.golden.update=true) and review the diff.
 */
class ReplayTextGoldenTest {
  static final Path GOLDEN = Paths.get("src", "test", "resources", "golden");

  @ParameterizedTest
  @CsvSource({"rx-ack-race, qemu-10.2", "s1-tidv-race, qemu-7.2.0", "s2-itr-race, qemu-8.1"})
  void replayTableMatchesGolden(String name, String variant) throws Exception {
    Path file = Paths.get("corpus", name + ".trace");
    Trace trace = TraceFiles.read(Paths.get("..").resolve(file));
    String text = ReplayText.table(Replay.run(file.toString(), trace, Variant.byId(variant).orElseThrow(), false, true));
    Path golden = GOLDEN.resolve(name + "." + variant + ".txt");
    if (Boolean.getBoolean("e1kfuzz.golden.update")) {
      Files.createDirectories(GOLDEN);
      Files.writeString(golden, text, StandardCharsets.UTF_8);
    }
    assertEquals(Files.readString(golden, StandardCharsets.UTF_8), text);
  }
}
