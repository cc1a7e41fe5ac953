package e1kfuzz.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import e1kfuzz.corpus.TraceFiles;
import e1kfuzz.engine.Replay;
import e1kfuzz.engine.ReplayResult;
import e1kfuzz.model.Trace;
import e1kfuzz.model.Variant;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The HTML timelines: well-formed XML, self-contained, one SVG per trace, the violation marked,
 * timers, causes and their origins drawn, labels that do not overlap, and a golden page.
 */
class HtmlReportTest {
  static final String XHTML = "http://www.w3.org/1999/xhtml";
  static final String SVG = "http://www.w3.org/2000/svg";

  @TempDir Path dir;

  static ReplayResult replay(String corpusName, Variant v) throws Exception {
    Path file = Paths.get("corpus", corpusName + ".trace");
    Trace trace = TraceFiles.read(Paths.get("..").resolve(file));
    return Replay.run(file.toString(), trace, v, false, true);
  }

  static List<ReplayResult> allVariants(String corpusName) throws Exception {
    List<ReplayResult> out = new ArrayList<>();
    for (Variant v : Variant.values()) {
      out.add(replay(corpusName, v));
    }
    return out;
  }

  static Document parse(String html) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    f.setExpandEntityReferences(false);
    return f.newDocumentBuilder()
        .parse(new ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
  }

  static List<Element> elements(Node root, String ns, String name) {
    NodeList list =
        root instanceof Document d
            ? d.getElementsByTagNameNS(ns, name)
            : ((Element) root).getElementsByTagNameNS(ns, name);
    List<Element> out = new ArrayList<>();
    for (int i = 0; i < list.getLength(); i++) {
      out.add((Element) list.item(i));
    }
    return out;
  }

  static List<Element> byClass(Node root, String cssClass) {
    List<Element> out = new ArrayList<>();
    for (Element e : elements(root, "*", "*")) {
      if (List.of(e.getAttribute("class").split(" ")).contains(cssClass)) {
        out.add(e);
      }
    }
    return out;
  }

  static String title(Element e) {
    for (Element t : elements(e, SVG, "title")) {
      if (t.getParentNode() == e) {
        return t.getTextContent();
      }
    }
    return "";
  }

  /** The visible text of a mark group (not its hover title). */
  static String label(Element g) {
    return elements(g, SVG, "text").get(0).getTextContent();
  }

  static Element section(Document doc, String id) {
    for (Element s : elements(doc, XHTML, "section")) {
      if (s.getAttribute("id").equals(id)) {
        return s;
      }
    }
    throw new AssertionError("no section " + id);
  }

