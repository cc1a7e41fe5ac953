package e1kfuzz.cli;

import e1kfuzz.model.Trace;
import e1kfuzz.model.Variant;
import e1kfuzz.observe.Observation;
import e1kfuzz.observe.ObservedRun;
import e1kfuzz.qemu.QemuBackend;
import e1kfuzz.qemu.QemuBuild;
import e1kfuzz.qemu.Qtest;
import e1kfuzz.timing.Robustness;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code replay --backend qemu}: what a real QEMU does with each trace, checked against @expect.
 */
final class QemuReplay {
  private final CommandSpec spec;
  private final List<Path> files;
  private final String qemu;
  private final Path moduleDir;
  private final Variant variant;

  QemuReplay(CommandSpec spec, List<Path> files, String qemu, Path moduleDir, Variant variant) {
    this.spec = spec;
    this.files = files;
    this.qemu = qemu;
    this.moduleDir = moduleDir;
    this.variant = variant;
  }

  int call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    QemuBuild build = CliSupport.qemuBuild(qemu, moduleDir, err);
    if (build == null) {
      return ExitCodes.NO_QEMU;
    }
    Variant v = variant != null ? variant : build.variant();
    out.println(
        "qemu: "
            + build.path()
            + " ("
            + build.versionLine()
            + "), expectations of "
            + v.id()
            + (build.qtestAccel()
                ? "; qtest accelerator: exact virtual time"
                : "; real-time waits"));
    int mismatches = 0;
    int bad = 0;
    int failures = 0;
    for (Path f : files) {
      Trace t = CliSupport.readTrace(f, err);
      if (t == null) {
        bad++;
        continue;
      }
      String unsupported = Qtest.firstUnsupported(t.steps());
      if (unsupported != null) {
        out.println(f + ": skipped: " + unsupported);
        continue;
      }
      String fragile = build.timingProblem(v, t.steps(), Robustness.DEFAULT_MARGIN_NS);
      if (fragile != null) {
        out.println(f + ": warning, not timing-robust: " + fragile);
      }
      ObservedRun run = QemuBackend.runOnce(build, t.steps());
      if (run.failure() != null) {
        out.println(f + ": BACKEND FAILURE: " + run.failure());
        failures++;
        continue;
      }
      out.println("== " + f);
      for (Observation o : run.observations()) {
        out.printf("%5d  %-28s %s%n", o.step(), t.steps().get(o.step() - 1).format(), o.describe());
      }
      if (!run.timerEvents().isEmpty()) {
        out.println("       QEMU timer trace: " + String.join("; ", run.timerEvents()));
      }
      String result = run.abortId() == null ? "ok" : run.abortId();
      if (run.abortId() != null) {
        out.printf(
            "%5d  %-28s ABORT %s: %s%n",
            run.abort().step(),
            t.steps().get(run.abort().step() - 1).format(),
            run.abortId(),
            run.abort().assertion());
      }
      String expected = t.expectedResult(v).orElse(null);
      if (expected != null && t.strictExpectations()) {
        // Lines stated with the strict invariants may name a strict violation before QEMU's abort:
        // QEMU is held to the model's outcome without them (corpus check holds the lines
        // themselves).
        expected = e1kfuzz.model.Runner.run(v, t.steps(), false).result();
      }
      // QEMU shows only its aborts; the model's other signatures are not QEMU outcomes.
      String expectedAbort = expected != null && expected.startsWith("assert:") ? expected : "ok";
      boolean met = expected == null || expectedAbort.equals(result);
      if (!met) {
        mismatches++;
      }
      out.println(
          "verdict: "
              + result
              + (expected == null
                  ? ""
                  : met ? "  (as expected)" : "  MISMATCH: expected " + expectedAbort));
    }
    if (bad > 0) {
      return ExitCodes.BAD_INPUT;
    }
    if (mismatches > 0) {
      return ExitCodes.FOUND;
    }
    // As in diff: a QEMU that failed on some traces while nothing else went wrong.
    return failures > 0 ? ExitCodes.BACKEND_FAILURE : ExitCodes.OK;
  }
}
