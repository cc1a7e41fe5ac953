package e1kfuzz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import e1kfuzz.corpus.BadInputException;
import e1kfuzz.corpus.FindingsMerge;
import e1kfuzz.corpus.TraceFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files that start with a UTF-8 byte-order mark (EF BB BF), as some Windows editors save them. */
class ByteOrderMarkTest {
  static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  @TempDir Path dir;

  Path withBom(String name, String text) throws Exception {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[BOM.length + body.length];
    System.arraycopy(BOM, 0, all, 0, BOM.length);
    System.arraycopy(body, 0, all, BOM.length, body.length);
    return Files.write(dir.resolve(name), all);
  }

  @Test
  void aTraceWithAByteOrderMarkReadsAsWithoutIt() throws Exception {
    String race = Files.readString(Paths.get("..", "corpus", "s1-tidv-race.trace"));
    Path marked = withBom("race.trace", race);
    Path plain = Files.writeString(dir.resolve("plain.trace"), race);
    assertEquals(TraceFiles.read(plain).format(), TraceFiles.read(marked).format());
    // the reported case: the mark in front of the first step
    Path step = withBom("step.trace", "write IMS 0x4\n");
    assertEquals("write IMS 0x00000004\n", TraceFiles.read(step).format());
    CliTest.Result r = CliTest.run("replay", marked.toString(), "--summary");
    assertEquals(0, r.code(), r.out() + r.err());
    assertFalse(r.err().contains("unknown step"), r.err());
  }

  @Test
  void mergeSeesTheFindingHeaderBehindTheMark() throws Exception {
    Path f =
        withBom(
            "finding.trace",
            "# e1kfuzz finding: assert:collect-delayed-causes on qemu-8.1\n"
                + "write TIDV 0xffff\nwrite TCTL 0xa\ntx ide\nmsix on\nwait 100ms\n");
    assertEquals(
        Set.of(new FindingsMerge.Key("qemu-8.1", "assert:collect-delayed-causes")),
        FindingsMerge.read(f).keys());
    assertFalse(TraceFiles.readText(f).startsWith("\uFEFF"));
  }

  @Test
  void anAlphabetWithAByteOrderMarkParses() throws Exception {
    Path a = withBom("a.alphabet", "write IMS 0x4\nwait at-deadline\n");
    assertEquals(2, TraceFiles.readAlphabet(a).symbols().size());
  }

  @Test
  void invalidUtf8AfterTheMarkIsStillReportedAtItsByte() throws Exception {
    Path bad = dir.resolve("bad.trace");
    Files.write(bad, new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '#', (byte) 0xC3, '\n'});
    BadInputException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            BadInputException.class, () -> TraceFiles.read(bad));
    assertEquals(bad + ":1: invalid UTF-8: byte 0xc3 at offset 4", e.getMessage());
  }
}
