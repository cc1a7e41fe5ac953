package e1kfuzz.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import e1kfuzz.diff.DiffCampaign;
import e1kfuzz.engine.GeneratorOptions;
import e1kfuzz.model.Step;
import e1kfuzz.model.TraceParser;
import e1kfuzz.observe.ObservedRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A real QEMU (from the cache, {@code make qemu}; skipped visibly without it) stopped with SIGSTOP
 * in the middle of a trace: the read times out, QEMU is killed, and the run is a backend failure,
 * not a finding or a divergence.
 */
class HangingQemuTest {

  /**
   * Stops (SIGSTOP) the first QEMU under qtest started by this JVM once it has run {@code afterMs}
   * (not a {@code --version} probe); its pid, or 0.
   */
  static final class Stopper extends Thread {
    final AtomicLong pid = new AtomicLong();

    /**
     * The working folder of the first QEMU stopped: the backend starts it in its temporary folder.
     */
    final java.util.concurrent.atomic.AtomicReference<Path> folder =
        new java.util.concurrent.atomic.AtomicReference<>();

    final long afterMs;
    volatile boolean done;

    Stopper(long afterMs) {
      super("sigstop-qemu");
      setDaemon(true);
      this.afterMs = afterMs;
    }

    @Override
    public void run() {
      java.util.Map<Long, Long> firstSeen = new java.util.HashMap<>();
      // Every such QEMU is stopped, not only the first: under load a QEMU may be caught while it
      // starts, and the backend's start retry would then run the whole trace on a fresh one.
      java.util.Set<Long> stopped = new java.util.HashSet<>();
      while (!done) {
        long now = System.nanoTime();
        // our own clock: ProcessHandle's start instants are not reliable in containers
        Optional<ProcessHandle> q =
            ProcessHandle.current()
                .descendants()
                .filter(ProcessHandle::isAlive)
                // the backend's QEMUs (q35), not a build probe (-machine none)
                .filter(
                    p ->
                        p.info()
                            .commandLine()
                            .map(
                                c ->
                                    c.contains("qemu") && c.contains("-qtest") && c.contains("q35"))
                            .orElse(false))
                .filter(p -> !stopped.contains(p.pid()))
                .filter(
                    p -> now - firstSeen.computeIfAbsent(p.pid(), x -> now) >= afterMs * 1_000_000L)
                .findFirst();
        if (q.isPresent()) {
          try {
            new ProcessBuilder("kill", "-STOP", Long.toString(q.get().pid()))
                .inheritIO()
                .start()
                .waitFor();
            stopped.add(q.get().pid());
            if (pid.compareAndSet(0, q.get().pid())) {
              try {
                folder.set(
                    Files.readSymbolicLink(Path.of("/proc", Long.toString(q.get().pid()), "cwd")));
              } catch (java.io.IOException gone) {
                // killed meanwhile: the test that needs the folder says so
              }
            }

          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  static void assertGone(long pid) throws Exception {
    for (int i = 0;
        i < 50 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        i++) {
      Thread.sleep(100);
    }
    assertFalse(
        ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
        "stopped QEMU " + pid + " was not killed");
  }

  /**
   * Runs a trace on a QEMU build with {@link QemuBackend#run} and prints what came of it, one
   * {@code key=value} a line; started in a JVM of its own by the test below.
   */
  static final class InFreshJvm {
    public static void main(String[] args) throws Exception {
      QemuBuild b = QemuBuild.probe(Path.of(args[0]));
      List<Step> steps = TraceParser.parse(args[1], Files.readString(Path.of(args[1]))).steps();
      ObservedRun run = QemuBackend.runOnce(b, steps);
      System.out.println("tmpdir=" + System.getProperty("java.io.tmpdir"));
      System.out.println(
          "failure=" + (run.failure() == null ? "" : run.failure().replace('\n', ' ')));
      System.out.println("abort=" + (run.abortId() == null ? "" : run.abortId()));
    }
  }

  static String value(List<String> lines, String key) {
    return lines.stream()
        .filter(l -> l.startsWith(key + "="))
        .map(l -> l.substring(key.length() + 1))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no '" + key + "=' line in " + lines));
  }

  @Test
  void aStoppedQemuIsTimedOutKilledAndReportedAsABackendFailure(
      @org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    QemuBuild b = RealQemuTest.build("qemu-7.2.22");
    // The backend runs in a JVM of its own whose java.io.tmpdir is a private folder, so the check
    // for temporary folders left behind sees only this test's, not those of another e1kfuzz
    // running on the machine.
    Path tmp = Files.createDirectories(dir.resolve("tmp"));
    // Real-time waits (4 s in all) give the stopper time to catch QEMU in the middle of the trace,
    // after its start (a QEMU that hangs while starting is killed and started again: tested too,
    // by stopping earlier, in the campaign test's first runs).
    Path trace =
        Files.writeString(
            dir.resolve("hang.trace"),
            ("write IMS 0x4\nwait 400ms\nwrite ICS 0x4\n"
                    + "wait 400ms\nlink down\nwait 400ms\nread ICR\nwait 400ms\nreset\nwait 400ms\n")
                .repeat(2));
    Path out = dir.resolve("child.out");
    Path err = dir.resolve("child.err");
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb =
        new ProcessBuilder(
                javaBin,
                "-Djava.io.tmpdir=" + tmp,
                "-cp",
                System.getProperty("java.class.path"),
                InFreshJvm.class.getName(),
                b.path().toString(),
                trace.toString())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    Stopper stopper = new Stopper(1500);
    stopper.start();
    long t0 = System.nanoTime();
    Process child = pb.start();
    boolean ended;
    try {
      ended = child.waitFor(90, TimeUnit.SECONDS);
    } finally {
      stopper.done = true;
      stopper.join(1000);
      if (child.isAlive()) {
        child.destroy(); // SIGTERM: its shutdown hook kills its QEMU
        if (!child.waitFor(10, TimeUnit.SECONDS)) {
          child.destroyForcibly().waitFor();
        }
      }
    }
    long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
    String childErr = Files.readString(err);
    assertTrue(ended, "the backend's JVM did not end in 90 s; stderr: " + childErr);
    assertEquals(0, child.exitValue(), "the backend's JVM failed: " + childErr);
    List<String> lines = Files.readAllLines(out);
    assertEquals(tmp.toString(), value(lines, "tmpdir"));
    long pid = stopper.pid.get();
    assertTrue(pid != 0, "the stopper found no QEMU to stop");
    String failure = value(lines, "failure");
    assertFalse(failure.isEmpty(), "a hang is a backend failure: " + lines);
    assertTrue(
        failure.contains("no reply")
            || failure.contains("no QMP reply")
            || failure.contains("did not start"),
        failure);
    assertEquals("", value(lines, "abort"), "a hang is not a QEMU abort: " + lines);
    assertTrue(seconds < 30, "timed out in " + seconds + " s");
    assertGone(pid);
    // The stopped QEMU ran in a temporary folder of the backend's, in the private tmpdir, and no
    // such folder is left.
    Path folder = stopper.folder.get();
    assertNotNull(folder, "the stopped QEMU's working folder was not read");
    assertEquals(tmp, folder.getParent(), "the stopped QEMU ran in " + folder);
    assertFalse(Files.exists(folder), "temporary folder left: " + folder);
    assertEquals(List.of(), RealQemuTest.leftovers(tmp), "temporary folder left");
  }

  @Test
  void aDifferentialCampaignCountsItAsABackendFailureNotADivergence() throws Exception {
    QemuBuild b = RealQemuTest.build("qemu-7.2.22");
    // wait-heavy traces, so that QEMU is caught mid-trace
    int[] w = GeneratorOptions.parseWeights("wait=60,write=20,reset=0");
    DiffCampaign.Options o =
        new DiffCampaign.Options(
            b, b.variant(), 3, 0, Duration.ofSeconds(40), new GeneratorOptions(12, w), 5_000_000L);
    DiffCampaign c = new DiffCampaign(o);
    Stopper stopper = new Stopper(1200);
    stopper.start();
    DiffCampaign.Result r;
    try {
      // The first QEMU stopped may already have been ending its trace; the stopper goes on
      // stopping every QEMU, and the campaign stops at its first backend failure (or after 40 s).
      r =
          c.run(
              new DiffCampaign.Listener() {
                @Override
                public void onTrace(long generated, long compared, int divergences, long elapsed) {}

                @Override
                public void onBackendFailure(DiffCampaign.BackendFailure f) {
                  c.requestStop();
                }
              });
    } finally {
      stopper.done = true;
      stopper.join(1000);
    }
    long pid = stopper.pid.get();
    assertTrue(pid != 0, "the stopper found no QEMU to stop in 40 s of campaign");
    assertTrue(
        r.backendFailures().stream()
            .anyMatch(
                f ->
                    f.failure().contains("no reply")
                        || f.failure().contains("no QMP reply")
                        || f.failure().contains("did not start")),
        r.backendFailures().toString());
    assertTrue(r.divergences().isEmpty(), "a hang is no divergence: " + r.divergences());
    assertGone(pid);
  }

  @Test
  void aQmpPeerThatNeverAnswersTimesOut(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    // A QMP server that accepts the connection and then says nothing, as a stopped QEMU does: the
    // blocking read must give up after the reply timeout instead of waiting forever.
    Path sock = dir.resolve("qmp.sock");
    try (var server =
        java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      server.bind(java.net.UnixDomainSocketAddress.of(sock));
      long t0 = System.nanoTime();
      QemuFailure f =
          org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
              Duration.ofSeconds(30),
              () ->
                  org.junit.jupiter.api.Assertions.assertThrows(
                      QemuFailure.class, () -> Qmp.connect(sock, 10_000, () -> true)));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(
          f.getMessage().contains("no QMP reply within " + QtestSession.REPLY_TIMEOUT_MS + " ms"),
          f.getMessage());
      assertFalse(f.exited(), "a silent QEMU has not exited");
      assertTrue(ms >= QtestSession.REPLY_TIMEOUT_MS - 100, ms + " ms");
    }
  }
}
