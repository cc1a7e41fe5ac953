package e1kfuzz.qemu;

import e1kfuzz.model.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** Compares the model's and QEMU's observations of one trace; the first divergence wins. */
public final class Differ {
  private Differ() {}

  /** Null means they agree. */
  public record Divergence(int step, String what, String model, String qemu) {
    public String describe() {
      return String.format(Locale.ROOT, "step %d: %s%n  model: %s%n  qemu:  %s", step, what, model, qemu);
    }
  }

  public static Divergence compare(ModelObserver.ModelRun model, QemuBackend.Run qemu) {
    int n = Math.min(model.observations().size(), qemu.observations().size());
    for (int i = 0; i < n; i++) {
      Observation m = model.observations().get(i);
      Observation q = qemu.observations().get(i);
      if (!m.equals(q)) {
        return new Divergence(m.step(), "state after the step", m.describe(), q.describe());
      }
    }
    if (!Objects.equals(model.abortSignature(), qemu.abortSignature())) {
      return new Divergence(
          model.abortSignature() != null ? model.abortStep() : Math.max(qemu.abortStep(), n + 1),
          "abort",
          model.abortSignature() == null ? "no abort" : model.abortSignature() + " at step " + model.abortStep(),
          qemu.abortSignature() == null ? "no abort" : qemu.abortSignature() + " at step " + qemu.abortStep() + ": " + qemu.abortText());
    }
    if (model.abortSignature() != null && model.abortStep() != qemu.abortStep()) {
      return new Divergence(model.abortStep(), "abort step",
          model.abortSignature() + " at step " + model.abortStep(), qemu.abortSignature() + " at step " + qemu.abortStep());
    }
    return null;
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
