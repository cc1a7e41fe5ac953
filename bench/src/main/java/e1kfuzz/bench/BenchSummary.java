package e1kfuzz.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the JSON result of a JMH run ({@code -rf json}) and prints the campaign throughput of
 * {@code FuzzBenchmark.trace30} next to the calibration loop ({@link StepLoopBenchmark}) of the
 * same run, as the ratio the issue tracks: what share of a tight toy loop's speed the real model
 * keeps.
 *
 * <p>{@code java -cp bench/target/benchmarks.jar e1kfuzz.bench.BenchSummary result.json}
 */
public final class BenchSummary {
  private static final String FUZZ = "e1kfuzz.bench.FuzzBenchmark.trace30";
  private static final String CALIBRATION = "e1kfuzz.bench.StepLoopBenchmark.trace30";

  private BenchSummary() {}

  /** One measured benchmark: its name with parameters, score and error (99.9 %). */
  record Row(String name, double score, double error, String unit) {}

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: BenchSummary <jmh-result.json>");
      System.exit(2);
    }
    JsonNode root = new ObjectMapper().readTree(new File(args[0]));
    List<Row> fuzz = new ArrayList<>();
    Row calibration = null;
    for (JsonNode b : root) {
      String benchmark = b.path("benchmark").asText();
      JsonNode metric = b.path("primaryMetric");
      Row row =
          new Row(
              benchmark + params(b.path("params")),
              metric.path("score").asDouble(),
              metric.path("scoreError").asDouble(Double.NaN),
              metric.path("scoreUnit").asText());
      if (benchmark.equals(FUZZ)) {
        fuzz.add(row);
      } else if (benchmark.equals(CALIBRATION)) {
        calibration = row;
      }
    }
    System.out.println();
    System.out.println("campaign throughput against the calibration loop (same run):");
    if (calibration == null) {
      System.out.println("  no StepLoopBenchmark.trace30 in " + args[0] + ": no ratio");
    } else {
      System.out.println("  " + format(calibration) + "  (calibration: the floor)");
    }
    if (fuzz.isEmpty()) {
      System.out.println("  no FuzzBenchmark.trace30 in " + args[0]);
    }
    for (Row r : fuzz) {
      String ratio =
          calibration == null
              ? ""
              : String.format(Locale.ROOT, "  ratio %.2f", r.score() / calibration.score());
      System.out.println("  " + format(r) + ratio);
    }
  }

  private static String params(JsonNode params) {
    if (params.isMissingNode() || params.isEmpty()) {
      return "";
    }
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, JsonNode> p : params.properties()) {
      out.add(p.getKey() + "=" + p.getValue().asText());
    }
    return " (" + String.join(", ", out) + ")";
  }

  private static String format(Row r) {
    String error = Double.isNaN(r.error()) ? "" : String.format(Locale.ROOT, " ± %,.0f", r.error());
    return String.format(
        Locale.ROOT,
        "%-62s %,12.0f%s %s",
        r.name().replace("e1kfuzz.bench.", ""),
        r.score(),
        error,
        r.unit());
  }
}
