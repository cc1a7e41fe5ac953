package e1kfuzz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import e1kfuzz.model.Variant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code corpus add} stores a trace that {@code merge} then recognises: the loop a nightly goes
 * through (merge says NEW, the finding is added, the next merge says nothing new), strict findings
 * included, and what the user wrote in the trace is not silently replaced.
 */
class CorpusAddTest {
  static final Path PROJECT_CORPUS = Paths.get("..", "corpus");
  static final String RACE = "write TIDV 0xffff\nwrite TCTL 0xa\ntx ide\nmsix on\nwait 100ms\n";

  @TempDir Path dir;

  Path corpusCopy() throws Exception {
    Path c = Files.createDirectories(dir.resolve("corpus"));
    try (Stream<Path> s = Files.list(PROJECT_CORPUS)) {
      for (Path f : s.filter(p -> p.toString().endsWith(".trace")).toList()) {
        Files.copy(f, c.resolve(f.getFileName()));
      }
    }
    return c;
  }

  static List<Path> traces(Path d) throws Exception {
    try (Stream<Path> s = Files.list(d)) {
      return s.filter(p -> p.toString().endsWith(".trace")).sorted().toList();
    }
  }

  /** The {@code corpus add} commands that merge's NEW lines advise, as argument lists. */
  static List<String[]> advisedCommands(String mergeOut) {
    List<String[]> commands = new ArrayList<>();
    for (String line : mergeOut.lines().toList()) {
      int at = line.indexOf("keep it: ./e1kfuzz ");
      if (line.startsWith("NEW: ") && at >= 0) {
        commands.add(line.substring(at + "keep it: ./e1kfuzz ".length()).strip().split("\\s+"));
      }
    }
    return commands;
  }

  @Test
  void strictFindingsMergeAddAndMergeAgainFindsNothingNew() throws Exception {
    Path corpus = corpusCopy();
    Path shard = dir.resolve("shard");
    CliTest.Result fuzz =
        CliTest.run(
            "fuzz",
            "--strict",
            "--variant",
            "fix-mode-switch",
            "--seed",
            "1",
            "--runs",
            "3000",
            "--no-confirm",
            "--out",
            shard.toString());
    assertEquals(ExitCodes.FOUND, fuzz.code(), fuzz.err());
    assertTrue(
        fuzz.out().contains("strict:"), "strict findings on the fixed variant: " + fuzz.out());

    CliTest.Result first =
        CliTest.run(
            "merge",
            shard.toString(),
            "--out",
            dir.resolve("m1").toString(),
            "--corpus",
            corpus.toString());
    assertEquals(ExitCodes.NEW_FINDING, first.code(), first.out() + first.err());
    List<String[]> advice = advisedCommands(first.out());
    assertFalse(advice.isEmpty(), first.out());
    for (String[] add : advice) {
      assertEquals(
          corpus.toString(),
          add[add.length - 1],
          "the advice names the corpus merge read: " + String.join(" ", add));
      CliTest.Result r = CliTest.run(add);
      assertEquals(ExitCodes.OK, r.code(), r.out() + r.err());
    }
    List<Path> added =
        traces(corpus).stream()
            .filter(p -> p.getFileName().toString().startsWith("strict-"))
            .toList();
    assertEquals(
        advice.size(),
        added.size(),
        "one file per finding, named after its strict signature: " + traces(corpus));
    for (Path f : added) {
      String text = Files.readString(f);
      assertTrue(text.contains("@expect fix-mode-switch strict:"), text);
      assertTrue(text.contains("# replay: ./e1kfuzz replay "), text);
      assertEquals(
          ExitCodes.OK,
          CliTest.run("replay", f.toString(), "--summary").code(),
          "replays as expected: " + text);
    }

    CliTest.Result again =
        CliTest.run(
            "merge",
            shard.toString(),
            "--out",
            dir.resolve("m2").toString(),
            "--corpus",
            corpus.toString());
    assertEquals(ExitCodes.OK, again.code(), again.out() + again.err());
    assertFalse(again.out().contains("NEW"), again.out());
    CliTest.Result check = CliTest.run("corpus", "check", corpus.toString());
    assertEquals(ExitCodes.OK, check.code(), check.out() + check.err());
  }

  @Test
  void aFixedFindingFileGoesRoundTheLoopToo() throws Exception {
    Path corpus = corpusCopy();
    Path shard = Files.createDirectories(dir.resolve("shard"));
    MergeCommandTest.finding(
        shard,
        "f.trace",
        "write TCTL 0x2\nwrite ICR 0x80000000\n",
        "strict:icr-asserted-mismatch on fix-mode-switch");
    Path m1 = dir.resolve("m1");
    CliTest.Result first =
        CliTest.run(
            "merge", shard.toString(), "--out", m1.toString(), "--corpus", corpus.toString());
    assertEquals(ExitCodes.NEW_FINDING, first.code(), first.out() + first.err());
    CliTest.Result add =
        CliTest.run(
            "corpus", "add", m1.resolve("f.trace").toString(), "--corpus", corpus.toString());
    assertEquals(ExitCodes.OK, add.code(), add.out() + add.err());
    assertTrue(
        add.out().contains("/strict-icr-asserted-mismatch-"),
        "named after the signature it keeps, not ok-: " + add.out());
    CliTest.Result again =
        CliTest.run(
            "merge",
            shard.toString(),
            "--out",
            dir.resolve("m2").toString(),
            "--corpus",
            corpus.toString());
    assertEquals(ExitCodes.OK, again.code(), again.out() + again.err());
  }

