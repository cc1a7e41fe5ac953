package e1kfuzz.report;

import static e1kfuzz.report.Markup.num;
import static e1kfuzz.report.TimelineLayout.CHAR;
import static e1kfuzz.report.TimelineLayout.CHAR_SMALL;
import static e1kfuzz.report.TimelineLayout.GAP;
import static e1kfuzz.report.TimelineLayout.LANE_H;
import static e1kfuzz.report.TimelineLayout.LEFT;
import static e1kfuzz.report.TimelineLayout.PAD;
import static e1kfuzz.report.TimelineLayout.ROW_H;

import e1kfuzz.engine.ReplayResult;
import e1kfuzz.report.TimelineLayout.Band;
import e1kfuzz.report.TimelineLayout.Bar;
import e1kfuzz.report.TimelineLayout.Column;
import e1kfuzz.report.TimelineLayout.Lane;
import e1kfuzz.report.TimelineLayout.Level;
import e1kfuzz.report.TimelineLayout.Marker;
import e1kfuzz.report.TimelineLayout.Span;
import e1kfuzz.report.TimelineLayout.TimerLane;
import e1kfuzz.report.TimelineLayout.Violation;
import java.util.List;
import java.util.Locale;

/**
 * One replay drawn as an SVG timeline: the guest's steps, interrupt-mode bands, a bar per timer
 * that ran, delayed_causes, delivered interrupts with the origin of their causes, the INTx line and
 * the violation. {@link TimelineLayout} decides where everything goes; this draws it, with exact
 * times in every hover title.
 */
final class TimelineSvg {
  /**
   * The page's CSS shrinks a timeline to fit its box, but not below this scale, so that its 10-px
   * labels stay legible (7.5 px); a wider one scrolls in its box instead.
   */
  static final double MIN_SCALE = 0.75;

  private final TimelineLayout layout;
  private final Markup m;

  private TimelineSvg(TimelineLayout layout, Markup m) {
    this.layout = layout;
    this.m = m;
  }

  /** Writes the SVG of {@code result}, whose step rows must have been recorded. */
  static void write(ReplayResult result, Markup m) {
    new TimelineSvg(TimelineLayout.of(result), m).draw();
  }

  private void draw() {
    TimelineLayout l = layout;
    m.start(
        "svg",
        "xmlns",
        "http://www.w3.org/2000/svg",
        "class",
        "timeline",
        "width",
        num(l.width()),
        "height",
        num(l.height()),
        "viewBox",
        "0 0 " + num(l.width()) + " " + num(l.height()),
        "style",
        "min-width: " + num(l.width() * MIN_SCALE) + "px",
        "role",
        "img");
    m.element("title", l.title());
    background();
    for (Lane lane : l.lanes()) {
      laneName(lane);
    }
    guest();
    bands();
    for (TimerLane t : l.timers()) {
      timer(t);
    }
    for (Span s : l.held()) {
      m.start("g", "class", "held");
      m.element("title", s.title());
      m.empty(
          "rect",
          "x",
          num(s.x1()),
          "y",
          num(l.delayed().y() + 2),
          "width",
          num(Math.max(2, s.x2() - s.x1())),
          "height",
          num(l.delayed().height() - 4),
          "rx",
          "3");
      m.end("g");
    }
    markers(l.delayedMarkers(), l.delayed());
    markers(l.interruptMarkers(), l.interrupts());
    l.intx().ifPresent(this::intx);
    l.violation().ifPresent(this::violation);
    m.end("svg");
  }

  /** Mode tint, step columns, the violating column. */
  private void background() {
    TimelineLayout l = layout;
    double tintY = l.mode().y() + LANE_H;
    for (Band b : l.bands()) {
      if (b.x2() > b.x1()) {
        m.empty(
            "rect",
            "class",
            "tint-" + modeClass(b.mode()),
            "x",
            num(b.x1()),
            "y",
            num(tintY),
            "width",
            num(b.x2() - b.x1()),
            "height",
            num(l.bottom() - tintY));
      }
    }
    for (Column c : l.columns()) {
      if (c.violating()) {
        m.empty(
            "rect",
            "class",
            "col-violating",
            "x",
            num(c.x()),
            "y",
            num(l.top()),
            "width",
            num(c.width()),
            "height",
            num(l.bottom() - l.top()));
      }
      m.empty(
          "line",
          "class",
          "col-sep",
          "x1",
          num(c.x()),
          "y1",
          num(l.top()),
          "x2",
          num(c.x()),
          "y2",
          num(l.bottom()));
      m.empty(
          "line",
          "class",
          "action",
          "x1",
          num(c.actionX()),
          "y1",
          num(l.top() + 36),
          "x2",
          num(c.actionX()),
          "y2",
          num(l.bottom()));
    }
    m.empty(
        "line",
        "class",
        "col-sep",
        "x1",
        num(l.right()),
        "y1",
        num(l.top()),
        "x2",
        num(l.right()),
        "y2",
        num(l.bottom()));
  }

