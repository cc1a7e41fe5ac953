package e1kfuzz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import e1kfuzz.model.Variant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.w3c.dom.Document;

/** fuzz, shrink and corpus as a user drives them. */
class FuzzCliTest {
  @TempDir Path dir;

  static List<Path> traces(Path d) throws Exception {
    try (Stream<Path> s = Files.list(d)) {
      return s.filter(p -> p.toString().endsWith(".trace")).sorted().toList();
    }
  }

  @Test
  void findingHeadersNameWhatChangesTheTraces() throws Exception {
    Path out = dir.resolve("unguided");
    CliTest.Result r =
        CliTest.fuzzSeed5("--guidance", "none", "--weights", "reset=0", "--out", out.toString());
    assertEquals(3, r.code(), r.err());
    assertTrue(r.out().contains("guidance none"), r.out());
    for (Path f : traces(out)) {
      String text = Files.readString(f);
      assertTrue(text.contains(" --guidance none"), text);
      assertTrue(text.contains(" --weights write=30,"), text);
    }
  }

  @Test
  void fuzzPrintsSeedAndParametersFirstWritesFindingsAndExitsThree() throws Exception {
    Path out = dir.resolve("findings");
    CliTest.Result r = CliTest.fuzzSeed5("--out", out.toString());
    assertEquals(3, r.code(), r.err());
    assertTrue(r.out().startsWith("e1kfuzz fuzz: seed 5\n"), r.out());
    assertTrue(r.out().contains("runs 2000; jobs 1; max-steps 40"), r.out());
    assertTrue(r.out().contains("assert:collect-delayed-causes"), r.out());
    assertTrue(r.out().contains("./e1kfuzz replay " + out), r.out());
    List<Path> files = traces(out);
    assertTrue(
        files.stream()
            .anyMatch(p -> p.getFileName().toString().startsWith("assert-collect-delayed-causes-")),
        files.toString());
    for (Path f : files) {
      String text = Files.readString(f);
      assertTrue(text.contains("# e1kfuzz finding: "), text);
      assertTrue(text.contains("seed 5, run "), text);
      assertTrue(
          text.contains("found by: e1kfuzz fuzz --seed 5 --variant qemu-7.2.0 --max-steps 40\n"),
          text);
      assertEquals(
          Variant.values().length,
          text.lines().filter(l -> l.startsWith("@expect ")).count(),
          text);
      assertEquals(
          0,
          CliTest.run("replay", f.toString(), "--summary").code(),
          "a finding replays as expected: " + f);
    }
    // Running again: nothing new is written, nothing is replaced.
    CliTest.Result again =
        CliTest.run(
            "fuzz",
            "--variant",
            "qemu-7.2.0",
            "--seed",
            "5",
            "--runs",
            "2000",
            "--jobs",
            "2",
            "--out",
            out.toString());
    assertTrue(again.out().contains("(already there)"), again.out());
    assertEquals(files, traces(out));
  }

  @Test
  void jsonSummaryAndJunitXml() throws Exception {
    Path junit = dir.resolve("fuzz.xml");
    CliTest.Result r =
        CliTest.run(
            "fuzz",
            "--variant",
            "all",
            "--seed",
            "1",
            "--runs",
            "3000",
            "--out",
            dir.resolve("f").toString(),
            "--format",
            "json",
            "--junit",
            junit.toString());
    assertEquals(3, r.code(), r.err());
    JsonNode root = new ObjectMapper().readTree(r.out());
    assertEquals(1, root.get("seed").asLong());
    assertEquals(3000, root.get("runs").asLong());
    assertTrue(root.get("findings").size() > 0);
    JsonNode f = root.get("findings").get(0);
    assertTrue(f.get("replay").asText().startsWith("./e1kfuzz replay "));
    Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(junit.toFile());
    assertEquals("testsuite", doc.getDocumentElement().getTagName());
    assertEquals(root.get("findings").size(), doc.getElementsByTagName("failure").getLength());
    String failureText = doc.getElementsByTagName("failure").item(0).getTextContent();
    assertTrue(
        failureText.contains("@expect ") && failureText.contains("./e1kfuzz replay "), failureText);
  }

