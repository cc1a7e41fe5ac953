package e1kfuzz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import e1kfuzz.corpus.TraceFiles;
import e1kfuzz.model.Runner;
import e1kfuzz.model.Signature;
import e1kfuzz.model.Trace;
import e1kfuzz.model.Variant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class EvaluateCliTest {
  @TempDir Path dir;

  @Test
  void everyCellIsReplayableOrBoundedAndTheFixedVariantsDoNotAbort() throws Exception {
    CliTest.Result r =
        CliTest.run(
            "evaluate",
            "--time",
            "3s",
            "--depth",
            "4",
            "--format",
            "json",
            "--out",
            dir.resolve("ev").toString());
    assertEquals(ExitCodes.FOUND, r.code(), r.err());
    JsonNode root = new ObjectMapper().readTree(r.out());
    assertEquals(Variant.values().length * Signature.values().length, root.get("cells").size());
    assertTrue(root.get("notFoundMeans").asText().contains("up to depth 4"), root.toString());
    Map<String, JsonNode> cells = new HashMap<>();
    for (JsonNode c : root.get("cells")) {
      cells.put(c.get("variant").asText() + " " + c.get("signature").asText(), c);
      if (c.get("reachable").asBoolean()) {
        Trace t = TraceFiles.read(Path.of(c.get("file").asText()));
        Variant v = Variant.byId(c.get("variant").asText()).orElseThrow();
        Signature s = Signature.byId(c.get("signature").asText()).orElseThrow();
        assertEquals(c.get("length").asInt(), t.steps().size());
        assertEquals(s.id(), Runner.run(v, t.steps(), s.strict()).result(), c.toString());
      }
    }
    // The seed race at its minimal length, by exploration; none of it on the fixed releases.
    JsonNode seed = cells.get("qemu-7.2.0 assert:collect-delayed-causes");
    assertEquals(4, seed.get("length").asInt());
    assertEquals("explore", seed.get("foundBy").asText());
    for (String fixed : new String[] {"qemu-7.2.20", "qemu-10.2", "fix-v1", "fix-mode-switch"}) {
      assertTrue(
          !cells.get(fixed + " assert:collect-delayed-causes").get("reachable").asBoolean(), fixed);
    }
  }

  @Test
  void htmlPageLinksEveryReachableCellToItsTimeline() throws Exception {
    Path page = dir.resolve("evaluate.html");
    CliTest.Result r =
        CliTest.run(
            "evaluate",
            "--time",
            "1s",
            "--depth",
            "3",
            "--format",
            "html",
            "-o",
            page.toString(),
            "--out",
            dir.resolve("ev").toString());
    assertEquals(ExitCodes.FOUND, r.code(), r.err());
    assertTrue(r.out().contains("timelines: " + page), r.out());
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    Document doc = f.newDocumentBuilder().parse(page.toFile());
    int svgs = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "svg").getLength();
    long reachable =
        r.out()
            .lines()
            .filter(l -> l.startsWith("| `"))
            .mapToLong(
                l ->
                    java.util.Arrays.stream(l.split("\\|"))
                        .skip(2)
                        .filter(c -> c.strip().matches("\\d+\\*?"))
                        .count())
            .sum();
    assertTrue(reachable > 0);
    assertEquals(reachable, svgs);
    assertTrue(Files.readString(page).contains("href=\"#cell-1\""));
  }
}