  private void laneName(Lane lane) {
    m.element(
        "text",
        lane.name(),
        "class",
        "lane-name",
        "x",
        "8",
        "y",
        num(lane.y() + Math.min(lane.height(), LANE_H) / 2 + 4));
    m.empty(
        "line",
        "class",
        "lane-sep",
        "x1",
        "0",
        "y1",
        num(lane.y() + lane.height()),
        "x2",
        num(layout.width()),
        "y2",
        num(lane.y() + lane.height()));
  }

  /** The guest lane: step text and virtual time. */
  private void guest() {
    double y = layout.guest().y();
    double h = layout.guest().height();
    for (Column c : layout.columns()) {
      double ax = c.actionX();
      m.start("g", "class", c.violating() ? "step step-violating" : "step");
      m.element("title", c.title());
      m.empty(
          "rect",
          "class",
          "hit",
          "x",
          num(c.x() + 2),
          "y",
          num(y),
          "width",
          num(c.width() - 4),
          "height",
          num(h - 4));
      m.element("text", c.label(), "class", "step-text", "x", num(ax + 4), "y", num(y + 16));
      m.element("text", c.time(), "class", "step-time", "x", num(ax + 4), "y", num(y + 31));
      m.empty(
          "path", "class", "step-mark", "d", "M" + num(ax - 4) + " " + num(y + 36) + "h8l-4 6z");
      if (c.endNs() > c.startNs()) {
        m.empty(
            "line",
            "class",
            "ruler",
            "x1",
            num(ax + GAP),
            "y1",
            num(y + 39),
            "x2",
            num(c.x() + c.width() - PAD),
            "y2",
            num(y + 39));
      }
      m.end("g");
    }
  }

  private void bands() {
    double y = layout.mode().y();
    for (Band b : layout.bands()) {
      if (b.x2() <= b.x1()) {
        continue;
      }
      m.start("g", "class", "band band-" + modeClass(b.mode()));
      m.element("title", b.mode() + " mode");
      m.empty(
          "rect",
          "x",
          num(b.x1()),
          "y",
          num(y + 3),
          "width",
          num(b.x2() - b.x1()),
          "height",
          num(LANE_H - 6),
          "rx",
          "3");
      if (b.x2() - b.x1() > b.mode().length() * CHAR + 8) {
        m.element("text", b.mode(), "x", num(b.x1() + 4), "y", num(y + 15));
      }
      m.end("g");
    }
  }

  private void timer(TimerLane t) {
    double ty = t.lane().y();
    for (Bar bar : t.bars()) {
      Span b = bar.span();
      m.start("g", "class", "timer timer-" + b.end().name().toLowerCase(Locale.ROOT));
      m.element("title", b.title());
      m.empty(
          "rect",
          "x",
          num(b.x1()),
          "y",
          num(ty + 5),
          "width",
          num(Math.max(2, b.x2() - b.x1())),
          "height",
          num(LANE_H - 10),
          "rx",
          "2");
      switch (b.end()) {
        case FIRED ->
            m.empty(
                "circle", "class", "end", "cx", num(b.x2()), "cy", num(ty + LANE_H / 2), "r", "4");
        case STOPPED, REARMED ->
            m.empty(
                "rect",
                "class",
                "end",
                "x",
                num(b.x2() - 1.5),
                "y",
                num(ty + 2),
                "width",
                "3",
                "height",
                num(LANE_H - 4));
        case RUNNING ->
            m.empty(
                "path",
                "class",
                "end",
                "d",
                "M"
                    + num(b.x2())
                    + " "
                    + num(ty + 3)
                    + "l7 "
                    + num(LANE_H / 2 - 3)
                    + "l-7 "
                    + num(LANE_H / 2 - 3)
                    + "z");
      }
      if (b.x2() - b.x1() > bar.label().length() * CHAR_SMALL + 12) {
        m.element("text", bar.label(), "x", num(b.x1() + 5), "y", num(ty + 15));
      }
      m.end("g");
    }
  }

