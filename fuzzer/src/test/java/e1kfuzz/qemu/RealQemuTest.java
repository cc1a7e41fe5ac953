package e1kfuzz.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import e1kfuzz.corpus.TraceFiles;
import e1kfuzz.diff.Differ;
import e1kfuzz.export.QtestExport;
import e1kfuzz.model.Step;
import e1kfuzz.model.Trace;
import e1kfuzz.model.TraceParser;
import e1kfuzz.observe.ModelObserver;
import e1kfuzz.observe.ObservedRun;
import e1kfuzz.timing.Robustness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The model against the four Debian builds (`make qemu`): every timing-robust corpus trace must
 * give the same observations on the build as on its variant. Skipped, visibly, without the builds.
 */
class RealQemuTest {
  private static final java.util.Set<String> WARNED =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  static QemuBuild build(String launcher) {
    Path p = QemuBuild.cached(launcher).orElse(null);
    if (p == null && WARNED.add(launcher)) {
      System.err.println(
          "RealQemuTest: QEMU build "
              + launcher
              + " not found in "
              + QemuBuild.cacheDir()
              + "; its tests are SKIPPED. Run 'make qemu' to fetch the four Debian builds.");
    }
    Assumptions.assumeTrue(
        p != null,
        () ->
            "QEMU build "
                + launcher
                + " not found in "
                + QemuBuild.cacheDir()
                + ": run 'make qemu' (skipping)");
    try {
      return QemuBuild.probe(p);
    } catch (QemuUnavailableException e) {
      Assumptions.abort(launcher + " unusable: " + e.getMessage());
      return null;
    }
  }

  static List<Path> corpus() throws Exception {
    try (Stream<Path> s = Files.list(Paths.get("..", "corpus"))) {
      return s.filter(p -> p.toString().endsWith(".trace")).sorted().toList();
    }
  }

  @TestFactory
  Stream<DynamicNode> robustCorpusTracesAgreeWithTheMatchingBuild() throws Exception {
    List<Path> files = corpus();
    return QemuBuild.DEBIAN_LAUNCHERS.stream()
        .map(
            launcher ->
                DynamicContainer.dynamicContainer(
                    launcher,
                    files.stream()
                        .map(
                            f ->
                                DynamicTest.dynamicTest(
                                    f.getFileName().toString(),
                                    () -> {
                                      QemuBuild b = build(launcher);
                                      Trace t = TraceFiles.read(f);
                                      String unsupported = Qtest.firstUnsupported(t.steps());
                                      Assumptions.assumeTrue(
                                          unsupported == null,
                                          () -> "not replayable: " + unsupported);
                                      String fragile =
                                          b.timingProblem(
                                              b.variant(), t.steps(), Robustness.DEFAULT_MARGIN_NS);
                                      Assumptions.assumeTrue(
                                          fragile == null, () -> "not timing-robust: " + fragile);
                                      ObservedRun model = ModelObserver.run(b.variant(), t.steps());
                                      ObservedRun run = QemuBackend.runOnce(b, t.steps());
                                      assertNull(
                                          run.failure(), () -> "backend failure: " + run.failure());
                                      Differ.Divergence d = Differ.compare(model, run);
                                      assertNull(
                                          d,
                                          () ->
                                              d.describe()
                                                  + "\n"
                                                  + Differ.timelines(t.steps(), model, run));
                                      // The corpus says what the variant does; QEMU's abort must be
                                      // that too.
                                      String expected = t.expectedResult(b.variant()).orElseThrow();
                                      if (expected.startsWith("assert:")) {
                                        assertEquals(expected, run.abortId());
                                      } else {
                                        assertNull(run.abortId());
                                      }
                                    }))));
  }

  /** The seed race on the pre-fix builds aborts, on the fixed ones it folds TXDW|TXQE into ICR. */
  @Test
  void theSeedRaceOnAllFourBuilds() throws Exception {
    List<Step> race =
        TraceParser.parse(
                "race", "write TIDV 0xffff\nwrite TCTL 0xa\ntx ide\nmsix on\nwait 100ms\n")
            .steps();
    for (String launcher : QemuBuild.DEBIAN_LAUNCHERS) {
      QemuBuild b = build(launcher);
      ObservedRun run = QemuBackend.runOnce(b, race);
      assertNull(run.failure());
      assertTrue(
          run.timerEvents().contains("armed tidv, delay 67107840 ns"),
          launcher + ": " + run.timerEvents());
      if (launcher.equals("qemu-7.2.18") || launcher.equals("qemu-10.0.2")) {
        assertEquals("assert:collect-delayed-causes", run.abortId(), launcher);
        assertEquals(5, run.abortStep());
        assertTrue(
            run.abort().assertion().contains("delayed_causes == 0"), run.abort().assertion());
      } else {
        assertNull(run.abortId(), launcher);
        assertEquals(0x80000003, run.observations().get(4).ics(), launcher);
      }
    }
  }

