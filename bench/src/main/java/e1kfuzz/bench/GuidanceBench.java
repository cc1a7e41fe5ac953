package e1kfuzz.bench;

import e1kfuzz.engine.Campaign;
import e1kfuzz.engine.CampaignOptions;
import e1kfuzz.engine.Finding;
import e1kfuzz.engine.GeneratorOptions;
import e1kfuzz.engine.Guidance;
import e1kfuzz.model.Variant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Coverage-guided against unguided campaigns: for every variant and signature, the runs (and the
 * time, at each mode's measured rate) to the first finding, over 20 seeds. Runs to first finding
 * are exact and machine-independent (a finding's run index); a signature not found within the
 * budget counts as not found. Run: {@code java -cp bench/target/benchmarks.jar
 * e1kfuzz.bench.GuidanceBench [SEEDS] [EPOCHS]}.
 */
public final class GuidanceBench {
  private GuidanceBench() {}

  public static void main(String[] args) throws Exception {
    int seeds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    long runs = (args.length > 1 ? Long.parseLong(args[1]) : 40) * Campaign.EPOCH;
    int jobs = Runtime.getRuntime().availableProcessors();
    // Warm-up, so the first seed does not pay for the JIT.
    run(Guidance.COVERAGE, 999, 4L * Campaign.EPOCH, jobs);
    Map<String, List<Long>> first = new TreeMap<>();
    long[] totalRuns = new long[2];
    long[] totalNanos = new long[2];
    long[] points = new long[2];
    long[] transitions = new long[2];
    for (Guidance g : Guidance.values()) {
      for (int s = 1; s <= seeds; s++) {
        Campaign.Result r = run(g, s, runs, jobs);
        totalRuns[g.ordinal()] += r.runs();
        totalNanos[g.ordinal()] += r.elapsedNanos();
        points[g.ordinal()] += r.coverage().points();
        transitions[g.ordinal()] += r.coverage().transitions();
        for (Finding f : r.findings()) {
          first
              .computeIfAbsent(
                  f.variant().ordinal()
                      + " "
                      + f.variant().id()
                      + " "
                      + f.signature().id()
                      + " "
                      + g,
                  k -> new ArrayList<>())
              .add(f.run());
        }
      }
    }
    double[] rate = new double[2];
    for (Guidance g : Guidance.values()) {
      rate[g.ordinal()] = totalRuns[g.ordinal()] * 1e9 / totalNanos[g.ordinal()];
      System.out.printf(
          Locale.ROOT,
          "%s: %.0f runs/s (all variants, %d jobs); coverage at the end, mean over seeds: %.0f points, %.0f transitions%n",
          g,
          rate[g.ordinal()],
          jobs,
          points[g.ordinal()] / (double) seeds,
          transitions[g.ordinal()] / (double) seeds);
    }
    System.out.printf(Locale.ROOT, "budget %d runs per campaign, %d seeds%n%n", runs, seeds);
    System.out.printf(
        Locale.ROOT,
        "| variant | signature | guided: found, median runs (ms) | unguided: found, median runs (ms) |%n|---|---|---|---|%n");
    Map<String, String[]> rows = new TreeMap<>();
    for (Map.Entry<String, List<Long>> e : first.entrySet()) {
      String[] k = e.getKey().split(" ");
      String row = k[0] + " " + k[1] + " " + k[2];
      Guidance g = Guidance.valueOf(k[3]);
      List<Long> v = e.getValue();
      v.sort(null);
      // The median over all seeds, counting "not found" as worse than any run index.
      String median =
          v.size() * 2 > seeds
              ? String.format(
                  Locale.ROOT,
                  "%,d (%.1f ms)",
                  v.get(seeds / 2 - (seeds % 2 == 0 ? 1 : 0)),
                  v.get(seeds / 2 - (seeds % 2 == 0 ? 1 : 0)) * 1e3 / rate[g.ordinal()])
              : "> budget";
      rows.computeIfAbsent(
                  row,
                  x -> new String[] {"0/" + seeds + ", > budget", "0/" + seeds + ", > budget"})[
              g.ordinal()] =
          v.size() + "/" + seeds + ", " + median;
    }
    rows.forEach(
        (row, cells) -> {
          String[] k = row.split(" ");
          System.out.printf(
              Locale.ROOT, "| %s | `%s` | %s | %s |%n", k[1], k[2], cells[0], cells[1]);
        });
  }

  private static Campaign.Result run(Guidance g, long seed, long runs, int jobs)
      throws InterruptedException {
    return new Campaign(
            new CampaignOptions(
                List.of(Variant.values()),
                seed,
                runs,
                null,
                jobs,
                GeneratorOptions.defaults(),
                false,
                0,
                1,
                g))
        .run(null);
  }
}
