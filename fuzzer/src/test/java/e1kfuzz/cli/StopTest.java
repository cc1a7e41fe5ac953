package e1kfuzz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SIGINT and SIGTERM stop a campaign cleanly: findings written, summary printed, exit 3. */
@EnabledOnOs(OS.LINUX)
class StopTest {
  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"INT", "TERM"})
  void aSignalStopsTheCampaignAndKeepsItsFindings(String signal) throws Exception {
    Path out = dir.resolve("findings");
    Path stdout = dir.resolve("stdout");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), "e1kfuzz.cli.Main",
            "fuzz", "--time", "10m", "--seed", "3", "--jobs", "1", "--out", out.toString())
        .redirectOutput(stdout.toFile())
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    try {
      // Wait until it is running campaigns (the parameters are printed first).
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!Files.exists(stdout) || !Files.readString(stdout).contains("weights ")) {
        assertTrue(System.nanoTime() < deadline, "campaign did not start");
        Thread.sleep(50);
      }
      Thread.sleep(1500);
      new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor();
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "campaign did not stop");
      assertEquals(3, p.exitValue());
      String text = Files.readString(stdout);
      assertTrue(text.contains("stopped early"), text);
      assertTrue(text.contains("replay:"), text);
      List<Path> files;
      try (var s = Files.list(out)) {
        files = s.toList();
      }
      assertTrue(files.stream().anyMatch(f -> f.getFileName().toString().startsWith("assert-collect-delayed-causes-")), files.toString());
      assertTrue(files.stream().noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), files.toString());
    } finally {
      p.destroyForcibly();
    }
  }
}
