package e1kfuzz.export;

import e1kfuzz.model.Outcome;
import e1kfuzz.model.Runner;
import e1kfuzz.model.Step;
import e1kfuzz.model.Trace;
import e1kfuzz.model.Variant;
import e1kfuzz.observe.ModelObserver;
import e1kfuzz.observe.Observation;
import e1kfuzz.observe.ObservedRun;
import java.util.List;
import java.util.Map;

/**
 * One finding as an issue-ready Markdown report, in the sections QEMU's issue template asks for
 * (host environment, description, steps to reproduce, additional information): what happens, the
 * affected releases with the evidence each came from, the minimal trace as a table, the C
 * reproducer for tests/qtest, the outcome on every variant (the finding's {@code evaluate} row) and
 * how to draw its timeline.
 */
public final class IssueReport {
  private IssueReport() {}

  /**
   * @param evidence what real QEMU showed, per variant that was checked on its exact build (the
   *     confirmation line); variants without an entry were not checked
   */
  public static String markdown(String name, Trace trace, Map<Variant, String> evidence) {
    Variant buggy = firstFailing(trace);
    String finding = buggy == null ? "ok" : trace.expectedResult(buggy).orElse("ok");
    StringBuilder m = new StringBuilder();
    String title = trace.header().isEmpty() ? name : trace.header().get(0);
    m.append("# e1000e: ").append(finding).append(": ").append(title).append("\n\n");
    m.append("## Host environment\n\n");
    m.append("- QEMU: the releases marked affected below (qemu-system-x86_64, `-M q35`,");
    m.append(" `-device e1000e`); reproduced with the qtest accelerator (exact virtual time)\n");
    m.append("- Guest: none needed; the reproducer drives the device with raw MMIO and PCI");
    m.append(" config accesses over qtest\n");
    m.append("- Found and minimised by e1kfuzz from `").append(name).append("`\n\n");
    m.append("## Description of problem\n\n");
    for (String h : trace.header()) {
      m.append(h.isEmpty() ? "\n" : h + "\n");
    }
    m.append("\n### Affected releases\n\n");
    m.append("| e1kfuzz variant | QEMU releases | outcome (model) | real QEMU |\n");
    m.append("|---|---|---|---|\n");
    for (Variant v : Variant.values()) {
      String outcome = trace.expectedResult(v).orElse("?");
      m.append("| ")
          .append(v.id())
          .append(" | ")
          .append(v.releases())
          .append(" | ")
          .append(outcome.equals("ok") ? "ok" : "**" + outcome + "**")
          .append(" | ")
          .append(evidence.getOrDefault(v, "not checked (no exact build here)").replace("|", "\\|"))
          .append(" |\n");
    }
    m.append("\n## Steps to reproduce\n\n");
    m.append("The guest steps (").append(trace.steps().size()).append(", after power-on");
    m.append(" with BAR0 at 0xe0000000, BAR3 at 0xe0040000, bus mastering, the MSI-X table");
    m.append(" pointing at marker words in guest memory, and TX/RX rings set up)");
    if (buggy != null) {
      m.append(", and what ").append(buggy.id()).append(" shows after each");
    }
    m.append(":\n\n");
    m.append("| step | guest action | device after it (").append(buggy == null ? "-" : buggy.id());
    m.append(") |\n|---|---|---|\n");
    ObservedRun run = buggy == null ? null : ModelObserver.run(buggy, trace.steps());
    List<Step> steps = trace.steps();
    for (int i = 0; i < steps.size(); i++) {
      String after = "";
      if (run != null && i < run.observations().size()) {
        Observation o = run.observations().get(i);
        after = o.describe();
      } else if (run != null && run.abort() != null && run.abort().step() == i + 1) {
        after = "**QEMU aborts: " + run.abortId() + "**";
      }
      m.append("| ")
          .append(i + 1)
          .append(" | `")
          .append(steps.get(i).format())
          .append("` | ")
          .append(after)
          .append(" |\n");
    }
    QtestCExport.Tree tree =
        buggy != null && QtestCExport.Tree.BOOKWORM.variants().contains(buggy)
            ? QtestCExport.Tree.BOOKWORM
            : QtestCExport.Tree.TRIXIE;
    String unsupported = QtestCExport.unsupported(trace, tree);
    m.append("\nAs a C qtest for `tests/qtest` (").append(tree.id()).append(" tree; build it");
    m.append(" with the patch of `e1kfuzz export ").append(name).append(" --to qemu-patch --tree ");
    m.append(tree.id()).append("`, run it with `E1KFUZZ_KNOWN_BUGS=1`):\n\n");
    if (unsupported == null) {
      m.append("```c\n")
          .append(QtestCExport.testFile(List.of(new QtestCExport.Named(name, trace)), tree))
          .append("```\n");
    } else {
      m.append("(not exported to C: ").append(unsupported).append(")\n");
    }
    m.append("\nOr replay it with e1kfuzz: `./e1kfuzz diff ")
        .append(name)
        .append(" --qemu exact-")
        .append(buggy == null ? "qemu-10.2" : buggy.id())
        .append("` (the model and QEMU side by side).\n\n");
    m.append("## Additional information\n\n");
    m.append("Which fix candidate removes it (`e1kfuzz evaluate`'s row for this trace):\n\n");
    m.append("| variant | outcome | first violating step |\n|---|---|---|\n");
    for (Variant v : Variant.values()) {
      Outcome o = Runner.run(v, steps, trace.strictExpectations());
      m.append("| ")
          .append(v.id())
          .append(" | ")
          .append(o.result())
          .append(" | ")
          .append(o instanceof Outcome.Violated x ? x.step() + " (" + x.timeNs() + " ns)" : "-")
          .append(" |\n");
    }
    m.append("\nTimeline of every variant (HTML, one SVG per variant):");
    m.append(" `./e1kfuzz replay ").append(name).append(" --variant all --format html -o ");
    m.append(name.replaceFirst("\\.trace$", "")).append(".html`\n");
    return m.toString();
  }

  /** The release variant (not a fix candidate) that fails, newest first; null if none. */
  private static Variant firstFailing(Trace t) {
    List<Variant> releases =
        List.of(Variant.QEMU_10_2, Variant.QEMU_8_1, Variant.QEMU_7_2_20, Variant.QEMU_7_2_0);
    for (Variant v : releases) {
      if (!t.expectedResult(v).orElse("ok").equals("ok")) {
        return v;
      }
    }
    return null;
  }
}
