package e1kfuzz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code e1kfuzz merge}: dedup, the shortest kept, the corpus check, bad input, safe writes. */
class MergeCommandTest {
  @TempDir Path dir;

  static final String RACE = "write TIDV 0xffff\nwrite TCTL 0xa\ntx ide\nmsix on\nwait 100ms\n";
  static final String RACE_LONGER =
      "read IMS\nwrite TIDV 0xffff\nwrite TCTL 0xa\ntx ide\nmsix on\nwait 100ms\n";
  static final String COLLECT = "assert:collect-delayed-causes";

  Path shard(String name) throws Exception {
    return Files.createDirectories(dir.resolve(name));
  }

  static Path finding(Path folder, String file, String steps, String... claims) throws Exception {
    StringBuilder sb = new StringBuilder();
    for (String c : claims) {
      sb.append("# e1kfuzz finding: ").append(c).append('\n');
      sb.append("#   seed 1, run 7, original length 9 steps; shrunk\n");
    }
    sb.append("# found by: e1kfuzz fuzz --seed 1 --variant all --shard 1/2\n");
    sb.append("# replay: ./e1kfuzz replay ").append(folder.resolve(file)).append('\n');
    sb.append(steps);
    return Files.writeString(folder.resolve(file), sb.toString());
  }

  Path corpusExpecting(String... lines) throws Exception {
    Path c = Files.createDirectories(dir.resolve("corpus-" + lines.length));
    Files.writeString(c.resolve("known.trace"), String.join("\n", lines) + "\n" + RACE);
    return c;
  }

  static List<Path> files(Path d) throws Exception {
    try (Stream<Path> s = Files.list(d)) {
      return s.sorted().toList();
    }
  }

  static String contents(Path d) throws Exception {
    StringBuilder sb = new StringBuilder();
    for (Path p : files(d)) {
      sb.append("== ").append(p.getFileName()).append('\n').append(Files.readString(p));
    }
    return sb.toString();
  }

