package e1kfuzz.export;

import e1kfuzz.model.Step;
import e1kfuzz.model.Trace;
import e1kfuzz.model.Variant;
import e1kfuzz.observe.ModelObserver;
import e1kfuzz.observe.ObservedRun;
import e1kfuzz.qemu.Qtest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A trace as a standalone, commented qtest script: the lines QEMU reads on {@code -qtest stdio},
 * with {@code #!sleep SECONDS} where the trace waits (nine decimals, whole nanoseconds: honoured by
 * scripts/replay-qtest.sh as a real sleep, or as an exact {@code clock_step} on a build with the
 * qtest accelerator), and, as comments, what the model of each variant expects.
 */
public final class QtestExport {
  private QtestExport() {}

  /** Null if exportable, else why not. */
  public static String unsupported(List<Step> steps) {
    String why = Qtest.firstUnsupported(steps);
    if (why != null) {
      return why;
    }
    for (Step s : steps) {
      if (s instanceof Step.Rx || s instanceof Step.Link || s instanceof Step.Reset) {
        return s.format()
            + ": needs the network backend or QMP, which a plain qtest script has not; use 'e1kfuzz replay --backend qemu'";
      }
    }
    return null;
  }

  public static String script(String name, Trace trace, Variant modelVariant) {
    List<String> out = new ArrayList<>();
    out.add("# qtest script exported by e1kfuzz from " + name);
    for (String h : trace.header()) {
      out.add("#   " + h);
    }
    out.add(
        "# Run it against an e1000e at 00:02.0 on q35 with a halt-only BIOS (65536 bytes of 0xF4):");
    out.add("#   scripts/replay-qtest.sh THIS_FILE [qemu-system-x86_64]");
    out.add("# or feed it yourself, honouring '#!sleep S', into:");
    out.add(
        "#   qemu-system-x86_64 -nodefaults -display none -machine q35 -accel tcg -bios halt.bin \\");
    out.add("#     -device e1000e,addr=0x2,romfile= -qtest stdio -qtest-log /dev/null");
    boolean aborts = trace.expectations().stream().anyMatch(e -> e.result().startsWith("assert:"));
    boolean others =
        trace.expectations().stream()
            .anyMatch(e -> !e.result().startsWith("assert:") && !e.result().equals("ok"));
    out.add(
        aborts
            ? "# QEMU aborting (exit 134, 'Assertion ... failed' on stderr) is the bug; outcome per"
                + " model variant:"
            : "# Outcome per model variant:");
    for (var e : trace.expectations()) {
      out.add("#   " + e.variant() + ": " + e.result());
    }
    if (others) {
      // A delivery or mode finding leaves QEMU running: replay-qtest.sh would say it survived.
      out.add(
          "# Not every finding here is an abort: QEMU survives a wrong or missing interrupt, and");
      out.add(
          "# replay-qtest.sh then exits 0. Compare the observations instead: e1kfuzz diff TRACE"
              + " --qemu BUILD.");
    }
    out.add("irq_intercept_in ioapic");
    out.add(
        "# preamble: BAR0, BAR3 (MSI-X), bus master, MSI-X table entries (masked), MSI, TX/RX rings");
    Qtest q = new Qtest();
    out.addAll(q.preamble());
    ObservedRun model = ModelObserver.run(modelVariant, trace.steps());
    long virtualNs = 0;
    for (int i = 0; i < trace.steps().size(); i++) {
      Step s = trace.steps().get(i);
      out.add("# step " + (i + 1) + ": " + s.format());
      if (s instanceof Step.Wait w) {
        virtualNs += w.ns();
        // Nine decimals: whole nanoseconds, so that a build with the qtest accelerator can step
        // the clock by exactly the trace's wait.
        out.add(
            String.format(
                Locale.ROOT, "#!sleep %d.%09d", w.ns() / 1_000_000_000L, w.ns() % 1_000_000_000L));
      } else if (s instanceof Step.Expire) {
        throw new IllegalArgumentException(
            "expire has no fixed duration; robustify the trace first");
      } else {
        out.addAll(q.commands(s));
      }
      if (i < model.observations().size()) {
        out.add(
            "#   model ("
                + modelVariant.id()
                + ") after it: "
                + model.observations().get(i).describe());
      } else if (model.abortId() != null && i + 1 == model.abort().step()) {
        out.add("#   model (" + modelVariant.id() + "): QEMU aborts here with " + model.abortId());
      }
    }
    out.add("# final state: ICS (ICR without clearing it), IMS, MSI-X PBA");
    out.addAll(Qtest.stateReads().subList(0, 3));
    return String.join("\n", out) + "\n";
  }
}
