package e1kfuzz.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Texts people read, compared with files under src/test/resources/golden/. {@code make golden}
 * (system property e1kfuzz.golden.update=true) rewrites the files; then review the diff.
 */
final class Golden {
  static final Path DIR = Paths.get("src", "test", "resources", "golden");

  private Golden() {}

  static void assertMatches(String fileName, String actual) throws IOException {
    Path golden = DIR.resolve(fileName);
    if (Boolean.getBoolean("e1kfuzz.golden.update")) {
      Files.createDirectories(DIR);
      Files.writeString(golden, actual, StandardCharsets.UTF_8);
    }
    assertEquals(
        Files.readString(golden, StandardCharsets.UTF_8),
        actual,
        fileName + " (make golden rewrites it)");
  }
}
