package e1kfuzz.qemu;

import e1kfuzz.model.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

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
      return String.format(Locale.ROOT, "step %d: %s%n  model: %s%n  qemu:  %s", step, what, model, qemu);
    }

    /** {@link #describe()} on one line, for a header or a verdict. */
    public String oneLine() {
      return describe().replace("\n", ";").replaceAll(" +", " ");
    }
  }

  public static Divergence compare(ModelObserver.ModelRun model, QemuBackend.Run qemu) {
    int n = Math.min(model.observations().size(), qemu.observations().size());
    for (int i = 0; i < n; i++) {
      Observation m = model.observations().get(i);
      Observation q = qemu.observations().get(i);
      if (!m.equals(q)) {
        String what = "state after the step";
        return new Divergence(m.step(), what, what + " (" + differing(m, q) + ")", m.describe(), q.describe());
      }
    }
    String modelAbort = model.abortSignature() == null ? "no abort" : model.abortSignature();
    String qemuAbort = qemu.abortSignature() == null ? "no abort" : qemu.abortSignature();
    if (!Objects.equals(model.abortSignature(), qemu.abortSignature())) {
      return new Divergence(
          model.abortSignature() != null ? model.abortStep() : Math.max(qemu.abortStep(), n + 1),
          "abort",
          "abort (model " + modelAbort + ", qemu " + qemuAbort + ")",
          model.abortSignature() == null ? "no abort" : model.abortSignature() + " at step " + model.abortStep(),
          qemu.abortSignature() == null ? "no abort" : qemu.abortSignature() + " at step " + qemu.abortStep() + ": " + qemu.abortText());
    }
    if (model.abortSignature() != null && model.abortStep() != qemu.abortStep()) {
      return new Divergence(model.abortStep(), "abort step", "abort step (" + modelAbort + ")",
          model.abortSignature() + " at step " + model.abortStep(), qemu.abortSignature() + " at step " + qemu.abortStep());
    }
    return null;
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
    return String.join(", ", f);
  }

  /** Both timelines side by side, one row per step. */
  public static String timelines(List<Step> steps, ModelObserver.ModelRun model, QemuBackend.Run qemu) {
    List<String> rows = new ArrayList<>();
    rows.add(String.format(Locale.ROOT, "%4s  %-26s | %-78s | %s", "step", "action", "model", "qemu"));
    for (int i = 0; i < steps.size(); i++) {
      String m = i < model.observations().size() ? model.observations().get(i).describe()
          : model.abortSignature() != null && i + 1 == model.abortStep() ? "ABORT " + model.abortSignature() : "";
      String q = i < qemu.observations().size() ? qemu.observations().get(i).describe()
          : qemu.abortSignature() != null && i + 1 == qemu.abortStep() ? "ABORT " + qemu.abortSignature() : "";
      String mark = m.equals(q) ? " " : "*";
      rows.add(String.format(Locale.ROOT, "%4d%s %-26s | %-78s | %s", i + 1, mark, steps.get(i).format(), m, q));
    }
    return String.join("\n", rows) + "\n";
  }
}
