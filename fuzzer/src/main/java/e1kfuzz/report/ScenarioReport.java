package e1kfuzz.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import e1kfuzz.engine.Replay;
import e1kfuzz.model.Expectation;
import e1kfuzz.model.Step;
import e1kfuzz.model.Trace;
import e1kfuzz.model.Variant;
import e1kfuzz.scenario.Scenario;
import e1kfuzz.scenario.ScenarioFinding;
import e1kfuzz.scenario.ScenarioSearch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code scenarios} report: which variant each driver path brings to which outcome, and how
 * wide the window is.
 */
public final class ScenarioReport {
  private ScenarioReport() {}

  /** One scenario on one variant: the search, its findings, and the file each example went to. */
  public record VariantRun(
      ScenarioSearch.Result search, List<ScenarioFinding> findings, Map<String, Path> files) {}

  /** One scenario on every variant searched. */
  public record ScenarioRun(Scenario scenario, List<VariantRun> variants) {}

  /** Nanoseconds for people: {@code 850 ns}, {@code 32.768 µs}, {@code 67.107 ms}. */
  public static String duration(long ns) {
    if (ns < 1_000) {
      return ns + " ns";
    }
    if (ns < 1_000_000) {
      return trim(String.format(Locale.ROOT, "%.3f", ns / 1e3)) + " µs";
    }
    if (ns < 1_000_000_000) {
      return trim(String.format(Locale.ROOT, "%.3f", ns / 1e6)) + " ms";
    }
    return trim(String.format(Locale.ROOT, "%.3f", ns / 1e9)) + " s";
  }

  private static String trim(String s) {
    return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
  }

  private static String ns(long v) {
    return String.format(Locale.ROOT, "%,d ns", v);
  }

  /** The cell of the summary table: what the defaults reach, else what other choices do. */
  static String cell(VariantRun v) {
    List<String> parts = new ArrayList<>();
    ScenarioSearch.Result r = v.search();
    boolean window = r.scenario().window() != null;
    for (ScenarioFinding f : v.findings()) {
      if (f.result().equals(Expectation.OK)) {
        continue;
      }
      boolean atDefaults = f.choice().equals(r.atDefaults().choice());
      parts.add(
          f.result()
              + (window ? " " + duration(f.widthNs()) : "")
              + (atDefaults ? "" : " (only " + r.scenario().describe(f.choice()) + ")")
              + mark(f));
    }
    if (parts.isEmpty()) {
      ScenarioFinding ok =
          v.findings().stream()
              .filter(f -> f.result().equals(Expectation.OK))
              .findFirst()
              .orElse(null);
      return "safe" + (r.exhaustive() ? "" : " (sampled)") + (ok == null ? "" : mark(ok));
    }
    return String.join("; ", parts);
  }

  private static String mark(ScenarioFinding f) {
    if (f.checks().isEmpty()) {
      return "";
    }
    if (f.checks().stream().anyMatch(ScenarioFinding.Check::disagrees)) {
      return " ✗";
    }
    if (!f.confirmed()) { // some offsets could not be replayed
      return " (not replayed on an exact build: see below)";
    }
    return f.unobservable() ? " ≈" : " ✓";
  }

  public static String text(List<ScenarioRun> runs, String settings) {
    StringBuilder b = new StringBuilder();
    b.append("e1kfuzz scenarios: ").append(settings).append("\n\n");
    List<Variant> variants =
        runs.get(0).variants().stream().map(v -> v.search().variant()).toList();
    b.append("| scenario |");
    variants.forEach(v -> b.append(' ').append(v.id()).append(" |"));
    b.append("\n|---|");
    variants.forEach(v -> b.append("---|"));
    b.append('\n');
    for (ScenarioRun s : runs) {
      b.append("| ").append(s.scenario().id()).append(" |");
      for (VariantRun v : s.variants()) {
        b.append(' ').append(cell(v)).append(" |");
      }
      b.append('\n');
    }
    b.append(
        "\nA cell: what the driver's defaults reach, with the window's width (the arrival offsets that"
            + " give it); (only ...) when only other parameter values do; safe = no parameter value"
            + " reaches any signature ((sampled): of the choices searched, when there were more"
            + " than --max-choices); ✓ = every window edge replayed on the variant's exact build as"
            + " the model says (a delivery signature shown by QEMU's observations alone); ≈ = QEMU"
            + " agreed after every step, but this form of the delivery signature shows in no"
            + " observation (QEMU's or the model's); ✗ = QEMU did something else at some offset; (not replayed ...) = no"
            + " exact build, or a trace the backend cannot replay; no mark: --no-confirm.\n");
    for (ScenarioRun s : runs) {
      details(b, s);
    }
    return b.toString();
  }

