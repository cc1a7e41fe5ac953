package e1kfuzz.report;

import static e1kfuzz.report.Markup.num;

import e1kfuzz.engine.ReplayResult;
import e1kfuzz.engine.StepRow;
import e1kfuzz.model.Cause;
import e1kfuzz.model.Event;
import e1kfuzz.model.Outcome;
import e1kfuzz.model.TimerId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One replay drawn as an SVG timeline: the guest's steps, interrupt-mode bands, a bar per timer
 * that ran, delayed_causes, delivered interrupts with the origin of their causes, the INTx line and
 * the violation.
 *
 * <p>The x axis is indexed by step, not proportional to time: a trace mixes steps at the same
 * instant with nanosecond and 100-millisecond waits, and any single scale (linear or log) would
 * squeeze the instant steps, the ones a race is made of, onto one pixel. Each step gets a column
 * wide enough for its label, with its virtual time printed under it; a step that advances time
 * (wait, expire) maps its own interval linearly across its column, so a timer firing 67 ms into a
 * 100 ms wait sits two thirds of the way along. Events at one instant keep their order, a fixed
 * gap apart. Exact times are in every hover title.
 */
final class TimelineSvg {
  // Monospace advance at 11 px and 10 px (DejaVu Sans Mono and Menlo: 0.602 em), rounded up.
  static final double CHAR = 6.8;
  static final double CHAR_SMALL = 6.2;
  static final double LEFT = 124;
  static final double PAD = 10;
  static final double GAP = 14;
  static final double MIN_COL = 120;
  static final double ROW_H = 17;
  static final double LANE_H = 22;
  static final double RIGHT_MARGIN = 16;

  private final ReplayResult result;
  private final List<StepRow> rows;
  private final int violatingStep;
  private final Markup m;

  private final double[] colX;
  private final double[] colW;
  private final double[][] eventX;
  private double right;
  private double width;

  private TimelineSvg(ReplayResult result, Markup m) {
    this.result = result;
    this.rows = result.rows();
    this.violatingStep = result.outcome() instanceof Outcome.Violated v ? v.step() : -1;
    this.m = m;
    colX = new double[rows.size()];
    colW = new double[rows.size()];
    eventX = new double[rows.size()][];
  }

  /** Writes the SVG of {@code result}, whose step rows must have been recorded. */
  static void write(ReplayResult result, Markup m) {
    new TimelineSvg(result, m).render();
  }

  private long startOf(int i) {
    return i == 0 ? 0 : rows.get(i - 1).state().timeNs();
  }

  private long endOf(int i) {
    return rows.get(i).state().timeNs();
  }

  static String stepLabel(StepRow row) {
    return row.step().format();
  }

  String timeLabel(int i) {
    long a = startOf(i);
    long b = endOf(i);
    return "#" + rows.get(i).number() + " · " + (a == b ? human(a) : human(a) + " → " + human(b));
  }

  private void layout() {
    double x = LEFT;
    for (int i = 0; i < rows.size(); i++) {
      StepRow row = rows.get(i);
      double label = Math.max(stepLabel(row).length() * CHAR, timeLabel(i).length() * CHAR_SMALL) + 4;
      double events = (row.events().size() + 1) * GAP;
      colX[i] = x;
      colW[i] = Math.max(MIN_COL, 2 * PAD + Math.max(label, events));
      x += colW[i];
      placeEvents(i);
    }
    right = x;
    width = x + RIGHT_MARGIN;
  }

  /** Event k of step i: at its time on the step's own linear scale, in order, at least GAP apart. */
  private void placeEvents(int i) {
    List<Event> events = rows.get(i).events();
    int n = events.size();
    double[] xs = new double[n];
    double action = colX[i] + PAD;
    double lo0 = action + GAP;
    double hi0 = colX[i] + colW[i] - PAD;
    long t0 = startOf(i);
    long dur = endOf(i) - t0;
    double prev = action;
    for (int k = 0; k < n; k++) {
      double lin = dur > 0 ? lo0 + (double) (events.get(k).timeNs() - t0) / dur * (hi0 - lo0) : lo0;
      double lo = prev + GAP;
      double hi = hi0 - (n - 1 - k) * GAP;
      xs[k] = Math.max(lo, Math.min(hi, lin));
      prev = xs[k];
    }
    eventX[i] = xs;
  }

