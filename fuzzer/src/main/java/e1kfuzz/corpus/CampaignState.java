package e1kfuzz.corpus;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import e1kfuzz.engine.Campaign;
import e1kfuzz.engine.CampaignOptions;
import e1kfuzz.engine.Coverage;
import e1kfuzz.engine.GeneratorOptions;
import e1kfuzz.engine.Guidance;
import e1kfuzz.engine.InternalFailure;
import e1kfuzz.model.Signature;
import e1kfuzz.model.Step;
import e1kfuzz.model.Trace;
import e1kfuzz.model.TraceParser;
import e1kfuzz.model.TraceSyntaxException;
import e1kfuzz.model.Variant;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A campaign's progress in a folder ({@code fuzz --state DIR}), so {@code fuzz --resume DIR} goes
 * on where it stopped: the options, the next run, the coverage, the kept traces and the first
 * failures (not yet shrunk). One JSON file, replaced atomically at epoch boundaries, so a crash or
 * a {@code kill -9} at any moment leaves the last complete state.
 */
public final class CampaignState {
  public static final String FILE = "campaign-state.json";
  static final String FORMAT = "e1kfuzz campaign state v1";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private CampaignState() {}

  /** A saved campaign: its options, how long it has run in all, where findings go, its snapshot. */
  public record Saved(
      CampaignOptions options, long elapsedNanos, String out, Campaign.Snapshot snapshot) {}

