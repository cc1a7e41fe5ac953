package e1kfuzz.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import e1kfuzz.corpus.TraceFiles;
import e1kfuzz.model.Runner;
import e1kfuzz.model.Trace;
import e1kfuzz.model.TraceParser;
import e1kfuzz.model.Variant;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/replay-qtest.sh on scripts exported by {@code export --to qtest}: its words and exit
 * codes (0 survived, 1 aborted, 125 could not run, 255 usage) on the exact builds (qtest
 * accelerator, exact clock steps) and the Debian ones (TCG, real sleeps). Builds that are missing
 * are skipped visibly, as in {@link ExactQemuTest} and {@link RealQemuTest}.
 */
class ReplayQtestScriptTest {
  static final Path ROOT = Paths.get("..").toAbsolutePath().normalize();
  static final Path SCRIPT = ROOT.resolve("scripts/replay-qtest.sh");
  static final Path RACE = ROOT.resolve("corpus/s1-tidv-race.trace");

  @TempDir Path dir;

  record Result(int code, String out, String err) {
    String all() {
      return "exit " + code + "\nstdout:\n" + out + "stderr:\n" + err;
    }

    /** The line that says what QEMU did (the second: the first says how it runs). */
    String verdict() {
      return out.lines().filter(l -> l.startsWith("QEMU ")).findFirst().orElse("");
    }
  }

