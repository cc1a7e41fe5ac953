package e1kfuzz.engine;

import e1kfuzz.model.Cause;
import e1kfuzz.model.E1000eCore;
import e1kfuzz.model.Mark;
import e1kfuzz.model.Step;
import e1kfuzz.model.TimerId;
import e1kfuzz.model.Violation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Abstract device-state coverage, the signal that guides campaigns and the measure of what they
 * exercised. After each step the device is reduced to an abstract state:
 *
 * <ul>
 *   <li>interrupt mode: INTx, MSI or MSI-X;
 *   <li>which timer groups run: TX delay (TIDV, TADV), RX delay (RDTR, RADV, RAID), ITR, any EITR;
 *   <li>which groups of causes are parked in {@code delayed_causes}: TX delay causes, RX delay
 *       causes, others (ACK, SRPD...): the RX ACK race needs the third;
 *   <li>whether IMS and ICR overlap (an unmasked cause is pending).
 * </ul>
 *
 * That is 3 x 16 x 8 x 2 = 768 abstract states. A <em>point</em> is an abstract state with the kind
 * of step that led to it (768 x 13 = 9,984 points); a <em>transition</em> is an abstract state, a
 * step kind and the abstract state it led to. The model's race branches ({@link Mark}) count too.
 * Many points cannot be reached at all; the report lists the ones a campaign did not reach.
 */
public final class Coverage {
  static final int MODES = 3;
  static final int TIMER_GROUPS = 16;

  /** Parked causes by group: TX delay causes, RX delay causes, other causes (ACK, SRPD, ...). */
  static final int PARKED = 8;

  public static final int STATES = MODES * TIMER_GROUPS * PARKED * 2;
  static final int KINDS = StepKind.values().length;
  public static final int POINTS = STATES * KINDS;
  static final int TRANSITIONS = STATES * KINDS * STATES;

  /** Transition indices are offset past the points in one index space. */
  static final int INDEX_SPACE = POINTS + TRANSITIONS;

  private static final int TX_DELAY = TimerId.bit(TimerId.TIDV) | TimerId.bit(TimerId.TADV);
  private static final int RX_DELAY =
      TimerId.bit(TimerId.RDTR) | TimerId.bit(TimerId.RADV) | TimerId.bit(TimerId.RAID);
  private static final int EITRS =
      TimerId.bit(TimerId.EITR0)
          | TimerId.bit(TimerId.EITR1)
          | TimerId.bit(TimerId.EITR2)
          | TimerId.bit(TimerId.EITR3)
          | TimerId.bit(TimerId.EITR4);

  private final long[] bits = new long[(INDEX_SPACE + 63) / 64];
  private long marks;
  private int points;
  private int transitions;

  /** The abstract state of {@code d}, 0 to {@link #STATES}-1. */
  public static int abstractState(E1000eCore d) {
    int mode = d.pci().msixEnabled() ? 2 : d.pci().msiEnabled() ? 1 : 0;
    int running = d.runningTimers();
    int timers =
        ((running & TX_DELAY) != 0 ? 1 : 0)
            | ((running & RX_DELAY) != 0 ? 2 : 0)
            | ((running & TimerId.bit(TimerId.ITR)) != 0 ? 4 : 0)
            | ((running & EITRS) != 0 ? 8 : 0);
    int delayed = d.delayedCauses();
    int parked =
        ((delayed & Cause.DELAYABLE_TX) != 0 ? 1 : 0)
            | ((delayed & Cause.DELAYABLE_RX) != 0 ? 2 : 0)
            | ((delayed & ~(Cause.DELAYABLE_TX | Cause.DELAYABLE_RX)) != 0 ? 4 : 0);
    int overlap = (d.ims() & d.icr() & ~Cause.ASSERTED) != 0 ? 1 : 0;
    return ((mode * TIMER_GROUPS + timers) * PARKED + parked) * 2 + overlap;
  }

  static int point(int state, StepKind kind) {
    return state * KINDS + kind.ordinal();
  }

  static int transition(int from, StepKind kind, int to) {
    return POINTS + (from * KINDS + kind.ordinal()) * STATES + to;
  }

  private static final Mark[] MARKS = Mark.values();

  /** The marks a device passed through, as a bit set by {@link Mark} ordinal. */
  static long marksOf(E1000eCore d) {
    long m = 0;
    for (Mark mark : MARKS) {
      if (d.reached(mark)) {
        m |= 1L << mark.ordinal();
      }
    }
    return m;
  }

  boolean has(int index) {
    return (bits[index >>> 6] & (1L << index)) != 0;
  }

  /** Whether any of the indices or marks is not covered yet. */
  boolean wouldGrow(int[] indices, int n, long runMarks) {
    if ((runMarks & ~marks) != 0) {
      return true;
    }
    for (int i = 0; i < n; i++) {
      if (!has(indices[i])) {
        return true;
      }
    }
    return false;
  }

  /** Adds the indices and marks; returns whether anything was new. */
  boolean add(int[] indices, int n, long runMarks) {
    boolean grew = (runMarks & ~marks) != 0;
    marks |= runMarks;
    for (int i = 0; i < n; i++) {
      int x = indices[i];
      if (!has(x)) {
        bits[x >>> 6] |= 1L << x;
        grew = true;
        if (x < POINTS) {
          points++;
        } else {
          transitions++;
        }
      }
    }
    return grew;
  }

