package e1kfuzz.scenario;

import com.google.common.collect.ImmutableList;
import e1kfuzz.engine.Rng;
import e1kfuzz.model.Outcome;
import e1kfuzz.model.Runner;
import e1kfuzz.model.Variant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Searches one scenario's free parameters on one variant: every choice of the discrete parameters
 * when there are at most {@code maxChoices} of them (else the defaults plus a seeded sample), and
 * for each choice the whole window range: a linear grid of offsets plus geometrically spaced ones
 * near the range's start, then bisection between points whose outcomes differ, so every boundary
 * found is exact to the nanosecond. A window that falls between two points of the same outcome can
 * be missed; reports state the grid.
 */
public final class ScenarioSearch {
  /** Search settings: grid points over the window range, the choice limit, the sampling seed. */
  public record Options(int gridPoints, int maxChoices, long seed) {
    public static Options defaults() {
      return new Options(1000, 4096, 1);
    }
  }

  /** A stretch of offsets [loNs, hiNs] (inclusive) with one outcome: ok or a signature id. */
  public record Segment(long loNs, long hiNs, String result, Outcome outcome) {
    public long widthNs() {
      return hiNs - loNs + 1;
    }
  }

  /**
   * What one choice of the discrete parameters gives, over the window (one segment without one).
   */
  public record ChoiceResult(Map<String, String> choice, List<Segment> segments) {
    public ChoiceResult {
      segments = ImmutableList.copyOf(segments);
    }

    /** Total width of the offsets giving {@code result}, in ns. */
    public long widthNs(String result) {
      return segments.stream()
          .filter(s -> s.result().equals(result))
          .mapToLong(Segment::widthNs)
          .sum();
    }

    public List<Segment> segmentsOf(String result) {
      return segments.stream().filter(s -> s.result().equals(result)).toList();
    }
  }

  /**
   * The search's result on one variant.
   *
   * @param choices every choice searched, the defaults first
   * @param allChoices how many choices the discrete parameters allow
   * @param gridStepNs the grid step over the window (0 without a window)
   * @param runs model runs it took
   */
  public record Result(
      Scenario scenario,
      Variant variant,
      List<ChoiceResult> choices,
      long allChoices,
      long gridStepNs,
      long runs) {
    public Result {
      choices = ImmutableList.copyOf(choices);
    }

    public boolean exhaustive() {
      return choices.size() == allChoices;
    }

    public ChoiceResult atDefaults() {
      return choices.get(0);
    }

    /** Every outcome seen, in the order first seen (defaults first). */
    public Set<String> results() {
      Set<String> r = new LinkedHashSet<>();
      for (ChoiceResult c : choices) {
        for (Segment s : c.segments()) {
          r.add(s.result());
        }
      }
      return r;
    }

    /** How many choices give {@code result} somewhere in the window. */
    public long choicesReaching(String result) {
      return choices.stream().filter(c -> c.widthNs(result) > 0).count();
    }

    /** The choice where {@code result} has the widest window (the earliest such choice on ties). */
    public ChoiceResult widest(String result) {
      ChoiceResult best = null;
      for (ChoiceResult c : choices) {
        if (c.widthNs(result) > 0 && (best == null || c.widthNs(result) > best.widthNs(result))) {
          best = c;
        }
      }
      return best;
    }
  }

  private final Scenario scenario;
  private final Variant variant;
  private final Options options;
  private long runs;
  private Scenario.Bound bound;
  private Map<String, String> boundChoice;

  private ScenarioSearch(Scenario scenario, Variant variant, Options options) {
    this.scenario = scenario;
    this.variant = variant;
    this.options = options;
  }

  /** Searches {@code scenario} on {@code variant}; deterministic for given options. */
  public static Result search(Scenario scenario, Variant variant, Options options) {
    return new ScenarioSearch(scenario, variant, options).run();
  }

  /** The choices searched: all of them, or the defaults and a seeded sample without repeats. */
  static List<Map<String, String>> choices(Scenario s, Options options) {
    long all = allChoices(s);
    List<Map<String, String>> out = new ArrayList<>();
    if (all <= options.maxChoices()) {
      for (long i = 0; i < all; i++) {
        out.add(choice(s, i));
      }
      return out;
    }
    Set<Long> taken = new LinkedHashSet<>();
    taken.add(0L);
    Rng rng = new Rng.SplitMix(options.seed());
    while (taken.size() < options.maxChoices()) {
      taken.add(rng.nextLong(all));
    }
    for (long i : taken) {
      out.add(choice(s, i));
    }
    return out;
  }