  static Result run(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile());
    pb.environment().put("E1KFUZZ_QEMU_DIR", QemuBuild.cacheDir().toString());
    Process p = pb.start();
    p.getOutputStream().close();
    var err =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> {
              try {
                return new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
              } catch (java.io.IOException e) {
                return e.toString();
              }
            });
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(
          "replay-qtest.sh " + String.join(" ", args) + " did not end in 120 s: " + out);
    }
    return new Result(p.exitValue(), out, err.get(10, TimeUnit.SECONDS));
  }

  /** {@code e1kfuzz export FILE --to qtest -o OUT}, as a user runs it. */
  Path export(Path trace, String name) {
    Path out = dir.resolve(name);
    StringWriter sink = new StringWriter();
    int code =
        e1kfuzz.cli.Main.run(
            new String[] {"export", trace.toString(), "--to", "qtest", "-o", out.toString()},
            new PrintWriter(sink),
            new PrintWriter(sink));
    assertEquals(0, code, sink.toString());
    return out;
  }

  /** What the script must say for a build whose model variant gives {@code expected}. */
  static void assertOutcome(String expected, Result r, String accel) {
    assertEquals("", r.err(), "nothing on stderr (no job-control noise): " + r.all());
    assertTrue(
        r.out().startsWith("replay-qtest: ")
            && r.out().lines().findFirst().orElse("").contains("-accel " + accel),
        r.all());
    if (expected.startsWith("assert:")) {
      assertEquals(1, r.code(), r.all());
      assertTrue(r.verdict().startsWith("QEMU aborted: "), r.all());
      // the assertion text QEMU printed, which the backend maps to the same signature
      assertEquals(expected, QemuStderr.abortSignature(r.verdict()), r.all());
    } else {
      assertEquals(0, r.code(), r.all());
      assertTrue(r.verdict().startsWith("QEMU survived the script"), r.all());
    }
  }

  @TestFactory
  Stream<DynamicTest> theSeedRaceOnEachExactBuild() throws Exception {
    Trace race = TraceFiles.read(RACE);
    return Stream.of(Variant.values())
        .map(
            v ->
                DynamicTest.dynamicTest(
                    v.id(),
                    () -> {
                      ExactQemuTest.exact(v); // skips when make qemu-src did not build it
                      Path script = export(RACE, "s1-" + v.id() + ".qtest");
                      Result r =
                          run(
                              script.toString(),
                              QemuBuild.exactLauncher(v)); // by launcher name, from the cache
                      assertOutcome(race.expectedResult(v).orElseThrow(), r, "qtest");
                    }));
  }

  @TestFactory
  Stream<DynamicTest> theSeedRaceOnEachDebianBuildWithRealSleeps() throws Exception {
    Trace race = TraceFiles.read(RACE);
    return QemuBuild.DEBIAN_LAUNCHERS.stream()
        .map(
            launcher ->
                DynamicTest.dynamicTest(
                    launcher,
                    () -> {
                      QemuBuild b = RealQemuTest.build(launcher);
                      Path script = export(RACE, "s1-" + launcher + ".qtest");
                      Result r = run(script.toString(), b.path().toString()); // by path
                      assertOutcome(race.expectedResult(b.variant()).orElseThrow(), r, "tcg");
                    }));
  }

  /**
   * '#!sleep' becomes a clock step of exactly that many nanoseconds: TIDV (0xffff × 1024 ns) fires
   * under MSI-X at 67,107,840 ns, so a wait 1 ns shorter survives the pre-fix build and the exact
   * one aborts it, as the model says (a rounding to microseconds would abort both).
   */
  @TestFactory
  Stream<DynamicTest> sleepsAreExactClockStepsToTheNanosecond() {
    return Stream.of(67_107_839L, 67_107_840L)
        .map(
            ns ->
                DynamicTest.dynamicTest(
                    ns + "ns",
                    () -> {
                      Variant v = Variant.QEMU_7_2_0;
                      ExactQemuTest.exact(v);
                      String text =
                          "write TIDV 0xffff\nwrite TCTL 0xa\ntx ide\nmsix on\nwait " + ns + "ns\n";
                      String model =
                          Runner.run(v, TraceParser.parse("edge", text).steps(), false).result();
                      Path script =
                          export(
                              Files.writeString(dir.resolve("edge-" + ns + ".trace"), text),
                              "edge-" + ns + ".qtest");
                      assertTrue(
                          Files.readString(script)
                              .contains(
                                  String.format(java.util.Locale.ROOT, "#!sleep 0.%09d\n", ns)));
                      assertOutcome(
                          model, run(script.toString(), QemuBuild.exactLauncher(v)), "qtest");
                      assertEquals(
                          ns == 67_107_840L ? "assert:collect-delayed-causes" : "ok", model);
                    }));
  }

  @Test
  void aMissingQemuMeansSkip() throws Exception {
    Path script = export(RACE, "s1.qtest");
    Result path = run(script.toString(), dir.resolve("no-such-qemu").toString());
    assertEquals(125, path.code(), path.all());
    assertEquals(
        "QEMU not found: " + dir.resolve("no-such-qemu") + " is not an executable file",
        path.verdict());
    Result name = run(script.toString(), "exact-no-such-build");
    assertEquals(125, name.code(), name.all());
    assertTrue(
        name.verdict()
            .startsWith(
                "QEMU not found: 'exact-no-such-build' is neither a launcher in "
                    + QemuBuild.cacheDir()
                    + " nor a command on PATH"),
        name.all());
  }

  @Test
  void aQemuThatCannotStartMeansSkipAndSaysWhy() throws Exception {
    // a stand-in with neither accelerator, as the exact builds have no TCG
    Path fake =
        Files.writeString(
            dir.resolve("qemu-no-accel"),
            "#!/bin/sh\n"
                + "while [ $# -gt 0 ]; do if [ \"$1\" = -accel ]; then\n"
                + "  echo \"qemu-system-x86_64: -accel $2: invalid accelerator $2\" >&2; exit 1; fi; shift; done\n");
    assertTrue(fake.toFile().setExecutable(true));
    Result r = run(export(RACE, "s1.qtest").toString(), fake.toString());
    assertEquals(125, r.code(), r.all());
    assertTrue(
        r.verdict()
            .startsWith(
                "QEMU failed to start: qemu-system-x86_64: -accel tcg: invalid accelerator tcg"),
        r.all());
    assertTrue(r.verdict().contains("invalid accelerator qtest"), r.all());
    assertEquals("", r.err(), r.all());
  }

  @Test
  void aRefusedCommandMeansSkipAndNamesItsLine() throws Exception {
    Path build =
        Stream.concat(
                Stream.of(Variant.values()).map(QemuBuild::exactLauncher),
                QemuBuild.DEBIAN_LAUNCHERS.stream())
            .map(QemuBuild::cached)
            .flatMap(java.util.Optional::stream)
            .findFirst()
            .orElse(null);
    Assumptions.assumeTrue(
        build != null,
        () -> "no QEMU build in " + QemuBuild.cacheDir() + ": run 'make qemu' (skipping)");
    Path script =
        Files.writeString(
            dir.resolve("bad.qtest"),
            "# a command QEMU does not know\nirq_intercept_in ioapic\n"
                + "frobnicate 0x1\nreadl 0xe00000c8\n");
    Result r = run(script.toString(), build.toString());
    assertEquals(125, r.code(), r.all());
    assertEquals(
        "QEMU refused a command: "
            + script
            + ":3: frobnicate 0x1: FAIL Unknown command 'frobnicate'",
        r.verdict());
  }

  /**
   * A command QEMU's qtest cannot parse asserts in qtest.c, not in the device: a malformed script,
   * not the bug.
   */
  @Test
  void aCommandQtestCannotParseIsAMalformedScriptNotTheBug() throws Exception {
    Path build = QemuBuild.exact(Variant.QEMU_10_2).orElse(null);
    Assumptions.assumeTrue(
        build != null,
        () -> "no exact build of qemu-10.2 in " + QemuBuild.cacheDir() + " (skipping)");
    Path script = Files.writeString(dir.resolve("malformed.qtest"), "readl 0xzz\n");
    Result r = run(script.toString(), build.toString());
    assertEquals(255, r.code(), r.all());
    assertTrue(
        r.out().contains("\nmalformed script: QEMU's qtest rejected a command: ERROR:"), r.all());
  }

  @Test
  void usageErrorsStopABisection() throws Exception {
    for (Map.Entry<String, List<String>> e :
        Map.of(
                "expected a script and optionally a QEMU, got 0 arguments",
                List.<String>of(),
                dir.resolve("missing.qtest") + ": not a readable file",
                List.of(dir.resolve("missing.qtest").toString()),
                "bad.qtest:2: '#!sleep 0.0000000001' is not a whole number of nanoseconds",
                List.of(
                    Files.writeString(dir.resolve("bad.qtest"), "readl 0x0\n#!sleep 0.0000000001\n")
                        .toString()))
            .entrySet()) {
      Result r = run(e.getValue().toArray(String[]::new));
      assertEquals(255, r.code(), r.all());
      assertTrue(r.err().contains(e.getKey()), r.all());
    }
  }
}
