package e1kfuzz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import e1kfuzz.model.Variant;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user drives it: outputs and exit codes. */
class CliTest {
  @TempDir Path dir;

  record Result(int code, String out, String err) {}

  /**
   * {@code e1kfuzz fuzz --variant qemu-7.2.0 --seed 5 --runs 2000 --jobs 1} and {@code more}: a
   * small campaign that finds the 7.2 asserts, as several CLI tests run it.
   */
  static Result fuzzSeed5(String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "fuzz", "--variant", "qemu-7.2.0", "--seed", "5", "--runs", "2000", "--jobs", "1"));
    args.addAll(List.of(more));
    return run(args.toArray(String[]::new));
  }

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
    return new Result(code, out.toString(), err.toString());
  }

  Path write(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  @Test
  void helpAndVariants() {
    Result help = run("--help");
    assertEquals(0, help.code());
    assertTrue(help.out().contains("replay"), help.out());
    Result variants = run("variants");
    assertEquals(0, variants.code());
    for (String id :
        new String[] {
          "qemu-7.2.0", "qemu-7.2.20", "qemu-8.1", "qemu-10.2", "fix-v1", "fix-mode-switch"
        }) {
      assertTrue(variants.out().contains(id), id);
    }
  }

  @Test
  void replayOfTheCorpusAsJsonMeetsEveryExpectation() throws Exception {
    Path s1 = Paths.get("..", "corpus", "s1-tidv-race.trace");
    Result r = run("replay", s1.toString(), "--variant", "all", "--format", "json");
    assertEquals(0, r.code(), r.err());
    JsonNode root = new ObjectMapper().readTree(r.out());
    JsonNode results = root.get("results");
    assertEquals(Variant.values().length, results.size());
    JsonNode first = results.get(0);
    assertEquals("qemu-7.2.0", first.get("variant").asText());
    assertEquals("violated", first.get("outcome").asText());
    assertEquals("assert:collect-delayed-causes", first.get("signature").asText());
    assertTrue(first.get("step").asInt() > 0);
    assertEquals(67_107_840L, first.get("timeNs").asLong());
    JsonNode ok = results.get(1);
    assertEquals("ok", ok.get("outcome").asText());
    assertTrue(ok.get("signature").isNull());
    assertTrue(ok.get("step").isNull());
  }

  @Test
  void aViolationWithoutExpectationOrAMismatchExitsThree() throws Exception {
    Path race =
        write("race.trace", "write TIDV 0xffff\nwrite TCTL 0xa\ntx ide\nmsix on\nwait 100ms\n");
    Result r = run("replay", race.toString(), "--variant", "qemu-8.1", "--summary");
    assertEquals(3, r.code());
    assertTrue(r.out().contains("violated assert:collect-delayed-causes at step 5"), r.out());
    Path wrong =
        write(
            "wrong.trace",
            "@expect * ok\nwrite TIDV 0xffff\nwrite TCTL 0xa\ntx ide\nmsix on\nwait 100ms\n");
    Result m = run("replay", wrong.toString(), "--variant", "all", "--summary");
    assertEquals(3, m.code());
    assertTrue(m.out().contains("MISMATCH: expected ok"), m.out());
    Path fine = write("fine.trace", "@expect * ok\nwrite IMS 0x4\n");
    assertEquals(0, run("replay", fine.toString()).code());
  }

  @Test
  void badInputNamesFileLineColumnAndTextAndTheOtherFilesStillRun() throws Exception {
    Path bad = write("bad.trace", "reset\nwrite ICS 0xzz\n");
    Path good = write("good.trace", "@expect * ok\nreset\n");
    Result r = run("replay", bad.toString(), good.toString(), "--format", "json");
    assertEquals(2, r.code());
    assertTrue(r.err().contains(bad + ":2:11: bad number: '0xzz'"), r.err());
    JsonNode root = new ObjectMapper().readTree(r.out());
    assertEquals(Variant.values().length, root.get("results").size(), "good.trace still ran");
    assertEquals(1, root.get("errors").size());
  }

  @Test
  void invalidUtf8AndMissingFilesAreBadInput() throws Exception {
    Path latin1 = dir.resolve("latin1.trace");
    Files.write(latin1, "reset\n# caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
    Result r = run("replay", latin1.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains(latin1 + ":2: invalid UTF-8: byte 0xe9"), r.err());
    Result missing = run("replay", dir.resolve("nope.trace").toString());
    assertEquals(2, missing.code());
    assertTrue(missing.err().contains("nope.trace: no such file"), missing.err());
  }

  @Test
  void usageErrorsExitTwo() {
    Result r = run("replay", "x.trace", "--variant", "qemu-9");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("unknown variant 'qemu-9'"), r.err());
    assertEquals(2, run("frobnicate").code());
    assertEquals(2, run().code());
  }

  @Test
  void strictAddsTheStrictSignatures() throws Exception {
    Path t = write("stale.trace", "write TIDV 0xffff\nwrite TCTL 0xa\ntx ide\nmsix on\n");
    assertEquals(0, run("replay", t.toString(), "--variant", "qemu-10.2").code());
    Result strict = run("replay", t.toString(), "--variant", "qemu-10.2", "--strict", "--summary");
    assertEquals(3, strict.code());
    assertTrue(strict.out().contains("strict:stale-delayed-state-under-msix"), strict.out());
    assertEquals(0, run("replay", t.toString(), "--variant", "fix-mode-switch", "--strict").code());
  }
}
