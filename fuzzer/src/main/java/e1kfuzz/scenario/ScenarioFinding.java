package e1kfuzz.scenario;

import e1kfuzz.diff.Confirmation;
import e1kfuzz.engine.Shrinker;
import e1kfuzz.model.Outcome;
import e1kfuzz.model.Signature;
import e1kfuzz.model.Step;
import e1kfuzz.timing.ExactTiming;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One outcome a scenario reaches on one variant: where (the choice and window segments that show it
 * best), an example trace inside the window, its shrunk form, and what the exact build said at the
 * window's edges.
 *
 * @param result a signature id, or {@code ok}
 * @param choice the defaults when they reach it, else the choice with the widest window
 * @param segments that choice's segments with this outcome
 * @param example the driver's full sequence at the first offset of the first segment
 * @param minimal the example shrunk with the same signature kept (null for {@code ok})
 * @param checks the exact build's verdicts, in {@link Check} order (empty when not asked for)
 */
public record ScenarioFinding(
    String result,
    Map<String, String> choice,
    List<ScenarioSearch.Segment> segments,
    long exampleOffsetNs,
    List<Step> example,
    List<Step> minimal,
    String shrinkSummary,
    List<Check> checks) {

  /**
   * One replay on the exact build: which offset, what the model says there, and the verdict.
   *
   * @param confirmed null when it was not checked (no exact build, or a trace it cannot replay)
   * @param unobservable confirmed only as far as observations go (see {@link
   *     Confirmation.Verdict#unobservable})
   * @param verdict the verdict's one line, or why there is none
   */
  public record Check(
      long offsetNs,
      String modelResult,
      boolean inside,
      Boolean confirmed,
      boolean unobservable,
      String verdict) {
    /** QEMU disagreed with the model: a divergence, not merely an unchecked offset. */
    public boolean disagrees() {
      return Boolean.FALSE.equals(confirmed);
    }
  }

  /** The outcomes of a search, one finding each, defaults first; checks left empty. */
  public static List<ScenarioFinding> of(ScenarioSearch.Result r) {
    List<ScenarioFinding> out = new ArrayList<>();
    for (String result : r.results()) {
      ScenarioSearch.ChoiceResult c =
          r.atDefaults().widthNs(result) > 0 ? r.atDefaults() : r.widest(result);
      List<ScenarioSearch.Segment> segs = c.segmentsOf(result);
      long offset = segs.get(0).loNs();
      List<Step> example = r.scenario().steps(c.choice(), offset);
      List<Step> minimal = null;
      String summary = null;
      if (segs.get(0).outcome() instanceof Outcome.Violated v) {
        Signature s = v.signature();
        boolean exact = ExactTiming.problem(r.variant(), example) == null;
        Shrinker.Result shrunk = Shrinker.shrink(r.variant(), example, s, false, exact, 20_000);
        minimal = shrunk.steps();
        summary = shrunk.summary();
      }
      out.add(
          new ScenarioFinding(
              result, c.choice(), segs, offset, example, minimal, summary, List.of()));
    }
    return out;
  }

  /**
   * The same finding with the exact build's verdicts at the first and last offset of each of its
   * segments (at most {@code maxSegments}), and one nanosecond outside each edge that is still in
   * the range, where the model says something else: the window's edges, held against QEMU. {@code
   * verdicts} holds the verdicts of this choice by offset, shared by the outcomes of one search.
   */
  public ScenarioFinding checked(
      ScenarioSearch.Result r, int maxSegments, Map<Long, Confirmation.Verdict> verdicts) {
    List<Check> out = new ArrayList<>();
    Scenario.Window w = r.scenario().window();
    ScenarioSearch.ChoiceResult c =
        r.choices().stream().filter(x -> x.choice().equals(choice)).findFirst().orElseThrow();
    for (ScenarioSearch.Segment s : segments.subList(0, Math.min(maxSegments, segments.size()))) {
      List<Long> offsets = new ArrayList<>();
      if (w == null) {
        offsets.add(0L);
      } else {
        if (s.loNs() > w.loNs()) {
          offsets.add(s.loNs() - 1);
        }
        offsets.add(s.loNs());
        if (s.hiNs() != s.loNs()) {
          offsets.add(s.hiNs());
        }
        if (s.hiNs() < w.hiNs() - 1) {
          offsets.add(s.hiNs() + 1);
        }
      }
      for (long t : offsets) {
        String model = resultAt(c, t);
        boolean inside = model.equals(result);
        Signature sig = Signature.byId(model).orElse(null); // the outcome QEMU must show there
        Confirmation.Verdict v =
            verdicts.containsKey(t)
                ? verdicts.get(t)
                : Confirmation.check(r.variant(), r.scenario().steps(choice, t), sig);
        verdicts.put(t, v);
        out.add(
            v == null
                ? new Check(
                    t, model, inside, null, false, "not checked: no exact build (make qemu-src)")
                : new Check(
                    t,
                    model,
                    inside,
                    v.checked() ? v.confirmed() : null,
                    v.unobservable(),
                    v.text()));
      }
    }
    return new ScenarioFinding(
        result, choice, segments, exampleOffsetNs, example, minimal, shrinkSummary, out);
  }

  private static String resultAt(ScenarioSearch.ChoiceResult c, long t) {
    for (ScenarioSearch.Segment s : c.segments()) {
      if (t >= s.loNs() && t <= s.hiNs()) {
        return s.result();
      }
    }
    throw new IllegalArgumentException("offset outside the window: " + t);
  }

  /** Whether every check ran on the exact build and agreed; false when there were none. */
  public boolean confirmed() {
    return !checks.isEmpty() && checks.stream().allMatch(k -> Boolean.TRUE.equals(k.confirmed()));
  }

  /**
   * Confirmed, but inside its window only as far as observations go (outside it, agreeing with the
   * model after every step is all an edge needs).
   */
  public boolean unobservable() {
    return checks.stream().anyMatch(c -> c.inside() && c.unobservable());
  }

  public long widthNs() {
    return segments.stream().mapToLong(ScenarioSearch.Segment::widthNs).sum();
  }
}