  @Test
  void theFileIsNamedAfterTheFindingItKeepsNotTheFirstVariantsFailure() throws Exception {
    // qemu-7.2.0 aborts on the ITR assert first; the finding is INTx under MSI-X on fix-v1.
    Path shard = Files.createDirectories(dir.resolve("shard"));
    Path f =
        MergeCommandTest.finding(
            shard,
            "f.trace",
            "write IMS 0x1\nwrite ICS 0x1\nmsix on\nwait 1ms\n",
            "intx-under-msix on fix-v1");
    Path corpus = dir.resolve("c");
    CliTest.Result add = CliTest.run("corpus", "add", f.toString(), "--corpus", corpus.toString());
    assertEquals(ExitCodes.OK, add.code(), add.out() + add.err());
    List<Path> stored = traces(corpus);
    assertEquals(1, stored.size());
    assertTrue(
        stored.get(0).getFileName().toString().startsWith("intx-under-msix-"), stored.toString());
    String text = Files.readString(stored.get(0));
    assertTrue(
        text.contains("@expect qemu-7.2.0 assert:itr-timer-under-msix\n")
            && text.contains("@expect fix-v1 intx-under-msix\n"),
        text);
  }

  @Test
  void handWrittenExpectLinesAreKeptOrTheTraceIsRefused() throws Exception {
    Path corpus = dir.resolve("c");
    Path mine =
        Files.writeString(dir.resolve("mine.trace"), "# mine\n@expect * ok\nwrite IMS 0x4\n");
    CliTest.Result kept =
        CliTest.run("corpus", "add", mine.toString(), "--corpus", corpus.toString());
    assertEquals(ExitCodes.OK, kept.code(), kept.out() + kept.err());
    assertEquals(
        "# mine\n@expect * ok\nwrite IMS 0x00000004\n", Files.readString(traces(corpus).get(0)));

    Path partial =
        Files.writeString(
            dir.resolve("partial.trace"),
            "@expect qemu-8.1 assert:collect-delayed-causes\n" + RACE);
    assertEquals(
        ExitCodes.OK,
        CliTest.run("corpus", "add", partial.toString(), "--corpus", corpus.toString()).code());
    Path stored =
        traces(corpus).stream()
            .filter(p -> p.getFileName().toString().startsWith("assert-"))
            .findFirst()
            .orElseThrow();
    List<String> expect =
        Files.readAllLines(stored).stream().filter(l -> l.startsWith("@expect")).toList();
    assertEquals(
        "@expect qemu-8.1 assert:collect-delayed-causes",
        expect.get(0),
        "the user's line first, as written");
    assertEquals(
        Variant.values().length,
        expect.size(),
        "and a computed line for each other variant: " + expect);

    Path wrong =
        Files.writeString(dir.resolve("wrong.trace"), "@expect qemu-8.1 ok\n@expect * ok\n" + RACE);
    List<Path> before = traces(corpus);
    CliTest.Result refused =
        CliTest.run("corpus", "add", wrong.toString(), "--corpus", corpus.toString());
    assertEquals(ExitCodes.BAD_INPUT, refused.code(), refused.out() + refused.err());
    assertTrue(
        refused
            .err()
            .contains(
                wrong
                    + ": its @expect lines disagree with what it does (without the strict invariants): "
                    + "qemu-7.2.0: @expect says ok, the trace gives assert:collect-delayed-causes; "
                    + "qemu-8.1: @expect says ok, the trace gives assert:collect-delayed-causes"),
        refused.err());
    assertEquals(before, traces(corpus), "nothing stored");
  }

  @Test
  void anInternalErrorIsNoRegressionCase() throws Exception {
    Path f =
        Files.writeString(
            dir.resolve("internal-error-x.trace"),
            "# e1kfuzz internal error on qemu-8.1: java.lang.IllegalStateException\nwrite IMS 0x4\n");
    CliTest.Result r =
        CliTest.run("corpus", "add", f.toString(), "--corpus", dir.resolve("c").toString());
    assertEquals(ExitCodes.BAD_INPUT, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("an internal error of e1kfuzz on qemu-8.1"), r.err());
  }

  /**
   * The README's advice to see strict violations, on a correct corpus file: no MISMATCH, exit 0.
   */
  @Test
  void replayWithStrictOnACorrectCorpusFileIsNoMismatch() throws Exception {
    CliTest.Result r =
        CliTest.run(
            "replay",
            PROJECT_CORPUS.resolve("s1-tidv-race.trace").toString(),
            "--strict",
            "--summary");
    assertEquals(ExitCodes.OK, r.code(), r.out() + r.err());
    assertTrue(
        r.out()
            .contains("qemu-10.2        violated strict:stale-delayed-state-under-msix at step 4"),
        r.out());
    assertTrue(r.out().contains("(@expect ok holds without the strict invariants)"), r.out());
    assertFalse(r.out().contains("MISMATCH"), r.out());
    // An @expect line that is wrong without the strict invariants is still a mismatch under
    // --strict.
    Path wrong = Files.writeString(dir.resolve("wrong.trace"), "@expect * ok\n" + RACE);
    CliTest.Result m =
        CliTest.run("replay", wrong.toString(), "--strict", "--summary", "--variant", "qemu-8.1");
    assertEquals(ExitCodes.FOUND, m.code(), m.out());
    assertTrue(m.out().contains("MISMATCH: expected ok"), m.out());
  }
}