  private void intx(Lane lane) {
    List<Level> levels = layout.intxLevels();
    double hi = lane.y() + lane.rows() * ROW_H + 1;
    double lo = lane.y() + lane.height() - 3;
    for (Level l : levels) {
      if (l.x2() <= l.x1()) {
        continue;
      }
      double ly = l.high() ? hi : lo;
      m.empty(
          "line",
          "class",
          l.high() ? (l.hidden() ? "intx intx-hidden" : "intx intx-high") : "intx",
          "x1",
          num(l.x1()),
          "y1",
          num(ly),
          "x2",
          num(l.x2()),
          "y2",
          num(ly));
    }
    for (int k = 1; k < levels.size(); k++) {
      if (levels.get(k - 1).high() != levels.get(k).high()) {
        double x = levels.get(k).x1();
        m.empty("line", "class", "intx", "x1", num(x), "y1", num(hi), "x2", num(x), "y2", num(lo));
      }
    }
    markers(layout.intxMarkers(), lane);
  }

  private void violation(Violation v) {
    m.start("g", "class", "violation");
    m.element("title", v.title());
    m.empty(
        "line",
        "class",
        "viol-line",
        "x1",
        num(v.x()),
        "y1",
        num(layout.mode().y()),
        "x2",
        num(v.x()),
        "y2",
        num(layout.bottom()));
    double cy = v.lane().y() + (LANE_H + 4) / 2;
    m.empty("path", "class", "viol-x", "d", cross(v.x(), cy, 5));
    for (int i = 0; i < v.lines().size(); i++) {
      m.element(
          "text",
          v.lines().get(i),
          "class",
          "viol-text",
          "x",
          num(v.labelX()),
          "y",
          num(cy + 4 + i * ROW_H));
    }
    m.end("g");
  }

  private void markers(List<Marker> marks, Lane lane) {
    if (marks.isEmpty()) {
      m.element("text", "none", "class", "none", "x", num(LEFT + 8), "y", num(lane.y() + 15));
    }
    for (Marker mk : marks) {
      double x = mk.x();
      double cy = lane.y() + 3 + mk.row() * ROW_H + ROW_H / 2;
      m.start(
          "g", "class", "mark m-" + mk.tone().name().toLowerCase(Locale.ROOT).replace('_', '-'));
      m.element("title", mk.title());
      switch (mk.shape()) {
        case CIRCLE -> m.empty("circle", "class", "shape", "cx", num(x), "cy", num(cy), "r", "4.5");
        case RING ->
            m.empty("circle", "class", "shape hollow", "cx", num(x), "cy", num(cy), "r", "4.5");
        case SQUARE ->
            m.empty(
                "path", "class", "shape", "d", "M" + num(x - 4) + " " + num(cy - 4) + "h8v8h-8z");
        case DIAMOND -> m.empty("path", "class", "shape", "d", diamond(x, cy));
        case HOLLOW_DIAMOND -> m.empty("path", "class", "shape hollow", "d", diamond(x, cy));
        case DOWN ->
            m.empty(
                "path", "class", "shape", "d", "M" + num(x - 5) + " " + num(cy - 4) + "h10l-5 8z");
        case UP ->
            m.empty(
                "path", "class", "shape", "d", "M" + num(x - 5) + " " + num(cy + 4) + "h10l-5 -8z");
        case CROSS -> m.empty("path", "class", "shape hollow", "d", cross(x, cy, 4));
        case TICK ->
            m.empty("path", "class", "shape hollow", "d", "M" + num(x) + " " + num(cy - 6) + "v12");
      }
      if (mk.labelLeft()) {
        m.element("text", mk.label(), "x", num(x - 9), "y", num(cy + 4), "text-anchor", "end");
      } else {
        m.element("text", mk.label(), "x", num(x + 9), "y", num(cy + 4));
      }
      m.end("g");
    }
  }

  private static String diamond(double x, double cy) {
    return "M" + num(x) + " " + num(cy - 6) + "l5 6l-5 6l-5 -6z";
  }

  private static String cross(double x, double y, double r) {
    return "M"
        + num(x - r)
        + " "
        + num(y - r)
        + "l"
        + num(2 * r)
        + " "
        + num(2 * r)
        + "M"
        + num(x + r)
        + " "
        + num(y - r)
        + "l"
        + num(-2 * r)
        + " "
        + num(2 * r);
  }

  static String modeClass(String mode) {
    return switch (mode) {
      case "MSI-X" -> "msix";
      case "MSI" -> "msi";
      default -> "intx";
    };
  }
}
