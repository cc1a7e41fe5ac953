package e1kfuzz.report;

import com.google.common.base.Preconditions;
import e1kfuzz.corpus.FindingWriter;
import e1kfuzz.corpus.TraceFiles;
import e1kfuzz.engine.Campaign;
import e1kfuzz.engine.Finding;
import e1kfuzz.engine.Replay;
import e1kfuzz.engine.ReplayResult;
import e1kfuzz.model.Outcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A self-contained HTML document of titled sections: SVG timelines of replayed traces, tables
 * (whose cells may link to other sections) and notes. No scripts, no external stylesheets, fonts or
 * images; the output is XHTML-style (every element closed, all text escaped), so XML parsers read
 * it too, and deterministic: the same inputs give the same bytes.
 *
 * <pre>{@code
 * HtmlReport report = new HtmlReport("e1kfuzz evaluate");
 * String id = report.addTimeline("s1-tidv-race on qemu-7.2.0", Replay.run(file, trace, variant, false, true));
 * report.addTable("Results", List.of("trace", "verdict"),
 *     List.of(List.of(HtmlReport.Cell.link("s1-tidv-race", id), HtmlReport.Cell.text("violated"))));
 * report.write(Path.of("report.html"));
 * }</pre>
 */
public final class HtmlReport {
  private static final Pattern ANCHOR = Pattern.compile("[A-Za-z][A-Za-z0-9_.:-]*");

  /** A table cell: text, optionally a link to the anchor of a section in the same document. */
  public record Cell(String text, String anchor) {
    public Cell {
      Objects.requireNonNull(text, "text");
    }

    public static Cell text(String text) {
      return new Cell(text, null);
    }

    public static Cell link(String text, String anchor) {
      return new Cell(text, Objects.requireNonNull(anchor, "anchor"));
    }
  }

  private sealed interface Section permits Timeline, Table, Note, Preformatted {}

  private record Timeline(String anchor, String title, ReplayResult result) implements Section {}

  private record Table(String anchor, String title, List<String> columns, List<List<Cell>> rows)
      implements Section {}

  private record Note(String text) implements Section {}

  private record Preformatted(String text) implements Section {}

  private final String title;
  private final List<Section> sections = new ArrayList<>();
  private final Set<String> anchors = new HashSet<>();

  public HtmlReport(String title) {
    this.title = Objects.requireNonNull(title, "title");
  }

  /**
   * Adds a timeline section for one replay, whose step rows must have been recorded ({@code
   * Replay.run(..., recordRows = true)}); returns its anchor, {@code section-N}.
   */
  public String addTimeline(String title, ReplayResult result) {
    return addTimeline(nextAnchor(), title, result);
  }

  /**
   * As {@link #addTimeline(String, ReplayResult)} with a chosen anchor (a letter, then letters,
   * digits, {@code _.:-}).
   */
  public String addTimeline(String anchor, String title, ReplayResult result) {
    Objects.requireNonNull(title, "title");
    int steps =
        result.outcome() instanceof Outcome.Passed p
            ? p.steps()
            : ((Outcome.Violated) result.outcome()).step();
    Preconditions.checkArgument(
        result.rows().size() == steps,
        "%s on %s: %s step rows for %s steps; replay with recordRows",
        result.file(),
        result.variant().id(),
        result.rows().size(),
        steps);
    sections.add(new Timeline(claim(anchor), title, result));
    return anchor;
  }

  /**
   * Adds a table; a cell's link must name an anchor of this document by the time it is rendered.
   * Returns the table's anchor.
   */
  public String addTable(String title, List<String> columns, List<List<Cell>> rows) {
    return addTable(nextAnchor(), title, columns, rows);
  }

  public String addTable(String anchor, String title, List<String> columns, List<List<Cell>> rows) {
    Objects.requireNonNull(title, "title");
    for (List<Cell> row : rows) {
      Preconditions.checkArgument(
          row.size() == columns.size(),
          "a row of %s cells in a table of %s columns: %s",
          row.size(),
          columns.size(),
          row);
    }
    List<List<Cell>> copy = rows.stream().map(List::copyOf).toList();
    sections.add(new Table(claim(anchor), title, List.copyOf(columns), copy));
    return anchor;
  }

  /** Adds text shown as it is, line by line (a report's details). */
  public HtmlReport addPreformatted(String text) {
    sections.add(new Preformatted(Objects.requireNonNull(text, "text")));
    return this;
  }

  /** Adds a paragraph of text. */
  public HtmlReport addNote(String text) {
    sections.add(new Note(Objects.requireNonNull(text, "text")));
    return this;
  }