  private static void details(StringBuilder b, ScenarioRun s) {
    Scenario sc = s.scenario();
    b.append("\n## ").append(sc.id()).append(": ").append(sc.title()).append('\n');
    b.append("driver: ").append(sc.driver()).append('\n');
    for (String src : sc.sources()) {
      b.append("source: ").append(src).append('\n');
    }
    for (Scenario.Param p : sc.params()) {
      boolean words = p.values().stream().noneMatch(x -> x.contains(" "));
      b.append("param ")
          .append(p.name())
          .append(": ")
          .append(String.join(words ? " " : " | ", p.values()));
      b.append(" (default ").append(p.values().get(0)).append(')');
      b.append(p.why().isEmpty() ? "" : ": " + p.why()).append('\n');
    }
    ScenarioSearch.Result first = s.variants().get(0).search();
    if (sc.window() != null) {
      b.append(
          String.format(
              Locale.ROOT,
              "window %s: from %s up to %s, grid step %s plus points from +%s growing by %s %%,"
                  + " edges exact to 1 ns%s%n",
              sc.window().name(),
              ns(sc.window().loNs()),
              ns(sc.window().hiNs()),
              duration(first.gridStepNs()),
              duration(ScenarioSearch.GEOMETRIC_FROM_NS),
              trim(String.format(Locale.ROOT, "%.2f", (ScenarioSearch.GEOMETRIC_RATIO - 1) * 100)),
              sc.window().why().isEmpty() ? "" : ": " + sc.window().why()));
    }
    b.append(
        String.format(
            Locale.ROOT,
            "choices: %d of %d searched%s%n",
            first.choices().size(),
            first.allChoices(),
            first.exhaustive() ? " (all)" : " (the defaults and a seeded sample)"));
    for (VariantRun v : s.variants()) {
      ScenarioSearch.Result r = v.search();
      b.append(r.variant().id()).append(" (").append(r.runs()).append(" model runs):\n");
      for (ScenarioFinding f : v.findings()) {
        boolean atDefaults = f.choice().equals(r.atDefaults().choice());
        b.append("  ").append(f.result());
        b.append(atDefaults ? " at the defaults" : " with " + sc.describe(f.choice()));
        if (sc.window() != null) {
          b.append(": ")
              .append(segments(f.segments()))
              .append(" (")
              .append(duration(f.widthNs()))
              .append(')');
          long reaching = r.choicesReaching(f.result());
          ScenarioSearch.ChoiceResult widest = r.widest(f.result());
          b.append(
              String.format(Locale.ROOT, "; in %d of %d choices", reaching, r.choices().size()));
          if (widest != null && !widest.choice().equals(f.choice()) && !sc.params().isEmpty()) {
            b.append(", widest ")
                .append(duration(widest.widthNs(f.result())))
                .append(" with ")
                .append(sc.describe(widest.choice()));
          }
        } else {
          b.append(
              String.format(
                  Locale.ROOT,
                  ": in %d of %d choices",
                  r.choicesReaching(f.result()),
                  r.choices().size()));
        }
        b.append('\n');
        for (ScenarioFinding.Check c : f.checks()) {
          b.append("    exact build at ")
              .append(ns(c.offsetNs()))
              .append(" (model: ")
              .append(c.modelResult())
              .append("): ")
              .append(c.verdict())
              .append('\n');
        }
        if (f.minimal() != null) {
          b.append("    minimal trace (").append(f.shrinkSummary()).append("): ");
          b.append(String.join("; ", f.minimal().stream().map(Step::format).toList())).append('\n');
        }
        Path file = v.files().get(f.result());
        if (file != null) {
          b.append("    driver sequence at ")
              .append(ns(f.exampleOffsetNs()))
              .append(": ")
              .append(file)
              .append('\n');
        }
      }
    }
  }

  private static String segments(List<ScenarioSearch.Segment> segs) {
    List<String> parts = new ArrayList<>();
    for (ScenarioSearch.Segment s : segs) {
      parts.add(
          s.loNs() == s.hiNs()
              ? ns(s.loNs())
              : String.format(Locale.ROOT, "%,d–%,d ns", s.loNs(), s.hiNs()));
    }
    return String.join(", ", parts);
  }