  /**
   * The covered indices (points, then transitions), ascending: with {@link #marks()}, the whole
   * set.
   */
  public int[] indices() {
    int[] out = new int[points + transitions];
    int n = 0;
    for (int w = 0; w < bits.length; w++) {
      for (long m = bits[w]; m != 0; m &= m - 1) {
        out[n++] = w * 64 + Long.numberOfTrailingZeros(m);
      }
    }
    return out;
  }

  public long marks() {
    return marks;
  }

  /** Rebuilds a coverage set saved with {@link #indices()} and {@link #marks()}. */
  public static Coverage of(int[] indices, long marks) {
    Coverage c = new Coverage();
    for (int x : indices) {
      if (x < 0 || x >= INDEX_SPACE) {
        throw new IllegalArgumentException("coverage index out of range: " + x);
      }
    }
    c.add(indices, indices.length, marks);
    return c;
  }

  void copyFrom(Coverage o) {
    System.arraycopy(o.bits, 0, bits, 0, bits.length);
    marks = o.marks;
    points = o.points;
    transitions = o.transitions;
  }

  public int points() {
    return points;
  }

  public int transitions() {
    return transitions;
  }

  public int marksReached() {
    return Long.bitCount(marks);
  }

  public List<Mark> marksNotReached() {
    List<Mark> out = new ArrayList<>();
    for (Mark m : Mark.values()) {
      if ((marks & (1L << m.ordinal())) == 0) {
        out.add(m);
      }
    }
    return out;
  }

  /** The abstract states no step reached, described. */
  public List<String> statesNotReached() {
    List<String> out = new ArrayList<>();
    for (int s = 0; s < STATES; s++) {
      boolean reached = false;
      for (StepKind k : StepKind.values()) {
        reached |= has(point(s, k));
      }
      if (!reached) {
        out.add(describeState(s));
      }
    }
    return out;
  }

  /** The points not reached, described as "state after kind". */
  public List<String> pointsNotReached() {
    List<String> out = new ArrayList<>();
    for (int s = 0; s < STATES; s++) {
      for (StepKind k : StepKind.values()) {
        if (!has(point(s, k))) {
          out.add(describeState(s) + " after " + k.optionName());
        }
      }
    }
    return out;
  }

  /** For example {@code MSI-X, timers tx-delay+itr, parked causes, no unmasked pending cause}. */
  public static String describeState(int s) {
    int overlap = s % 2;
    int parked = (s / 2) % PARKED;
    int timers = (s / 2 / PARKED) % TIMER_GROUPS;
    int mode = s / 2 / PARKED / TIMER_GROUPS;
    List<String> t = new ArrayList<>();
    String[] names = {"tx-delay", "rx-delay", "itr", "eitr"};
    for (int i = 0; i < 4; i++) {
      if ((timers & (1 << i)) != 0) {
        t.add(names[i]);
      }
    }
    return new String[] {"INTx", "MSI", "MSI-X"}[mode]
        + ", timers "
        + (t.isEmpty() ? "none" : String.join("+", t))
        + ", "
        + (parked == 0 ? "nothing parked" : "parked " + parkedGroups(parked))
        + ", "
        + (overlap == 1 ? "unmasked cause pending" : "no unmasked cause pending");
  }

  private static String parkedGroups(int parked) {
    List<String> g = new ArrayList<>();
    String[] names = {"tx", "rx", "other"};
    for (int i = 0; i < 3; i++) {
      if ((parked & (1 << i)) != 0) {
        g.add(names[i]);
      }
    }
    return String.join("+", g) + " causes";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Coverage c && marks == c.marks && Arrays.equals(bits, c.bits);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bits) * 31 + Long.hashCode(marks);
  }

  /**
   * The coverage indices of one run, noted step by step: a worker reuses one for all its runs. The
   * abstract state after a step is the one the next step starts from, so it is computed once.
   */
  static final class Recorder {
    private final int[] indices;
    private int count;
    private int state;

    /** For runs of up to {@code maxSteps} steps (longer ones note only their first steps). */
    Recorder(int maxSteps) {
      indices = new int[2 * maxSteps + 2];
    }

    /** A run starts on {@code core}. */
    void start(E1000eCore core) {
      count = 0;
      state = abstractState(core);
    }

    /**
     * Applies a step, noting its coverage point and transition while there is room; true once a
     * violation that ends the run happened (not a delivery one).
     */
    boolean step(E1000eCore core, Step s) {
      int from = state;
      Violation v = core.step(s);
      int to = abstractState(core);
      StepKind kind = StepKind.of(s);
      if (count + 2 <= indices.length) {
        indices[count++] = point(to, kind);
        indices[count++] = transition(from, kind, to);
      }
      state = to;
      return v != null && !v.signature().deferred();
    }

    /** Whether the run reached an index or a mark {@code coverage} does not hold. */
    boolean grows(Coverage coverage, long runMarks) {
      return coverage.wouldGrow(indices, count, runMarks);
    }

    /** The indices noted so far. */
    int[] indices() {
      return Arrays.copyOf(indices, count);
    }
  }
}
