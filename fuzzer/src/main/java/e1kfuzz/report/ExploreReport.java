package e1kfuzz.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import e1kfuzz.engine.Explorer;
import e1kfuzz.model.Signature;
import e1kfuzz.model.Step;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The text and JSON reports of {@code explore}. */
public final class ExploreReport {
  private ExploreReport() {}

  /** A result and where its counterexamples were written (by signature). */
  public record Entry(Explorer.Result result, Map<Signature, Path> files) {}

  public static String level(String variant, Explorer.Level l, long total) {
    return String.format(
        Locale.ROOT,
        "%-16s depth %d: %,12d new states, %,14d transitions, %6.1f s (%,d states)",
        variant,
        l.depth(),
        l.newStates(),
        l.transitions(),
        l.elapsedNanos() / 1e9,
        total);
  }

  /**
   * The signatures an exploration looks for: every non-strict one, and the strict ones with
   * --strict.
   */
  public static List<Signature> searched(boolean strict) {
    List<Signature> out = new ArrayList<>();
    for (Signature s : Signature.values()) {
      if (strict || !s.strict()) {
        out.add(s);
      }
    }
    return out;
  }

  public static String text(List<Entry> entries, String alphabet) {
    StringBuilder sb = new StringBuilder();
    for (Entry e : entries) {
      Explorer.Result r = e.result();
      sb.append(
          String.format(
              Locale.ROOT,
              "%n== %s: %,d states, %,d transitions in %.1f s (%,.0f states/s); %s%n",
              r.variant().id(),
              r.states(),
              r.transitions(),
              r.elapsedNanos() / 1e9,
              r.statesPerSecond(),
              r.stopReason() == null
                  ? "every trace up to depth " + r.completeDepth() + " explored"
                  : r.stopReason() + ": complete up to depth " + r.completeDepth()));
      sb.append(
          String.format(
              Locale.ROOT,
              "  fingerprint collision probability %.1E (TLC's optimistic estimate: states x"
                  + " (transitions + 1 - states) / 2^64)%n",
              r.collisionProbability()));
      for (Explorer.Counterexample c : r.shortest().values()) {
        Path f = e.files().get(c.signature());
        sb.append(
            String.format(
                Locale.ROOT,
                "  %-42s %2d steps  %s%n",
                c.signature().id(),
                c.steps().size(),
                f == null ? "" : f.toString()));
      }
      List<String> clean = new ArrayList<>();
      for (Signature s : searched(r.strict())) {
        if (!r.shortest().containsKey(s)) {
          clean.add(s.id());
        }
      }
      if (!clean.isEmpty()) {
        sb.append(
            String.format(
                Locale.ROOT,
                "  no violation up to depth %d over %s:%n",
                r.completeDepth(),
                alphabet));
        for (String s : clean) {
          sb.append("    ").append(s).append('\n');
        }
      }
    }
    return sb.toString();
  }

  public static String json(List<Entry> entries, String alphabet, int symbols, long peakHeapBytes) {
    ObjectNode root = Json.object();
    root.put("alphabet", alphabet);
    root.put("symbols", symbols);
    root.put("peakHeapBytes", peakHeapBytes);
    ArrayNode vs = root.putArray("variants");
    for (Entry e : entries) {
      Explorer.Result r = e.result();
      ObjectNode n = vs.addObject();
      n.put("variant", r.variant().id());
      n.put("depth", r.depth());
      n.put("completeDepth", r.completeDepth());
      n.put("strict", r.strict());
      n.put("states", r.states());
      n.put("transitions", r.transitions());
      n.put("elapsedMs", r.elapsedNanos() / 1_000_000);
      n.put("statesPerSecond", Math.round(r.statesPerSecond()));
      n.put("collisionProbability", r.collisionProbability());
      if (r.stopReason() != null) {
        n.put("stopReason", r.stopReason());
      }
      ArrayNode levels = n.putArray("levels");
      for (Explorer.Level l : r.levels()) {
        levels
            .addObject()
            .put("depth", l.depth())
            .put("newStates", l.newStates())
            .put("transitions", l.transitions());
      }
      ArrayNode found = n.putArray("counterexamples");
      for (Explorer.Counterexample c : r.shortest().values()) {
        ObjectNode f = found.addObject();
        f.put("signature", c.signature().id());
        f.put("length", c.steps().size());
        Path file = e.files().get(c.signature());
        if (file != null) {
          f.put("file", file.toString());
        }
        ArrayNode steps = f.putArray("steps");
        for (Step s : c.steps()) {
          steps.add(s.format());
        }
      }
      ArrayNode clean = n.putArray("notReached");
      for (Signature s : searched(r.strict())) {
        if (!r.shortest().containsKey(s)) {
          clean.add(s.id());
        }
      }
    }
    return Json.render(root);
  }
}