  public static String json(List<ScenarioRun> runs, String settings) {
    ObjectNode root = Json.object();
    root.put("settings", settings);
    ArrayNode scenarios = root.putArray("scenarios");
    for (ScenarioRun s : runs) {
      Scenario sc = s.scenario();
      ObjectNode o = scenarios.addObject();
      o.put("id", sc.id())
          .put("title", sc.title())
          .put("driver", sc.driver())
          .put("file", sc.file());
      ArrayNode src = o.putArray("sources");
      sc.sources().forEach(src::add);
      ArrayNode params = o.putArray("params");
      for (Scenario.Param p : sc.params()) {
        ObjectNode po = params.addObject().put("name", p.name()).put("why", p.why());
        ArrayNode vals = po.putArray("values");
        p.values().forEach(vals::add);
      }
      if (sc.window() != null) {
        o.putObject("window")
            .put("name", sc.window().name())
            .put("loNs", sc.window().loNs())
            .put("hiNs", sc.window().hiNs())
            .put("hiExclusive", true)
            .put("why", sc.window().why());
      } else {
        o.putNull("window");
      }
      ArrayNode vs = o.putArray("variants");
      for (VariantRun v : s.variants()) {
        ScenarioSearch.Result r = v.search();
        ObjectNode vo = vs.addObject();
        vo.put("variant", r.variant().id())
            .put("choicesSearched", r.choices().size())
            .put("choices", r.allChoices())
            .put("gridStepNs", r.gridStepNs())
            .put("modelRuns", r.runs());
        ArrayNode fs = vo.putArray("outcomes");
        for (ScenarioFinding f : v.findings()) {
          ObjectNode fo = fs.addObject();
          fo.put("result", f.result());
          ObjectNode choice = fo.putObject("choice");
          f.choice().forEach(choice::put);
          fo.put("atDefaults", f.choice().equals(r.atDefaults().choice()));
          ArrayNode segs = fo.putArray("segments");
          for (ScenarioSearch.Segment seg : f.segments()) {
            segs.addObject().put("loNs", seg.loNs()).put("hiNs", seg.hiNs());
          }
          fo.put("widthNs", f.widthNs());
          fo.put("choicesReaching", r.choicesReaching(f.result()));
          ScenarioSearch.ChoiceResult widest = r.widest(f.result());
          fo.put("widestNs", widest == null ? 0 : widest.widthNs(f.result()));
          ObjectNode wc = fo.putObject("widestChoice");
          if (widest != null) {
            widest.choice().forEach(wc::put);
          }
          Path file = v.files().get(f.result());
          fo.put("exampleOffsetNs", f.exampleOffsetNs());
          if (file == null) {
            fo.putNull("exampleFile");
          } else {
            fo.put("exampleFile", file.toString());
          }
          if (f.minimal() == null) {
            fo.putNull("minimal");
          } else {
            ArrayNode m = fo.putArray("minimal");
            f.minimal().forEach(st -> m.add(st.format()));
          }
          ArrayNode checks = fo.putArray("exactChecks");
          for (ScenarioFinding.Check c : f.checks()) {
            ObjectNode co = checks.addObject();
            co.put("offsetNs", c.offsetNs())
                .put("model", c.modelResult())
                .put("inside", c.inside());
            if (c.confirmed() == null) {
              co.putNull("confirmed");
            } else {
              co.put("confirmed", c.confirmed());
            }
            co.put("unobservable", c.unobservable());
            co.put("verdict", c.verdict());
          }
          if (f.checks().isEmpty()) {
            fo.putNull("confirmed");
          } else {
            fo.put("confirmed", f.confirmed()).put("unobservable", f.unobservable());
          }
        }
      }
    }
    return Json.render(root);
  }

  public static HtmlReport html(List<ScenarioRun> runs, String settings) {
    HtmlReport report =
        new HtmlReport("e1kfuzz scenarios: can a real guest driver reach each finding?");
    report.addNote(settings);
    List<String> columns = new ArrayList<>();
    columns.add("scenario");
    runs.get(0).variants().forEach(v -> columns.add(v.search().variant().id()));
    List<List<HtmlReport.Cell>> rows = new ArrayList<>();
    int n = 0;
    List<Runnable> timelines = new ArrayList<>();
    for (ScenarioRun s : runs) {
      List<HtmlReport.Cell> row = new ArrayList<>();
      row.add(HtmlReport.Cell.text(s.scenario().id() + ": " + s.scenario().title()));
      for (VariantRun v : s.variants()) {
        ScenarioFinding shown =
            v.findings().stream()
                .filter(f -> !f.result().equals(Expectation.OK))
                .findFirst()
                .orElse(null);
        if (shown == null) {
          row.add(HtmlReport.Cell.text(cell(v)));
          continue;
        }
        String anchor = "s" + (++n);
        row.add(HtmlReport.Cell.link(cell(v), anchor));
        Variant variant = v.search().variant();
        String title =
            s.scenario().id()
                + " on "
                + variant.id()
                + ": "
                + shown.result()
                + " at offset "
                + ns(shown.exampleOffsetNs());
        List<Step> steps = shown.example();
        timelines.add(
            () ->
                report.addTimeline(
                    anchor,
                    title,
                    Replay.run(s.scenario().file(), Trace.of(steps), variant, false, true)));
      }
      rows.add(row);
    }
    report.addTable("table", "Driver scenarios", columns, rows);
    // The windows, parameters, exact-build verdicts and traces, as in the text report.
    for (ScenarioRun s : runs) {
      StringBuilder details = new StringBuilder();
      details(details, s);
      report.addPreformatted(details.toString().strip());
    }
    timelines.forEach(Runnable::run);
    return report;
  }
}
