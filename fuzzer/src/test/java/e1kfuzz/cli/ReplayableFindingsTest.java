package e1kfuzz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import e1kfuzz.corpus.TraceFiles;
import e1kfuzz.engine.Campaign;
import e1kfuzz.engine.CampaignOptions;
import e1kfuzz.engine.Finding;
import e1kfuzz.engine.GeneratorOptions;
import e1kfuzz.engine.Guidance;
import e1kfuzz.model.Signature;
import e1kfuzz.model.Trace;
import e1kfuzz.model.Variant;
import e1kfuzz.qemu.QemuBuild;
import e1kfuzz.timing.ExactTiming;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Findings come in the form the exact builds replay (no step runs while a timer is due), unless
 * --zero-ns-windows asks for the shortest form whatever it needs; and each one is confirmed on its
 * exact build when that is there.
 */
class ReplayableFindingsTest {
  @TempDir Path dir;

  private static Finding seedRace(boolean zeroNsWindows) throws Exception {
    // Seed 7: the first run that hits the seed race on qemu-7.2.0 does so through a 0-ns TIDV.
    CampaignOptions o =
        new CampaignOptions(
            List.of(Variant.values()),
            7,
            20_000,
            null,
            2,
            new GeneratorOptions(40, GeneratorOptions.defaultWeights()),
            false,
            0,
            1,
            Guidance.COVERAGE,
            zeroNsWindows);
    Campaign.Result r = new Campaign(o).run(null);
    return r.findings().stream()
        .filter(
            f ->
                f.variant() == Variant.QEMU_7_2_0
                    && f.signature()
                        == Signature.byId("assert:collect-delayed-causes").orElseThrow())
        .findFirst()
        .orElseThrow();
  }

  @Test
  void byDefaultTheSeedRaceIsShrunkToAFormTheExactBuildsReplay() throws Exception {
    Finding f = seedRace(false);
    assertNull(f.notExactReplayable());
    assertNull(ExactTiming.problem(f.variant(), f.shrunk().steps()), f.shrunk().steps().toString());
    assertNull(ExactTiming.problem(f.variant(), f.original()), "the run chosen replays too");
  }

  @Test
  void withZeroNsWindowsTheShortestFormMayNeedATimerDueAtAStep() throws Exception {
    Finding f = seedRace(true);
    assertNotNull(f.notExactReplayable(), f.shrunk().steps().toString());
    assertEquals(f.notExactReplayable(), ExactTiming.problem(f.variant(), f.shrunk().steps()));
    assertTrue(
        f.shrunk().steps().size() < seedRace(false).shrunk().steps().size(),
        "the 0-ns form is shorter");
  }

  @Test
  void theFindingHeaderSaysWhatTheExactBuildDid() throws Exception {
    Path out = dir.resolve("f");
    CliTest.Result r = CliTest.fuzzSeed5("--out", out.toString());
    assertEquals(ExitCodes.FOUND, r.code(), r.err());
    boolean exact = QemuBuild.exact(Variant.QEMU_7_2_0).isPresent();
    assertTrue(r.out().contains("on the exact builds:"), r.out());
    for (Path p : FuzzCliTest.traces(out)) {
      Trace t = TraceFiles.read(p);
      String header = String.join("\n", t.header());
      boolean abort = header.contains("finding: assert:");
      String expected =
          !exact
              ? "exact builds: replayable under qtest (not checked"
              : abort
                  ? "exact builds: confirmed on exact-qemu-7.2.0: QEMU aborts with "
                  : "exact builds: confirmed on exact-qemu-7.2.0: the same observations after every step";
      assertTrue(header.contains(expected), header);
    }
    CliTest.Result none = CliTest.fuzzSeed5("--no-confirm", "--out", dir.resolve("g").toString());
    assertTrue(
        none.out().contains("replayable under qtest (not checked: --no-confirm;"), none.out());
    assertTrue(Files.exists(dir.resolve("g")));
    CliTest.Result json =
        CliTest.fuzzSeed5("--no-confirm", "--format", "json", "--out", dir.resolve("h").toString());
    var findings =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out()).get("findings");
    assertTrue(findings.size() > 0, json.out());
    for (var f : findings) {
      assertTrue(
          f.get("exactBuilds")
              .asText()
              .startsWith("replayable under qtest (not checked: --no-confirm"),
          f.toString());
    }
  }
}
