package e1kfuzz.report;

import e1kfuzz.engine.ReplayResult;
import e1kfuzz.engine.StepRow;
import e1kfuzz.model.Cause;
import e1kfuzz.model.Event;
import e1kfuzz.model.Outcome;
import e1kfuzz.model.Step;
import e1kfuzz.model.TimerId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where everything of one replay's timeline goes: a column per step, the lanes from top to bottom,
 * and in them the mode bands, timer bars, held delayed_causes, markers and INTx levels, each with
 * its x position and the step it belongs to. Pure values computed from the replay's step rows;
 * {@link TimelineSvg} draws them.
 *
 * <p>The x axis is indexed by step, not proportional to time: a trace mixes steps at the same
 * instant with nanosecond and 100-millisecond waits, and any single scale (linear or log) would
 * squeeze the instant steps, the ones a race is made of, onto one pixel. Each step gets a column
 * wide enough for its label, with its virtual time printed under it; a step that advances time
 * (wait, expire) maps its own interval linearly across its column, so a timer firing 67 ms into a
 * 100 ms wait sits two thirds of the way along. Events at one instant keep their order, a fixed gap
 * apart.
 *
 * @param right the right edge of the last column
 * @param width the drawing's width: the columns and every label
 * @param bottom the bottom edge of the last lane
 * @param intx the INTx line's lane, when the pin changed at all
 */
