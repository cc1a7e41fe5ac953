package e1kfuzz.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import e1kfuzz.corpus.FindingWriter;
import e1kfuzz.engine.Campaign;
import e1kfuzz.engine.CampaignOptions;
import e1kfuzz.engine.GeneratorOptions;
import e1kfuzz.engine.Guidance;
import e1kfuzz.model.Variant;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The end-of-campaign outputs people and CI read (the summary text, its JSON and the JUnit XML),
 * from a real campaign: {@code fuzz --variant all --seed 1 --runs 2000 --no-confirm}, shrunk
 * findings and all, compared with golden files (see {@link Golden}).
 *
 * <p>Normalisation, and nothing else: the wall-clock duration and rate ({@code 2000 runs in 0.5s
 * (4191 runs/s)}, {@code "elapsedMs"}, the JUnit {@code time}) become {@code {secs}}, {@code
 * {rate}}, {@code {ms}}; the findings folder, a temporary folder whose absolute path changes from
 * run to run, is written {@code findings/}. The JSON's two coverage lists of what was not reached
 * (hundreds of kilobytes on two lines) are compared through their length and SHA-256, so any change
 * to them still fails. Everything else, seed, runs, findings, shrinking, coverage, is compared as
 * written, and it is the same with 1 job and with 2.
 */
class CampaignReportGoldenTest {
  static final long SEED = 1;
  static final long RUNS = 2000;
  static final String NAME = "campaign-seed1-all";

  /** The three outputs of one campaign, normalised. */
  record Outputs(String summary, String json, String junit) {}

  @TempDir static Path tmp;
  private static Run twoJobsRun;
  private static Outputs twoJobs;

  static CampaignOptions options(int jobs) {
    return new CampaignOptions(
        List.of(Variant.values()),
        SEED,
        RUNS,
        null,
        jobs,
        GeneratorOptions.defaults(),
        false,
        0,
        1,
        Guidance.COVERAGE);
  }

  /** A finished campaign and its findings as written into {@code out}. */
  record Run(Campaign.Result result, List<FindingWriter.Written> written, Path out) {}

  private static Run run(int jobs) throws Exception {
    CampaignOptions o = options(jobs);
    Campaign.Result r = new Campaign(o).run(null);
    Path out = Files.createDirectories(tmp.resolve("jobs" + jobs));
    // Without exact-build notes: what the header says when no exact build was run (no QEMU in a
    // unit test).
    List<FindingWriter.Written> written =
        FindingWriter.write(
            out,
            r.findings(),
            false,
            SEED,
            "e1kfuzz fuzz --seed "
                + SEED
                + " --variant all --max-steps "
                + o.generator().maxSteps(),
            Map.of());
    return new Run(r, written, out);
  }

  /**
   * What {@code fuzz --format text}, {@code --format json} and {@code --junit} write, normalised.
   */
  private static Outputs outputs(Run run) throws Exception {
    Path junit = tmp.resolve(run.out().getFileName() + ".junit.xml");
    CampaignReport.junit(junit, run.result(), run.written());
    String outDir = run.out() + run.out().getFileSystem().getSeparator();
    return new Outputs(
        normaliseSummary(
            CampaignReport.summary(run.result(), run.written()).replace(outDir, "findings/")),
        normaliseJson(
            CampaignReport.json(run.result(), run.written()).replace(outDir, "findings/")),
        normaliseJunit(
            Files.readString(junit, StandardCharsets.UTF_8).replace(outDir, "findings/")));
  }

  @BeforeAll
  static void runTheCampaign() throws Exception {
    twoJobsRun = run(2);
    twoJobs = outputs(twoJobsRun);
  }

  @Test
  void theSummaryMatchesGolden() throws Exception {
    Golden.assertMatches(
        NAME + ".summary.txt",
        CampaignReport.parameters(options(2), "findings") + twoJobs.summary());
  }

  @Test
  void theJsonMatchesGoldenAndIsJson() throws Exception {
    Golden.assertMatches(NAME + ".json", twoJobs.json());
    JsonNode root = new ObjectMapper().readTree(twoJobs.json());
    assertEquals(RUNS, root.get("runs").asLong());
    assertTrue(root.get("findings").size() > 0);
  }

