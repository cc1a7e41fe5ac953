package e1kfuzz.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import e1kfuzz.engine.ReplayResult;
import e1kfuzz.model.Outcome;
import java.util.List;

/**
 * The machine-readable replay report: {@code {"results":[...],"errors":[...]}}, one result per file
 * and variant.
 */
public final class ReplayJson {
  private ReplayJson() {}

  public static String render(List<ReplayResult> results, List<String> errors) {
    ObjectNode root = Json.object();
    ArrayNode array = root.putArray("results");
    for (ReplayResult r : results) {
      ObjectNode o = array.addObject();
      o.put("file", r.file());
      o.put("variant", r.variant().id());
      if (r.outcome() instanceof Outcome.Violated v) {
        o.put("outcome", "violated");
        o.put("signature", v.signature().id());
        o.put("step", v.step());
        o.put("timeNs", v.timeNs());
        o.put("detail", v.detail());
      } else {
        Outcome.Passed p = (Outcome.Passed) r.outcome();
        o.put("outcome", "ok");
        o.putNull("signature");
        o.putNull("step");
        o.put("timeNs", p.timeNs());
      }
      if (r.expected().isPresent()) {
        o.put("expected", r.expected().get());
        o.put("expectationMet", !r.expectationFailed());
      } else {
        o.putNull("expected");
        o.putNull("expectationMet");
      }
    }
    ArrayNode errs = root.putArray("errors");
    errors.forEach(errs::add);
    return Json.render(root);
  }
}
