package e1kfuzz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import e1kfuzz.model.Variant;
import e1kfuzz.qemu.QemuBuild;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several files, one of them bad (a syntax error, invalid UTF-8, a folder where a file should be):
 * the bad one is named with its line, the others still run, exit 2.
 */
class BadFilesTest {
  @TempDir Path dir;

  Path corpusWithBadFiles() throws Exception {
    Path c = Files.createDirectories(dir.resolve("corpus"));
    Files.copy(Paths.get("..", "corpus", "s1-tidv-race.trace"), c.resolve("a-good.trace"));
    Files.writeString(c.resolve("b-syntax.trace"), "@expect * ok\nwrite IMS 0x4\nwait 5 ms\n");
    Files.write(
        c.resolve("c-utf8.trace"),
        new byte[] {
          '@', 'e', 'x', 'p', 'e', 'c', 't', ' ', '*', ' ', 'o', 'k', '\n', '#', (byte) 0xc3, '\n'
        });
    Files.createDirectories(c.resolve("d-folder.trace"));
    Files.writeString(c.resolve("e-good.trace"), "@expect * ok\nwrite IMS 0x4\n");
    return c;
  }

  @Test
  void corpusCheckReportsEachBadFileAndChecksTheOthers() throws Exception {
    Path c = corpusWithBadFiles();
    CliTest.Result r = CliTest.run("corpus", "check", c.toString());
    assertEquals(ExitCodes.BAD_INPUT, r.code(), r.out() + r.err());
    assertTrue(
        r.err()
            .contains(
                c.resolve("b-syntax.trace") + ":3:8: unexpected text (expected 'wait DURATION"),
        r.err());
    assertTrue(
        r.err().contains(c.resolve("c-utf8.trace") + ":2: invalid UTF-8: byte 0xc3 at offset 14"),
        r.err());
    assertTrue(r.err().contains(c.resolve("d-folder.trace") + ": is a folder"), r.err());
    assertTrue(
        r.out()
            .contains(
                "5 files, "
                    + Variant.values().length
                    + " variants each: 0 mismatches, 3 unreadable"),
        r.out());
    // a good file that fails its expectation is still found among the bad ones
    Files.writeString(
        c.resolve("e-good.trace"),
        "@expect * ok\nwrite TIDV 0xffff\nwrite TCTL 0xa\ntx ide\nmsix on\nwait 100ms\n");
    CliTest.Result m = CliTest.run("corpus", "check", c.toString());
    assertTrue(m.out().contains("e-good.trace: ") && m.out().contains("3 unreadable"), m.out());
  }

  @Test
  void corpusAddStoresTheGoodFilesAndNamesTheBadOnes() throws Exception {
    Path c = corpusWithBadFiles();
    Path store = dir.resolve("store");
    CliTest.Result r =
        CliTest.run(
            "corpus",
            "add",
            c.resolve("b-syntax.trace").toString(),
            c.resolve("e-good.trace").toString(),
            "--corpus",
            store.toString());
    assertEquals(ExitCodes.BAD_INPUT, r.code(), r.out() + r.err());
    assertTrue(r.err().contains(c.resolve("b-syntax.trace") + ":3:8: unexpected text"), r.err());
    assertTrue(r.out().contains("added "), r.out());
  }

  @Test
  void diffReportsTheBadFileAndComparesTheOthers() throws Exception {
    Path p = QemuBuild.cached("qemu-7.2.22").orElse(null);
    if (p == null) {
      System.err.println(
          "BadFilesTest: SKIPPED diff: QEMU build qemu-7.2.22 not in "
              + QemuBuild.cacheDir()
              + " (make qemu)");
      Assumptions.abort("no QEMU build");
    }
    Path c = corpusWithBadFiles();
    CliTest.Result r =
        CliTest.run(
            "diff",
            c.resolve("b-syntax.trace").toString(),
            c.resolve("e-good.trace").toString(),
            c.resolve("c-utf8.trace").toString(),
            "--qemu",
            "qemu-7.2.22");
    assertEquals(ExitCodes.BAD_INPUT, r.code(), r.out() + r.err());
    assertTrue(r.err().contains(c.resolve("b-syntax.trace") + ":3:8: unexpected text"), r.err());
    assertTrue(r.err().contains(c.resolve("c-utf8.trace") + ":2: invalid UTF-8"), r.err());
    assertTrue(r.out().contains(c.resolve("e-good.trace") + ": same"), r.out());
    assertTrue(
        r.out().contains("1 same, 0 diverged, 0 skipped, 0 backend failures, 2 unreadable"),
        r.out());
  }

  /**
   * A missing file, a folder given as a trace, a missing corpus folder: the reason in words, exit
   * 2.
   */
  @Test
  void missingFilesAndFoldersAreNamedWithTheReason(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
    CliTest.Result missing = CliTest.run("replay", tmp.resolve("nope.trace").toString());
    org.junit.jupiter.api.Assertions.assertEquals(ExitCodes.BAD_INPUT, missing.code());
    org.junit.jupiter.api.Assertions.assertTrue(
        missing.err().contains(tmp.resolve("nope.trace") + ": no such file\n"), missing.err());
    CliTest.Result folder = CliTest.run("replay", tmp.toString());
    org.junit.jupiter.api.Assertions.assertTrue(
        folder.err().contains(tmp + ": is a folder"), folder.err());
    CliTest.Result corpus = CliTest.run("corpus", "check", tmp.resolve("none").toString());
    org.junit.jupiter.api.Assertions.assertEquals(ExitCodes.BAD_INPUT, corpus.code());
    org.junit.jupiter.api.Assertions.assertTrue(
        corpus.err().contains("corpus folder " + tmp.resolve("none") + " does not exist"),
        corpus.err());
    CliTest.Result junit = CliTest.run("fuzz", "--runs", "5", "--junit", tmp.toString());
    org.junit.jupiter.api.Assertions.assertEquals(ExitCodes.BAD_INPUT, junit.code());
    org.junit.jupiter.api.Assertions.assertTrue(
        junit.err().contains("is a folder; give the name of the file to write"), junit.err());
  }
}