record TimelineLayout(
    String title,
    List<Column> columns,
    double right,
    double width,
    double bottom,
    Lane guest,
    Lane mode,
    List<Band> bands,
    List<TimerLane> timers,
    Lane delayed,
    List<Span> held,
    List<Marker> delayedMarkers,
    Lane interrupts,
    List<Marker> interruptMarkers,
    Optional<Lane> intx,
    List<Level> intxLevels,
    List<Marker> intxMarkers,
    Optional<Violation> violation) {

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
  static final double TOP = 8;
  static final double GUEST_H = 46;

  /**
   * One step's column: its left edge and width, the step's virtual interval, and the x of each of
   * its events in log order. {@code title} is the hover text (the step, its time, the state after
   * it).
   */
  record Column(
      int step,
      String label,
      String time,
      String title,
      long startNs,
      long endNs,
      double x,
      double width,
      List<Double> eventX,
      boolean violating) {
    /** Where the step itself happens: its events come after. */
    double actionX() {
      return x + PAD;
    }
  }

  /**
   * A horizontal lane; {@code rows} is how many rows its marker labels take (1 without markers).
   */
  record Lane(String name, double y, double height, int rows) {}

  /** The interrupt mode from x1 to x2. */
  record Band(double x1, double x2, String mode) {}

  /**
   * How a span ended: a timer fired, was stopped or re-armed; held delayed_causes were collected,
   * discarded or cleared (STOPPED); either is still going at the end (RUNNING).
   */
  enum End {
    FIRED,
    STOPPED,
    REARMED,
    RUNNING
  }

  /** Something that lasted from one step's event to another's (a timer, held delayed_causes). */
  record Span(int fromStep, int toStep, double x1, double x2, End end, String title) {}

  /** A timer's span with the label drawn on it when there is room. */
  record Bar(Span span, String label) {}

  /** A lane per timer that ran, in {@link TimerId} order. */
  record TimerLane(TimerId timer, Lane lane, List<Bar> bars) {}

  /** The INTx pin's level from x1 to x2; {@code hidden} while INTx Disable hides a raised pin. */
  record Level(double x1, double x2, boolean high, boolean hidden) {}

  /**
   * A marker's shape: an interrupt by delivery (INTx ■, MSI ●, MSI-X ◆, PBA bit ◇), ▼ park, ▲
   * collect, ✖ discard, | INTx edge, ○ PBA cleared.
   */
  enum Shape {
    SQUARE,
    CIRCLE,
    RING,
    DIAMOND,
    HOLLOW_DIAMOND,
    DOWN,
    UP,
    CROSS,
    TICK
  }

  /** What a marker's colour says. */
  enum Tone {
    DIRECT,
    PARKED,
    BAD,
    PARK,
    COLLECT,
    COLLECT_MSIX,
    DISCARD,
    PLAIN
  }

  /**
   * A marker of one event, with its label in row {@code row} of its lane, to the right of the
   * marker or, when it would run past the last column, to its left ({@code labelLeft}).
   */
  record Marker(
      int step,
      double x,
      Shape shape,
      Tone tone,
      String label,
      String title,
      int row,
      boolean labelLeft) {
    Marker placed(int r, boolean left) {
      return new Marker(step, x, shape, tone, label, title, r, left);
    }
  }

  /**
   * The violation at step {@code step}, marked at x; its label, in {@code lines} that fit beside
   * the marker, starts at {@code labelX}.
   */
  record Violation(
      Lane lane,
      int step,
      double x,
      String label,
      String title,
      double labelX,
      List<String> lines) {}

  double top() {
    return guest.y();
  }

  /** The bottom of the last lane, then a margin. */
  double height() {
    return bottom + TOP;
  }

  /** Every lane, top to bottom. */
  List<Lane> lanes() {
    List<Lane> out = new ArrayList<>(List.of(guest, mode));
    timers.forEach(t -> out.add(t.lane()));
    out.add(delayed);
    out.add(interrupts);
    intx.ifPresent(out::add);
    violation.ifPresent(v -> out.add(v.lane()));
    return out;
  }

  /** The layout of {@code result}, whose step rows must have been recorded. */
  static TimelineLayout of(ReplayResult result) {
    return new Fold(result).layout();
  }

  /**
   * Virtual time for a label: exact in the largest unit that divides it, else to three decimals.
   */
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

  /** The short label of an interrupt: how it was sent, its causes and where they came from. */
  static String interruptLabel(Event.Interrupt i) {
    String how =
        switch (i.delivery()) {
          case INTX -> "INTx";
          case MSI -> "MSI";
          case MSIX -> "MSI-X " + i.vector();
          case PBA -> "PBA bit " + i.vector();
        };
    int direct = i.directCauses();
    List<String> origins = new ArrayList<>();
    if (direct == i.causes()) {
      origins.add("direct");
    } else {
      if (direct != 0) {
        origins.add("direct " + Cause.describe(direct));
      }
      origins.addAll(i.parkedOrigins());
    }
    return how + " " + Cause.describe(i.causes()) + " (" + String.join("; ", origins) + ")";
  }

  /** Walks the step rows once, left to right, opening and closing spans as the events say. */
  private static final class Fold {
    /** A span that has started and not ended yet. */
    private record Open(int step, double x) {
      Span close(int toStep, double x2, End end, String title) {
        return new Span(step, toStep, x, Math.max(x2, x), end, title);
      }
    }

    private record OpenTimer(Open at, Event.TimerArmed armed) {}

    private record OpenHeld(Open at, long fromNs, int causes) {}

    private final ReplayResult result;
    private final List<StepRow> rows;
    private final int violatingStep;
    private final List<Column> columns = new ArrayList<>();
    private final double right;

    private final Map<TimerId, List<Bar>> bars = new EnumMap<>(TimerId.class);
    private final Map<TimerId, OpenTimer> openTimers = new EnumMap<>(TimerId.class);
    private OpenHeld openHeld;
    private final List<Span> held = new ArrayList<>();

    Fold(ReplayResult result) {
      this.result = result;
      this.rows = result.rows();
      this.violatingStep = result.outcome() instanceof Outcome.Violated v ? v.step() : -1;
      double x = LEFT;
      for (int i = 0; i < rows.size(); i++) {
        Column c = column(i, x);
        columns.add(c);
        x += c.width();
      }
      this.right = x;
    }

    private long startOf(int i) {
      return i == 0 ? 0 : rows.get(i - 1).state().timeNs();
    }

    private Column column(int i, double x) {
      StepRow row = rows.get(i);
      long a = startOf(i);
      long b = row.state().timeNs();
      String label = row.step().format();
      String time = "#" + row.number() + " · " + (a == b ? human(a) : human(a) + " → " + human(b));
      String title =
          "step "
              + row.number()
              + ": "
              + label
              + "\nvirtual time "
              + a
              + " ns"
              + (b != a ? " to " + b + " ns" : "")
              + "\nafter it: mode "
              + row.state().mode()
              + ", ICR "
              + Step.hex(row.state().icr())
              + ", IMS "
              + Step.hex(row.state().ims())
              + ", delayed_causes "
              + Cause.describe(row.state().delayedCauses())
              + ", running "
              + TimerId.describe(row.state().runningTimers());
      double text = Math.max(label.length() * CHAR, time.length() * CHAR_SMALL) + 4;
      double events = (row.events().size() + 1) * GAP;
      double width = Math.max(MIN_COL, 2 * PAD + Math.max(text, events));
      return new Column(
          row.number(),
          label,
          time,
          title,
          a,
          b,
          x,
          width,
          eventX(row.events(), x, width, a, b),
          row.number() == violatingStep);
    }

    /** Event k: at its time on the step's own linear scale, in order, at least GAP apart. */
    private static List<Double> eventX(
        List<Event> events, double colX, double colW, long t0, long t1) {
      int n = events.size();
      List<Double> xs = new ArrayList<>(n);
      double action = colX + PAD;
      double lo0 = action + GAP;
      double hi0 = colX + colW - PAD;
      long dur = t1 - t0;
      double prev = action;
      for (int k = 0; k < n; k++) {
        double lin =
            dur > 0 ? lo0 + (double) (events.get(k).timeNs() - t0) / dur * (hi0 - lo0) : lo0;
        double lo = prev + GAP;
        double hi = hi0 - (n - 1 - k) * GAP;
        prev = Math.max(lo, Math.min(hi, lin));
        xs.add(prev);
      }
      return List.copyOf(xs);
    }

    private void closeTimer(TimerId t, int step, double x, End end, String how) {
      OpenTimer o = openTimers.remove(t);
      Event.TimerArmed a = o.armed();
      String title =
          t.traceName()
              + ": armed at "
              + a.timeNs()
              + " ns (step "
              + o.at().step()
              + "), due at "
              + a.deadlineNs()
              + " ns (period "
              + (a.deadlineNs() - a.timeNs())
              + " ns); "
              + how;
      String label = (end == End.RUNNING ? "running, due " : "due ") + human(a.deadlineNs());
      bars.get(t).add(new Bar(o.at().close(step, x, end, title), label));
    }

    private void closeHeld(int step, double x, End end, String how) {
      OpenHeld o = openHeld;
      openHeld = null;
      held.add(
          o.at()
              .close(
                  step,
                  x,
                  end,
                  "delayed_causes "
                      + Cause.describe(o.causes())
                      + ": held from "
                      + o.fromNs()
                      + " ns (step "
                      + o.at().step()
                      + ")"
                      + how));
    }

    TimelineLayout layout() {
      List<Marker> delayed = new ArrayList<>();
      List<Marker> irqs = new ArrayList<>();
      List<Marker> intxMarks = new ArrayList<>();
      List<Level> levels = new ArrayList<>();
      List<Band> bands = new ArrayList<>();
      Marker violation = null;
      boolean intxHigh = false;
      boolean intxHidden = false;
      boolean sawIntx = false;
      double levelFrom = LEFT;
      String mode = "INTx";
      double modeFrom = rows.isEmpty() ? LEFT : columns.get(0).actionX();

      for (int i = 0; i < rows.size(); i++) {
        StepRow row = rows.get(i);
        Column col = columns.get(i);
        int step = row.number();
        String newMode = row.state().mode();
        if (!newMode.equals(mode)) {
          bands.add(new Band(modeFrom, col.actionX(), mode));
          mode = newMode;
          modeFrom = col.actionX();
        }
        List<Event> events = row.events();
        for (int k = 0; k < events.size(); k++) {
          Event e = events.get(k);
          double x = col.eventX().get(k);
          String at = " at " + e.timeNs() + " ns (step " + step + ")";
          String title = e.describe() + at;
          if (e instanceof Event.TimerArmed a) {
            if (openTimers.containsKey(a.timer())) {
              closeTimer(a.timer(), step, x, End.REARMED, "re-armed" + at);
            }
            bars.computeIfAbsent(a.timer(), t -> new ArrayList<>());
            openTimers.put(a.timer(), new OpenTimer(new Open(step, x), a));
          } else if (e instanceof Event.TimerFired f && openTimers.containsKey(f.timer())) {
            closeTimer(f.timer(), step, x, End.FIRED, "fired" + at);
          } else if (e instanceof Event.TimerFiredNow f && openTimers.containsKey(f.timer())) {
            closeTimer(
                f.timer(),
                step,
                x,
                End.FIRED,
                "stopped and its callback run early by fire_all_timers" + at);
          } else if (e instanceof Event.TimerStopped s && openTimers.containsKey(s.timer())) {
            closeTimer(s.timer(), step, x, End.STOPPED, "stopped" + at);
          } else if (e instanceof Event.CausesParked p) {
            openHeld =
                openHeld == null
                    ? new OpenHeld(new Open(step, x), e.timeNs(), p.causes())
                    : new OpenHeld(
                        openHeld.at(), openHeld.fromNs(), openHeld.causes() | p.causes());
            delayed.add(
                new Marker(
                    step,
                    x,
                    Shape.DOWN,
                    Tone.PARK,
                    "park "
                        + Cause.describe(p.causes())
                        + (p.underMsi() ? " (MSI mode)" : " (INTx mode)"),
                    title,
                    0,
                    false));
          } else if (e instanceof Event.CausesCollected c) {
            delayed.add(
                new Marker(
                    step,
                    x,
                    Shape.UP,
                    c.underMsix() ? Tone.COLLECT_MSIX : Tone.COLLECT,
                    "collect " + Cause.describe(c.causes()) + (c.underMsix() ? " under MSI-X" : ""),
                    title,
                    0,
                    false));
            if (openHeld != null) {
              closeHeld(step, x, End.STOPPED, " to " + e.timeNs() + " ns");
            }
          } else if (e instanceof Event.CausesDiscarded d) {
            delayed.add(
                new Marker(
                    step,
                    x,
                    Shape.CROSS,
                    Tone.DISCARD,
                    "discard " + Cause.describe(d.causes()),
                    title,
                    0,
                    false));
            if (openHeld != null) {
              closeHeld(step, x, End.STOPPED, " to " + e.timeNs() + " ns");
            }
          } else if (e instanceof Event.Interrupt irq) {
            irqs.add(
                new Marker(
                    step,
                    x,
                    shape(irq.delivery()),
                    origin(irq),
                    interruptLabel(irq),
                    title,
                    0,
                    false));
          } else if (e instanceof Event.PendingCleared pc) {
            irqs.add(
                new Marker(
                    step,
                    x,
                    Shape.RING,
                    Tone.PLAIN,
                    "PBA " + pc.vector() + " cleared",
                    title,
                    0,
                    false));
          } else if (e instanceof Event.IntxLevel l) {
            sawIntx = true;
            levels.add(new Level(levelFrom, x, intxHigh, intxHidden));
            intxHigh = l.level();
            intxHidden = !l.visible();
            levelFrom = x;
            intxMarks.add(
                new Marker(
                    step,
                    x,
                    Shape.TICK,
                    Tone.PLAIN,
                    l.level() ? "raised" : "lowered",
                    title,
                    0,
                    false));
          } else if (e instanceof Event.IntxGate g) {
            sawIntx = true;
            levels.add(new Level(levelFrom, x, intxHigh, intxHidden));
            intxHidden = !g.lineHigh();
            levelFrom = x;
            intxMarks.add(
                new Marker(
                    step,
                    x,
                    Shape.TICK,
                    Tone.PLAIN,
                    g.lineHigh() ? "shown" : "hidden",
                    title,
                    0,
                    false));
          } else if (e instanceof Event.ViolationEvent v
              && step == violatingStep
              && violation == null) {
            violation =
                new Marker(
                    step,
                    x,
                    Shape.CROSS,
                    Tone.BAD,
                    v.signature().id()
                        + " at step "
                        + step
                        + ", "
                        + human(e.timeNs())
                        + ": "
                        + v.detail(),
                    title,
                    0,
                    false);
          }
        }
        // What the state says ended without an event of its own (a reset zeroes delayed_causes; a
        // timer should always log its end) ends at the step's last event.
        double last = events.isEmpty() ? col.actionX() + GAP : col.eventX().get(events.size() - 1);
        for (TimerId t : TimerId.values()) {
          if (openTimers.containsKey(t) && (row.state().runningTimers() & TimerId.bit(t)) == 0) {
            closeTimer(t, step, last, End.STOPPED, "no longer running after step " + step);
          }
        }
        if (openHeld != null && row.state().delayedCauses() == 0) {
          closeHeld(step, last, End.STOPPED, " to step " + step);
        }
      }
      double end = right - PAD;
      int lastStep = rows.isEmpty() ? 0 : rows.get(rows.size() - 1).number();
      for (TimerId t : TimerId.values()) {
        if (openTimers.containsKey(t)) {
          closeTimer(t, lastStep, end, End.RUNNING, "still running at the end");
        }
      }
      if (openHeld != null) {
        closeHeld(lastStep, end, End.RUNNING, ", still held at the end");
      }
      bands.add(new Band(modeFrom, end, mode));
      levels.add(new Level(levelFrom, end, intxHigh, intxHidden));
      if (violation == null && violatingStep > 0 && violatingStep <= rows.size()) {
        Outcome.Violated v = (Outcome.Violated) result.outcome();
        Column col = columns.get(violatingStep - 1);
        violation =
            new Marker(
                violatingStep,
                col.x() + col.width() - PAD,
                Shape.CROSS,
                Tone.BAD,
                v.signature().id()
                    + " at step "
                    + v.step()
                    + ", "
                    + human(v.timeNs())
                    + ": "
                    + v.detail(),
                "VIOLATION " + v.signature().id() + " at " + v.timeNs() + " ns: " + v.detail(),
                0,
                false);
      }
      return stack(bands, delayed, irqs, sawIntx ? intxMarks : null, levels, violation);
    }

    /**
     * The vertical layout: lanes stacked from the top, label rows packed, the width that holds
     * every label.
     */
    private TimelineLayout stack(
        List<Band> bands,
        List<Marker> delayed,
        List<Marker> irqs,
        List<Marker> intxMarks,
        List<Level> levels,
        Marker violation) {
      Labels labels = new Labels(right);
      double y = TOP;
      Lane guest = new Lane("guest", y, GUEST_H, 1);
      y += GUEST_H;
      Lane mode = new Lane("mode", y, LANE_H, 1);
      y += LANE_H;
      List<TimerLane> timers = new ArrayList<>();
      for (var e : bars.entrySet()) {
        timers.add(
            new TimerLane(
                e.getKey(), new Lane(e.getKey().name(), y, LANE_H, 1), List.copyOf(e.getValue())));
        y += LANE_H;
      }
      List<Marker> delayedPlaced = labels.pack(delayed);
      Lane delayedLane =
          new Lane("delayed_causes", y, Math.max(LANE_H, 6 + labels.rows() * ROW_H), labels.rows());
      y += delayedLane.height();
      List<Marker> irqsPlaced = labels.pack(irqs);
      Lane irqLane =
          new Lane("interrupts", y, Math.max(LANE_H, 6 + labels.rows() * ROW_H), labels.rows());
      y += irqLane.height();
      Optional<Lane> intxLane = Optional.empty();
      List<Marker> intxPlaced = List.of();
      if (intxMarks != null) {
        intxPlaced = labels.pack(intxMarks);
        intxLane = Optional.of(new Lane("INTx line", y, 20 + labels.rows() * ROW_H, labels.rows()));
        y += intxLane.get().height();
      }
      Optional<Violation> viol = Optional.empty();
      if (violation != null) {
        List<String> lines = labels.violationLines(violation);
        Lane lane = new Lane("violation", y, LANE_H + 4 + (lines.size() - 1) * ROW_H, lines.size());
        y += lane.height();
        viol =
            Optional.of(
                new Violation(
                    lane,
                    violation.step(),
                    violation.x(),
                    violation.label(),
                    violation.title(),
                    labels.violationLabelX(violation, lines),
                    lines));
      }
      String title = "Timeline of " + result.file() + " on " + result.variant().id();
      return new TimelineLayout(
          title,
          List.copyOf(columns),
          right,
          labels.width(),
          y,
          guest,
          mode,
          List.copyOf(bands),
          List.copyOf(timers),
          delayedLane,
          List.copyOf(held),
          delayedPlaced,
          irqLane,
          irqsPlaced,
          intxLane,
          List.copyOf(levels),
          intxPlaced,
          viol);
    }
  }

  /**
   * Places marker labels in greedy rows so that none overlaps another in the same lane, and grows
   * the width to hold every label.
   */
  private static final class Labels {
    private final double right;
    private double width;
    private List<List<double[]>> rows;

    Labels(double right) {
      this.right = right;
      this.width = right + RIGHT_MARGIN;
    }

    /**
     * The markers of one lane with their label rows; a label that would run past the last column
     * goes to the left of its marker instead, if there is room.
     */
    List<Marker> pack(List<Marker> marks) {
      rows = new ArrayList<>();
      List<Marker> out = new ArrayList<>(marks.size());
      for (Marker mk : marks) {
        double w = mk.label().length() * CHAR;
        boolean left = mk.x() + 9 + w > right && mk.x() - 9 - w >= LEFT;
        int row = left ? place(mk.x() - 9 - w, mk.x() + 7) : place(mk.x() - 7, mk.x() + 9 + w);
        if (!left) {
          width = Math.max(width, mk.x() + 9 + w + RIGHT_MARGIN);
        }
        out.add(mk.placed(row, left));
      }
      return List.copyOf(out);
    }

    /** Rows used by the last lane packed (at least one). */
    int rows() {
      return Math.max(1, rows.size());
    }

    /**
     * The violation's label on one line, or, when it fits neither right of its marker nor left of
     * it within the columns, broken at spaces to fit the wider side: a long detail would otherwise
     * widen the whole drawing.
     */
    List<String> violationLines(Marker v) {
      double w = v.label().length() * CHAR;
      if (v.x() + 10 + w <= right || v.x() - 10 - w >= LEFT) {
        return List.of(v.label());
      }
      double room = Math.max(right - v.x() - 10, v.x() - 10 - LEFT);
      return wrap(v.label(), Math.max(1, (int) (room / CHAR)));
    }

    /**
     * Where the violation's lines start: right of the marker, or left when they would run past the
     * last column and fit left of it.
     */
    double violationLabelX(Marker v, List<String> lines) {
      double w = lines.stream().mapToInt(String::length).max().orElse(0) * CHAR;
      double start = v.x() + 10;
      if (start + w > right && v.x() - 10 - w >= LEFT) {
        start = v.x() - 10 - w;
      }
      width = Math.max(width, start + w + RIGHT_MARGIN);
      return start;
    }

    /** {@code text} in lines of at most {@code chars} characters, broken at spaces. */
    private static List<String> wrap(String text, int chars) {
      List<String> lines = new ArrayList<>();
      StringBuilder line = new StringBuilder();
      for (String word : text.split(" ")) {
        if (line.length() > 0 && line.length() + 1 + word.length() > chars) {
          lines.add(line.toString());
          line.setLength(0);
        }
        line.append(line.length() > 0 ? " " : "").append(word);
      }
      lines.add(line.toString());
      return List.copyOf(lines);
    }

    double width() {
      return width;
    }

    private int place(double from, double to) {
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
  }

  private static Shape shape(Event.Delivery d) {
    return switch (d) {
      case INTX -> Shape.SQUARE;
      case MSI -> Shape.CIRCLE;
      case MSIX -> Shape.DIAMOND;
      case PBA -> Shape.HOLLOW_DIAMOND;
    };
  }

  /**
   * Colour by where the causes came from: all raised directly, some collected, some still parked at
   * the MSI-X enable.
   */
  private static Tone origin(Event.Interrupt i) {
    if (i.parkedAtMsixEnable() != 0) {
      return Tone.BAD;
    }
    return (i.parkedInIntx() | i.parkedInMsi()) != 0 ? Tone.PARKED : Tone.DIRECT;
  }
}