  @Test
  void theJunitXmlMatchesGoldenAndIsXml() throws Exception {
    Golden.assertMatches(NAME + ".junit.xml", twoJobs.junit());
    var doc =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(new ByteArrayInputStream(twoJobs.junit().getBytes(StandardCharsets.UTF_8)));
    assertEquals("testsuite", doc.getDocumentElement().getTagName());
  }

  @Test
  void oneJobWritesTheSameOutputs() throws Exception {
    assertEquals(twoJobs, outputs(run(1)));
  }

  @Test
  void theJunitFileIsReplacedAtomicallyAndNoTemporaryFileIsLeft() throws Exception {
    Path file = Files.createDirectories(tmp.resolve("ci")).resolve("e1kfuzz.xml");
    Files.writeString(file, "old");
    CampaignReport.junit(file, twoJobsRun.result(), twoJobsRun.written());
    String text = Files.readString(file, StandardCharsets.UTF_8);
    assertEquals(
        twoJobs.junit(), normaliseJunit(text.replace(twoJobsRun.out() + "/", "findings/")));
    try (var files = Files.list(file.getParent())) {
      assertEquals(List.of(file), files.toList());
    }
  }

  @Test
  void normalisationMasksOnlyTheClockAndTheFolder() throws Exception {
    assertEquals(
        "\n2000 runs in {secs}s ({rate} runs/s)\n",
        normaliseSummary("\n2000 runs in 0.5s (4191 runs/s)\n"));
    assertEquals(
        "\n1999 runs in {secs}s ({rate} runs/s), stopped early\n",
        normaliseSummary("\n1999 runs in 12.0s (0 runs/s), stopped early\n"));
    assertEquals(
        "  \"runs\" : 2000,\n  \"elapsedMs\" : \"{ms}\",\n",
        normaliseJson("  \"runs\" : 2000,\n  \"elapsedMs\" : 358,\n"));
    assertEquals(
        "<testsuite name=\"e1kfuzz\" tests=\"10\" time=\"{secs}\">",
        normaliseJunit("<testsuite name=\"e1kfuzz\" tests=\"10\" time=\"0.358\">"));
    // What the golden files hold of the campaign is what it did: another run count, seed or finding
    // shows.
    String masked = "2000 runs in {secs}s ({rate} runs/s)";
    assertTrue(twoJobs.summary().contains(masked));
    assertFalse(
        twoJobs.summary().replace(masked, "").contains("<"),
        "nothing masked in the summary but the clock");
    assertTrue(twoJobs.json().contains("\"runs\" : 2000,"));
  }

  /** The duration and rate of the runs line. */
  static String normaliseSummary(String text) {
    return text.replaceAll(
        "(?m)^(\\d+ runs) in \\d+\\.\\ds \\(\\d+ runs/s\\)", "$1 in {secs}s ({rate} runs/s)");
  }

  static String normaliseJunit(String xml) {
    return xml.replaceFirst("(<testsuite [^>]*) time=\"\\d+\\.\\d+\"", "$1 time=\"{secs}\"");
  }

  private static final Pattern COVERAGE_LIST =
      Pattern.compile("(?m)^(\\s*\"(?:statesNotReached|pointsNotReached)\" : )(\\[.*\\])(,?)$");

  /** {@code elapsedMs} masked, the two long coverage lists as their length and digest. */
  static String normaliseJson(String json) throws IOException {
    String s = json.replaceFirst("\"elapsedMs\" : \\d+", "\"elapsedMs\" : \"{ms}\"");
    Matcher m = COVERAGE_LIST.matcher(s);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      List<String> items = new ArrayList<>();
      new ObjectMapper().readTree(m.group(2)).forEach(n -> items.add(n.asText()));
      String digest =
          "\"" + items.size() + " entries, sha256 " + sha256(String.join("\n", items)) + "\"";
      m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1) + digest + m.group(3)));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