  private String nextAnchor() {
    int n = sections.size() + 1;
    while (anchors.contains("section-" + n)) {
      n++;
    }
    return "section-" + n;
  }

  private String claim(String anchor) {
    Preconditions.checkArgument(
        ANCHOR.matcher(anchor).matches(),
        "bad anchor '%s': a letter, then letters, digits, _ . : -",
        anchor);
    Preconditions.checkArgument(anchors.add(anchor), "anchor '%s' used twice", anchor);
    return anchor;
  }

  /** The whole document. */
  public String render() {
    for (Section s : sections) {
      if (s instanceof Table t) {
        for (List<Cell> row : t.rows()) {
          for (Cell c : row) {
            Preconditions.checkState(
                c.anchor() == null || anchors.contains(c.anchor()),
                "table '%s' links to '#%s', which no section has",
                t.title(),
                c.anchor());
          }
        }
      }
    }
    Markup m = new Markup();
    m.raw("<!DOCTYPE html>\n");
    m.start("html", "xmlns", "http://www.w3.org/1999/xhtml", "lang", "en");
    m.start("head");
    m.empty("meta", "charset", "utf-8");
    m.empty("meta", "name", "viewport", "content", "width=device-width, initial-scale=1");
    m.element("title", title);
    m.style(CSS);
    m.end("head");
    m.start("body");
    m.element("h1", title);
    boolean legend = false;
    for (Section s : sections) {
      if (s instanceof Timeline t) {
        if (!legend) {
          legend(m);
          legend = true;
        }
        timeline(m, t);
      } else if (s instanceof Table t) {
        table(m, t);
      } else if (s instanceof Note n) {
        m.element("p", n.text(), "class", "note");
      } else if (s instanceof Preformatted p) {
        m.element("pre", p.text(), "class", "note");
      }
    }
    m.end("body");
    m.end("html");
    return m.finish();
  }

  /**
   * Writes the document atomically (temporary file, fsync, then rename over {@code file}), readable
   * by all.
   */
  public void write(Path file) throws IOException {
    TraceFiles.replace(file, render().getBytes(StandardCharsets.UTF_8));
  }

  // ------------------------------------------------------------------------------------------
  // The reports of the commands

  /** {@code replay --format html}: a verdict table linking to one timeline per file and variant. */
  public static HtmlReport ofReplays(List<ReplayResult> results, List<String> errors) {
    HtmlReport report = new HtmlReport("e1kfuzz replay");
    List<List<Cell>> rows = new ArrayList<>();
    for (int i = 0; i < results.size(); i++) {
      ReplayResult r = results.get(i);
      rows.add(
          List.of(
              Cell.link(r.file(), "trace-" + (i + 1)),
              Cell.text(r.variant().id()),
              Cell.text(
                  r.expected()
                      .map(e -> e + (r.expectationFailed() ? " (MISMATCH)" : " (met)"))
                      .orElse("-")),
              Cell.text(outcome(r))));
    }
    report.addTable(
        "verdicts", "Verdicts", List.of("trace", "variant", "@expect", "outcome"), rows);
    for (String e : errors) {
      report.addNote("error: " + e);
    }
    for (int i = 0; i < results.size(); i++) {
      ReplayResult r = results.get(i);
      report.addTimeline("trace-" + (i + 1), r.file() + " on " + r.variant().id(), r);
    }
    return report;
  }

  /**
   * {@code fuzz --html}: the findings table linking to the timeline of each shrunk finding on its
   * variant.
   */
  public static HtmlReport ofCampaign(Campaign.Result result, List<FindingWriter.Written> written) {
    HtmlReport report = new HtmlReport("e1kfuzz fuzz");
    boolean strict = result.options().strict();
    report.addNote(
        String.format(
            Locale.ROOT,
            "seed %d, %d runs, variants %s%s",
            result.options().seed(),
            result.runs(),
            String.join(",", result.options().variants().stream().map(v -> v.id()).toList()),
            strict ? ", strict" : ""));
    List<List<Cell>> rows = new ArrayList<>();
    List<ReplayResult> replays = new ArrayList<>();
    for (FindingWriter.Written w : written) {
      for (Finding f : w.findings()) {
        String anchor = "finding-" + (replays.size() + 1);
        replays.add(Replay.run(w.file().toString(), w.trace(), f.variant(), strict, true));
        rows.add(
            List.of(
                Cell.text(f.variant().id()),
                Cell.link(f.signature().id(), anchor),
                Cell.text(Long.toString(f.run())),
                Cell.text(f.shrunk().summary()),
                Cell.text(w.file().toString())));
      }
    }
    if (rows.isEmpty()) {
      report.addNote("no findings");
      return report;
    }
    report.addTable(
        "findings", "Findings", List.of("variant", "signature", "run", "shrinking", "file"), rows);
    int i = 0;
    for (FindingWriter.Written w : written) {
      for (Finding f : w.findings()) {
        ReplayResult r = replays.get(i++);
        report.addTimeline(
            "finding-" + i,
            f.signature().id() + " on " + f.variant().id() + " (" + w.file() + ")",
            r);
      }
    }
    return report;
  }

