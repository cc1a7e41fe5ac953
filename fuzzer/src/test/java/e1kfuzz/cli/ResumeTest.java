package e1kfuzz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import e1kfuzz.corpus.CampaignState;
import e1kfuzz.engine.Campaign;
import e1kfuzz.engine.CampaignOptions;
import e1kfuzz.engine.Finding;
import e1kfuzz.engine.GeneratorOptions;
import e1kfuzz.engine.Guidance;
import e1kfuzz.model.Variant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** --state and --resume: a stopped campaign goes on exactly where it stopped. */
class ResumeTest {
  @TempDir Path dir;

  private static CampaignOptions options(long runs) {
    return new CampaignOptions(
        List.of(Variant.values()),
        31,
        runs,
        null,
        2,
        GeneratorOptions.defaults(),
        false,
        0,
        1,
        Guidance.COVERAGE);
  }

  private static List<String> describe(Campaign.Result r) {
    return r.findings().stream()
        .map(
            (Finding f) ->
                f.variant().id()
                    + " "
                    + f.signature().id()
                    + " run "
                    + f.run()
                    + " "
                    + f.shrunk().steps())
        .toList();
  }

  @Test
  void stopAndResumeThroughTheStateFileEqualsOneUninterruptedRun() throws Exception {
    long runs = 6L * Campaign.EPOCH;
    Campaign.Result whole = new Campaign(options(runs)).run(null);

    Campaign first = new Campaign(options(runs));
    first.onEpoch(
        c -> {
          if (c.snapshot().nextRun() >= 2L * Campaign.EPOCH) {
            c.requestStop();
          }
        });
    Campaign.Result part = first.run(null);
    assertTrue(part.interrupted());
    assertEquals(2L * Campaign.EPOCH, part.runs());
    CampaignState.save(
        dir, new CampaignState.Saved(options(runs), 1_000_000_000L, "out", first.snapshot()));

    CampaignState.Saved loaded = CampaignState.load(dir);
    assertEquals(options(runs).withGuidance(Guidance.COVERAGE).seed(), loaded.options().seed());
    Campaign.Result rest = new Campaign(options(runs)).resumeFrom(loaded.snapshot()).run(null);
    assertEquals(4L * Campaign.EPOCH, rest.runs());
    assertEquals(runs, rest.nextRun());
    assertEquals(whole.coverage(), rest.coverage());
    assertEquals(whole.kept(), rest.kept());
    assertEquals(describe(whole), describe(rest));
    assertTrue(!describe(whole).isEmpty());
  }

  @Test
  void aBrokenStateFileIsBadInputNamingTheFile() throws Exception {
    Files.writeString(
        dir.resolve(CampaignState.FILE),
        "{\"format\": \"e1kfuzz campaign state v1\", \"options\": {}}");
    CliTest.Result r = CliTest.run("fuzz", "--resume", dir.toString());
    assertEquals(ExitCodes.BAD_INPUT, r.code());
    assertTrue(
        r.err().contains(dir.resolve(CampaignState.FILE) + ": not a usable campaign state"),
        r.err());
    Files.writeString(dir.resolve(CampaignState.FILE), "{\n  \"format\": ");
    CliTest.Result truncated = CliTest.run("fuzz", "--resume", dir.toString());
    assertEquals(ExitCodes.BAD_INPUT, truncated.code());
    assertTrue(
        truncated.err().contains(CampaignState.FILE + ":2: not a campaign state"), truncated.err());
    CliTest.Result mixed = CliTest.run("fuzz", "--resume", dir.toString(), "--seed", "4");
    assertEquals(ExitCodes.BAD_INPUT, mixed.code());
    assertTrue(mixed.err().contains("--seed cannot be combined with --resume"), mixed.err());
    CliTest.Result none = CliTest.run("fuzz", "--resume", dir.resolve("nothing").toString());
    assertEquals(ExitCodes.BAD_INPUT, none.code());
    assertTrue(none.err().contains("no campaign state here"), none.err());
  }

  /**
   * kill -9 at an arbitrary moment: the state on disk is whole and --resume finishes the campaign.
   */
  @Test
  @EnabledOnOs(OS.LINUX)
  void killNineLeavesAResumableState() throws Exception {
    Path state = dir.resolve("state");
    Path out = dir.resolve("findings");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                "e1kfuzz.cli.Main",
                "fuzz",
                "--time",
                "10m",
                "--seed",
                "8",
                "--jobs",
                "1",
                "--state",
                state.toString(),
                "--out",
                out.toString())
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!Files.exists(state.resolve(CampaignState.FILE))) {
        assertTrue(System.nanoTime() < deadline, "no state saved");
        Thread.sleep(100);
      }
      Thread.sleep(2_700); // somewhere between two saves, or during one
    } finally {
      p.destroyForcibly(); // SIGKILL
      p.waitFor(30, TimeUnit.SECONDS);
    }
    CampaignState.Saved saved = CampaignState.load(state);
    assertTrue(saved.snapshot().nextRun() > 0);
    assertTrue(Files.notExists(out), "findings are written at the end, not before");
    CliTest.Result r =
        CliTest.run("fuzz", "--resume", state.toString(), "--time", "2s", "--jobs", "1");
    assertEquals(ExitCodes.FOUND, r.code(), r.err());
    assertTrue(
        r.out().contains("resumed from " + state + " at run " + saved.snapshot().nextRun()),
        r.out());
    try (var files = Files.list(out)) {
      assertTrue(
          files.anyMatch(
              f -> f.getFileName().toString().startsWith("assert-collect-delayed-causes-")));
    }
    assertTrue(CampaignState.load(state).snapshot().nextRun() > saved.snapshot().nextRun());
  }
}
