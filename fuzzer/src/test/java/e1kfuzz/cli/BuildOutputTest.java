package e1kfuzz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@code make build} prints no terminal escapes: Debian's Maven 3.8.7 writes {@code ESC[0m} on its
 * streams even with {@code -B} and {@code -Dstyle.color=never}; {@code .mvn/jvm.config} turns that
 * off.
 */
class BuildOutputTest {
  @Test
  void mavenInBatchModePrintsNoEscapeSequence() throws Exception {
    Path root = Path.of("..").toAbsolutePath().normalize();
    boolean mvn =
        java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
            .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, "mvn")));
    Assumptions.assumeTrue(mvn, "mvn is not on PATH (skipped)");
    // The same flags as the Makefile's build target, on a phase that builds nothing.
    Process p =
        new ProcessBuilder("mvn", "-B", "-ntp", "-q", "-N", "validate")
            .directory(root.toFile())
            .redirectErrorStream(true)
            .start();
    byte[] out = p.getInputStream().readAllBytes();
    assertEquals(true, p.waitFor(120, TimeUnit.SECONDS), "mvn validate did not end");
    assertEquals(0, p.exitValue(), new String(out, StandardCharsets.UTF_8));
    String text = new String(out, StandardCharsets.UTF_8);
    assertFalse(text.contains("\u001b["), "escape sequences in: " + text.replace("\u001b", "ESC"));
  }
}