  /** Greedy rows for labels so that none overlaps another in the same lane. */
  private static final class Packer {
    private final List<List<double[]>> rows = new ArrayList<>();

    int place(double from, double to) {
      for (int r = 0; r < rows.size(); r++) {
        if (fits(rows.get(r), from, to)) {
          rows.get(r).add(new double[] {from, to});
          return r;
        }
      }
      List<double[]> row = new ArrayList<>();
      row.add(new double[] {from, to});
      rows.add(row);
      return rows.size() - 1;
    }

    private static boolean fits(List<double[]> row, double from, double to) {
      for (double[] used : row) {
        if (from < used[1] + 6 && used[0] < to + 6) {
          return false;
        }
      }
      return true;
    }

    int rows() {
      return Math.max(1, rows.size());
    }
  }

  /** A marker with a label, in a lane whose labels are packed into rows. */
  private record Mark(double x, String shape, String cssClass, String label, String title) {}

  private record Bar(TimerId timer, double x1, double x2, String end, String label, String title) {}

  private record Band(double x1, double x2, String mode) {}

  private record Level(double x1, double x2, boolean high, boolean hidden) {}

  private void render() {
    layout();
    // Timers that ran, in TimerId order.
    Map<TimerId, List<Bar>> bars = new EnumMap<>(TimerId.class);
    List<Mark> delayed = new ArrayList<>();
    List<double[]> delayedSpans = new ArrayList<>();
    List<String> delayedSpanTitles = new ArrayList<>();
    List<Mark> irqs = new ArrayList<>();
    List<Mark> intxMarks = new ArrayList<>();
    List<Level> levels = new ArrayList<>();
    List<Band> bands = new ArrayList<>();
    Mark violation = null;

    Map<TimerId, double[]> openAt = new EnumMap<>(TimerId.class);
    Map<TimerId, Event.TimerArmed> openArm = new EnumMap<>(TimerId.class);
    Map<TimerId, Integer> openStep = new EnumMap<>(TimerId.class);
    double parkedFrom = -1;
    int parkedCauses = 0;
    String parkedTitle = null;
    boolean intxHigh = false;
    boolean intxHidden = false;
    boolean sawIntx = false;
    double levelFrom = LEFT;
    String mode = "INTx";
    double modeFrom = rows.isEmpty() ? LEFT : colX[0] + PAD;

    for (int i = 0; i < rows.size(); i++) {
      StepRow row = rows.get(i);
      String newMode = row.state().mode();
      if (!newMode.equals(mode)) {
        bands.add(new Band(modeFrom, colX[i] + PAD, mode));
        mode = newMode;
        modeFrom = colX[i] + PAD;
      }
      List<Event> events = row.events();
      for (int k = 0; k < events.size(); k++) {
        Event e = events.get(k);
        double x = eventX[i][k];
        String at = " at " + e.timeNs() + " ns (step " + row.number() + ")";
        if (e instanceof Event.TimerArmed a) {
          if (openAt.containsKey(a.timer())) {
            bars.get(a.timer()).add(closeBar(a.timer(), openAt, openArm, openStep, x, "rearmed", "re-armed" + at));
          }
          bars.computeIfAbsent(a.timer(), t -> new ArrayList<>());
          openAt.put(a.timer(), new double[] {x});
          openArm.put(a.timer(), a);
          openStep.put(a.timer(), row.number());
        } else if (e instanceof Event.TimerFired f && openAt.containsKey(f.timer())) {
          bars.get(f.timer()).add(closeBar(f.timer(), openAt, openArm, openStep, x, "fired", "fired" + at));
        } else if (e instanceof Event.TimerFiredNow f && openAt.containsKey(f.timer())) {
          bars.get(f.timer()).add(closeBar(f.timer(), openAt, openArm, openStep, x, "fired",
              "stopped and its callback run early by fire_all_timers" + at));
        } else if (e instanceof Event.TimerStopped s && openAt.containsKey(s.timer())) {
          bars.get(s.timer()).add(closeBar(s.timer(), openAt, openArm, openStep, x, "stopped", "stopped" + at));
        } else if (e instanceof Event.CausesParked p) {
          if (parkedFrom < 0) {
            parkedFrom = x;
            parkedTitle = "held from " + e.timeNs() + " ns (step " + row.number() + ")";
          }
          parkedCauses |= p.causes();
          delayed.add(new Mark(x, "down", "m-park", "park " + Cause.describe(p.causes()) + (p.underMsi() ? " (MSI mode)" : " (INTx mode)"),
              e.describe() + at));
        } else if (e instanceof Event.CausesCollected c) {
          delayed.add(new Mark(x, "up", c.underMsix() ? "m-collect-msix" : "m-collect", "collect " + Cause.describe(c.causes())
              + (c.underMsix() ? " under MSI-X" : ""), e.describe() + at));
          if (parkedFrom >= 0) {
            delayedSpans.add(new double[] {parkedFrom, x});
            delayedSpanTitles.add("delayed_causes " + Cause.describe(parkedCauses) + ": " + parkedTitle + " to " + e.timeNs() + " ns");
            parkedFrom = -1;
            parkedCauses = 0;
          }
        } else if (e instanceof Event.CausesDiscarded d) {
          delayed.add(new Mark(x, "cross", "m-discard", "discard " + Cause.describe(d.causes()), e.describe() + at));
          if (parkedFrom >= 0) {
            delayedSpans.add(new double[] {parkedFrom, x});
            delayedSpanTitles.add("delayed_causes " + Cause.describe(parkedCauses) + ": " + parkedTitle + " to " + e.timeNs() + " ns");
            parkedFrom = -1;
            parkedCauses = 0;
          }
        } else if (e instanceof Event.Interrupt irq) {
          irqs.add(new Mark(x, shape(irq.delivery()), originClass(irq), interruptLabel(irq), e.describe() + at));
        } else if (e instanceof Event.PendingCleared pc) {
          irqs.add(new Mark(x, "ring", "m-plain", "PBA " + pc.vector() + " cleared", e.describe() + at));
        } else if (e instanceof Event.IntxLevel l) {
          sawIntx = true;
          levels.add(new Level(levelFrom, x, intxHigh, intxHidden));
          intxHigh = l.level();
          intxHidden = !l.visible();
          levelFrom = x;
          intxMarks.add(new Mark(x, "tick", "m-plain", l.level() ? "raised" : "lowered", e.describe() + at));
        } else if (e instanceof Event.IntxGate g) {
          sawIntx = true;
          levels.add(new Level(levelFrom, x, intxHigh, intxHidden));
          intxHidden = !g.lineHigh();
          levelFrom = x;
          intxMarks.add(new Mark(x, "tick", "m-plain", g.lineHigh() ? "shown" : "hidden", e.describe() + at));
        } else if (e instanceof Event.ViolationEvent v && row.number() == violatingStep && violation == null) {
          violation = new Mark(x, "cross", "m-bad", v.signature().id() + " at step " + row.number() + ", "
              + human(e.timeNs()) + ": " + v.detail(), e.describe() + at);
        }
      }
      // What the state says ended without an event of its own (a reset zeroes delayed_causes; a
      // timer should always log its end) ends at the step's last event.
      double last = events.isEmpty() ? colX[i] + PAD + GAP : eventX[i][events.size() - 1];
      for (TimerId t : TimerId.values()) {
        if (openAt.containsKey(t) && (row.state().runningTimers() & TimerId.bit(t)) == 0) {
          bars.get(t).add(closeBar(t, openAt, openArm, openStep, last, "stopped",
              "no longer running after step " + row.number()));
        }
      }
      if (parkedFrom >= 0 && row.state().delayedCauses() == 0) {
        delayedSpans.add(new double[] {parkedFrom, last});
        delayedSpanTitles.add("delayed_causes " + Cause.describe(parkedCauses) + ": " + parkedTitle + " to step " + row.number());
        parkedFrom = -1;
        parkedCauses = 0;
      }
    }
    double end = right - PAD;
    for (TimerId t : TimerId.values()) {
      if (openAt.containsKey(t)) {
        bars.get(t).add(closeBar(t, openAt, openArm, openStep, end, "running", "still running at the end"));
      }
    }
    if (parkedFrom >= 0) {
      delayedSpans.add(new double[] {parkedFrom, end});
      delayedSpanTitles.add("delayed_causes " + Cause.describe(parkedCauses) + ": " + parkedTitle + ", still held at the end");
    }
    bands.add(new Band(modeFrom, end, mode));
    levels.add(new Level(levelFrom, end, intxHigh, intxHidden));
    if (violation == null && violatingStep > 0 && violatingStep <= rows.size()) {
      Outcome.Violated v = (Outcome.Violated) result.outcome();
      int i = violatingStep - 1;
      violation = new Mark(colX[i] + colW[i] - PAD, "cross", "m-bad", v.signature().id() + " at step " + v.step() + ", "
          + human(v.timeNs()) + ": " + v.detail(), "VIOLATION " + v.signature().id() + " at " + v.timeNs() + " ns: " + v.detail());
    }

    // Vertical layout.
    double y = 8;
    double guestY = y;
    double guestH = 46;
    y += guestH;
    double modeY = y;
    y += LANE_H;
    Map<TimerId, Double> timerY = new EnumMap<>(TimerId.class);
    for (TimerId t : bars.keySet()) {
      timerY.put(t, y);
      y += LANE_H;
    }
    double delayedY = y;
    Packer delayedRows = new Packer();
    boolean[] delayedLeft = new boolean[delayed.size()];
    int[] delayedRow = pack(delayed, delayedRows, delayedLeft);
    double delayedH = Math.max(LANE_H, 6 + delayedRows.rows() * ROW_H);
    y += delayedH;
    double irqY = y;
    Packer irqRows = new Packer();
    boolean[] irqLeft = new boolean[irqs.size()];
    int[] irqRow = pack(irqs, irqRows, irqLeft);
    double irqH = Math.max(LANE_H, 6 + irqRows.rows() * ROW_H);
    y += irqH;
    double intxY = y;
    Packer intxRows = new Packer();
    boolean[] intxLeft = new boolean[intxMarks.size()];
    int[] intxRow = pack(intxMarks, intxRows, intxLeft);
    double intxH = sawIntx ? 20 + intxRows.rows() * ROW_H : 0;
    y += intxH;
    double violY = y;
    double violH = violation != null ? LANE_H + 4 : 0;
    double labelStart = 0;
    if (violation != null) {
      double w = violation.label().length() * CHAR;
      labelStart = violation.x() + 10;
      if (labelStart + w > right && violation.x() - 10 - w >= LEFT) {
        labelStart = violation.x() - 10 - w;
      }
      width = Math.max(width, labelStart + w + RIGHT_MARGIN);
    }
    y += violH;
    double height = y + 8;
    double top = guestY;
    double bottom = y;

    m.start("svg", "xmlns", "http://www.w3.org/2000/svg", "class", "timeline", "width", num(width), "height", num(height),
        "viewBox", "0 0 " + num(width) + " " + num(height), "role", "img");
    m.element("title", "Timeline of " + result.file() + " on " + result.variant().id());

    // Background: mode tint, step columns, violating column.
    for (Band b : bands) {
      if (b.x2() > b.x1()) {
        m.empty("rect", "class", "tint-" + modeClass(b.mode()), "x", num(b.x1()), "y", num(modeY + LANE_H),
            "width", num(b.x2() - b.x1()), "height", num(bottom - modeY - LANE_H));
      }
    }
    for (int i = 0; i < rows.size(); i++) {
      if (rows.get(i).number() == violatingStep) {
        m.empty("rect", "class", "col-violating", "x", num(colX[i]), "y", num(top), "width", num(colW[i]), "height", num(bottom - top));
      }
      m.empty("line", "class", "col-sep", "x1", num(colX[i]), "y1", num(top), "x2", num(colX[i]), "y2", num(bottom));
      m.empty("line", "class", "action", "x1", num(colX[i] + PAD), "y1", num(top + 36), "x2", num(colX[i] + PAD), "y2", num(bottom));
    }
    m.empty("line", "class", "col-sep", "x1", num(right), "y1", num(top), "x2", num(right), "y2", num(bottom));

    // Lane names and separators.
    laneName("guest", guestY, guestH);
    laneName("mode", modeY, LANE_H);
    for (var e : timerY.entrySet()) {
      laneName(e.getKey().name(), e.getValue(), LANE_H);
    }
    laneName("delayed_causes", delayedY, delayedH);
    laneName("interrupts", irqY, irqH);
    if (sawIntx) {
      laneName("INTx line", intxY, intxH);
    }
    if (violation != null) {
      laneName("violation", violY, violH);
    }

    // Guest lane: step text and virtual time.
    for (int i = 0; i < rows.size(); i++) {
      StepRow row = rows.get(i);
      boolean bad = row.number() == violatingStep;
      double ax = colX[i] + PAD;
      m.start("g", "class", bad ? "step step-violating" : "step");
      m.element("title", "step " + row.number() + ": " + stepLabel(row) + "\nvirtual time " + startOf(i) + " ns"
          + (endOf(i) != startOf(i) ? " to " + endOf(i) + " ns" : "") + "\nafter it: mode " + row.state().mode()
          + ", ICR " + hex(row.state().icr()) + ", IMS " + hex(row.state().ims()) + ", delayed_causes "
          + Cause.describe(row.state().delayedCauses()) + ", running " + TimerId.describe(row.state().runningTimers()));
      m.empty("rect", "class", "hit", "x", num(colX[i] + 2), "y", num(guestY), "width", num(colW[i] - 4), "height", num(guestH - 4));
      m.element("text", stepLabel(row), "class", "step-text", "x", num(ax + 4), "y", num(guestY + 16));
      m.element("text", timeLabel(i), "class", "step-time", "x", num(ax + 4), "y", num(guestY + 31));
      m.empty("path", "class", "step-mark", "d", "M" + num(ax - 4) + " " + num(guestY + 36) + "h8l-4 6z");
      if (endOf(i) > startOf(i)) {
        double y0 = guestY + 39;
        m.empty("line", "class", "ruler", "x1", num(ax + GAP), "y1", num(y0), "x2", num(colX[i] + colW[i] - PAD), "y2", num(y0));
      }
      m.end("g");
    }

    // Mode bands.
    for (Band b : bands) {
      if (b.x2() <= b.x1()) {
        continue;
      }
      m.start("g", "class", "band band-" + modeClass(b.mode()));
      m.element("title", b.mode() + " mode");
      m.empty("rect", "x", num(b.x1()), "y", num(modeY + 3), "width", num(b.x2() - b.x1()), "height", num(LANE_H - 6), "rx", "3");
      if (b.x2() - b.x1() > b.mode().length() * CHAR + 8) {
        m.element("text", b.mode(), "x", num(b.x1() + 4), "y", num(modeY + 15));
      }
      m.end("g");
    }

    // Timer bars.
    for (var e : bars.entrySet()) {
      double ty = timerY.get(e.getKey());
      for (Bar b : e.getValue()) {
        m.start("g", "class", "timer timer-" + b.end());
        m.element("title", b.title());
        m.empty("rect", "x", num(b.x1()), "y", num(ty + 5), "width", num(Math.max(2, b.x2() - b.x1())), "height", num(LANE_H - 10), "rx", "2");
        switch (b.end()) {
          case "fired" -> m.empty("circle", "class", "end", "cx", num(b.x2()), "cy", num(ty + LANE_H / 2), "r", "4");
          case "stopped", "rearmed" -> m.empty("rect", "class", "end", "x", num(b.x2() - 1.5), "y", num(ty + 2), "width", "3", "height", num(LANE_H - 4));
          default -> m.empty("path", "class", "end", "d", "M" + num(b.x2()) + " " + num(ty + 3) + "l7 " + num(LANE_H / 2 - 3)
              + "l-7 " + num(LANE_H / 2 - 3) + "z");
        }
        if (b.x2() - b.x1() > b.label().length() * CHAR_SMALL + 12) {
          m.element("text", b.label(), "x", num(b.x1() + 5), "y", num(ty + 15));
        }
        m.end("g");
      }
    }

    // delayed_causes: held spans, then park/collect/discard markers.
    for (int s = 0; s < delayedSpans.size(); s++) {
      double[] span = delayedSpans.get(s);
      m.start("g", "class", "held");
      m.element("title", delayedSpanTitles.get(s));
      m.empty("rect", "x", num(span[0]), "y", num(delayedY + 2), "width", num(Math.max(2, span[1] - span[0])),
          "height", num(delayedH - 4), "rx", "3");
      m.end("g");
    }
    marks(delayed, delayedRow, delayedLeft, delayedY);
    marks(irqs, irqRow, irqLeft, irqY);
    if (sawIntx) {
      double hi = intxY + intxRows.rows() * ROW_H + 1;
      double lo = intxY + intxH - 3;
      for (Level l : levels) {
        if (l.x2() <= l.x1()) {
          continue;
        }
        double ly = l.high() ? hi : lo;
        m.empty("line", "class", l.high() ? (l.hidden() ? "intx intx-hidden" : "intx intx-high") : "intx",
            "x1", num(l.x1()), "y1", num(ly), "x2", num(l.x2()), "y2", num(ly));
      }
      for (int k = 1; k < levels.size(); k++) {
        Level a = levels.get(k - 1);
        Level b = levels.get(k);
        if (a.high() != b.high()) {
          m.empty("line", "class", "intx", "x1", num(b.x1()), "y1", num(hi), "x2", num(b.x1()), "y2", num(lo));
        }
      }
      marks(intxMarks, intxRow, intxLeft, intxY);
    }
    if (violation != null) {
      m.start("g", "class", "violation");
      m.element("title", violation.title());
      m.empty("line", "class", "viol-line", "x1", num(violation.x()), "y1", num(modeY), "x2", num(violation.x()), "y2", num(bottom));
      double cy = violY + violH / 2;
      m.empty("path", "class", "viol-x", "d", cross(violation.x(), cy, 5));
      m.element("text", violation.label(), "class", "viol-text", "x", num(labelStart), "y", num(cy + 4));
      m.end("g");
    }
    m.end("svg");
  }

