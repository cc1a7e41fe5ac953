package e1kfuzz.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import e1kfuzz.engine.Evaluation;
import e1kfuzz.engine.Replay;
import e1kfuzz.model.Signature;
import e1kfuzz.model.Step;
import e1kfuzz.model.Trace;
import e1kfuzz.model.Variant;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The fix-candidate table as text (a Markdown table, so it pastes into a README or a review) and
 * JSON.
 */
public final class EvaluateReport {
  private EvaluateReport() {}

  /** What bounds an empty cell, in words. */
  public static String bound(Evaluation.Table t, String alphabet) {
    int depth = t.exploredDepth().values().stream().mapToInt(Integer::intValue).min().orElse(0);
    return String.format(
        Locale.ROOT,
        "not found in %,d fuzzing runs (%.0f s) nor by exploring every trace up to depth %d over %s",
        t.fuzzRuns(),
        t.fuzzNanos() / 1e9,
        depth,
        alphabet);
  }

  public static String text(Evaluation.Table t, Map<List<Step>, Path> files, String alphabet) {
    StringBuilder sb = new StringBuilder();
    sb.append("| signature |");
    for (Variant v : t.variants()) {
      sb.append(' ').append(v.id()).append(" |");
    }
    sb.append("\n|---|");
    sb.append("---|".repeat(t.variants().size()));
    sb.append('\n');
    for (Signature s : t.signatures()) {
      sb.append("| `").append(s.id()).append("` |");
      for (Variant v : t.variants()) {
        Evaluation.Cell c = t.cell(v, s);
        sb.append(' ')
            .append(
                c.reachable()
                    ? c.steps().size() + (c.source() == Evaluation.Source.EXPLORE ? "" : "*")
                    : "—")
            .append(" |");
      }
      sb.append('\n');
    }
    sb.append('\n');
    sb.append(
        "N = reachable, shortest trace found has N steps (minimal over the alphabet, by breadth-first exploration);\n");
    sb.append("N* = reachable, found by fuzzing only (shrunk, 1-minimal);\n");
    sb.append("— = ").append(bound(t, alphabet)).append(".\n");
    sb.append(
        String.format(
            Locale.ROOT,
            "explored: %s%n",
            String.join(
                ", ",
                t.variants().stream()
                    .map(
                        v ->
                            String.format(
                                Locale.ROOT,
                                "%s %,d states to depth %d",
                                v.id(),
                                t.exploredStates().getOrDefault(v, 0L),
                                t.exploredDepth().getOrDefault(v, 0)))
                    .toList())));
    if (!files.isEmpty()) {
      sb.append("\nshortest traces:\n");
      files.forEach((steps, file) -> sb.append("  ").append(file).append('\n'));
    }
    return sb.toString();
  }

  /** One page: the table, each reachable cell linking to the timeline of its shortest trace. */
  public static HtmlReport html(Evaluation.Table t, Map<List<Step>, Path> files, String alphabet) {
    HtmlReport report = new HtmlReport("e1kfuzz evaluate: which variant reaches which signature");
    report.addNote(
        "N: reachable, the shortest trace found has N steps (N*: found by fuzzing only). "
            + "—: "
            + bound(t, alphabet)
            + ".");
    List<String> columns = new java.util.ArrayList<>();
    columns.add("signature");
    t.variants().forEach(v -> columns.add(v.id()));
    List<List<HtmlReport.Cell>> rows = new java.util.ArrayList<>();
    List<Evaluation.Cell> timelines = new java.util.ArrayList<>();
    for (Signature s : t.signatures()) {
      List<HtmlReport.Cell> row = new java.util.ArrayList<>();
      row.add(HtmlReport.Cell.text(s.id()));
      for (Variant v : t.variants()) {
        Evaluation.Cell c = t.cell(v, s);
        if (c.reachable()) {
          timelines.add(c);
          String label = c.steps().size() + (c.source() == Evaluation.Source.EXPLORE ? "" : "*");
          row.add(HtmlReport.Cell.link(label, "cell-" + timelines.size()));
        } else {
          row.add(HtmlReport.Cell.text("—"));
        }
      }
      rows.add(row);
    }
    report.addTable("table", "Fix candidates", columns, rows);
    int i = 0;
    for (Evaluation.Cell c : timelines) {
      i++;
      Path f = files.get(c.steps());
      Trace trace = Trace.of(c.steps());
      report.addTimeline(
          "cell-" + i,
          c.signature().id() + " on " + c.variant().id() + (f == null ? "" : " (" + f + ")"),
          Replay.run(
              f == null ? "<evaluate>" : f.toString(),
              trace,
              c.variant(),
              c.signature().strict(),
              true));
    }
    return report;
  }

  public static String json(Evaluation.Table t, Map<List<Step>, Path> files, String alphabet) {
    ObjectNode root = Json.object();
    root.put("fuzzRuns", t.fuzzRuns());
    root.put("fuzzMs", t.fuzzNanos() / 1_000_000);
    root.put("alphabet", alphabet);
    root.put("notFoundMeans", bound(t, alphabet));
    ArrayNode rows = root.putArray("cells");
    for (Signature s : t.signatures()) {
      for (Variant v : t.variants()) {
        Evaluation.Cell c = t.cell(v, s);
        ObjectNode n = rows.addObject();
        n.put("variant", v.id());
        n.put("signature", s.id());
        n.put("reachable", c.reachable());
        n.put("exploredDepth", t.exploredDepth().getOrDefault(v, 0));
        if (c.reachable()) {
          n.put("length", c.steps().size());
          n.put("foundBy", c.source().name().toLowerCase(Locale.ROOT));
          Path f = files.get(c.steps());
          if (f != null) {
            n.put("file", f.toString());
          }
          ArrayNode steps = n.putArray("steps");
          c.steps().forEach(st -> steps.add(st.format()));
        }
      }
    }
    return Json.render(root);
  }
}
