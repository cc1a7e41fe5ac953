package e1kfuzz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import e1kfuzz.corpus.TraceFiles;
import e1kfuzz.engine.Alphabet;
import e1kfuzz.model.Runner;
import e1kfuzz.model.Trace;
import e1kfuzz.model.Variant;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExploreCliTest {
  @TempDir Path dir;

  @Test
  void writesEachShortestCounterexampleAsAReplayableTrace() throws Exception {
    Path out = dir.resolve("out");
    CliTest.Result r =
        CliTest.run(
            "explore",
            "--variant",
            "qemu-7.2.0",
            "--depth",
            "4",
            "--jobs",
            "2",
            "--out",
            out.toString(),
            "--format",
            "json");
    assertEquals(ExitCodes.FOUND, r.code(), r.err());
    JsonNode v = new ObjectMapper().readTree(r.out()).get("variants").get(0);
    assertEquals(4, v.get("completeDepth").asInt());
    assertTrue(v.get("states").asLong() > 1000, r.out());
    JsonNode found = v.get("counterexamples");
    assertTrue(found.size() >= 1, r.out());
    for (JsonNode c : found) {
      Trace t = TraceFiles.read(Path.of(c.get("file").asText()));
      assertEquals(c.get("length").asInt(), t.steps().size());
      assertEquals(
          c.get("signature").asText(), Runner.run(Variant.QEMU_7_2_0, t.steps(), false).result());
      assertEquals(c.get("signature").asText(), t.expectedResult(Variant.QEMU_7_2_0).orElseThrow());
    }
    // The same exploration again finds the same files and leaves them as they are.
    CliTest.Result again =
        CliTest.run("explore", "--variant", "qemu-7.2.0", "--depth", "4", "--out", out.toString());
    assertEquals(ExitCodes.FOUND, again.code(), again.err());
    assertEquals(found.size(), Files.list(out).count());
  }

  @Test
  void reportsTheStateLimitAndTheFingerprintCollisionEstimate() throws Exception {
    String[] args = {
      "explore",
      "--variant",
      "qemu-10.2",
      "--depth",
      "6",
      "--max-states",
      "1000",
      "--out",
      dir.resolve("out").toString()
    };
    CliTest.Result text = CliTest.run(args);
    assertTrue(text.out().contains("state limit 1,000 (--max-states; max heap "), text.out());
    assertTrue(text.out().contains("state limit of 1000 reached at depth "), text.out());
    assertTrue(
        text.out().matches("(?s).*fingerprint collision probability \\d\\.\\dE-\\d+ \\(TLC's.*"),
        text.out());

    String[] json = java.util.Arrays.copyOf(args, args.length + 2);
    json[args.length] = "--format";
    json[args.length + 1] = "json";
    JsonNode v = new ObjectMapper().readTree(CliTest.run(json).out()).get("variants").get(0);
    long n = v.get("states").asLong();
    long g = v.get("transitions").asLong() + 1;
    assertEquals(n * (double) (g - n) / 0x1p64, v.get("collisionProbability").asDouble());
    assertTrue(v.get("stopReason").asText().startsWith("state limit of 1000"), v.toString());
  }

  @Test
  void saysWhatWasNotReachedOverTheAlphabet() throws Exception {
    Path a = dir.resolve("small.alphabet");
    Files.writeString(a, "write IMS 0x1\nwrite ICS 0x1\nwait at-deadline\n");
    CliTest.Result r =
        CliTest.run(
            "explore",
            "--variant",
            "qemu-10.2",
            "--depth",
            "3",
            "--alphabet",
            a.toString(),
            "--out",
            dir.resolve("out").toString());
    assertEquals(ExitCodes.OK, r.code(), r.err());
    assertTrue(r.out().contains("no violation up to depth 3 over this alphabet"), r.out());
    assertTrue(r.out().contains("legacy-cause-over-msix"), r.out());
    assertTrue(r.out().contains("(3 symbols)"), r.out());
  }

  @Test
  void badAlphabetNamesFileLineAndText() throws Exception {
    Path a = dir.resolve("bad.alphabet");
    Files.writeString(a, "# mine\nwrite IMS 0x1\nwrite IMS 0x1\n");
    CliTest.Result twice = CliTest.run("explore", "--alphabet", a.toString());
    assertEquals(ExitCodes.BAD_INPUT, twice.code());
    assertTrue(twice.err().contains(a + ":3:1: symbol listed twice: 'write IMS 0x1'"), twice.err());

    Files.writeString(a, "msix sideways\n");
    CliTest.Result bad = CliTest.run("explore", "--alphabet", a.toString());
    assertEquals(ExitCodes.BAD_INPUT, bad.code());
    assertTrue(bad.err().contains(a + ":1:"), bad.err());

    Files.writeString(a, "# only comments\n\n");
    CliTest.Result empty = CliTest.run("explore", "--alphabet", a.toString());
    assertEquals(ExitCodes.BAD_INPUT, empty.code());
    assertTrue(empty.err().contains("the alphabet has no symbol"), empty.err());

    CliTest.Result missing = CliTest.run("explore", "--alphabet", dir.resolve("nope").toString());
    assertEquals(ExitCodes.BAD_INPUT, missing.code());
    assertTrue(missing.err().contains(dir.resolve("nope") + ": no such file"), missing.err());
  }

  @Test
  void printsTheDefaultAlphabetWhichParsesBack() throws Exception {
    CliTest.Result r = CliTest.run("explore", "--print-alphabet");
    assertEquals(0, r.code());
    assertEquals(
        Alphabet.defaultAlphabet().symbols(), Alphabet.parse("<printed>", r.out()).symbols());
  }
}
