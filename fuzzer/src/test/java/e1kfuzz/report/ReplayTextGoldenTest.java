package e1kfuzz.report;

import e1kfuzz.corpus.TraceFiles;
import e1kfuzz.engine.Replay;
import e1kfuzz.model.Trace;
import e1kfuzz.model.Variant;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The replay table people read, compared with files under src/test/resources/golden/ (see {@link
 * Golden}).
 */
class ReplayTextGoldenTest {
  @ParameterizedTest
  @CsvSource({"rx-ack-race, qemu-10.2", "s1-tidv-race, qemu-7.2.0", "s2-itr-race, qemu-8.1"})
  void replayTableMatchesGolden(String name, String variant) throws Exception {
    Path file = Paths.get("corpus", name + ".trace");
    Trace trace = TraceFiles.read(Paths.get("..").resolve(file));
    String text =
        ReplayText.table(
            Replay.run(file.toString(), trace, Variant.byId(variant).orElseThrow(), false, true));
    Golden.assertMatches(name + "." + variant + ".txt", text);
  }
}
