package e1kfuzz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import e1kfuzz.corpus.TraceFiles;
import e1kfuzz.model.Runner;
import e1kfuzz.model.Trace;
import e1kfuzz.model.Variant;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenariosCliTest {
  @TempDir Path dir;

  static final String PARK =
      "# a frame parked by RDTR when MSI-X comes on\n"
          + "@scenario park\n@title park\n@driver test\n@source nowhere\n"
          + "@param rd = 0x20 0x0\n@window gap = 0ns..100us\n"
          + "write RDTR {rd}\nwrite RCTL 0x2\nrx\nwait {gap}\nmsix on\nwait 1ms\n";

  @Test
  void theReportNamesEachWindowAndItsExampleReplaysToTheSameOutcome() throws Exception {
    Path f = Files.writeString(dir.resolve("park.scenario"), PARK);
    CliTest.Result r =
        CliTest.run(
            "scenarios",
            f.toString(),
            "--variant",
            "qemu-7.2.0,qemu-10.2",
            "--no-confirm",
            "--grid",
            "50",
            "--format",
            "json",
            "--out",
            dir.resolve("out").toString());
    assertEquals(ExitCodes.FOUND, r.code(), r.err());
    JsonNode s = new ObjectMapper().readTree(r.out()).get("scenarios").get(0);
    assertEquals("park", s.get("id").asText());
    JsonNode v720 = s.get("variants").get(0);
    assertEquals("qemu-7.2.0", v720.get("variant").asText());
    JsonNode abort = v720.get("outcomes").get(0);
    assertEquals("assert:collect-delayed-causes", abort.get("result").asText());
    assertEquals(32_768, abort.get("widthNs").asLong());
    assertEquals(32_767, abort.get("segments").get(0).get("hiNs").asLong());
    assertTrue(abort.get("confirmed").isNull(), "--no-confirm: not asked");
    Trace example = TraceFiles.read(Path.of(abort.get("exampleFile").asText()));
    assertEquals(
        "assert:collect-delayed-causes",
        Runner.run(Variant.QEMU_7_2_0, example.steps(), false).result());
    assertEquals(
        "ok", Runner.run(Variant.QEMU_10_2, example.steps(), false).result(), "stated per variant");
    assertEquals(1, s.get("variants").get(1).get("outcomes").size(), "qemu-10.2: ok only");

    CliTest.Result text =
        CliTest.run(
            "scenarios",
            f.toString(),
            "--variant",
            "qemu-7.2.0",
            "--no-confirm",
            "--out",
            dir.resolve("out").toString());
    assertEquals(ExitCodes.FOUND, text.code(), text.err());
    assertTrue(
        text.out().contains("| park | assert:collect-delayed-causes 32.768 µs |"), text.out());
    assertTrue(text.out().contains("0–32,767 ns (32.768 µs); in 1 of 2 choices"), text.out());
  }

  @Test
  void aSafeScenarioExitsZeroAndJobsDoNotChangeTheReport() throws Exception {
    Path f = Files.writeString(dir.resolve("park.scenario"), PARK);
    String[] base = {
      "scenarios",
      f.toString(),
      "--variant",
      "qemu-10.2,fix-mode-switch",
      "--no-confirm",
      "--out",
      dir.resolve("out").toString()
    };
    CliTest.Result one = CliTest.run(concat(base, "--jobs", "1"));
    CliTest.Result two = CliTest.run(concat(base, "--jobs", "2"));
    assertEquals(ExitCodes.OK, one.code(), one.err());
    assertEquals(one.out(), two.out());
    assertTrue(one.out().contains("| park | safe | safe |"), one.out());
  }

  @Test
  void badScenariosAreRefusedWithFileAndLine() throws Exception {
    Path f = Files.writeString(dir.resolve("bad.scenario"), PARK.replace("0x20 0x0", "0x20 0xzz"));
    CliTest.Result r = CliTest.run("scenarios", f.toString(), "--no-confirm");
    assertEquals(ExitCodes.BAD_INPUT, r.code());
    assertTrue(r.err().contains("bad.scenario:8:12: bad number (with rd=0xzz): '0xzz'"), r.err());
    Path none = Files.createDirectory(dir.resolve("empty"));
    CliTest.Result empty = CliTest.run("scenarios", none.toString());
    assertEquals(ExitCodes.BAD_INPUT, empty.code());
    assertTrue(empty.err().contains("no .scenario files"), empty.err());
    CliTest.Result grid = CliTest.run("scenarios", f.toString(), "--grid", "0");
    assertEquals(ExitCodes.BAD_INPUT, grid.code());
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