  // ------------------------------------------------------------------------------------------

  private static String outcome(ReplayResult r) {
    if (r.outcome() instanceof Outcome.Violated v) {
      return String.format(
          Locale.ROOT,
          "violated %s at step %d (%d ns): %s",
          v.signature().id(),
          v.step(),
          v.timeNs(),
          v.detail());
    }
    Outcome.Passed p = (Outcome.Passed) r.outcome();
    return String.format(Locale.ROOT, "ok after %d steps (%d ns)", p.steps(), p.timeNs());
  }

  private static void timeline(Markup m, Timeline t) {
    ReplayResult r = t.result();
    m.start("section", "id", t.anchor(), "class", "trace");
    m.element("h2", t.title());
    m.start("table", "class", "meta");
    m.start("tbody");
    metaRow(m, "trace", r.file(), null);
    metaRow(m, "variant", r.variant().id() + " — " + r.variant().releases(), null);
    metaRow(m, "outcome", outcome(r), r.outcome() instanceof Outcome.Violated ? "bad" : "good");
    metaRow(
        m,
        "@expect",
        r.expected()
            .map(e -> e + (r.expectationFailed() ? " — MISMATCH" : " — met"))
            .orElse("none"),
        r.expectationFailed() ? "bad" : null);
    m.end("tbody");
    m.end("table");
    m.start("div", "class", "scroll");
    TimelineSvg.write(r, m);
    m.end("div");
    m.end("section");
  }

  private static void metaRow(Markup m, String name, String value, String cssClass) {
    m.start("tr");
    m.element("th", name);
    m.element("td", value, "class", cssClass);
    m.end("tr");
  }

  private static void table(Markup m, Table t) {
    m.start("section", "id", t.anchor(), "class", "table");
    m.element("h2", t.title());
    m.start("table", "class", "grid");
    m.start("thead");
    m.start("tr");
    for (String c : t.columns()) {
      m.element("th", c);
    }
    m.end("tr");
    m.end("thead");
    m.start("tbody");
    for (List<Cell> row : t.rows()) {
      m.start("tr");
      for (Cell c : row) {
        if (c.anchor() == null) {
          m.element("td", c.text());
        } else {
          m.open("td").inline("a", c.text(), "href", "#" + c.anchor()).close("td");
        }
      }
      m.end("tr");
    }
    m.end("tbody");
    m.end("table");
    m.end("section");
  }

  private static void legend(Markup m) {
    m.start("div", "class", "legend");
    m.open("p")
        .text(
            "x axis: one column per step (not to scale); the virtual time is under each step, a wait spreads its own interval "
                + "across its column; hover any mark for exact times.")
        .close("p");
    m.open("p")
        .inline("span", "INTx", "class", "key band-intx")
        .text(" ")
        .inline("span", "MSI", "class", "key band-msi")
        .text(" ")
        .inline("span", "MSI-X", "class", "key band-msix")
        .text(" interrupt mode · ")
        .inline("span", "timer", "class", "key timer-key")
        .text(" bar from arming to ● fired, ▮ stopped/re-armed, ▶ still running · ")
        .inline("span", "held", "class", "key held-key")
        .text(" delayed_causes held · interrupts: ■ INTx ● MSI ◆ MSI-X ◇ PBA bit; causes ")
        .inline("span", "direct", "class", "key m-direct-key")
        .text(" ")
        .inline("span", "parked in INTx/MSI mode", "class", "key m-parked-key")
        .text(" ")
        .inline("span", "still parked at MSI-X enable", "class", "key m-bad-key")
        .text(" · ")
        .inline("span", "✖ violation", "class", "key viol-key")
        .close("p");
    m.end("div");
  }

