package e1kfuzz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An output folder that cannot be written (a file in its place, a read-only mount, a full disk): a
 * clear message, exit 2 (bad input), and every file written before is still there. The tests run as
 * root, for whom permission bits mean nothing, so they use mounts (skipped, visibly, where mount is
 * refused).
 */
class OutputFolderTest {
  @TempDir Path dir;

  static Map<Path, String> snapshot(Path d) throws IOException {
    Map<Path, String> m = new LinkedHashMap<>();
    try (Stream<Path> s = Files.walk(d)) {
      for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
        m.put(p, Files.readString(p));
      }
    }
    return m;
  }

  static boolean sh(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    boolean ok = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    if (!ok) {
      System.err.println(
          "OutputFolderTest: '" + String.join(" ", cmd) + "' failed: " + out.strip());
    }
    return ok;
  }

  static void mountOrSkip(String what, String... cmd) throws Exception {
    if (!sh(cmd)) {
      System.err.println(
          "OutputFolderTest: SKIPPED " + what + ": mount refused (needs root with CAP_SYS_ADMIN)");
      Assumptions.abort(what + ": mount refused");
    }
  }

  @Test
  void aFileWhereTheFolderShouldBeStopsBeforeTheCampaign() throws Exception {
    Path file = Files.writeString(dir.resolve("findings"), "my notes\n");
    CliTest.Result r = CliTest.fuzzSeed5("--out", file.toString());
    assertEquals(ExitCodes.BAD_INPUT, r.code(), r.out() + r.err());
    assertTrue(
        r.err()
            .contains(
                "cannot write findings to " + file + ": " + file + " exists and is not a folder"),
        r.err());
    assertFalse(r.out().contains("runs in"), "no campaign was run for nothing: " + r.out());
    assertEquals("my notes\n", Files.readString(file));
    // one level deeper too
    CliTest.Result deeper =
        CliTest.run(
            "fuzz",
            "--variant",
            "qemu-7.2.0",
            "--runs",
            "10",
            "--out",
            file.resolve("sub").toString());
    assertEquals(ExitCodes.BAD_INPUT, deeper.code());
    assertTrue(deeper.err().contains(file + " exists and is not a folder"), deeper.err());
  }

  @Test
  void aReadOnlyFolderIsReportedAndItsFindingsKept() throws Exception {
    Path out = dir.resolve("findings");
    assertEquals(ExitCodes.FOUND, CliTest.fuzzSeed5("--out", out.toString()).code());
    Map<Path, String> before = snapshot(out);
    assertFalse(before.isEmpty());
    mountOrSkip("read-only folder", "mount", "--bind", "-o", "ro", out.toString(), out.toString());
    try {
      if (!sh("mount", "-o", "remount,bind,ro", out.toString())) {
        Assumptions.abort("read-only remount refused");
      }
      CliTest.Result r =
          CliTest.run(
              "fuzz", "--variant", "all", "--seed", "9", "--runs", "3000", "--out", out.toString());
      assertEquals(ExitCodes.BAD_INPUT, r.code(), r.out() + r.err());
      assertTrue(
          r.err().contains("cannot write findings to " + out)
              && r.err().contains("Read-only file system"),
          r.err());
      assertTrue(r.err().contains("files written before are kept"), r.err());
    } finally {
      sh("umount", out.toString());
    }
    assertEquals(before, snapshot(out));
  }

  @Test
  void aFullDiskAfterTheCampaignIsReportedTheFindingsPrintedAndNothingLost() throws Exception {
    Path out = Files.createDirectories(dir.resolve("small"));
    mountOrSkip("full disk", "mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", out.toString());
    try {
      assertEquals(ExitCodes.FOUND, CliTest.fuzzSeed5("--out", out.toString()).code());
      Map<Path, String> before = snapshot(out);
      // fill the disk up, leaving inodes: the probe at the start passes, the findings do not fit
      try (OutputStream f = Files.newOutputStream(out.resolve("filler"))) {
        byte[] block = new byte[4096];
        while (true) {
          f.write(block);
          f.flush();
        }
      } catch (IOException full) {
        // No space left on device
      }
      CliTest.Result r =
          CliTest.run(
              "fuzz", "--variant", "all", "--seed", "9", "--runs", "3000", "--out", out.toString());
      assertEquals(ExitCodes.BAD_INPUT, r.code(), r.out() + r.err());
      assertTrue(
          r.err().contains("cannot write findings to " + out)
              && r.err().contains("No space left on device"),
          r.err());
      assertTrue(
          r.err().contains("# assert:collect-delayed-causes on qemu-7.2.0\n"),
          "the shrunk traces are printed: " + r.err());
      Files.delete(out.resolve("filler"));
      assertEquals(
          before, snapshot(out), "files written before are intact, nothing half-written is left");
      List<Path> names;
      try (Stream<Path> s = Files.list(out)) {
        names = s.toList();
      }
      assertTrue(
          names.stream().noneMatch(p -> p.getFileName().toString().endsWith(".tmp")),
          names.toString());
    } finally {
      sh("umount", out.toString());
    }
  }
}