  @Test
  void theSeedRaceOnEveryVariantIsWellFormedSelfContainedXhtmlWithOneSvgPerTrace()
      throws Exception {
    String html = HtmlReport.ofReplays(allVariants("s1-tidv-race"), List.of()).render();
    Document doc = parse(html);
    assertEquals(XHTML, doc.getDocumentElement().getNamespaceURI());
    List<Element> svgs = elements(doc, SVG, "svg");
    assertEquals(Variant.values().length, svgs.size(), "one SVG per trace and variant");
    for (Element svg : svgs) {
      Element section = (Element) svg.getParentNode().getParentNode();
      assertEquals("section", section.getLocalName());
      assertTrue(section.getAttribute("id").startsWith("trace-"), section.getAttribute("id"));
    }
    for (String tag : List.of("script", "link", "img", "iframe", "object", "embed", "base")) {
      assertEquals(0, elements(doc, "*", tag).size(), "no <" + tag + ">");
    }
    Matcher m = Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]*://[^\"'<\\s]*").matcher(html);
    while (m.find()) {
      assertTrue(
          m.group().equals(XHTML) || m.group().equals(SVG),
          "only the namespace URIs: " + m.group());
    }
    String lower = html.toLowerCase(Locale.ROOT);
    for (String forbidden :
        List.of("url(", "@import", "@font-face", "src=", "<script", "<link", "javascript:")) {
      assertFalse(lower.contains(forbidden), forbidden);
    }
    // Every link points at a section of the page.
    for (Element a : elements(doc, XHTML, "a")) {
      String href = a.getAttribute("href");
      assertTrue(href.startsWith("#"), href);
      section(doc, href.substring(1));
    }
  }

  @Test
  void theViolatingStepAndTheViolationAreMarkedOnlyWhereOneHappened() throws Exception {
    Document doc = parse(HtmlReport.ofReplays(allVariants("s1-tidv-race"), List.of()).render());
    Element v720 = section(doc, "trace-1");
    List<Element> bad = byClass(v720, "step-violating");
    assertEquals(1, bad.size());
    assertTrue(bad.get(0).getTextContent().contains("wait 100ms"), bad.get(0).getTextContent());
    assertTrue(bad.get(0).getTextContent().contains("#5"), bad.get(0).getTextContent());
    List<Element> violation = byClass(v720, "violation");
    assertEquals(1, violation.size());
    String text = violation.get(0).getTextContent();
    assertTrue(
        text.contains(
            "assert:collect-delayed-causes at step 5, 67.108 ms: collect under MSI-X with delayed_causes TXDW|TXQE"),
        text);
    assertTrue(
        title(violation.get(0)).contains("at 67107840 ns (step 5)"), title(violation.get(0)));
    assertTrue(
        v720.getTextContent()
            .contains("violated assert:collect-delayed-causes at step 5 (67107840 ns)"));
    Element v102 = section(doc, "trace-4");
    assertTrue(v102.getTextContent().contains("qemu-10.2"));
    assertEquals(0, byClass(v102, "step-violating").size());
    assertEquals(0, byClass(v102, "violation").size());
  }

  @Test
  void timersThatRanGetALaneAndABarFromArmingToFiringOrStopping() throws Exception {
    Document doc = parse(HtmlReport.ofReplays(allVariants("s1-tidv-race"), List.of()).render());
    Element v720 = section(doc, "trace-1");
    List<String> lanes = byClass(v720, "lane-name").stream().map(Element::getTextContent).toList();
    assertEquals(
        List.of("guest", "mode", "TIDV", "delayed_causes", "interrupts", "violation"), lanes);
    List<Element> fired = byClass(v720, "timer-fired");
    assertEquals(1, fired.size());
    assertEquals(
        "tidv: armed at 0 ns (step 3), due at 67107840 ns (period 67107840 ns); fired at 67107840 ns (step 5)",
        title(fired.get(0)));
    Element fix = section(doc, "trace-6");
    assertTrue(fix.getTextContent().contains("fix-mode-switch"));
    List<Element> stopped = byClass(fix, "timer-stopped");
    assertEquals(1, stopped.size());
    assertTrue(title(stopped.get(0)).endsWith("stopped at 0 ns (step 4)"), title(stopped.get(0)));
    assertEquals("discard TXDW|TXQE", label(byClass(fix, "m-discard").get(0)));
    // The bar runs from the arming step's column to the stop in the msix-on column.
    Element bar = elements(stopped.get(0), SVG, "rect").get(0);
    double x1 = Double.parseDouble(bar.getAttribute("x"));
    double x2 = x1 + Double.parseDouble(bar.getAttribute("width"));
    List<Double> stepX =
        byClass(fix, "step-text").stream()
            .map(e -> Double.parseDouble(e.getAttribute("x")))
            .toList();
    assertTrue(
        stepX.get(2) < x1 && x1 < stepX.get(3), "armed in the tx ide column: " + x1 + " " + stepX);
    assertTrue(
        stepX.get(3) < x2 && x2 < stepX.get(4),
        "stopped in the msix on column: " + x2 + " " + stepX);
  }

  @Test
  void aResetEndsTheHeldCausesAndTheTimersInItsColumn() throws Exception {
    Document doc =
        parse(
            HtmlReport.ofReplays(
                    List.of(replay("device-reset-parked", Variant.QEMU_7_2_20)), List.of())
                .render());
    List<Element> steps = byClass(doc, "step-text");
    int reset = 0;
    while (!steps.get(reset).getTextContent().equals("reset")) {
      reset++;
    }
    double from = x(steps.get(reset));
    double to = x(steps.get(reset + 1));
    Element held = elements(byClass(doc, "held").get(0), SVG, "rect").get(0);
    double end = x(held) + Double.parseDouble(held.getAttribute("width"));
    assertTrue(from < end && end < to, "held until the reset: " + end + " in " + from + ".." + to);
    assertTrue(
        title(byClass(doc, "held").get(0)).endsWith("to step " + (reset + 1)),
        title(byClass(doc, "held").get(0)));
    for (Element bar : byClass(doc, "timer-stopped")) {
      assertTrue(title(bar).endsWith("stopped at 0 ns (step " + (reset + 1) + ")"), title(bar));
    }
    assertEquals(2, byClass(doc, "timer-stopped").size(), "TIDV and ITR");
  }

  @Test
  void modeBandsFollowTheInterruptMode() throws Exception {
    Document doc =
        parse(
            HtmlReport.ofReplays(List.of(replay("s1-tidv-race", Variant.QEMU_10_2)), List.of())
                .render());
    List<String> bands = new ArrayList<>();
    for (Element g : byClass(doc, "band")) {
      bands.add(title(g));
    }
    assertEquals(List.of("INTx mode", "MSI-X mode"), bands);
  }

  @Test
  void deliveredInterruptsShowTheirCausesAndWhereEachCameFrom() throws Exception {
    Document doc =
        parse(
            HtmlReport.ofReplays(List.of(replay("rx-ack-race", Variant.QEMU_10_2)), List.of())
                .render());
    List<Element> bad =
        byClass(doc, "m-bad").stream().filter(e -> byClass(e, "shape").size() == 1).toList();
    List<String> labels = bad.stream().map(HtmlReportTest::label).toList();
    assertTrue(
        labels.contains(
            "PBA bit 2 ACK|OTHER (parked in INTx ACK; still parked at MSI-X enable ACK)"),
        labels.toString());
    assertTrue(
        byClass(doc, "violation")
            .get(0)
            .getTextContent()
            .contains("legacy-cause-over-msix at step 8"));

    Document itr =
        parse(
            HtmlReport.ofReplays(List.of(replay("s2-itr-race", Variant.QEMU_10_2)), List.of())
                .render());
    List<String> direct = byClass(itr, "m-direct").stream().map(HtmlReportTest::label).toList();
    assertEquals(List.of("INTx LSC (direct)", "INTx LSC (direct)"), direct);
    assertTrue(
        byClass(itr, "lane-name").stream().anyMatch(e -> e.getTextContent().equals("INTx line")));
    assertFalse(byClass(itr, "intx-high").isEmpty(), "the raised INTx line is drawn");
  }

  @Test
  void stepLabelsAndLaneLabelsDoNotOverlap() throws Exception {
    for (String name :
        List.of(
            "rx-ack-race",
            "s1-tidv-race",
            "msi-and-msix-itr",
            "eitr-race-vector0-unmasked",
            "link-autoneg-after-switch")) {
      for (Variant v : Variant.values()) {
        Document doc = parse(HtmlReport.ofReplays(List.of(replay(name, v)), List.of()).render());
        List<Element> steps = byClass(doc, "step-text");
        for (int i = 1; i < steps.size(); i++) {
          double prevEnd =
              x(steps.get(i - 1))
                  + steps.get(i - 1).getTextContent().length() * TimelineLayout.CHAR;
          assertTrue(
              prevEnd < x(steps.get(i)),
              name + " on " + v.id() + ": step " + i + " label runs into the next");
        }
        List<double[]> boxes = new ArrayList<>();
        for (Element g : byClass(doc, "mark")) {
          Element t = elements(g, SVG, "text").get(0);
          double w = t.getTextContent().length() * TimelineLayout.CHAR;
          double x = x(t);
          double from = "end".equals(t.getAttribute("text-anchor")) ? x - w : x;
          double y = Double.parseDouble(t.getAttribute("y"));
          for (double[] b : boxes) {
            boolean overlap = from < b[1] && b[0] < from + w && Math.abs(y - b[2]) < 11;
            assertFalse(
                overlap,
                name + " on " + v.id() + ": '" + t.getTextContent() + "' overlaps another label");
          }
          boxes.add(new double[] {from, from + w, y});
        }
      }
    }
  }

  /**
   * A wide timeline is drawn at its natural size in its viewBox and shrunk by the page's CSS to its
   * box, down to {@link TimelineSvg#MIN_SCALE} of that size; `make report-check` measures the
   * result in Chromium.
   */
  @Test
  void timelinesShrinkToTheirBoxButNotBelowTheSmallestScale() throws Exception {
    String html =
        HtmlReport.ofReplays(
                List.of(replay("delivery-eitr-unthrottled", Variant.QEMU_10_2)), List.of())
            .render();
    Matcher css = Pattern.compile("svg\\.timeline \\{([^}]*)\\}").matcher(html);
    assertTrue(css.find(), "a rule for svg.timeline");
    assertTrue(
        css.group(1).contains("max-width: 100%;") && css.group(1).contains("height: auto;"),
        css.group(1));
    Element svg = elements(parse(html), SVG, "svg").get(0);
    String[] viewBox = svg.getAttribute("viewBox").split(" ");
    double width = Double.parseDouble(viewBox[2]);
    assertEquals(width, Double.parseDouble(svg.getAttribute("width")), "natural size");
    Matcher min = Pattern.compile("min-width: ([0-9.]+)px").matcher(svg.getAttribute("style"));
    assertTrue(min.matches(), svg.getAttribute("style"));
    assertEquals(TimelineSvg.MIN_SCALE, Double.parseDouble(min.group(1)) / width, 0.001);
  }

  private static double x(Element e) {
    return Double.parseDouble(e.getAttribute("x"));
  }

  @Test
  void everythingTheUserControlsIsEscaped() throws Exception {
    ReplayResult r = replay("s1-tidv-race", Variant.QEMU_7_2_0);
    String nasty = "a<b>&\"c'\u0001]]>.trace";
    ReplayResult renamed =
        new ReplayResult(nasty, r.variant(), r.outcome(), r.expected(), r.rows());
    HtmlReport report = new HtmlReport("</title><script>alert(1)</script>");
    String id = report.addTimeline(nasty + " on qemu-7.2.0", renamed);
    report.addTable("t&t", List.of("<col>"), List.of(List.of(HtmlReport.Cell.link("x\"y", id))));
    report.addNote("note <p> & more");
    String html = report.render();
    Document doc = parse(html);
    assertFalse(html.contains("<script"), "markup in text is escaped");
    assertEquals(
        "</title><script>alert(1)</script>", elements(doc, XHTML, "h1").get(0).getTextContent());
    String expected = "a<b>&\"c'\uFFFD]]>.trace";
    assertTrue(
        elements(doc, XHTML, "h2").stream()
            .anyMatch(h -> h.getTextContent().equals(expected + " on qemu-7.2.0")));
    assertEquals(
        "Timeline of " + expected + " on qemu-7.2.0", title(elements(doc, SVG, "svg").get(0)));
    assertEquals(
        "note <p> & more",
        elements(doc, XHTML, "p").stream()
            .filter(p -> p.getAttribute("class").equals("note"))
            .findFirst()
            .orElseThrow()
            .getTextContent());
    assertEquals("#section-1", elements(doc, XHTML, "a").get(0).getAttribute("href"));
    assertEquals("😀", Markup.escape("😀"), "surrogate pairs are kept");
    assertEquals("\uFFFDx", Markup.escape("\uD800x"), "a lone surrogate is replaced");
  }

  @Test
  void tablesLinkOnlyToSectionsThatExist() throws Exception {
    ReplayResult r = replay("s1-tidv-race", Variant.QEMU_7_2_0);
    HtmlReport report = new HtmlReport("evaluate");
    report.addTable(
        "results",
        List.of("trace", "verdict"),
        List.of(
            List.of(HtmlReport.Cell.link("s1", "s1-on-720"), HtmlReport.Cell.text("violated"))));
    assertThrows(IllegalStateException.class, report::render, "a link to a section not added yet");
    assertEquals("s1-on-720", report.addTimeline("s1-on-720", "s1 on qemu-7.2.0", r));
    Document doc = parse(report.render());
    assertEquals("#s1-on-720", elements(doc, XHTML, "a").get(0).getAttribute("href"));
    assertEquals("s1-on-720", section(doc, "s1-on-720").getAttribute("id"));
    assertThrows(IllegalArgumentException.class, () -> report.addTimeline("s1-on-720", "again", r));
    assertThrows(
        IllegalArgumentException.class, () -> report.addTimeline("has space", "bad anchor", r));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            report.addTable(
                "t", List.of("a", "b"), List.of(List.of(HtmlReport.Cell.text("only one")))));
    ReplayResult unrecorded =
        Replay.run(
            "x",
            TraceFiles.read(Paths.get("..", "corpus", "s1-tidv-race.trace")),
            Variant.QEMU_7_2_0,
            false,
            false);
    assertThrows(IllegalArgumentException.class, () -> report.addTimeline("no rows", unrecorded));
  }

  @Test
  void writeReplacesTheFileAtomicallyAndLeavesNoTemporaryFile() throws Exception {
    Path file = dir.resolve("out").resolve("report.html");
    HtmlReport report =
        HtmlReport.ofReplays(List.of(replay("s1-tidv-race", Variant.QEMU_7_2_0)), List.of());
    report.write(file);
    Files.writeString(file, "old");
    report.write(file);
    assertEquals(report.render(), Files.readString(file));
    try (var s = Files.list(file.getParent())) {
      assertEquals(List.of(file), s.toList());
    }
  }

  /**
   * The page people read, compared with a golden file; regenerate with {@code make golden} and
   * review the diff.
   */
  @Test
  void theSeedRacePageMatchesGolden() throws Exception {
    List<ReplayResult> results =
        List.of(
            replay("s1-tidv-race", Variant.QEMU_7_2_0),
            replay("s1-tidv-race", Variant.FIX_MODE_SWITCH));
    String html = HtmlReport.ofReplays(results, List.of()).render();
    assertEquals(html, HtmlReport.ofReplays(results, List.of()).render(), "deterministic");
    Golden.assertMatches("s1-tidv-race.timeline.html", html);
  }
}