  // No < > & here: HTML reads style text literally (Markup.style checks).
  private static final String CSS =
      """
      body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Liberation Sans", sans-serif;
        margin: 16px 24px; color: #1f2328; background: #ffffff; font-size: 14px; }
      h1 { font-size: 20px; margin: 0 0 8px; }
      h2 { font-size: 16px; margin: 28px 0 6px; }
      p.note { margin: 4px 0; }
      .legend p { margin: 4px 0; color: #444c56; font-size: 13px; }
      .key { display: inline-block; padding: 0 6px; border-radius: 3px; border: 1px solid #8c959f; }
      table.meta { border-collapse: collapse; margin-bottom: 8px; }
      table.meta th { text-align: left; font-weight: 600; padding: 1px 12px 1px 0; color: #57606a; }
      table.meta td { padding: 1px 0; }
      table.grid { border-collapse: collapse; }
      table.grid th, table.grid td { border: 1px solid #d0d7de; padding: 3px 8px; text-align: left; vertical-align: top; }
      table.grid th { background: #f6f8fa; }
      table.grid td { white-space: nowrap; }
      table.grid td:last-child { white-space: normal; }
      td.bad { color: #b42318; font-weight: 600; }
      td.good { color: #1a7f37; }
      .scroll { overflow-x: auto; border: 1px solid #d0d7de; border-radius: 6px; width: fit-content; max-width: 100%; }
      svg.timeline { display: block; background: #ffffff; max-width: 100%; height: auto; }
      svg.timeline text { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace;
        font-size: 11px; fill: #1f2328; }
      .lane-name { font-weight: 600; fill: #57606a; }
      svg.timeline .none { fill: #8c959f; font-style: italic; }
      .lane-sep { stroke: #d8dee4; stroke-width: 1; }
      .col-sep { stroke: #d8dee4; stroke-width: 1; }
      .action { stroke: #afb8c1; stroke-width: 1; stroke-dasharray: 2 3; }
      .col-violating { fill: #ffebe9; }
      .hit { fill: transparent; }
      .step-text { font-weight: 600; }
      svg.timeline .step-time { font-size: 10px; fill: #57606a; }
      svg.timeline .step-violating .step-text { fill: #b42318; }
      .step-mark { fill: #1f2328; }
      .ruler { stroke: #8c959f; stroke-width: 1; }
      .tint-intx { fill: #dbe7f3; opacity: 0.25; }
      .tint-msi { fill: #fde3bf; opacity: 0.35; }
      .tint-msix { fill: #e6d8f7; opacity: 0.45; }
      .band-intx rect, .key.band-intx { fill: #dbe7f3; background: #dbe7f3; }
      .band-msi rect, .key.band-msi { fill: #fde3bf; background: #fde3bf; }
      .band-msix rect, .key.band-msix { fill: #e6d8f7; background: #e6d8f7; }
      .band rect { stroke: #8c959f; stroke-width: 0.5; }
      .timer rect { fill: #7aa6d6; }
      .timer-running rect { fill: #9fc0e6; }
      .timer .end { fill: #1f4e80; }
      .timer-stopped .end, .timer-rearmed .end { fill: #57606a; }
      svg.timeline .timer text { font-size: 10px; fill: #0b2b4c; }
      .key.timer-key { background: #7aa6d6; }
      .held rect { fill: #fff1d6; stroke: #e0a030; stroke-width: 1; stroke-dasharray: 3 2; }
      .key.held-key { background: #fff1d6; border-style: dashed; border-color: #e0a030; }
      .mark .shape { stroke: #1f2328; stroke-width: 1; }
      .mark .shape.hollow { fill: #ffffff; stroke-width: 1.5; }
      .m-direct .shape { fill: #2f81f7; }
      .m-parked .shape { fill: #e08a00; }
      .m-bad .shape { fill: #d1242f; }
      .m-bad .shape.hollow { stroke: #d1242f; }
      svg.timeline .m-bad text { fill: #b42318; font-weight: 600; }
      .m-park .shape { fill: #e0a030; }
      .m-collect .shape { fill: #1a7f37; }
      .m-collect-msix .shape { fill: #e08a00; }
      .mark text, svg.timeline .viol-text { paint-order: stroke; stroke: #ffffff; stroke-width: 3px; stroke-linejoin: round; }
      .m-discard .shape.hollow { stroke: #57606a; }
      .m-plain .shape { fill: #57606a; }
      .key.m-direct-key { background: #2f81f7; color: #ffffff; }
      .key.m-parked-key { background: #e08a00; color: #ffffff; }
      .key.m-bad-key { background: #d1242f; color: #ffffff; }
      .intx { stroke: #57606a; stroke-width: 1.5; }
      .intx-high { stroke: #1f2328; stroke-width: 2.5; }
      .intx-hidden { stroke: #1f2328; stroke-width: 2; stroke-dasharray: 4 3; }
      .viol-line { stroke: #d1242f; stroke-width: 1.5; stroke-dasharray: 6 3; }
      .viol-x { stroke: #d1242f; stroke-width: 2.5; }
      svg.timeline .viol-text { fill: #b42318; font-weight: 700; }
      .key.viol-key { color: #b42318; border-color: #d1242f; font-weight: 700; }
      """;
}
