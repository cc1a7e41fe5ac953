package e1kfuzz.timing;

import com.google.common.collect.ImmutableList;
import e1kfuzz.model.E1000eCore;
import e1kfuzz.model.Event;
import e1kfuzz.model.Reg;
import e1kfuzz.model.Runner;
import e1kfuzz.model.Step;
import e1kfuzz.model.TimerId;
import e1kfuzz.model.Variant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Rewrites a trace so that it keeps the same order of events when replayed on a QEMU whose virtual
 * clock follows the host clock ({@link Robustness}): every step may land up to a margin late.
 *
 * <p>Two rewrites, tried in this order; each is kept only if, on every variant asked for, the
 * rewritten trace has the same outcome, the model shows the same events per step (timers armed,
 * fired and stopped, causes parked and collected, interrupts; only times differ) and fewer
 * robustness problems than before (counted with the rules of {@link Robustness#check}, every
 * problem instead of the first):
 *
 * <ol>
 *   <li><b>retime</b>: each {@code expire T} becomes a {@code wait} that ends a margin after the
 *       last timer it fires (T's deadline, as the model tells it), and any wait whose end is within
 *       the margin of a deadline is moved between the deadlines it lies between, a margin from
 *       both;
 *   <li><b>scale</b>: the values written to the delay registers (RDTR, RADV, RAID, TIDV, TADV;
 *       upper bits such as FPD kept) are multiplied by a factor kd, those written to ITR/EITR0-4
 *       (stored value max(v, 500), 256 ns units) by a factor kt, both clamped to 0xffff, so that
 *       the periods of the timers armed by guest steps reach the margin; where a throttling timer
 *       is armed with the default 128 µs period, a {@code write ITR}/{@code EITRn} with the scaled
 *       default is inserted (at the start, or right after the last reset, CTRL write, write of that
 *       register or arming of that timer); every wait and expire is then placed again on the new
 *       deadlines as in the first rewrite. Each factor starts at the smallest value that brings its
 *       family's periods to the margin and doubles until all its values clamp; the pairs are tried
 *       fewest doublings first, the first that passes {@link Robustness#check} wins, else the one
 *       with the fewest problems is kept (if it has fewer than before).
 * </ol>
 *
 * <p>A wait is left as it is when it already ends a margin after the timers it fires and a margin
 * before the next deadline; otherwise it ends where it ended between the two deadlines around its
 * end, scaled to the new deadlines, clamped into that window and rounded to the coarsest of 1 ms,
 * 100 µs, ... 1 ns that stays inside. A wait with no deadline after it keeps its distance from the
 * last timer it fires.
 *
 * <p>The result says whether the trace was already robust, was made robust, or why not (the
 * remaining {@link Robustness#check} message). Pure: no I/O.
 */
public final class Robustifier {
  /** Stored ITR/EITR floor (E1000E_MIN_XITR): 500 × 256 ns = 128 µs. */
  static final int MIN_XITR = 500;

  private static final int ITR_UNIT_NS = 256;
  private static final int REG_MAX = 0xffff;

  /** At most this many (delay factor, throttling factor) pairs are tried. */
  private static final int MAX_FACTOR_PAIRS = 64;

  /** Wait lengths are rounded to the coarsest of these that stays inside the allowed window. */
  private static final long[] GRANULES = {1_000_000, 100_000, 10_000, 1_000, 100, 10, 1};

  /** The throttling timers, by index: 0 = ITR, 1..5 = EITR0..4. */
  private static final TimerId[] THROTTLES = {
    TimerId.ITR, TimerId.EITR0, TimerId.EITR1, TimerId.EITR2, TimerId.EITR3, TimerId.EITR4
  };

  private Robustifier() {}

  public enum Status {
    /** The input passes {@link Robustness#check} on every variant asked for; nothing to do. */
    ALREADY_ROBUST,
    /** The rewritten trace passes the check and keeps every outcome and the order of events. */
    ROBUSTIFIED,
    /** No rewrite made it robust; {@link Result#reason()} says why. */
    NOT_ROBUST
  }

  /**
   * One step of the rewritten trace.
   *
   * @param origin index (from 0) of the input step it replaces, or -1 for an inserted step
   * @param note null when the step is the input step unchanged; else what changed (for a comment)
   */
  public record Line(Step step, int origin, String note) {}

  /**
   * @param lines the rewritten trace (for NOT_ROBUST: the best attempt, not robust)
   * @param rewrites what was done, one phrase each (empty for ALREADY_ROBUST)
   * @param reason for NOT_ROBUST, why: the remaining robustness problem; else null
   */
  public record Result(
      Status status, ImmutableList<Line> lines, ImmutableList<String> rewrites, String reason) {
    public ImmutableList<Step> steps() {
      return lines.stream().map(Line::step).collect(ImmutableList.toImmutableList());
    }

    public boolean robust() {
      return status != Status.NOT_ROBUST;
    }
  }

  /** Robustifies for every variant. */
  public static Result robustify(List<Step> steps, long marginNs) {
    return robustify(steps, List.of(Variant.values()), marginNs);
  }

  /**
   * Robustifies for the given variants: each must keep its outcome ({@code Runner.run(v, steps,
   * false).result()}) and its order of events, and the result must pass {@link Robustness#check} on
   * each.
   */
  public static Result robustify(List<Step> input, List<Variant> variants, long marginNs) {
    if (marginNs <= 0) {
      throw new IllegalArgumentException("margin must be positive: " + marginNs);
    }
    if (variants.isEmpty()) {
      throw new IllegalArgumentException("no variant");
    }
    ImmutableList<Step> steps = ImmutableList.copyOf(input);
    List<Variant> vs = List.copyOf(new LinkedHashSet<>(variants));
    Job job = new Job(steps, vs, marginNs);
    List<Line> identity = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      identity.add(new Line(steps.get(i), i, null));
    }
    if (job.firstProblem(steps) == null) {
      return new Result(
          Status.ALREADY_ROBUST, ImmutableList.copyOf(identity), ImmutableList.of(), null);
    }
    return job.run(identity);
  }

  // ------------------------------------------------------------------------------------------

  /** What one step did on one variant's model. */
  private record StepRun(
      boolean aliveBefore,
      long start,
      long intendedEnd,
      long end,
      List<Event> events,
      boolean aborted,
      long nextDeadline) {

    List<Event.TimerFired> fired() {
      List<Event.TimerFired> out = new ArrayList<>();
      for (Event e : events) {
        if (e instanceof Event.TimerFired f) {
          out.add(f);
        }
      }
      return out;
    }
  }

  /** Runs like {@link Robustness#check}: events per step, on until an abort. */
  private static List<StepRun> runDetailed(Variant v, List<Step> steps) {
    List<StepRun> out = new ArrayList<>();
    E1000eCore end =
        Runner.runUntilAbort(
            v,
            steps,
            (n, s, start, events, core) -> {
              boolean aborted = core.abortSignature() != null;
              long now = core.now();
              long intended = s instanceof Step.Wait w ? start + w.ns() : now;
              out.add(
                  new StepRun(
                      true,
                      start,
                      intended,
                      now,
                      List.copyOf(events),
                      aborted,
                      aborted ? -1 : nextDeadline(core)));
              return true;
            });
    while (out.size() < steps.size()) {
      out.add(new StepRun(false, end.now(), end.now(), end.now(), List.of(), false, -1));
    }
    return out;
  }

  /** The earliest deadline of a running timer, or -1. */
  private static long nextDeadline(E1000eCore core) {
    long d = core.nextDeadline(core.now() - 1);
    return d == Long.MAX_VALUE ? -1 : d;
  }

  /** An event without its times: what must stay the same. */
  private static String skeleton(Event e) {
    if (e instanceof Event.TimerArmed a) {
      return a.timer().traceName() + " armed";
    }
    if (e instanceof Event.ViolationEvent v) {
      return "VIOLATION " + v.signature().id();
    }
    return e.describe();
  }

  private static List<String> skeleton(List<Event> events) {
    List<String> out = new ArrayList<>(events.size());
    for (Event e : events) {
      out.add(skeleton(e));
    }
    return out;
  }

  /** How the candidate inserts throttling-register writes. */
  private enum Inserts {
    /** None (factor 1). */
    NONE,
    /** Only for throttling timers armed with the default period by a guest step (not a wait). */
    GUEST_ARMED,
    /** For every throttling timer armed with a period the scaling did not reach. */
    ALL
  }

  /** A rewrite that could not be built or does not keep the order: why. */
  private static final class Infeasible extends Exception {
    Infeasible(String message) {
      super(message, null, false, false);
    }
  }

  /** One robustification: the input, the variants, the margin and the input's runs. */
  private static final class Job {
    final ImmutableList<Step> input;
    final List<Variant> variants;
    final long margin;
    final List<List<StepRun>> inputRuns = new ArrayList<>();
    final List<String> outcomes = new ArrayList<>();

    Job(ImmutableList<Step> input, List<Variant> variants, long margin) {
      this.input = input;
      this.variants = variants;
      this.margin = margin;
      for (Variant v : variants) {
        inputRuns.add(runDetailed(v, input));
        outcomes.add(Runner.run(v, input, false).result());
      }
    }

    /** The first variant's {@link Robustness#check} message, prefixed with the variant, or null. */
    String firstProblem(List<Step> steps) {
      for (Variant v : variants) {
        String m = Robustness.check(v, steps, margin);
        if (m != null) {
          return v.id() + ": " + m;
        }
      }
      return null;
    }

    int problems(List<Step> steps) {
      int n = 0;
      for (Variant v : variants) {
        n += Robustness.problems(v, steps, margin).size();
      }
      return n;
    }

    Result run(List<Line> identity) {
      List<Line> current = identity;
      int currentProblems = problems(steps(current));
      List<String> rejected = new ArrayList<>();

      // 1. retime: expire -> wait, waits off the deadlines.
      try {
        List<Line> cand = rewrite(current, 1, 1, Inserts.NONE);
        int p = problems(steps(cand));
        if (p < currentProblems) {
          current = cand;
          currentProblems = p;
          if (firstProblem(steps(cand)) == null) {
            return done(Status.ROBUSTIFIED, cand, 1, 1, null);
          }
        }
      } catch (Infeasible e) {
        rejected.add("retiming: " + e.getMessage());
      }

      // 2. scale the delay and throttling registers, place the waits again.
      List<Line> best = null;
      int bestProblems = currentProblems;
      int[] bestK = {1, 1};
      for (int[] k : factors(current)) {
        boolean inserting = k[1] > 1;
        for (Inserts ins :
            inserting ? List.of(Inserts.GUEST_ARMED, Inserts.ALL) : List.of(Inserts.NONE)) {
          List<Line> cand;
          try {
            cand = rewrite(current, k[0], k[1], ins);
          } catch (Infeasible e) {
            if (rejected.size() < 3) {
              rejected.add(factorText(k[0], k[1]) + ": " + e.getMessage());
            }
            continue;
          }
          if (firstProblem(steps(cand)) == null) {
            return done(Status.ROBUSTIFIED, cand, k[0], k[1], null);
          }
          int p = problems(steps(cand));
          if (p < bestProblems) {
            best = cand;
            bestProblems = p;
            bestK = k;
          }
        }
      }
      if (best != null) {
        current = best;
      } else {
        bestK = new int[] {1, 1};
      }
      StringBuilder reason = new StringBuilder(firstProblem(steps(current)));
      if (current != identity) {
        reason
            .append(" (in the best rewrite: ")
            .append(String.join("; ", describe(current, bestK[0], bestK[1])))
            .append(')');
      }
      String zero = zeroPeriod();
      if (zero != null) {
        reason.append("; ").append(zero);
      }
      if (!rejected.isEmpty()) {
        reason.append("; rejected: ").append(String.join("; ", rejected));
      }
      return done(Status.NOT_ROBUST, current, bestK[0], bestK[1], reason.toString());
    }

    private Result done(Status status, List<Line> lines, int kd, int kt, String reason) {
      ImmutableList<Line> noted = notes(lines);
      return new Result(status, noted, ImmutableList.copyOf(describe(noted, kd, kt)), reason);
    }

    private static String factorText(int kd, int kt) {
      return "delay registers x" + kd + ", ITR/EITR x" + kt;
    }

    /** What the lines change relative to the input, one phrase each. */
    private List<String> describe(List<Line> lines, int kd, int kt) {
      int expires = 0;
      int waits = 0;
      int delayWrites = 0;
      int throttleWrites = 0;
      List<String> inserted = new ArrayList<>();
      for (Line l : lines) {
        if (l.origin() < 0) {
          inserted.add(l.step().format());
          continue;
        }
        Step orig = input.get(l.origin());
        if (orig.equals(l.step())) {
          continue;
        }
        if (orig instanceof Step.Expire) {
          expires++;
        } else if (orig instanceof Step.Wait) {
          waits++;
        } else if (orig instanceof Step.Write w && isDelay(w.offset())) {
          delayWrites++;
        } else {
          throttleWrites++;
        }
      }
      List<String> out = new ArrayList<>();
      if (expires > 0) {
        out.add(expires + (expires == 1 ? " expire" : " expires") + " replaced by waits");
      }
      if (delayWrites > 0) {
        out.add(
            "delay registers x"
                + kd
                + " ("
                + delayWrites
                + (delayWrites == 1 ? " write" : " writes")
                + ", at most 0xffff)");
      }
      if (throttleWrites > 0) {
        out.add(
            "ITR/EITR x"
                + kt
                + " ("
                + throttleWrites
                + (throttleWrites == 1 ? " write" : " writes")
                + ", at most 0xffff)");
      }
      if (!inserted.isEmpty()) {
        out.add(
            "inserted '"
                + String.join("', '", inserted)
                + "' (the default 128us period x"
                + kt
                + ")");
      }
      if (waits > 0) {
        out.add(waits + (waits == 1 ? " wait" : " waits") + " retimed");
      }
      return out;
    }

    /** Names a timer armed with period 0 by a guest step: no factor scales that. */
    private String zeroPeriod() {
      for (int vi = 0; vi < variants.size(); vi++) {
        List<StepRun> runs = inputRuns.get(vi);
        for (int i = 0; i < runs.size(); i++) {
          for (Event e : runs.get(i).events()) {
            if (e instanceof Event.TimerArmed a
                && a.deadlineNs() == a.timeNs()
                && a.timer() != TimerId.AUTONEG) {
              return a.timer().traceName()
                  + " is armed with period 0 at step "
                  + (i + 1)
                  + " ("
                  + input.get(i).format()
                  + "): its register is 0, which no factor scales";
            }
          }
        }
      }
      return null;
    }

    /** The notes relative to the input, recomputed for the final lines. */
    private ImmutableList<Line> notes(List<Line> lines) {
      ImmutableList.Builder<Line> out = ImmutableList.builder();
      for (Line l : lines) {
        if (l.origin() < 0) {
          out.add(l);
        } else {
          Step orig = input.get(l.origin());
          out.add(
              new Line(
                  l.step(),
                  l.origin(),
                  orig.equals(l.step()) ? null : "was '" + orig.format() + "'"));
        }
      }
      return out.build();
    }

    /**
     * Pairs (delay factor, throttling factor): each family starts at the smallest factor that
     * brings the periods of its timers armed by guest steps to the margin, and doubles up to the
     * factor at which all its values clamp; pairs with fewer doublings come first.
     */
    private List<int[]> factors(List<Line> current) {
      List<Step> steps = steps(current);
      long[] minPeriod = {Long.MAX_VALUE, Long.MAX_VALUE};
      long[] minUnits = {REG_MAX, REG_MAX};
      for (Variant v : variants) {
        List<StepRun> runs = runDetailed(v, steps);
        for (int i = 0; i < runs.size(); i++) {
          boolean guest =
              !(steps.get(i) instanceof Step.Wait) && !(steps.get(i) instanceof Step.Expire);
          for (Event e : runs.get(i).events()) {
            if (e instanceof Event.TimerArmed a && a.timer() != TimerId.AUTONEG) {
              int fam = a.timer().isDelayTimer() ? 0 : 1;
              long p = a.deadlineNs() - a.timeNs();
              if (p > 0) {
                minUnits[fam] = Math.min(minUnits[fam], p / a.timer().resolutionNs());
                if (guest) {
                  minPeriod[fam] = Math.min(minPeriod[fam], p);
                }
              }
            }
          }
        }
      }
      for (Step s : steps) {
        if (s instanceof Step.Write w && isDelay(w.offset()) && (w.value() & 0xffff) > 0) {
          minUnits[0] = Math.min(minUnits[0], w.value() & 0xffff);
        } else if (s instanceof Step.Write w && throttleIndex(w.offset()) >= 0) {
          minUnits[1] = Math.min(minUnits[1], Math.max(w.value() & 0xffff, MIN_XITR));
        }
      }
      List<List<Integer>> ladders = new ArrayList<>();
      for (int fam = 0; fam < 2; fam++) {
        long k0 =
            minPeriod[fam] == Long.MAX_VALUE
                ? 1
                : Math.max(1, (margin + minPeriod[fam] - 1) / minPeriod[fam]);
        List<Integer> ladder = new ArrayList<>();
        for (long k = Math.min(k0, REG_MAX); ; k *= 2) {
          ladder.add((int) Math.min(k, REG_MAX));
          if (k * Math.max(1, minUnits[fam]) >= REG_MAX || k >= REG_MAX) {
            break;
          }
        }
        ladders.add(ladder);
      }
      List<int[]> out = new ArrayList<>();
      int maxSum = ladders.get(0).size() + ladders.get(1).size() - 2;
      for (int sum = 0; sum <= maxSum && out.size() < MAX_FACTOR_PAIRS; sum++) {
        for (int i = 0; i <= sum && out.size() < MAX_FACTOR_PAIRS; i++) {
          int j = sum - i;
          if (i < ladders.get(0).size() && j < ladders.get(1).size()) {
            out.add(new int[] {ladders.get(0).get(i), ladders.get(1).get(j)});
          }
        }
      }
      return out;
    }

    // ----------------------------------------------------------------------------------------
    // Building a candidate

    /**
     * Rewrites {@code current} (whose steps keep the input's order of events) with factor k: scaled
     * register writes, inserted throttling-register writes, and every wait and expire placed on the
     * candidate's own deadlines. Checks outcomes and events against the input.
     */
    private List<Line> rewrite(List<Line> current, int kd, int kt, Inserts inserts)
        throws Infeasible {
      List<Step> ref = steps(current);
      List<List<StepRun>> refRuns = new ArrayList<>();
      for (Variant v : variants) {
        refRuns.add(runDetailed(v, ref));
      }
      List<Line> out = new ArrayList<>();
      int[] known = new int[THROTTLES.length];
      Arrays.fill(known, MIN_XITR);
      int[] barrier = new int[THROTTLES.length];
      for (int i = 0; i < ref.size(); i++) {
        Step s = ref.get(i);
        Line src = current.get(i);
        boolean guestStep = !(s instanceof Step.Wait) && !(s instanceof Step.Expire);
        // Throttling timers this step arms: make the register hold the scaled period first.
        for (int r = 0; r < THROTTLES.length; r++) {
          Integer desired = null;
          boolean conflict = false;
          boolean armed = false;
          for (int vi = 0; vi < variants.size(); vi++) {
            StepRun run = refRuns.get(vi).get(i);
            for (Event e : run.events()) {
              if (e instanceof Event.TimerArmed a && a.timer() == THROTTLES[r]) {
                armed = true;
                int stored = (int) ((a.deadlineNs() - a.timeNs()) / ITR_UNIT_NS);
                int d = scaleUnits(stored, kt);
                if (desired == null) {
                  desired = d;
                } else if (desired != d) {
                  conflict = true;
                }
              }
            }
          }
          if (desired != null
              && !conflict
              && known[r] != desired
              && inserts != Inserts.NONE
              && (inserts == Inserts.ALL || guestStep)) {
            int pos = barrier[r];
            Reg reg = THROTTLES[r].register();
            out.add(
                pos,
                new Line(
                    new Step.Write(reg.offset(), desired),
                    -1,
                    "inserted: "
                        + reg.name()
                        + " period "
                        + Step.formatDuration((long) desired * ITR_UNIT_NS)
                        + " ("
                        + (known[r] == MIN_XITR
                            ? "default 128us"
                            : "was "
                                + Step.formatDuration((long) Math.max(known[r], 0) * ITR_UNIT_NS))
                        + " x"
                        + kt
                        + ")"));
            for (int q = 0; q < barrier.length; q++) {
              if (q != r && barrier[q] > pos) {
                barrier[q]++;
              }
            }
            known[r] = desired;
            barrier[r] = pos + 1;
          }
          if (armed) {
            barrier[r] = out.size() + 1; // after this step
          }
        }
        Step t = transform(s, kd, kt);
        if (s instanceof Step.Wait || s instanceof Step.Expire) {
          t = place(i, s, ref, refRuns, steps(out));
        }
        out.add(new Line(t, src.origin(), null));
        // What the register holds now, in the candidate.
        if (t instanceof Step.Write w) {
          int r = throttleIndex(w.offset());
          Reg reg = Reg.targetAt(w.offset());
          if (r >= 0) {
            known[r] = Math.max(w.value() & 0xffff, MIN_XITR);
            barrier[r] = out.size();
          } else if (reg == Reg.CTRL && (w.value() & (1 << 26)) != 0) {
            Arrays.fill(known, -1); // CTRL.RST resets the registers on some releases only
            Arrays.fill(barrier, out.size());
          }
        } else if (t instanceof Step.Reset) {
          Arrays.fill(known, MIN_XITR);
          Arrays.fill(barrier, out.size());
        }
      }
      check(out);
      return out;
    }

    /** A register write scaled by k; every other step as it is. */
    private static Step transform(Step s, int kd, int kt) {
      if (!(s instanceof Step.Write w)) {
        return s;
      }
      if (isDelay(w.offset()) && kd > 1) {
        int low = w.value() & 0xffff;
        return new Step.Write(w.offset(), (w.value() & 0xffff0000) | scaleUnits(low, kd));
      }
      if (throttleIndex(w.offset()) >= 0 && kt > 1) {
        int stored = Math.max(w.value() & 0xffff, MIN_XITR);
        return new Step.Write(w.offset(), (w.value() & 0xffff0000) | scaleUnits(stored, kt));
      }
      return s;
    }

    private static int scaleUnits(int units, int k) {
      return (int) Math.min(REG_MAX, (long) units * k);
    }

    /**
     * The wait that replaces ref step i (a wait or an expire): on every variant it must fire the
     * timers step i fired, in that order, the last a margin before its end, and end a margin before
     * the next deadline. Kept as it is when it already does; else placed where it was between the
     * deadlines, scaled, and rounded to a whole ms, µs... inside the window.
     */
    private Step place(
        int i, Step s, List<Step> ref, List<List<StepRun>> refRuns, List<Step> prefix)
        throws Infeasible {
      long lo = Long.MIN_VALUE;
      long hi = Long.MAX_VALUE;
      double targetSum = 0;
      int n = 0;
      long t0 = -1;
      String loWhy = null;
      String hiWhy = null;
      for (int vi = 0; vi < variants.size(); vi++) {
        Variant v = variants.get(vi);
        StepRun run = refRuns.get(vi).get(i);
        if (!run.aliveBefore()) {
          continue;
        }
        List<Event.TimerFired> want = run.fired();
        Peek pk = peek(v, prefix, want.size() + 1);
        if (pk == null) {
          throw new Infeasible(v.id() + " aborts before step " + (i + 1) + " (" + s.format() + ")");
        }
        if (t0 >= 0 && t0 != pk.t0()) {
          throw new Infeasible("the variants' clocks differ before step " + (i + 1));
        }
        t0 = pk.t0();
        for (int j = 0; j < want.size(); j++) {
          if (j >= pk.fired().size() || pk.fired().get(j).timer() != want.get(j).timer()) {
            String got = j < pk.fired().size() ? pk.fired().get(j).timer().traceName() : "nothing";
            throw new Infeasible(
                v.id()
                    + ": step "
                    + (i + 1)
                    + " ("
                    + s.format()
                    + ") would fire "
                    + got
                    + " where it fired "
                    + want.get(j).timer().traceName());
          }
        }
        long a = want.isEmpty() ? run.start() : want.get(want.size() - 1).timeNs();
        long aNew = want.isEmpty() ? pk.t0() : pk.fired().get(want.size() - 1).timeNs();
        long loV = want.isEmpty() ? pk.t0() : aNew + margin;
        long bNew = -1;
        if (!run.aborted() && pk.fired().size() > want.size() && !pk.abortedEarly(want.size())) {
          bNew = pk.fired().get(want.size()).timeNs();
        }
        long hiV = bNew >= 0 ? bNew - margin : Long.MAX_VALUE;
        if (loV > lo) {
          lo = loV;
          loWhy =
              v.id()
                  + ": "
                  + (want.isEmpty()
                      ? "start"
                      : want.get(want.size() - 1).timer().traceName() + " fires at " + aNew + "ns");
        }
        if (hiV < hi) {
          hi = hiV;
          hiWhy =
              v.id()
                  + ": "
                  + pk.fired().get(want.size()).timer().traceName()
                  + " is due at "
                  + bNew
                  + "ns";
        }
        long t1 = run.intendedEnd();
        long b = run.nextDeadline();
        double target;
        if (b >= 0 && bNew >= 0 && b > a) {
          target = aNew + (double) (t1 - a) * (bNew - aNew) / (b - a);
        } else {
          target = aNew + (double) (t1 - a);
        }
        targetSum += target;
        n++;
      }
      if (n == 0) {
        // No variant is alive here any more: nothing to keep.
        return s instanceof Step.Wait ? s : new Step.Wait(margin);
      }
      if (lo > hi) {
        throw new Infeasible(
            "step "
                + (i + 1)
                + " ("
                + s.format()
                + ") cannot end a margin after ("
                + loWhy
                + ") and a margin before ("
                + hiWhy
                + ")");
      }
      if (s instanceof Step.Wait w && t0 + w.ns() >= lo && t0 + w.ns() <= hi) {
        return w;
      }
      double target = Math.max(lo, Math.min(hi, targetSum / n));
      return new Step.Wait(
          round(target - t0, lo - t0, hi == Long.MAX_VALUE ? Long.MAX_VALUE : hi - t0));
    }

    /** Checks the candidate against the input: outcomes, and events step by step. */
    private void check(List<Line> lines) throws Infeasible {
      List<Step> steps = steps(lines);
      for (int vi = 0; vi < variants.size(); vi++) {
        Variant v = variants.get(vi);
        String o = Runner.run(v, steps, false).result();
        if (!o.equals(outcomes.get(vi))) {
          throw new Infeasible(v.id() + " gives " + o + " instead of " + outcomes.get(vi));
        }
        List<StepRun> runs = runDetailed(v, steps);
        List<StepRun> orig = inputRuns.get(vi);
        for (int j = 0; j < lines.size(); j++) {
          Line l = lines.get(j);
          StepRun r = runs.get(j);
          if (l.origin() < 0) {
            if (r.aliveBefore() && !r.events().isEmpty()) {
              throw new Infeasible(
                  v.id() + ": inserted step " + l.step().format() + " has effects");
            }
            continue;
          }
          StepRun want = orig.get(l.origin());
          if (r.aliveBefore() != want.aliveBefore()) {
            throw new Infeasible(v.id() + ": the run ends at a different step");
          }
          if (!skeleton(r.events()).equals(skeleton(want.events()))) {
            throw new Infeasible(
                v.id()
                    + ": step "
                    + (j + 1)
                    + " ("
                    + l.step().format()
                    + ") does "
                    + skeleton(r.events())
                    + " instead of "
                    + skeleton(want.events()));
          }
        }
      }
    }
  }

  /** Timers fired from the end of a prefix, as far as needed, and the clock there. */
  private record Peek(long t0, List<Event.TimerFired> fired, int abortAfter) {
    /** Whether the model aborted within the first {@code count} fired timers. */
    boolean abortedEarly(int count) {
      return abortAfter >= 0 && abortAfter <= count;
    }
  }

  /**
   * Runs the prefix on a fresh model, then advances from deadline to deadline (as one long wait
   * would) until {@code need} timers fired, none runs, or it aborted. Null if the prefix aborts.
   */
  private static Peek peek(Variant v, List<Step> prefix, int need) {
    E1000eCore core = v.newCore();
    for (Step s : prefix) {
      core.step(s);
      if (core.abortSignature() != null) {
        return null;
      }
    }
    long t0 = core.now();
    List<Event> events = new ArrayList<>();
    core.setEventSink(events::add);
    List<Event.TimerFired> fired = new ArrayList<>();
    while (fired.size() < need && core.abortSignature() == null) {
      long next = nextDeadline(core);
      if (next < 0) {
        break;
      }
      events.clear();
      core.step(new Step.Wait(next - core.now()));
      for (Event e : events) {
        if (e instanceof Event.TimerFired f) {
          fired.add(f);
        }
      }
    }
    return new Peek(t0, fired, core.abortSignature() != null ? fired.size() : -1);
  }

  /** The duration nearest {@code target} at the coarsest granule that has one in [lo, hi]. */
  static long round(double target, long lo, long hi) {
    long low = Math.max(0, lo);
    for (long g : GRANULES) {
      long m = Math.round(target / g) * g;
      if (m < low) {
        m = ceilDiv(low, g) * g;
      }
      if (m > hi) {
        m = Math.floorDiv(hi, g) * g;
      }
      if (m >= low && m <= hi) {
        return m;
      }
    }
    return low;
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }

  private static List<Step> steps(List<Line> lines) {
    List<Step> out = new ArrayList<>(lines.size());
    for (Line l : lines) {
      out.add(l.step());
    }
    return out;
  }

  private static final Set<Reg> DELAY_REGS =
      Set.of(Reg.RDTR, Reg.RADV, Reg.RAID, Reg.TIDV, Reg.TADV);

  static boolean isDelay(int offset) {
    Reg r = Reg.targetAt(offset);
    return r != null && DELAY_REGS.contains(r);
  }

  /** 0 for ITR, 1..5 for EITR0..4, -1 for any other register. */
  static int throttleIndex(int offset) {
    Reg r = Reg.targetAt(offset);
    for (int i = 0; i < THROTTLES.length; i++) {
      if (Objects.equals(THROTTLES[i].register(), r)) {
        return i;
      }
    }
    return -1;
  }
}