  @Test
  void nothingFoundExitsZero() {
    CliTest.Result r =
        CliTest.run(
            "fuzz",
            "--variant",
            "fix-mode-switch",
            "--seed",
            "3",
            "--runs",
            "1000",
            // INTx-only traces: every MSI-X and MSI run of every 8.1+ variant has delivery
            // findings.
            "--weights",
            "msix=0,msix-vector=0,msi=0",
            "--out",
            dir.resolve("none").toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("no findings"), r.out());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "--shard=3/2",
        "--shard=0/2",
        "--shard=x",
        "--time=5x",
        "--time=0s",
        "--runs=0",
        "--jobs=0",
        "--weights=wiat=3",
        "--weights=wait=-1",
        "--max-steps=0",
        "--variant=qemu-9",
        "--format=xml",
        "--seed=abc"
      })
  void badOptionsGetAUsageMessageAndExitTwo(String option) {
    CliTest.Result r = CliTest.run("fuzz", option, "--runs", "1");
    if (option.startsWith("--runs")) {
      r = CliTest.run("fuzz", option);
    }
    assertEquals(2, r.code(), option + ": " + r.err());
    assertTrue(r.err().startsWith("e1kfuzz: "), r.err());
  }

  @Test
  void shrinkWritesNextToTheInputAndNeverOverIt() throws Exception {
    Path in = dir.resolve("long.trace");
    String text =
        "write IMS 0x4\nwrite TIDV 0xffff\nwrite TCTL 0xa\nread ICS\ntx ide\nwrite IAM 0x1\nmsix on\nwait 1ms\nwait 99ms\nwrite ICS 0x4\n";
    Files.writeString(in, text);
    CliTest.Result r = CliTest.run("shrink", in.toString(), "--variant", "qemu-7.2.0");
    assertEquals(3, r.code(), r.err());
    assertEquals(text, Files.readString(in), "input untouched");
    List<Path> out = traces(dir).stream().filter(p -> !p.equals(in)).toList();
    assertEquals(1, out.size());
    assertTrue(
        out.get(0).getFileName().toString().startsWith("assert-itr-timer-under-msix-")
            || out.get(0).getFileName().toString().startsWith("assert-collect-delayed-causes-"),
        out.toString());
    assertTrue(r.out().contains("shrunk 10 → "), r.out());
    assertEquals(
        2,
        CliTest.run("shrink", dir.resolve("missing.trace").toString()).code(),
        "missing file: bad input");
  }

  @Test
  void corpusAddComputesExpectationsAndCheckReplaysThem() throws Exception {
    Path corpus = dir.resolve("corpus");
    Path in = dir.resolve("race.trace");
    Files.writeString(in, "# my race\nwrite TCTL 0x2\ntx ide\nmsix on\nwait 0ns\n");
    CliTest.Result add = CliTest.run("corpus", "add", in.toString(), "--corpus", corpus.toString());
    assertEquals(0, add.code(), add.err());
    List<Path> files = traces(corpus);
    assertEquals(1, files.size());
    String stored = Files.readString(files.get(0));
    assertTrue(files.get(0).getFileName().toString().startsWith("assert-collect-delayed-causes-"));
    assertTrue(
        stored.startsWith("# my race\n@expect qemu-7.2.0 assert:collect-delayed-causes\n"), stored);
    assertEquals(0, CliTest.run("corpus", "check", corpus.toString()).code());
    Files.writeString(
        corpus.resolve("wrong.trace"), "@expect * ok\nwrite TCTL 0x2\ntx ide\nmsix on\nwait 0ns\n");
    CliTest.Result check = CliTest.run("corpus", "check", corpus.toString());
    assertEquals(3, check.code());
    assertTrue(check.out().contains("MISMATCH"), check.out());
  }

  @Test
  void progressIsRateLimitedOnATerminalAndPlainLinesOtherwise() {
    java.io.StringWriter tty = new java.io.StringWriter();
    ProgressLine onTty = new ProgressLine(new java.io.PrintWriter(tty), true);
    java.io.StringWriter pipe = new java.io.StringWriter();
    ProgressLine onPipe = new ProgressLine(new java.io.PrintWriter(pipe), false);
    for (long ms = 0; ms <= 6000; ms += 200) {
      e1kfuzz.engine.Campaign.Progress p =
          new e1kfuzz.engine.Campaign.Progress(
              ms * 10, 1, 1, ms * 1_000_000, 10_000_000_000L - ms * 1_000_000, 7);
      onTty.onProgress(p);
      onPipe.onProgress(p);
    }
    assertEquals(
        7,
        tty.toString().chars().filter(c -> c == '\r').count(),
        "0, 1, 2, ... 6 s: once a second");
    assertTrue(!tty.toString().contains("\n"), "rewritten in place");
    assertEquals(2, pipe.toString().lines().count(), "0 s and 5 s");
    assertTrue(
        pipe.toString()
            .startsWith(
                "runs 0 (0/s), findings 1, signatures 1, coverage 7, elapsed 0s, remaining 10s"),
        pipe.toString());
  }
}
