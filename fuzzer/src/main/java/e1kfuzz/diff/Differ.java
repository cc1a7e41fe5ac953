package e1kfuzz.diff;

import e1kfuzz.model.Step;
import e1kfuzz.observe.Observation;
import e1kfuzz.observe.ObservedRun;
import e1kfuzz.observe.Signal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Compares the model's and QEMU's observations of one trace; the first divergence wins. */
public final class Differ {
  private Differ() {}

  /**
   * Null means they agree. {@code kind} is finer than {@code what}: the observations that differ
   * (ICS, IMS, PBA, INTx, MSI-X, MSI) or the two abort outcomes; a campaign shrinks one divergence
   * per kind.
   */
  public record Divergence(int step, String what, String kind, String model, String qemu) {
    public String describe() {
      return String.format(
          Locale.ROOT, "step %d: %s%n  model: %s%n  qemu:  %s", step, what, model, qemu);
    }

    /** {@link #describe()} on one line, for a header or a verdict. */
    public String oneLine() {
      return describe().replace("\n", ";").replaceAll(" +", " ");
    }
  }

  public static Divergence compare(ObservedRun model, ObservedRun qemu) {
    int n = Math.min(model.observations().size(), qemu.observations().size());
    for (int i = 0; i < n; i++) {
      Observation m = model.observations().get(i);
      Observation q = qemu.observations().get(i);
      if (!m.equals(q)) {
        String what = "state after the step";
        return new Divergence(
            m.step(), what, what + " (" + differing(m, q) + ")", m.describe(), q.describe());
      }
    }
    ObservedRun.Aborted ma = model.abort();
    ObservedRun.Aborted qa = qemu.abort();
    String modelAbort = ma == null ? "no abort" : ma.id();
    String qemuAbort = qa == null ? "no abort" : qa.id();
    if (!modelAbort.equals(qemuAbort)) {
      return new Divergence(
          ma != null ? ma.step() : Math.max(qa.step(), n + 1),
          "abort",
          "abort (model " + modelAbort + ", qemu " + qemuAbort + ")",
          ma == null ? "no abort" : ma.id() + " at step " + ma.step(),
          qa == null ? "no abort" : qa.id() + " at step " + qa.step() + ": " + qa.assertion());
    }
    if (ma != null && ma.step() != qa.step()) {
      return new Divergence(
          ma.step(),
          "abort step",
          "abort step (" + modelAbort + ")",
          ma.id() + " at step " + ma.step(),
          qa.id() + " at step " + qa.step());
    }
    if (qemu.settled() == null) {
      return null; // no exact virtual time: interrupt times and the settled device are not known
    }
    Divergence t = compareSignals(model.signals(), qemu.signals());
    if (t != null) {
      return t;
    }
    // Frames the net layer releases while the guest idles are not compared: past the settling's
    // deadline cap one clock step lets QEMU's main loop read fewer of them than the model counts.
    Observation m = model.settled();
    Observation q = qemu.settled();
    if (m != null && !m.equals(q.withFramesReceived(m.framesReceived()))) {
      String what = "state once settled";
      return new Divergence(
          m.step(), what, what + " (" + differing(m, q) + ")", m.describe(), q.describe());
    }
    return null;
  }

  /**
   * The interrupts: QEMU's observations show, per channel, whether at least one interrupt came in
   * each window between two reads. Every model interrupt must fall in a QEMU window of its step and
   * channel with the same throttling interval loaded, and every QEMU window must hold one.
   */
  private static Divergence compareSignals(List<Signal> model, List<Signal> qemu) {
    for (Signal m : model) {
      if (qemu.stream().noneMatch(q -> covers(q, m))) {
        return signalDivergence(m, "no such interrupt", m.step());
      }
    }
    for (Signal q : qemu) {
      if (model.stream().noneMatch(m -> covers(q, m))) {
        return signalDivergence(null, signalText(q), q.step());
      }
    }
    return null;
  }

  private static boolean covers(Signal q, Signal m) {
    return m.step() == q.step()
        && m.kind() == q.kind()
        && m.vector() == q.vector()
        && m.earliestNs() >= q.earliestNs()
        && m.latestNs() <= q.latestNs()
        && m.intervalNs() == q.intervalNs();
  }

  private static Divergence signalDivergence(Signal m, String qemu, int step) {
    String what = "an interrupt (its time, channel or throttling interval)";
    return new Divergence(
        step, what, "interrupt times", m == null ? "no such interrupt" : signalText(m), qemu);
  }

  private static String signalText(Signal s) {
    return s == null
        ? "none"
        : s.describe() + " in step " + s.step() + ", loading " + s.intervalNs() + " ns";
  }

  /** The names of the observations that differ, e.g. "ICS, INTx". */
  static String differing(Observation m, Observation q) {
    List<String> f = new ArrayList<>();
    if (m.ics() != q.ics()) {
      f.add("ICS");
    }
    if (m.ims() != q.ims()) {
      f.add("IMS");
    }
    if (m.pba() != q.pba()) {
      f.add("PBA");
    }
    if (m.intxLine() != q.intxLine()) {
      f.add("INTx");
    }
    if (m.msixMessages() != q.msixMessages()) {
      f.add("MSI-X");
    }
    if (m.msiMessage() != q.msiMessage()) {
      f.add("MSI");
    }
    if (m.framesReceived() != q.framesReceived()) {
      f.add("RX");
    }
    if (m.ivar() != q.ivar()) {
      f.add("IVAR");
    }
    return String.join(", ", f);
  }

  /** Both timelines side by side, one row per step. */
  public static String timelines(List<Step> steps, ObservedRun model, ObservedRun qemu) {
    List<String> rows = new ArrayList<>();
    rows.add(
        String.format(Locale.ROOT, "%4s  %-26s | %-78s | %s", "step", "action", "model", "qemu"));
    for (int i = 0; i < steps.size(); i++) {
      String m = cell(model, i);
      String q = cell(qemu, i);
      String mark = m.equals(q) ? " " : "*";
      rows.add(
          String.format(
              Locale.ROOT, "%4d%s %-26s | %-78s | %s", i + 1, mark, steps.get(i).format(), m, q));
    }
    return String.join("\n", rows) + "\n";
  }

  /** What a run showed at step {@code i + 1}: its observation, its abort, or nothing. */
  private static String cell(ObservedRun run, int i) {
    if (i < run.observations().size()) {
      return run.observations().get(i).describe();
    }
    ObservedRun.Aborted a = run.abort();
    return a != null && i + 1 == a.step() ? "ABORT " + a.id() : "";
  }
}
