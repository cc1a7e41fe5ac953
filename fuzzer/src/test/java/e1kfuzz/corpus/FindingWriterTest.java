package e1kfuzz.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import e1kfuzz.model.Step;
import e1kfuzz.model.TraceParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replay line of a finding's header names the file without a machine path. */
class FindingWriterTest {
  @TempDir Path dir;

  static final Path WORK = Path.of("/home/alice/e1kfuzz");

  @Test
  void aFileUnderTheWorkingDirectoryIsNamedRelativeToIt() {
    assertEquals(
        "findings/a.trace",
        FindingWriter.replayPath(Path.of("/home/alice/e1kfuzz/findings/a.trace"), WORK));
    assertEquals("findings/a.trace", FindingWriter.replayPath(Path.of("findings/a.trace"), WORK));
    assertEquals("a.trace", FindingWriter.replayPath(Path.of("./x/../a.trace"), WORK));
  }

  @Test
  void aFileElsewhereIsNamedByItsBareName() {
    assertEquals("a.trace", FindingWriter.replayPath(Path.of("/tmp/out/a.trace"), WORK));
    assertEquals("a.trace", FindingWriter.replayPath(Path.of("../other/a.trace"), WORK));
    // a sibling folder whose name only starts like the working directory's is not under it
    assertEquals(
        "a.trace", FindingWriter.replayPath(Path.of("/home/alice/e1kfuzz-old/a.trace"), WORK));
  }

  static final List<Step> RACE;

  static {
    try {
      RACE =
          TraceParser.parse(
                  "race", "write TIDV 0xffff\nwrite TCTL 0xa\ntx ide\nmsix on\nwait 100ms\n")
              .steps();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String replayLine(Path file) throws Exception {
    return Files.readAllLines(file).stream()
        .filter(l -> l.startsWith("# replay: "))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aFindingWrittenOutsideTheWorkingDirectoryNamesOnlyItsFile() throws Exception {
    FindingWriter.Written w =
        FindingWriter.writeCase(dir, "assert:collect-delayed-causes", RACE, List.of("x"), false);
    assertTrue(
        w.file().isAbsolute() && !w.file().startsWith(Path.of("").toAbsolutePath()),
        w.file().toString());
    assertEquals("# replay: ./e1kfuzz replay " + w.file().getFileName(), replayLine(w.file()));
    assertFalse(Files.readString(w.file()).contains(dir.toString()));
  }

  @Test
  void aFindingWrittenUnderTheWorkingDirectoryNamesItsRelativePath() throws Exception {
    // given as an absolute path, as a CI script would pass --out "$PWD/findings"
    Path out = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "replay-path-");
    try {
      FindingWriter.Written w =
          FindingWriter.writeCase(out, "assert:collect-delayed-causes", RACE, List.of(), true);
      assertEquals(
          "# replay: ./e1kfuzz replay target/"
              + out.getFileName()
              + "/"
              + w.file().getFileName()
              + " --strict",
          replayLine(w.file()));
    } finally {
      try (var s = Files.walk(out)) {
        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