  private Bar closeBar(TimerId t, Map<TimerId, double[]> openAt, Map<TimerId, Event.TimerArmed> openArm,
      Map<TimerId, Integer> openStep, double x, String end, String how) {
    double x1 = openAt.remove(t)[0];
    Event.TimerArmed a = openArm.remove(t);
    int step = openStep.remove(t);
    String title = t.traceName() + ": armed at " + a.timeNs() + " ns (step " + step + "), due at " + a.deadlineNs()
        + " ns (period " + (a.deadlineNs() - a.timeNs()) + " ns); " + how;
    String label = ("running".equals(end) ? "running, due " : "due ") + human(a.deadlineNs());
    return new Bar(t, x1, Math.max(x, x1), end, label, title);
  }

  /**
   * Rows for the labels of a lane; a label that would run past the last column goes to the left of
   * its marker instead (then {@code leftOf} is set), if there is room.
   */
  private int[] pack(List<Mark> marks, Packer packer, boolean[] leftOf) {
    int[] row = new int[marks.size()];
    for (int k = 0; k < marks.size(); k++) {
      Mark mk = marks.get(k);
      double w = mk.label().length() * CHAR;
      leftOf[k] = mk.x() + 9 + w > right && mk.x() - 9 - w >= LEFT;
      row[k] = leftOf[k] ? packer.place(mk.x() - 9 - w, mk.x() + 7) : packer.place(mk.x() - 7, mk.x() + 9 + w);
      if (!leftOf[k]) {
        width = Math.max(width, mk.x() + 9 + w + RIGHT_MARGIN);
      }
    }
    return row;
  }

