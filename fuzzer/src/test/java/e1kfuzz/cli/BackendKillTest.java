package e1kfuzz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import e1kfuzz.corpus.TraceFiles;
import e1kfuzz.model.Trace;
import e1kfuzz.model.Variant;
import e1kfuzz.qemu.QemuBuild;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A differential campaign whose QEMU is killed (SIGKILL) at random moments, and right after each
 * divergence is seen (while it is re-run and shrunk): the campaign must run its whole budget, count
 * the kills as backend failures, and every divergence it announced must be on disk as a readable
 * trace at the end. The model of qemu-7.2.0 is held against the exact build of qemu-10.2, so
 * divergences are plentiful.
 */
class BackendKillTest {
  private static final Pattern FOUND =
      Pattern.compile("divergence on run (\\d+) \\(.*\\) written to (\\S+)");

  @TempDir Path dir;

  /** Collects what the CLI prints on stderr; readable while the command runs. */
  private static final class Live extends Writer {
    final StringBuffer text = new StringBuffer();

    @Override
    public void write(char[] b, int off, int len) {
      text.append(b, off, len);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }

  @Test
  void noDivergenceIsLostWhenQemuIsKilledAtRandomMoments() throws Exception {
    Path exact = QemuBuild.exact(Variant.QEMU_10_2).orElse(null);
    Assumptions.assumeTrue(
        exact != null,
        () ->
            "no exact build of qemu-10.2 in "
                + QemuBuild.cacheDir()
                + ": run 'make qemu-src' (skipping)");
    Path out = dir.resolve("findings");
    Live err = new Live();
    java.io.StringWriter stdout = new java.io.StringWriter();
    AtomicInteger kills = new AtomicInteger();
    Killer killer = new Killer(err, kills);
    killer.start();
    int code;
    try {
      code =
          Main.run(
              new String[] {
                "fuzz",
                "--backend",
                "diff",
                "--qemu",
                exact.toString(),
                "--variant",
                "qemu-7.2.0",
                "--seed",
                "2026",
                "--runs",
                "160",
                "--jobs",
                "1",
                "--max-steps",
                "20",
                "--out",
                out.toString()
              },
              new PrintWriter(stdout),
              new PrintWriter(err));
    } finally {
      killer.done = true;
      killer.join(5000);
    }
    String o = stdout.toString();
    String e = err.text.toString();
    assertEquals(ExitCodes.DIVERGED, code, o + e);
    assertTrue(kills.get() >= 3, "the killer killed only " + kills.get() + " QEMUs\n" + o);
    assertFalse(o.contains("STOPPED EARLY"), o);
    assertTrue(o.contains("160 traces generated"), "the campaign ran its whole budget:\n" + o);
    assertTrue(o.contains("BACKEND FAILURE"), o);
    assertTrue(
        killer.duringShrink.get() > 0,
        "no kill landed while a divergence was re-run or shrunk\n" + o);
    // A failure report of a re-run or shrink candidate:
    // "backend-failure-<variant>-s<seed>-r<run>-c<hash>.trace".
    List<Path> reports =
        FuzzCliTest.traces(out).stream()
            .filter(p -> p.getFileName().toString().startsWith("backend-failure-"))
            .toList();
    assertFalse(reports.isEmpty(), "no backend-failure report written\n" + o);
    assertTrue(
        reports.stream().anyMatch(p -> p.getFileName().toString().contains("-c")),
        "no kill hit a re-run or a shrink candidate: " + reports + "\n" + o);
    List<String> announced = new ArrayList<>();
    Matcher m = FOUND.matcher(e);
    while (m.find()) {
      announced.add(m.group(2));
      Path f = Path.of(m.group(2));
      assertTrue(Files.exists(f), "announced divergence lost: " + f + "\n" + o);
      Trace t = TraceFiles.read(f);
      assertFalse(t.steps().isEmpty(), f.toString());
      assertTrue(
          String.join("\n", t.header()).contains("run " + m.group(1) + ","), t.header().toString());
    }
    assertTrue(announced.size() >= 2, "too few divergences to show anything:\n" + e);
  }

  /**
   * Kills a QEMU of this JVM every 150-600 ms, and three times within 200 ms after each divergence
   * is announced (when it is being re-run and shrunk).
   */
  private static final class Killer extends Thread {
    private final Live err;
    private final AtomicInteger kills;
    final AtomicInteger duringShrink = new AtomicInteger();
    volatile boolean done;

    Killer(Live err, AtomicInteger kills) {
      super("qemu-killer");
      setDaemon(true);
      this.err = err;
      this.kills = kills;
    }

    @Override
    public void run() {
      Random rnd = new Random(7);
      int seen = 0;
      long nextRandom = System.nanoTime() + 150_000_000L + rnd.nextInt(450) * 1_000_000L;
      while (!done) {
        int found = count(err.text.toString(), "divergence on run ");
        if (found > seen) {
          seen = found;
          for (int i = 0; i < 3 && !done; i++) {
            sleepMs(20 + rnd.nextInt(60));
            if (kill()) {
              duringShrink.incrementAndGet();
            }
          }
        }
        if (System.nanoTime() >= nextRandom) {
          kill();
          nextRandom = System.nanoTime() + 150_000_000L + rnd.nextInt(450) * 1_000_000L;
        }
        sleepMs(5);
      }
    }

    private boolean kill() {
      for (ProcessHandle p : ProcessHandle.current().descendants().toList()) {
        // The backend's QEMUs (q35, qtest), not a build probe (--version, -machine none).
        String cmd = p.info().commandLine().orElse("");
        if (cmd.contains("qemu-system")
            && cmd.contains("q35")
            && cmd.contains("-qtest")
            && p.destroyForcibly()) {
          kills.incrementAndGet();
          return true;
        }
      }
      return false;
    }

    private static int count(String s, String needle) {
      int n = 0;
      for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) {
        n++;
      }
      return n;
    }

    private static void sleepMs(long ms) {
      try {
        Thread.sleep(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