  @Test
  void keepsTheShortestTracePerVariantAndSignatureWhateverTheArgumentOrder() throws Exception {
    Path a = shard("a");
    Path b = shard("b");
    finding(
        a,
        "assert-collect-delayed-causes-long.trace",
        RACE_LONGER,
        COLLECT + " on qemu-8.1",
        COLLECT + " on qemu-7.2.0");
    finding(b, "assert-collect-delayed-causes-short.trace", RACE, COLLECT + " on qemu-8.1");
    Path corpus =
        corpusExpecting(
            "@expect qemu-8.1 " + COLLECT, "@expect qemu-7.2.0 " + COLLECT, "@expect * ok");
    Path out1 = dir.resolve("m1");
    CliTest.Result r =
        CliTest.run(
            "merge",
            a.toString(),
            b.toString(),
            "--out",
            out1.toString(),
            "--corpus",
            corpus.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    // qemu-8.1: the 5-step trace of b wins over the 6-step one of a; qemu-7.2.0 only has a's.
    assertTrue(r.out().contains("qemu-8.1         " + COLLECT), r.out());
    assertEquals(
        List.of(
            "assert-collect-delayed-causes-long.trace",
            "assert-collect-delayed-causes-short.trace"),
        files(out1).stream().map(p -> p.getFileName().toString()).toList());
    String shortText = Files.readString(out1.resolve("assert-collect-delayed-causes-short.trace"));
    assertTrue(
        shortText.endsWith(
            "write TIDV 0x0000ffff\nwrite TCTL 0x0000000a\ntx ide\nmsix on\nwait 100ms\n"),
        shortText);
    assertTrue(shortText.contains("# e1kfuzz finding: " + COLLECT + " on qemu-8.1"), shortText);
    // --out is outside the working directory: the merged file names itself, not a machine path
    assertTrue(
        shortText.contains(
            "# replay: ./e1kfuzz replay assert-collect-delayed-causes-short.trace\n"),
        shortText);
    assertFalse(shortText.contains(dir.toString()), shortText);
    Path out2 = dir.resolve("m2");
    assertEquals(
        0,
        CliTest.run(
                "merge",
                b.toString(),
                a.toString(),
                "--out",
                out2.toString(),
                "--corpus",
                corpus.toString())
            .code());
    assertEquals(contents(out1), contents(out2));
  }

  @Test
  void tiesAreBrokenByFileNameThenPathNotByArgumentOrder() throws Exception {
    Path a = shard("a");
    Path b = shard("b");
    finding(a, "x-2.trace", RACE, COLLECT + " on qemu-8.1");
    finding(b, "x-1.trace", RACE, COLLECT + " on qemu-8.1");
    Path corpus = corpusExpecting("@expect qemu-8.1 " + COLLECT);
    Path out1 = dir.resolve("m1");
    Path out2 = dir.resolve("m2");
    assertEquals(
        0,
        CliTest.run(
                "merge",
                a.toString(),
                b.toString(),
                "--out",
                out1.toString(),
                "--corpus",
                corpus.toString())
            .code());
    assertEquals(
        0,
        CliTest.run(
                "merge",
                b.toString(),
                a.toString(),
                "--out",
                out2.toString(),
                "--corpus",
                corpus.toString())
            .code());
    assertEquals(List.of(out1.resolve("x-1.trace")), files(out1));
    assertEquals(contents(out1), contents(out2));
  }

  @Test
  void aSignatureTheCorpusDoesNotExpectExitsSixAndNamesIt() throws Exception {
    Path a = shard("a");
    finding(a, "f.trace", RACE, COLLECT + " on qemu-8.1");
    Path corpus = corpusExpecting("@expect qemu-7.2.0 " + COLLECT, "@expect * ok");
    CliTest.Result r =
        CliTest.run(
            "merge",
            a.toString(),
            "--out",
            dir.resolve("m").toString(),
            "--corpus",
            corpus.toString());
    assertEquals(ExitCodes.NEW_FINDING, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("NEW: " + COLLECT + " on qemu-8.1"), r.out());
    assertTrue(Files.exists(dir.resolve("m").resolve("f.trace")), "the new finding is written too");
  }

  @Test
  void theProjectCorpusExpectsTheSeedRace() throws Exception {
    Path a = shard("a");
    finding(a, "f.trace", RACE, COLLECT + " on qemu-8.1", COLLECT + " on qemu-7.2.0");
    CliTest.Result r =
        CliTest.run(
            "merge",
            a.toString(),
            "--out",
            dir.resolve("m").toString(),
            "--corpus",
            Paths.get("..", "corpus").toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("expected"), r.out());
  }

  @Test
  void badFilesAreReportedWithFileAndLineAndTheOthersStillMerge() throws Exception {
    Path a = shard("a");
    finding(a, "good.trace", RACE, COLLECT + " on qemu-8.1");
    Path syntax =
        finding(a, "syntax.trace", "write TIDV 0xffff\nwrite TCTL zz\n", COLLECT + " on qemu-8.1");
    Path claim = finding(a, "claim.trace", "write IMS 0x4\n", COLLECT + " on qemu-8.1");
    Path unknown = finding(a, "unknown.trace", RACE, COLLECT + " on qemu-99");
    Files.write(
        a.resolve("utf8.trace"),
        new byte[] {'#', ' ', 'x', '\n', 'r', 'e', 'a', 'd', ' ', (byte) 0xff, '\n'});
    Path corpus = corpusExpecting("@expect qemu-8.1 " + COLLECT);
    Path badCorpus = corpus.resolve("broken.trace");
    Files.writeString(badCorpus, "@expect qemu-8.1 nonsense\n");
    CliTest.Result r =
        CliTest.run(
            "merge",
            a.toString(),
            dir.resolve("missing").toString(),
            "--out",
            dir.resolve("m").toString(),
            "--corpus",
            corpus.toString());
    assertEquals(ExitCodes.BAD_INPUT, r.code(), r.out() + r.err());
    // claim.trace: header line 1 claims a failure the steps do not give
    assertTrue(
        r.err().contains(claim + ":1: claims " + COLLECT + " on qemu-8.1 but the trace gives ok"),
        r.err());
    assertTrue(r.err().contains(syntax + ":6:"), r.err());
    assertTrue(r.err().contains("'zz'"), r.err());
    assertTrue(r.err().contains(unknown + ":1: unknown variant 'qemu-99'"), r.err());
    assertTrue(r.err().contains(a.resolve("utf8.trace") + ":2: invalid UTF-8"), r.err());
    assertTrue(r.err().contains(badCorpus + ":1:"), r.err());
    assertTrue(r.err().contains(dir.resolve("missing") + ": no such file or folder"), r.err());
    assertTrue(r.out().contains("1 file read, 6 unreadable or wrong"), r.out());
    assertEquals(List.of(dir.resolve("m").resolve("good.trace")), files(dir.resolve("m")));
  }

  @Test
  void anExistingOutputFileIsNeverReplacedAndNothingHalfWrittenIsLeft() throws Exception {
    Path a = shard("a");
    finding(a, "a.trace", RACE, COLLECT + " on qemu-8.1");
    finding(
        a,
        "b.trace",
        "write TIDV 0x1\nwrite TCTL 0xa\ntx ide\nmsix on\nwait 100ms\n",
        COLLECT + " on qemu-10.2");
    Path out = Files.createDirectories(dir.resolve("m"));
    Path mine = Files.writeString(out.resolve("b.trace"), "# my own notes\nwrite IMS 0x4\n");
    Path corpus = corpusExpecting("@expect qemu-8.1 " + COLLECT);
    CliTest.Result r =
        CliTest.run("merge", a.toString(), "--out", out.toString(), "--corpus", corpus.toString());
    // b.trace exists with other steps (an output that cannot be written), or b.trace does not fail
    // on qemu-10.2: either way bad input, and nothing is written over it
    assertEquals(ExitCodes.BAD_INPUT, r.code(), r.out() + r.err());
    assertEquals("# my own notes\nwrite IMS 0x4\n", Files.readString(mine));
    List<String> names = new ArrayList<>();
    files(out).forEach(p -> names.add(p.getFileName().toString()));
    assertTrue(names.stream().noneMatch(n -> n.endsWith(".tmp")), names.toString());
    // Merging again into the same folder: already there, not rewritten.
    Path out2 = dir.resolve("m2");
    assertEquals(
        0,
        CliTest.run(
                "merge",
                a.resolve("a.trace").toString(),
                "--out",
                out2.toString(),
                "--corpus",
                corpus.toString())
            .code());
    String before = contents(out2);
    CliTest.Result again =
        CliTest.run(
            "merge",
            a.resolve("a.trace").toString(),
            "--out",
            out2.toString(),
            "--corpus",
            corpus.toString());
    assertEquals(0, again.code(), again.err());
    assertTrue(again.out().contains("(already there)"), again.out());
    assertEquals(before, contents(out2));
  }
}
