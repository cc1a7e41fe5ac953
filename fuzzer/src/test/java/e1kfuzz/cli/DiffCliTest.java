package e1kfuzz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import e1kfuzz.model.Variant;
import e1kfuzz.qemu.QemuBuild;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real-QEMU commands' contract: what they cannot do is refused up front, what they cannot
 * compare is skipped.
 */
class DiffCliTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(
      strings = {
        "--junit=x.xml",
        "--html=x.html",
        "--state=st",
        "--resume=st",
        "--format=json",
        "--zero-ns-windows",
        "--no-confirm",
        "--shard=1/2",
        "--strict",
        "--guidance=none"
      })
  void aDifferentialCampaignRefusesWhatItWouldIgnore(String option) {
    CliTest.Result r =
        CliTest.run(
            "fuzz",
            "--backend",
            "diff",
            "--runs",
            "5",
            "--out",
            dir.resolve("f").toString(),
            option);
    assertEquals(ExitCodes.BAD_INPUT, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("cannot be combined with --backend diff"), r.err());
    assertFalse(Files.exists(dir.resolve("f")), "nothing is written");
  }

  @Test
  void aMissingExactBuildPointsAtMakeQemuSrc() {
    CliTest.Result r = CliTest.run("diff", "../corpus/s1-tidv-race.trace", "--qemu", "exact-nope");
    assertEquals(ExitCodes.NO_QEMU, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("'make qemu-src' builds the exact builds"), r.err());
  }

  @Test
  void replayOnQemuRefusesJson() {
    CliTest.Result r =
        CliTest.run("replay", "corpus/s1-tidv-race.trace", "--backend", "qemu", "--format", "json");
    assertEquals(ExitCodes.BAD_INPUT, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("--backend qemu prints text only"), r.err());
  }

  @Test
  void diffSkipsATraceItCannotCompareWithTheReasonAndExitsZero() throws Exception {
    Path exact = QemuBuild.exact(Variant.QEMU_7_2_0).orElse(null);
    Assumptions.assumeTrue(
        exact != null,
        () ->
            "no exact build of qemu-7.2.0 in "
                + QemuBuild.cacheDir()
                + ": run 'make qemu-src' (skipping)");
    Path root = Path.of("").toAbsolutePath().getParent();
    Path tidv0 = root.resolve("corpus/tidv0-race.trace");
    CliTest.Result r =
        CliTest.run(
            "diff",
            tidv0.toString(),
            root.resolve("corpus/s1-tidv-race.trace").toString(),
            "--qemu",
            "exact-qemu-7.2.0");
    assertEquals(ExitCodes.OK, r.code(), r.out() + r.err());
    assertTrue(
        r.out()
            .contains(
                "tidv0-race.trace: skipped, cannot be compared on this build: tidv is due at the instant of step"),
        r.out());
    assertTrue(r.out().contains("1 same, 0 diverged, 1 skipped"), r.out());
    assertTrue(r.out().contains("; 1 trace run in "), "singular: " + r.out());
    CliTest.Result forced =
        CliTest.run("diff", tidv0.toString(), "--qemu", "exact-qemu-7.2.0", "--run-fragile");
    assertTrue(forced.out().contains("warning, may not be compared faithfully"), forced.out());
  }

  @Test
  void diffSaysWhatQemusOwnObservationsProve() {
    Assumptions.assumeTrue(
        QemuBuild.exact(Variant.QEMU_10_2).isPresent()
            && QemuBuild.exact(Variant.QEMU_7_2_0).isPresent(),
        () ->
            "no exact builds of qemu-10.2 and qemu-7.2.0 in "
                + QemuBuild.cacheDir()
                + ": run 'make qemu-src' (skipping)");
    String echo =
        Path.of("")
            .toAbsolutePath()
            .getParent()
            .resolve("corpus/delivery-eitr-echo.trace")
            .toString();
    CliTest.Result r = CliTest.run("diff", echo, "--qemu", "exact-qemu-10.2");
    assertEquals(ExitCodes.OK, r.code(), r.out() + r.err());
    assertTrue(
        r.out()
            .contains(
                "delivery-eitr-echo.trace: delivery:spurious-interrupt on QEMU alone (step 8): an"
                    + " MSI-X message on vector 2 during step 8 (wait 1ms)"),
        r.out());
    CliTest.Result old = CliTest.run("diff", echo, "--qemu", "exact-qemu-7.2.0");
    assertEquals(ExitCodes.OK, old.code(), old.out() + old.err());
    assertTrue(!old.out().contains("on QEMU alone"), "7.2 sends no echo: " + old.out());
  }
}
