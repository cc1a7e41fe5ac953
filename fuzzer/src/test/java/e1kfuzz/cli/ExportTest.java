package e1kfuzz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import e1kfuzz.model.Variant;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportTest {
  @TempDir Path dir;

  /** -o names the class: a file name that is no Java class name is refused, with one that is. */
  @Test
  void junitExportRefusesAFileNameThatIsNoClassName() {
    Path out = dir.resolve("s2-itr-race.java");
    CliTest.Result r =
        CliTest.run("export", "../corpus/s2-itr-race.trace", "--to", "junit", "-o", out.toString());
    assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
    assertTrue(
        r.err().contains("'s2-itr-race' is no Java class name; try -o S2ItrRaceTest.java"),
        r.err());
    assertTrue(!Files.exists(out), "nothing written");
  }

  /** The exported JUnit class compiles against the model and its assertions hold. */
  @Test
  void junitExportCompilesAndPasses() throws Exception {
    Path out = dir.resolve("SeedRaceTest.java");
    CliTest.Result r =
        CliTest.run(
            "export", "../corpus/s1-tidv-race.trace", "--to", "junit", "-o", out.toString());
    assertEquals(0, r.code(), r.err());
    String src = Files.readString(out);
    assertTrue(src.contains("class SeedRaceTest"), src);
    int rc =
        ToolProvider.getSystemJavaCompiler()
            .run(
                null,
                null,
                null,
                "-cp",
                System.getProperty("java.class.path"),
                "-d",
                dir.toString(),
                out.toString());
    assertEquals(0, rc);
    try (URLClassLoader cl =
        new URLClassLoader(new java.net.URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
      Class<?> c = cl.loadClass("SeedRaceTest");
      var ctor = c.getDeclaredConstructor();
      ctor.setAccessible(true);
      Object test = ctor.newInstance();
      int methods = 0;
      for (var m : c.getDeclaredMethods()) {
        if (m.isAnnotationPresent(org.junit.jupiter.api.Test.class)) {
          m.setAccessible(true);
          m.invoke(test); // throws if an assertion fails
          methods++;
        }
      }
      assertEquals(Variant.values().length, methods);
    }
  }

  @Test
  void qtestExportIsCommentedAndRefusesWhatAScriptCannotDo() throws Exception {
    CliTest.Result r = CliTest.run("export", "../corpus/s1-tidv-race.trace", "--to", "qtest");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("# step 5: wait 100ms\n#!sleep 0.100000000\n"), r.out());
    assertTrue(
        r.out().contains("# step 4: msix on\noutl 0xcf8 0x800010a0\noutw 0xcfe 0x8000"), r.out());
    assertTrue(r.out().contains("qemu-7.2.0: assert:collect-delayed-causes"), r.out());
    Path rx = dir.resolve("rx.trace");
    Files.writeString(rx, "write RCTL 0x2\nrx\n");
    CliTest.Result bad = CliTest.run("export", rx.toString(), "--to", "qtest");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("cannot export to qtest: rx"), bad.err());
    Path ex = dir.resolve("ex.trace");
    Files.writeString(ex, "write TIDV 0x10\nwrite TCTL 0x2\ntx ide\nexpire tidv\n");
    assertEquals(2, CliTest.run("export", ex.toString(), "--to", "qtest").code());
    assertEquals(List.of(), List.of());
  }

  @Test
  void aQtestScriptOfAFindingThatIsNoAbortSaysHowToCheckIt() {
    CliTest.Result abort = CliTest.run("export", "../corpus/s1-tidv-race.trace", "--to", "qtest");
    assertTrue(abort.out().contains("QEMU aborting (exit 134"), abort.out());
    assertTrue(!abort.out().contains("Not every finding here is an abort"), abort.out());
    CliTest.Result echo =
        CliTest.run("export", "../corpus/delivery-eitr-echo.trace", "--to", "qtest");
    assertEquals(0, echo.code(), echo.err());
    assertTrue(!echo.out().contains("QEMU aborting (exit 134"), echo.out());
    assertTrue(echo.out().contains("e1kfuzz diff TRACE --qemu BUILD"), echo.out());
  }

  @Test
  void qtestSleepsAreWholeNanoseconds() throws Exception {
    Path t = dir.resolve("t.trace");
    Files.writeString(t, "wait 16776960ns\nwait 1000ms\nwait 0ns\nwait 2500ms\n");
    CliTest.Result r = CliTest.run("export", t.toString(), "--to", "qtest");
    assertEquals(0, r.code(), r.err());
    assertEquals(
        List.of(
            "#!sleep 0.016776960",
            "#!sleep 1.000000000",
            "#!sleep 0.000000000",
            "#!sleep 2.500000000"),
        r.out().lines().filter(l -> l.startsWith("#!sleep")).toList());
  }

  @Test
  void classNamesAreValidJava() {
    assertEquals(
        "AssertCollectDelayedCauses0123abcdTest",
        e1kfuzz.export.JunitExport.className("assert-collect-delayed-causes-0123abcd.trace"));
    assertEquals("Trace7Test", e1kfuzz.export.JunitExport.className("7.trace"));
  }

  /** An issue-ready report: the template's sections, the evidence per release, the C test. */
  @Test
  void reportExportHasTheIssueSectionsTheEvidenceAndTheCReproducer() throws Exception {
    Path out = dir.resolve("seed.md");
    CliTest.Result r =
        CliTest.run(
            "export", "../corpus/s1-tidv-race.trace", "--to", "report", "-o", out.toString());
    assertEquals(0, r.code(), r.err());
    String md = Files.readString(out);
    for (String section :
        List.of(
            "# e1000e: assert:collect-delayed-causes: ",
            "## Host environment",
            "## Description of problem",
            "## Steps to reproduce",
            "## Additional information",
            "static void test_s1_tidv_race(void)",
            "| 5 | `wait 100ms` | **QEMU aborts: assert:collect-delayed-causes** |")) {
      assertTrue(md.contains(section), section + " missing:\n" + md);
    }
    // Each release's line says what real QEMU showed, or that nothing checked it here.
    String line7220 =
        md.lines().filter(l -> l.startsWith("| qemu-7.2.20 |")).findFirst().orElseThrow();
    assertTrue(
        line7220.contains("confirmed on exact-qemu-7.2.20")
            || line7220.contains("not checked (no exact build here)"),
        line7220);
    assertTrue(md.contains("| qemu-7.2.0 | assert:collect-delayed-causes | 5 ("), md);
  }
}