  private void marks(List<Mark> marks, int[] row, boolean[] leftOf, double laneY) {
    if (marks.isEmpty()) {
      m.element("text", "none", "class", "none", "x", num(LEFT + 8), "y", num(laneY + 15));
    }
    for (int k = 0; k < marks.size(); k++) {
      Mark mk = marks.get(k);
      double cy = laneY + 3 + row[k] * ROW_H + ROW_H / 2;
      m.start("g", "class", "mark " + mk.cssClass());
      m.element("title", mk.title());
      String d = switch (mk.shape()) {
        case "square" -> "M" + num(mk.x() - 4) + " " + num(cy - 4) + "h8v8h-8z";
        case "circle" -> null;
        case "ring" -> null;
        case "diamond", "hollow" -> "M" + num(mk.x()) + " " + num(cy - 6) + "l5 6l-5 6l-5 -6z";
        case "down" -> "M" + num(mk.x() - 5) + " " + num(cy - 4) + "h10l-5 8z";
        case "up" -> "M" + num(mk.x() - 5) + " " + num(cy + 4) + "h10l-5 -8z";
        case "cross" -> cross(mk.x(), cy, 4);
        default -> "M" + num(mk.x()) + " " + num(cy - 6) + "v12";
      };
      if (d == null) {
        m.empty("circle", "class", "ring".equals(mk.shape()) ? "shape hollow" : "shape", "cx", num(mk.x()), "cy", num(cy), "r", "4.5");
      } else {
        m.empty("path", "class", "hollow".equals(mk.shape()) || "cross".equals(mk.shape()) || "tick".equals(mk.shape())
            ? "shape hollow" : "shape", "d", d);
      }
      if (leftOf[k]) {
        m.element("text", mk.label(), "x", num(mk.x() - 9), "y", num(cy + 4), "text-anchor", "end");
      } else {
        m.element("text", mk.label(), "x", num(mk.x() + 9), "y", num(cy + 4));
      }
      m.end("g");
    }
  }

