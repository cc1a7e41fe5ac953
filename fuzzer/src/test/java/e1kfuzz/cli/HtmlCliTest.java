package e1kfuzz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import e1kfuzz.model.Variant;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** replay --format html and fuzz --html as a user drives them. */
class HtmlCliTest {
  static final String SVG = "http://www.w3.org/2000/svg";
  static final Path S1 = Paths.get("..", "corpus", "s1-tidv-race.trace");

  @TempDir Path dir;

  static Document parse(String html) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    return f.newDocumentBuilder()
        .parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void replayWritesTheHtmlFileAndPrintsTheVerdicts() throws Exception {
    Path html = dir.resolve("reports").resolve("seed-race.html");
    CliTest.Result r =
        CliTest.run(
            "replay", S1.toString(), "--variant", "all", "--format", "html", "-o", html.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("HTML timelines: " + html + "\n"), r.out());
    assertTrue(r.out().contains("violated assert:collect-delayed-causes at step 5"), r.out());
    Document doc = parse(Files.readString(html));
    assertEquals(Variant.values().length, doc.getElementsByTagNameNS(SVG, "svg").getLength());
  }

  @Test
  void withoutOutputThePageGoesToStdout() throws Exception {
    CliTest.Result r =
        CliTest.run("replay", S1.toString(), "--variant", "qemu-8.1", "--format", "html");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().startsWith("<!DOCTYPE html>\n"), r.out());
    assertEquals(1, parse(r.out()).getElementsByTagNameNS(SVG, "svg").getLength());
  }

  @Test
  void aMismatchStillExitsThreeAndTheUnreadableFileIsNamedInThePage() throws Exception {
    Path wrong =
        Files.writeString(
            dir.resolve("wrong.trace"),
            "@expect * ok\nwrite TIDV 0xffff\nwrite TCTL 0xa\ntx ide\nmsix on\nwait 100ms\n");
    Path bad = Files.writeString(dir.resolve("bad.trace"), "write NOPE 1\n");
    CliTest.Result r =
        CliTest.run(
            "replay",
            wrong.toString(),
            bad.toString(),
            "--variant",
            "qemu-7.2.0",
            "--format",
            "html");
    assertEquals(2, r.code(), "bad input wins, as for text and json");
    assertTrue(r.out().contains("MISMATCH"), r.out());
    assertTrue(r.out().contains("bad.trace:1:7: unknown register"), r.out());
  }

  @Test
  void outputOnlyWithHtmlAndHtmlOnlyOnTheModel() {
    CliTest.Result o = CliTest.run("replay", S1.toString(), "-o", dir.resolve("x.html").toString());
    assertEquals(2, o.code());
    assertTrue(o.err().contains("-o/--output needs --format html"), o.err());
    CliTest.Result q =
        CliTest.run("replay", S1.toString(), "--format", "html", "--backend", "qemu");
    assertEquals(2, q.code());
    assertFalse(Files.exists(dir.resolve("x.html")));
  }

  @Test
  void fuzzWritesOneTimelinePerShrunkFinding() throws Exception {
    Path html = dir.resolve("findings.html");
    CliTest.Result r =
        CliTest.run(
            "fuzz",
            "--variant",
            "qemu-7.2.0",
            "--seed",
            "1",
            "--runs",
            "3000",
            "--jobs",
            "1",
            "--out",
            dir.resolve("f").toString(),
            "--html",
            html.toString());
    assertEquals(3, r.code(), r.err());
    long findings = r.out().lines().filter(l -> l.startsWith("qemu-7.2.0 ")).count();
    assertTrue(findings >= 1, r.out());
    String page = Files.readString(html);
    Document doc = parse(page);
    assertEquals(findings, doc.getElementsByTagNameNS(SVG, "svg").getLength());
    assertTrue(page.contains("assert:collect-delayed-causes on qemu-7.2.0"), page);
    assertTrue(page.contains("seed 1, 3000 runs, variants qemu-7.2.0"), page);
    // The same campaign gives the same page.
    Path again = dir.resolve("again.html");
    CliTest.run(
        "fuzz",
        "--variant",
        "qemu-7.2.0",
        "--seed",
        "1",
        "--runs",
        "3000",
        "--jobs",
        "2",
        "--out",
        dir.resolve("f").toString(),
        "--html",
        again.toString());
    assertEquals(page, Files.readString(again));
  }

  @Test
  void fuzzRefusesFormatHtml() {
    CliTest.Result r = CliTest.run("fuzz", "--format", "html", "--runs", "1");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("use --html FILE"), r.err());
  }
}