  public static void save(Path dir, Saved s) throws IOException {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format", FORMAT);
    CampaignOptions o = s.options();
    ObjectNode opts = root.putObject("options");
    ArrayNode vs = opts.putArray("variants");
    o.variants().forEach(v -> vs.add(v.id()));
    opts.put("seed", o.seed());
    opts.put("runs", o.runs());
    if (o.time() != null) {
      opts.put("timeMs", o.time().toMillis());
    }
    opts.put("maxSteps", o.generator().maxSteps());
    opts.put("weights", o.generator().describeWeights());
    opts.put("strict", o.strict());
    opts.put("shard", (o.shardIndex() + 1) + "/" + o.shardCount());
    opts.put("guidance", o.guidance().name().toLowerCase(Locale.ROOT));
    opts.put("zeroNsWindows", o.zeroNsWindows());
    root.put("elapsedMs", s.elapsedNanos() / 1_000_000);
    root.put("out", s.out());
    Campaign.Snapshot snap = s.snapshot();
    root.put("nextRun", snap.nextRun());
    ObjectNode cov = root.putObject("coverage");
    cov.put("marks", snap.coverage().marks());
    ArrayNode idx = cov.putArray("indices");
    for (int i : snap.coverage().indices()) {
      idx.add(i);
    }
    ArrayNode kept = root.putArray("kept");
    snap.kept().forEach(t -> kept.add(Trace.of(t).format()));
    ArrayNode failures = root.putArray("failures");
    for (Campaign.FirstFailure f : snap.failures()) {
      failures
          .addObject()
          .put("variant", f.variant().id())
          .put("signature", f.signature().id())
          .put("run", f.run())
          .put("trace", Trace.of(f.steps()).format());
    }
    ArrayNode internal = root.putArray("internalErrors");
    for (InternalFailure f : snap.internalFailures()) {
      internal
          .addObject()
          .put("variant", f.variant().id())
          .put("run", f.run())
          .put("exception", f.exception())
          .put("stackTrace", f.stackTrace())
          .put("trace", Trace.of(f.steps()).format());
    }
    TraceFiles.replace(
        dir.resolve(FILE), MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
  }

  /**
   * Removes what a save interrupted by a crash left behind (ours, hidden, never the state itself).
   */
  public static void removeStaleTemporaries(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (var files = Files.newDirectoryStream(dir, "." + FILE + "*.tmp")) {
      for (Path f : files) {
        Files.deleteIfExists(f);
      }
    }
  }

  /**
   * Reads a saved state; a missing, unreadable or inconsistent one is bad input naming the file.
   */
  public static Saved load(Path dir) throws BadInputException {
    Path file = dir.resolve(FILE);
    JsonNode root;
    try {
      root = MAPPER.readTree(Files.readString(file, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      throw new BadInputException(
          file + ": no campaign state here (start one with fuzz --state " + dir + ")");
    } catch (JsonProcessingException e) {
      throw new BadInputException(
          file
              + ":"
              + e.getLocation().getLineNr()
              + ": not a campaign state: "
              + e.getOriginalMessage());
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot read: " + e.getMessage(), e);
    }
    try {
      if (!FORMAT.equals(text(root, "format"))) {
        throw new IllegalArgumentException(
            "format is '" + root.path("format").asText() + "', expected '" + FORMAT + "'");
      }
      JsonNode o = root.get("options");
      List<Variant> variants = new ArrayList<>();
      for (JsonNode v : array(o, "variants")) {
        variants.add(variant(v.asText()));
      }
      String[] shard = text(o, "shard").split("/");
      Duration time = o.has("timeMs") ? Duration.ofMillis(o.get("timeMs").asLong()) : null;
      CampaignOptions options =
          new CampaignOptions(
              variants,
              number(o, "seed"),
              number(o, "runs"),
              time,
              1,
              new GeneratorOptions(
                  (int) number(o, "maxSteps"), GeneratorOptions.parseWeights(text(o, "weights"))),
              o.path("strict").asBoolean(),
              Integer.parseInt(shard[0]) - 1,
              Integer.parseInt(shard[1]),
              Guidance.valueOf(text(o, "guidance").toUpperCase(Locale.ROOT)),
              o.path("zeroNsWindows").asBoolean());
      JsonNode cov = root.get("coverage");
      JsonNode idx = array(cov, "indices");
      int[] indices = new int[idx.size()];
      for (int i = 0; i < indices.length; i++) {
        indices[i] = idx.get(i).asInt();
      }
      List<List<Step>> kept = new ArrayList<>();
      int n = 0;
      for (JsonNode t : array(root, "kept")) {
        kept.add(TraceParser.parse(file + " kept[" + n++ + "]", t.asText()).steps());
      }
      List<Campaign.FirstFailure> failures = new ArrayList<>();
      for (JsonNode f : array(root, "failures")) {
        failures.add(
            new Campaign.FirstFailure(
                variant(text(f, "variant")),
                signature(text(f, "signature")),
                number(f, "run"),
                TraceParser.parse(file + " failure", text(f, "trace")).steps()));
      }
      List<InternalFailure> internal = new ArrayList<>();
      for (JsonNode f : array(root, "internalErrors")) {
        internal.add(
            new InternalFailure(
                number(f, "run"),
                variant(text(f, "variant")),
                text(f, "exception"),
                text(f, "stackTrace"),
                TraceParser.parse(file + " internal error", text(f, "trace")).steps()));
      }
      Campaign.Snapshot snap =
          new Campaign.Snapshot(
              number(root, "nextRun"),
              kept,
              Coverage.of(indices, number(cov, "marks")),
              failures,
              internal);
      return new Saved(options, number(root, "elapsedMs") * 1_000_000, text(root, "out"), snap);
    } catch (TraceSyntaxException e) {
      throw new BadInputException(e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new BadInputException(file + ": not a usable campaign state: " + e.getMessage(), e);
    }
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("missing text field '" + field + "'");
    }
    return v.asText();
  }

  private static long number(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    if (v == null || !v.isIntegralNumber()) {
      throw new IllegalArgumentException("missing number field '" + field + "'");
    }
    return v.asLong();
  }

  private static JsonNode array(JsonNode n, String field) {
    JsonNode v = n == null ? null : n.get(field);
    if (v == null || !v.isArray()) {
      throw new IllegalArgumentException("missing list '" + field + "'");
    }
    return v;
  }

  private static Variant variant(String id) {
    return Variant.byId(id)
        .orElseThrow(() -> new IllegalArgumentException("unknown variant '" + id + "'"));
  }

  private static Signature signature(String id) {
    return Signature.byId(id)
        .orElseThrow(() -> new IllegalArgumentException("unknown signature '" + id + "'"));
  }
}