  /** No QEMU process and no temporary folder is left behind, whatever the run did. */
  @Test
  void processesAndTemporaryFilesAreCleanedUp() throws Exception {
    QemuBuild b = build("qemu-7.2.18");
    // Only what this test's QEMUs used counts (another e1kfuzz on the machine makes and removes
    // folders of its own): a watcher records each QEMU's working folder, the backend's temporary
    // one.
    java.util.Set<Path> folders = java.util.concurrent.ConcurrentHashMap.newKeySet();
    java.util.concurrent.atomic.AtomicBoolean done =
        new java.util.concurrent.atomic.AtomicBoolean();
    Thread watcher =
        new Thread(
            () -> {
              while (!done.get()) {
                ProcessHandle.current()
                    .descendants()
                    .filter(
                        p ->
                            p.info()
                                .commandLine()
                                .map(c -> c.contains("qemu") && c.contains("q35"))
                                .orElse(false))
                    .forEach(
                        p -> {
                          try {
                            folders.add(
                                Files.readSymbolicLink(
                                    Path.of("/proc", Long.toString(p.pid()), "cwd")));
                          } catch (java.io.IOException gone) {
                            // ended meanwhile
                          }
                        });
                Thread.onSpinWait();
              }
            });
    watcher.start();
    try {
      QemuBackend.runOnce(
          b,
          TraceParser.parse(
                  "x", "write ITR 0xffff\nwrite IMS 0x4\nwrite ICS 0x4\nmsix on\nwait 30ms\n")
              .steps());
      QemuBackend.runOnce(b, TraceParser.parse("y", "write IMS 0x4\nwait 10ms\n").steps());
    } finally {
      done.set(true);
      watcher.join();
    }
    assertEquals(
        0,
        ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).count(),
        "QEMU processes left: "
            + ProcessHandle.current()
                .descendants()
                .map(p -> p.info().commandLine().orElse("?"))
                .toList());
    assertTrue(!folders.isEmpty(), "the watcher saw no QEMU");
    for (Path f : folders) {
      assertTrue(f.getFileName().toString().startsWith("e1kfuzz-qemu-"), "QEMU ran in " + f);
      assertFalse(Files.exists(f), "temporary folder left: " + f);
    }
  }

  static List<Path> leftovers(Path tmp) throws Exception {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(tmp)) {
      s.filter(p -> p.getFileName().toString().startsWith("e1kfuzz-qemu-")).forEach(out::add);
    }
    return out;
  }

  @Test
  void abortMessagesMapToSignatures() {
    assertEquals(
        "assert:collect-delayed-causes",
        QemuStderr.abortSignature(
            "qemu-system-x86_64: ../../hw/net/e1000e_core.c:340: e1000e_intmgr_collect_delayed_causes: Assertion `core->delayed_causes == 0' failed.\n"));
    assertEquals(
        "assert:itr-timer-under-msix",
        QemuStderr.abortSignature(
            "x: ../../hw/net/e1000e_core.c:143: e1000e_intrmgr_on_throttling_timer: Assertion `!msix_enabled(timer->core->owner)' failed.\n"));
    assertEquals(
        "assert:eitr-timer-without-msix",
        QemuStderr.abortSignature(
            "x: ../../hw/net/e1000e_core.c:169: e1000e_intrmgr_on_msix_throttling_timer: Assertion `msix_enabled(timer->core->owner)' failed.\n"));
    assertNull(QemuStderr.abortSignature("qemu-system-x86_64: warning: dbus\n"));
  }

  @Test
  void versionsMapToVariants() {
    assertEquals(e1kfuzz.model.Variant.QEMU_7_2_0, QemuBuild.variantFor(7, 2, 18));
    assertEquals(e1kfuzz.model.Variant.QEMU_7_2_20, QemuBuild.variantFor(7, 2, 22));
    assertEquals(e1kfuzz.model.Variant.QEMU_8_1, QemuBuild.variantFor(10, 0, 2));
    assertEquals(e1kfuzz.model.Variant.QEMU_10_2, QemuBuild.variantFor(10, 0, 13));
    assertEquals(e1kfuzz.model.Variant.QEMU_8_1, QemuBuild.variantFor(10, 1, 0));
    assertEquals(e1kfuzz.model.Variant.QEMU_10_2, QemuBuild.variantFor(10, 1, 1));
    assertEquals(e1kfuzz.model.Variant.QEMU_10_2, QemuBuild.variantFor(10, 2, 0));
  }

  /**
   * The exported qtest script of the seed race, piped into each build, aborts exactly the pre-fix
   * ones.
   */
  @Test
  void exportedSeedRaceScriptAbortsExactlyThePreFixBuilds() throws Exception {
    Trace race =
        TraceParser.parse("s1", "write TIDV 0xffff\nwrite TCTL 0xa\ntx ide\nmsix on\nwait 100ms\n");
    String script = QtestExport.script("s1.trace", race, e1kfuzz.model.Variant.QEMU_10_2);
    for (String launcher : QemuBuild.DEBIAN_LAUNCHERS) {
      QemuBuild b = build(launcher);
      int code = pipe(b, script);
      boolean preFix = launcher.equals("qemu-7.2.18") || launcher.equals("qemu-10.0.2");
      assertEquals(preFix, code == 134, launcher + " exit " + code);
    }
  }

  /** What scripts/replay-qtest.sh does: feed the lines, honour '#!sleep', then stop QEMU. */
  static int pipe(QemuBuild b, String script) throws Exception {
    Path dir = Files.createTempDirectory("e1kfuzz-qemu-");
    try {
      byte[] halt = new byte[65536];
      java.util.Arrays.fill(halt, (byte) 0xF4);
      Files.write(dir.resolve("halt.bin"), halt);
      Process p =
          new ProcessBuilder(
                  b.path().toString(),
                  "-nodefaults",
                  "-display",
                  "none",
                  "-machine",
                  "q35",
                  "-accel",
                  "tcg",
                  "-bios",
                  dir.resolve("halt.bin").toString(),
                  "-device",
                  "e1000e,addr=0x2,romfile=",
                  "-qtest",
                  "stdio",
                  "-qtest-log",
                  "/dev/null")
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      try (var in = p.getOutputStream()) {
        for (String line : script.split("\n")) {
          if (line.startsWith("#!sleep ")) {
            in.flush();
            Thread.sleep((long) (Double.parseDouble(line.substring(8)) * 1000));
          } else if (!line.startsWith("#") && !line.isEmpty()) {
            in.write((line + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
          }
        }
        in.flush();
        if (p.waitFor(500, java.util.concurrent.TimeUnit.MILLISECONDS)) {
          return p.exitValue();
        }
      } catch (java.io.IOException brokenPipe) {
        // QEMU died while we were still writing
      }
      if (!p.waitFor(500, java.util.concurrent.TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor();
        return 124;
      }
      return p.exitValue();
    } finally {
      QtestSession.deleteTree(dir);
    }
  }

  /** The shrunk findings of a fuzz run can be checked with diff against each build. */
  @Test
  void findingsOfAFuzzRunCanBeDiffedAgainstEveryBuild() throws Exception {
    Path out = Files.createTempDirectory("e1kfuzz-findings-");
    try {
      java.io.StringWriter sink = new java.io.StringWriter();
      int code =
          e1kfuzz.cli.Main.run(
              new String[] {
                "fuzz", "--variant", "all", "--seed", "1", "--runs", "3000", "--out", out.toString()
              },
              new java.io.PrintWriter(sink),
              new java.io.PrintWriter(sink));
      assertEquals(3, code, sink.toString());
      List<String> files;
      try (Stream<Path> s = Files.list(out)) {
        files = s.map(Path::toString).sorted().toList();
      }
      assertTrue(files.size() >= 3, files.toString());
      for (String launcher : QemuBuild.DEBIAN_LAUNCHERS) {
        QemuBuild b = build(launcher);
        List<String> args = new ArrayList<>(List.of("diff", "--qemu", b.path().toString()));
        args.addAll(files);
        java.io.StringWriter w = new java.io.StringWriter();
        int rc =
            e1kfuzz.cli.Main.run(
                args.toArray(String[]::new),
                new java.io.PrintWriter(w),
                new java.io.PrintWriter(w));
        assertTrue(rc == 0 || rc == 4, launcher + " exit " + rc + ":\n" + w);
        assertTrue(w.toString().contains("0 backend failures"), w.toString());
        // Every finding either agrees or is flagged as not timing-robust before it diverges.
        for (String line : w.toString().split("\n")) {
          if (line.contains(": DIVERGED")) {
            String file = line.substring(0, line.indexOf(": DIVERGED"));
            assertTrue(
                w.toString().contains(file + ": warning, not timing-robust"), line + "\n" + w);
          }
        }
      }
    } finally {
      QtestSession.deleteTree(out);
    }
  }
  // The exact builds (make qemu-src) are checked by ExactQemuTest.
}