  static long allChoices(Scenario s) {
    long n = 1;
    for (Scenario.Param p : s.params()) {
      n = Math.multiplyExact(n, p.values().size());
    }
    return n;
  }

  /**
   * Choice number {@code index} in mixed radix, the first parameter varying slowest; 0 = defaults.
   */
  private static Map<String, String> choice(Scenario s, long index) {
    Map<String, String> c = new LinkedHashMap<>();
    long rest = index;
    List<Scenario.Param> ps = s.params();
    String[] picked = new String[ps.size()];
    for (int i = ps.size() - 1; i >= 0; i--) {
      int n = ps.get(i).values().size();
      picked[i] = ps.get(i).values().get((int) (rest % n));
      rest /= n;
    }
    for (int i = 0; i < ps.size(); i++) {
      c.put(ps.get(i).name(), picked[i]);
    }
    return c;
  }

  private Result run() {
    Scenario.Window w = scenario.window();
    long step = w == null ? 0 : gridStep();
    long[] points = w == null ? null : points(w.loNs(), w.hiNs() - 1, step);
    List<ChoiceResult> results = new ArrayList<>();
    for (Map<String, String> c : choices(scenario, options)) {
      if (w == null) {
        Outcome o = outcome(c, 0);
        results.add(new ChoiceResult(c, List.of(new Segment(0, 0, o.result(), o))));
      } else {
        results.add(new ChoiceResult(c, sweep(c, points)));
      }
    }
    return new Result(scenario, variant, results, allChoices(scenario), step, runs);
  }

  private long gridStep() {
    Scenario.Window w = scenario.window();
    long span = w.hiNs() - 1 - w.loNs();
    return Math.max(1, (span + options.gridPoints() - 1) / Math.max(1, options.gridPoints()));
  }

  /** The segments of one choice, from the outcomes at {@code points} and bisection between them. */
  private List<Segment> sweep(Map<String, String> c, long[] points) {
    List<Segment> segments = new ArrayList<>();
    long segStart = points[0];
    Outcome segOutcome = outcome(c, segStart);
    for (int i = 1; i < points.length; i++) {
      long next = points[i];
      Outcome atNext = outcome(c, next);
      Outcome current = segOutcome;
      long from = points[i - 1];
      // Walk the boundaries between t and next: each bisection finds the first offset whose
      // outcome differs from the current segment's.
      while (!atNext.result().equals(current.result())) {
        long b = firstDifferent(c, from, next, current.result());
        segments.add(new Segment(segStart, b - 1, current.result(), current));
        segStart = b;
        current = b == next ? atNext : outcome(c, b);
        from = b;
      }
      segOutcome = current;
    }
    segments.add(new Segment(segStart, points[points.length - 1], segOutcome.result(), segOutcome));
    return segments;
  }

  /** Geometric points start this far above the range's start, in ns. */
  public static final long GEOMETRIC_FROM_NS = 100;

  /** Each geometric point is this much further from the start than the one before. */
  public static final double GEOMETRIC_RATIO = 1.05;

  /**
   * The offsets a sweep runs, ascending from {@code lo} to {@code last}: the linear grid, plus
   * points at geometrically growing distances from {@code lo}. Windows cluster just before the
   * driver's mode switch, where a coarse linear step would jump over one (a 128 µs window in a 100
   * ms range with a 2.7 ms step: found by trying the tool as a new user).
   */
  static long[] points(long lo, long last, long step) {
    java.util.TreeSet<Long> p = new java.util.TreeSet<>();
    for (long t = lo; t < last; t += step) {
      p.add(t);
    }
    p.add(last);
    for (double d = GEOMETRIC_FROM_NS; lo + d < last; d = Math.max(d + 1, d * GEOMETRIC_RATIO)) {
      p.add(lo + (long) d);
    }
    return p.stream().mapToLong(Long::longValue).toArray();
  }

  /** The smallest offset in (from, to] whose outcome is not {@code result}; {@code to}'s is not. */
  private long firstDifferent(Map<String, String> c, long from, long to, String result) {
    long lo = from; // outcome(lo) is result
    long hi = to; // outcome(hi) is not
    while (hi - lo > 1) {
      long mid = lo + (hi - lo) / 2;
      if (outcome(c, mid).result().equals(result)) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return hi;
  }

  private Outcome outcome(Map<String, String> c, long offsetNs) {
    runs++;
    if (bound == null || !c.equals(boundChoice)) {
      bound = scenario.bind(c);
      boundChoice = c;
    }
    return Runner.run(variant, bound.at(offsetNs), false);
  }
}