  private void laneName(String name, double y, double h) {
    m.element("text", name, "class", "lane-name", "x", "8", "y", num(y + Math.min(h, LANE_H) / 2 + 4));
    m.empty("line", "class", "lane-sep", "x1", "0", "y1", num(y + h), "x2", num(width), "y2", num(y + h));
  }

  private static String cross(double x, double y, double r) {
    return "M" + num(x - r) + " " + num(y - r) + "l" + num(2 * r) + " " + num(2 * r) + "M" + num(x + r) + " " + num(y - r)
        + "l" + num(-2 * r) + " " + num(2 * r);
  }

  private static String shape(Event.Delivery d) {
    return switch (d) {
      case INTX -> "square";
      case MSI -> "circle";
      case MSIX -> "diamond";
      case PBA -> "hollow";
    };
  }

  /** Colour by where the causes came from: all raised directly, some collected, some still parked at the MSI-X enable. */
  private static String originClass(Event.Interrupt i) {
    if (i.parkedAtMsixEnable() != 0) {
      return "m-bad";
    }
    return (i.parkedInIntx() | i.parkedInMsi()) != 0 ? "m-parked" : "m-direct";
  }

  static String interruptLabel(Event.Interrupt i) {
    StringBuilder sb = new StringBuilder(switch (i.delivery()) {
      case INTX -> "INTx";
      case MSI -> "MSI";
      case MSIX -> "MSI-X " + i.vector();
      case PBA -> "PBA bit " + i.vector();
    });
    sb.append(' ').append(Cause.describe(i.causes()));
    int direct = i.causes() & ~(i.parkedInIntx() | i.parkedInMsi());
    if ((i.causes() & Cause.OTHER_CAUSES) != 0) {
      direct &= ~Cause.OTHER;
    }
    List<String> parts = new ArrayList<>();
    if (direct == i.causes()) {
      parts.add("direct");
    } else {
      if (direct != 0) {
        parts.add("direct " + Cause.describe(direct));
      }
      if (i.parkedInIntx() != 0) {
        parts.add("parked in INTx " + Cause.describe(i.parkedInIntx()));
      }
      if (i.parkedInMsi() != 0) {
        parts.add("parked in MSI " + Cause.describe(i.parkedInMsi()));
      }
      if (i.parkedAtMsixEnable() != 0) {
        parts.add("still parked at MSI-X enable " + Cause.describe(i.parkedAtMsixEnable()));
      }
    }
    return sb.append(" (").append(String.join("; ", parts)).append(')').toString();
  }

  static String modeClass(String mode) {
    return switch (mode) {
      case "MSI-X" -> "msix";
      case "MSI" -> "msi";
      default -> "intx";
    };
  }

  /** Virtual time for a label: exact in the largest unit that divides it, else to three decimals. */
  static String human(long ns) {
    if (ns == 0) {
      return "0 ns";
    }
    if (ns % 1_000_000 == 0) {
      return ns / 1_000_000 + " ms";
    }
    if (ns % 1_000 == 0 && ns < 1_000_000) {
      return ns / 1_000 + " µs";
    }
    if (ns >= 1_000_000) {
      return String.format(Locale.ROOT, "%.3f ms", ns / 1e6);
    }
    if (ns >= 1_000) {
      return String.format(Locale.ROOT, "%.3f µs", ns / 1e3);
    }
    return ns + " ns";
  }

  private static String hex(int v) {
    return String.format(Locale.ROOT, "0x%08x", v);
  }
}
