package e1kfuzz.export;

import e1kfuzz.model.E1000eCore;
import e1kfuzz.model.Outcome;
import e1kfuzz.model.Reg;
import e1kfuzz.model.Runner;
import e1kfuzz.model.Step;
import e1kfuzz.model.Trace;
import e1kfuzz.model.Variant;
import e1kfuzz.observe.ModelObserver;
import e1kfuzz.observe.Observation;
import e1kfuzz.observe.ObservedRun;
import e1kfuzz.qemu.Qtest;
import e1kfuzz.timing.ExactTiming;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Traces as one C qtest file for QEMU's own test suite (tests/qtest, libqtest only, in the style of
 * fuzz-e1000e-test.c), and as a patch that adds it to a QEMU source tree. Each test drives the
 * device with the same accesses as the QEMU backend and exact {@code qtest_clock_step}s, and checks
 * what a correct device does where the bug shows: that QEMU survives (an assert finding), or the
 * observations of a variant without the finding at the step where the buggy release's differ (an
 * MSI-X message that must not come, an IMS bit that must stay). A test of a bug still present in
 * the newest release of its tree is skipped unless {@code E1KFUZZ_KNOWN_BUGS} is set.
 */
public final class QtestCExport {
  private QtestCExport() {}

  /** A QEMU source tree that {@code make qemu-src} builds, with the variants built from it. */
  public enum Tree {
    BOOKWORM(
        "bookworm",
        "QEMU 7.2 (Debian 12's 7.2.22 source)",
        Variant.QEMU_7_2_20,
        List.of(Variant.QEMU_7_2_0, Variant.QEMU_7_2_20),
        73),
    TRIXIE(
        "trixie",
        "QEMU 10.0 (Debian 13's 10.0.13 source)",
        Variant.QEMU_10_2,
        List.of(
            Variant.QEMU_8_1,
            Variant.QEMU_10_2,
            Variant.FIX_V1,
            Variant.FIX_MODE_SWITCH,
            Variant.FIX_THROTTLE),
        88);

    private final String id;
    private final String description;
    private final Variant newest;
    private final List<Variant> variants;
    private final int mesonLine;

    Tree(String id, String description, Variant newest, List<Variant> variants, int mesonLine) {
      this.id = id;
      this.description = description;
      this.newest = newest;
      this.variants = variants;
      this.mesonLine = mesonLine;
    }

    public String id() {
      return id;
    }

    public List<Variant> variants() {
      return variants;
    }
  }

  /** A trace and the name its test gets. */
  public record Named(String name, Trace trace) {}

  /** The file the patch adds, relative to the QEMU source tree. */
  public static final String TEST_FILE = "tests/qtest/e1000e-e1kfuzz-test.c";

  /** The upstream commits that fixed a finding, by signature. */
  private static final Map<String, String> FIXES =
      Map.of(
          "assert:collect-delayed-causes",
          "8e4649cac9 (\"e1000e: Prevent crash from legacy interrupt firing after MSI-X"
              + " enable\", QEMU 10.2; 7.2.20, 10.0.4, 10.1.1)",
          "assert:itr-timer-under-msix",
          "0cbd6e5221 (QEMU 8.1)",
          "assert:eitr-timer-without-msix",
          "0cbd6e5221 (QEMU 8.1)",
          "delivery:lost-interrupt",
          "ad431f0f82 (\"e1000e: Notify only new interrupts\", QEMU 8.1)");

  /** Null if the trace can be a C test on this tree, else why not. */
  public static String unsupported(Trace trace, Tree tree) {
    String why = Qtest.firstUnsupported(trace.steps());
    if (why != null) {
      return why;
    }
    for (Variant v : tree.variants) {
      // libqtest sends one command at a time, and QEMU runs a due timer before the next one.
      String timing = ExactTiming.problem(v, trace.steps());
      if (timing != null) {
        return timing;
      }
    }
    E1000eCore driver = tree.newest.newCore();
    for (Step s : trace.steps()) {
      boolean held = driver.heldFrames() > 0;
      if (s instanceof Step.Rx rx
          && (rx.noBuffer() || !driver.rxReady() || !driver.rxOffered() || held)) {
        return s.format() + ": only frames the device takes at once are exported to C";
      }
      if ((s instanceof Step.Link || s instanceof Step.Reset) && held) {
        return s.format() + ": frames held by the net layer are not exported to C";
      }
      driver.step(s);
      if (driver.abortSignature() != null) {
        break;
      }
    }
    return null;
  }

  /** The C file with one test per trace (all must be supported, see {@link #unsupported}). */
  public static String testFile(List<Named> traces, Tree tree) {
    return testFile(traces, tree, plans(traces, tree));
  }

  /** What each trace's test compares and checks, in the order of the traces. */
  private static List<Plan> plans(List<Named> traces, Tree tree) {
    return traces.stream().map(n -> plan(n.trace(), tree)).toList();
  }

  private static String testFile(List<Named> traces, Tree tree, List<Plan> plans) {
    StringBuilder c = new StringBuilder();
    c.append(
        """
        /*
         * QTest testcases for e1000e interrupt races, generated by e1kfuzz
         *
         * Each test replays, with exact virtual time, a guest sequence that e1kfuzz
         * found and shrank against its model of the e1000e interrupt manager, and
         * checks what a correct device does where the bug shows. Tests of bugs
         * still present in the newest release of this tree are skipped unless
         * E1KFUZZ_KNOWN_BUGS is set in the environment.
         *
         * SPDX-License-Identifier: GPL-2.0-or-later
         */

        #include "qemu/osdep.h"
        #include <sys/socket.h>
        #include "libqtest.h"
        #include "qemu/bswap.h"

        """);
    c.append(defines());
    List<String> names = new ArrayList<>();
    StringBuilder tests = new StringBuilder();
    for (int i = 0; i < traces.size(); i++) {
      String fn = cName(traces.get(i).name());
      names.add(fn);
      tests.append(test(traces.get(i), plans.get(i), fn, tree));
    }
    c.append(helpers(tests.toString())).append(tests);
    c.append("int main(int argc, char **argv)\n{\n");
    c.append("    const char *arch = qtest_get_arch();\n\n");
    c.append("    g_test_init(&argc, &argv, NULL);\n\n");
    c.append("    if (strcmp(arch, \"i386\") == 0 || strcmp(arch, \"x86_64\") == 0) {\n");
    for (String fn : names) {
      String path = "\"e1000e-e1kfuzz/" + fn + "\",";
      String first = "        qtest_add_func(" + path;
      // QEMU's 80 columns: a long test name gets a line of its own.
      c.append(first.length() <= 80 ? first : "        qtest_add_func(\n            " + path)
          .append(first.length() <= 80 ? "\n                       test_" : "\n            test_")
          .append(fn)
          .append(");\n");
    }
    c.append("    }\n\n    return g_test_run();\n}\n");
    return c.toString();
  }

  /** A {@code git format-patch} style patch adding the tests to {@code tree}. */
  public static String patch(List<Named> traces, Tree tree) {
    List<Plan> plans = plans(traces, tree);
    String file = testFile(traces, tree, plans);
    String[] lines = file.split("\n", -1);
    int n = lines.length - 1; // the file ends with a newline
    String meson = "  (config_all_devices.has_key('CONFIG_E1000E_PCI_EXPRESS') ? [";
    StringBuilder p = new StringBuilder();
    p.append("From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n");
    p.append("From: e1kfuzz <e1kfuzz@localhost>\n");
    p.append("Subject: [PATCH] tests/qtest: add e1000e interrupt race regression tests\n\n");
    p.append(
        wrap(
            "The e1000e interrupt manager can be driven into states that abort QEMU or deliver"
                + " interrupts a real 82574 would not: delay timers (TIDV/TADV, RDTR/RADV) and"
                + " throttling timers (ITR/EITR) that fire after the guest switched interrupt"
                + " mode, and throttling that does not throttle. These tests replay, with exact"
                + " virtual time, guest sequences that the e1kfuzz race fuzzer found and shrank,"
                + " each written as raw register and PCI config accesses.",
            72));
    p.append("\n");
    p.append(
        wrap(
            "Each test checks what a correct device does where the bug shows: that QEMU survives,"
                + " or the MSI-X message, INTx line or register a fixed device shows at that step."
                + " Tests of bugs still present in "
                + tree.description
                + " are skipped unless E1KFUZZ_KNOWN_BUGS=1 is set. Tests: "
                + String.join(", ", traces.stream().map(t -> cName(t.name())).toList())
                + ".",
            72));
    for (int i = 0; i < traces.size(); i++) {
      Named t = traces.get(i);
      String fix = FIXES.get(plans.get(i).buggyResult());
      if (fix != null) {
        p.append("\nRegression test for ").append(fix).append(": ").append(cName(t.name()));
      }
    }
    p.append("\n---\n");
    // Notes for scripts/qemu-check.sh (git am drops them): the tree, and each test's outcome on
    // each exact build of it as the model says.
    p.append("e1kfuzz-tree: ").append(tree.id).append(" (").append(tree.description).append(")\n");
    for (int i = 0; i < traces.size(); i++) {
      p.append(expectLine(traces.get(i), plans.get(i), tree)).append('\n');
    }
    p.append('\n');
    p.append(" ").append(TEST_FILE).append(" | ").append(n).append(" +\n");
    p.append(" tests/qtest/meson.build           | 1 +\n");
    p.append(" 2 files changed, ").append(n + 1).append(" insertions(+)\n\n");
    p.append("diff --git a/").append(TEST_FILE).append(" b/").append(TEST_FILE).append("\n");
    p.append("new file mode 100644\n--- /dev/null\n+++ b/").append(TEST_FILE).append("\n");
    p.append("@@ -0,0 +1,").append(n).append(" @@\n");
    for (int i = 0; i < n; i++) {
      p.append('+').append(lines[i]).append('\n');
    }
    p.append("diff --git a/tests/qtest/meson.build b/tests/qtest/meson.build\n");
    p.append("--- a/tests/qtest/meson.build\n+++ b/tests/qtest/meson.build\n");
    // One line of context on each side (git apply anchors a hunk with less context after than
    // before at the end of the file).
    p.append(String.format(Locale.ROOT, "@@ -%d,2 +%d,3 @@\n", tree.mesonLine, tree.mesonLine));
    p.append(' ').append(meson).append("'fuzz-e1000e-test'] : []) +   \\\n");
    p.append('+').append(meson).append("'e1000e-e1kfuzz-test'] : []) +\\\n");
    p.append("   (config_all_devices.has_key('CONFIG_MEGASAS_SCSI_PCI') ?")
        .append(" ['fuzz-megasas-test'] : []) +    \\\n");
    p.append("-- \ne1kfuzz\n");
    return p.toString();
  }

  // ----------------------------------------------------------------------------------------
  // One test

  /** What one test compares and checks. */
  private record Plan(
      Variant buggy,
      Variant reference,
      String buggyResult,
      boolean knownBug,
      int evidenceStep,
      List<Check> evidence,
      String evidenceNote) {}

  private static Plan plan(Trace t, Tree tree) {
    List<Step> steps = t.steps();
    Variant buggy = buggy(t, tree);
    Variant reference = reference(t, tree);
    String buggyResult = buggy == null ? "ok" : expected(t, buggy);
    boolean knownBug = !expected(t, tree.newest).equals("ok");
    int evidenceStep = -1;
    List<Check> evidence = List.of();
    String evidenceNote;
    if (buggy == null || buggyResult.startsWith("assert:") || reference == null) {
      evidenceNote =
          buggy == null
              ? "No release of this tree fails it: QEMU must survive every step."
              : buggyResult.startsWith("assert:")
                  ? "The bug is an abort: QEMU must survive every step."
                  : "No variant passes it: QEMU must survive every step.";
    } else {
      evidenceStep = violationStep(buggy, steps, t.strictExpectations());
      evidence = evidence(buggy, reference, steps, evidenceStep);
      evidenceNote =
          evidence.isEmpty()
              ? "No observation after step "
                  + evidenceStep
                  + " shows "
                  + buggyResult
                  + ": QEMU must survive every step."
              : "At step "
                  + evidenceStep
                  + ", where "
                  + buggy.id()
                  + " shows "
                  + buggyResult
                  + ", a device like "
                  + reference.id()
                  + " shows what the checks below expect.";
    }
    return new Plan(buggy, reference, buggyResult, knownBug, evidenceStep, evidence, evidenceNote);
  }

  /** The test's outcome on each variant of the tree, as the harness line e1kfuzz-expect. */
  private static String expectLine(Named n, Plan p, Tree tree) {
    StringBuilder sb = new StringBuilder("e1kfuzz-expect: ").append(cName(n.name()));
    for (Variant v : tree.variants) {
      sb.append(' ')
          .append(v.id())
          .append('=')
          .append(outcome(v, n.trace().steps(), p.evidenceStep(), p.evidence()));
    }
    return sb.toString();
  }

  private static String test(Named n, Plan p, String fn, Tree tree) {
    Trace t = n.trace();
    List<Step> steps = t.steps();
    String buggyResult = p.buggyResult();
    int evidenceStep = p.evidenceStep();
    List<Check> evidence = p.evidence();
    StringBuilder c = new StringBuilder();
    c.append("/*\n * ").append(n.name()).append('\n');
    for (String h : t.header()) {
      c.append(h.isEmpty() ? " *\n" : wrapComment(h));
    }
    c.append(" *\n");
    c.append(wrapComment("Outcome per e1kfuzz model variant built from " + tree.description + ":"));
    for (Variant v : tree.variants) {
      c.append(" *   ").append(v.id()).append(": ").append(expected(t, v)).append('\n');
    }
    String fix = FIXES.get(buggyResult);
    if (fix != null) {
      c.append(wrapComment("Guards " + fix + "."));
    }
    c.append(wrapComment(p.evidenceNote()));
    c.append(" */\n");
    c.append("static void test_").append(fn).append("(void)\n{\n");
    c.append("    QTestState *s;\n    int peer;\n\n");
    if (p.knownBug()) {
      c.append("    if (!getenv(\"E1KFUZZ_KNOWN_BUGS\")) {\n");
      c.append("        g_test_skip(\"")
          .append(buggyResult)
          .append("\"\n                    \" is not fixed in ")
          .append(tree.newest.id())
          .append("\");\n");
      c.append("        return;\n    }\n");
    }
    c.append("    s = e1kfuzz_start(&peer);\n");
    Qtest q = new Qtest();
    q.preamble(); // the state e1kfuzz_start leaves
    E1000eCore driver = tree.newest.newCore();
    long now = 0;
    for (int i = 0; i < steps.size(); i++) {
      Step s = steps.get(i);
      int stepNo = i + 1;
      if (stepNo == evidenceStep && !evidence.isEmpty()) {
        c.append("    e1kfuzz_clear_markers(s);\n");
      }
      c.append("    /* step ").append(stepNo).append(": ").append(s.format()).append(" */\n");
      long target = driver.timeAfter(s, now);
      if (s instanceof Step.Wait || s instanceof Step.Expire) {
        if (target > now) {
          c.append("    qtest_clock_step(s, ").append(target - now).append(");\n");
        }
        now = target;
      } else if (s instanceof Step.Link l) {
        c.append(
            "    qtest_qmp_assert_success(s, \"{'execute': 'set_link', \"\n"
                + "                             \"'arguments': {'name': 'n0', 'up': "
                + l.up()
                + "}}\");\n");
      } else if (s instanceof Step.Reset) {
        c.append("    qtest_qmp_assert_success(s, \"{'execute': 'system_reset'}\");\n");
        c.append("    e1kfuzz_init(s);\n");
        q.preamble();
      } else if (s instanceof Step.Rx rx) {
        c.append("    e1kfuzz_rx(s, peer, ").append(rx.ack() ? "true" : "false");
        c.append(", ").append(rx.length()).append(");\n");
        for (String line : q.replenishRx()) {
          c.append(cLine(line));
        }
      } else {
        for (String line : q.commands(s)) {
          c.append(cLine(line));
        }
        if (tree.newest.softwareResets(s)) {
          c.append(
              "    e1kfuzz_rings(s); /* CTRL.RST cleared them; a driver re-programs them */\n");
          q.rings();
        }
      }
      if (driver.abortSignature() == null) {
        driver.step(s); // where the next expire lands, and whether CTRL.RST clears the rings
      }
      if (stepNo == evidenceStep) {
        evidence.forEach(k -> c.append(k.c()));
      }
    }
    c.append("    /* the guest idles: every timer of the device runs out */\n");
    c.append("    qtest_clock_step(s, ").append(ObservedRun.SETTLE_NS).append(");\n");
    c.append("    g_assert_true(qtest_probe_child(s));\n");
    c.append("    close(peer);\n    qtest_quit(s);\n}\n\n");
    return c.toString();
  }

  /** One check of an observation after the evidence step: C text, and whether it holds. */
  record Check(String c, java.util.function.Predicate<Observation> holds) {}

  /** The checks of the reference's observations where they differ from the buggy variant's. */
  private static List<Check> evidence(Variant buggy, Variant ref, List<Step> steps, int step) {
    ObservedRun b = ModelObserver.run(buggy, steps);
    ObservedRun r = ModelObserver.run(ref, steps);
    if (step < 1 || step > b.observations().size() || step > r.observations().size()) {
      return List.of();
    }
    Observation ob = b.observations().get(step - 1);
    Observation or = r.observations().get(step - 1);
    List<Check> c = new ArrayList<>();
    for (int v = 0; v < 5; v++) {
      int bit = 1 << v;
      boolean sb = (ob.msixMessages() & bit) != 0;
      boolean sr = (or.msixMessages() & bit) != 0;
      if (sb != sr) {
        c.add(
            new Check(
                String.format(
                    Locale.ROOT,
                    "    /* %s: %s MSI-X message on vector %d (%s: %s) */\n"
                        + "    g_assert_cmphex(qtest_readl(s, E1KFUZZ_MSIX_MARKER(%d)), ==, %s);\n",
                    ref.id(),
                    sr ? "a" : "no",
                    v,
                    buggy.id(),
                    sb ? "one" : "none",
                    v,
                    sr ? String.format(Locale.ROOT, "0xc0de%04x", v) : "0"),
                o -> ((o.msixMessages() & bit) != 0) == sr));
      }
    }
    if (ob.msiMessage() != or.msiMessage()) {
      c.add(
          new Check(
              String.format(
                  Locale.ROOT,
                  "    /* %s: %s MSI message */\n"
                      + "    g_assert_cmphex(qtest_readl(s, E1KFUZZ_MSI_MARKER), %s, 0);\n",
                  ref.id(),
                  or.msiMessage() ? "an" : "no",
                  or.msiMessage() ? "!=" : "=="),
              o -> o.msiMessage() == or.msiMessage()));
    }
    if (ob.intxLine() != or.intxLine()) {
      c.add(
          new Check(
              String.format(
                  Locale.ROOT,
                  "    /* %s: INTx %s */\n    g_assert_%s(qtest_get_irq(s, E1KFUZZ_INTX_GSI));\n",
                  ref.id(),
                  or.intxLine() ? "asserted" : "deasserted",
                  or.intxLine() ? "true" : "false"),
              o -> o.intxLine() == or.intxLine()));
    }
    if (ob.ims() != or.ims()) {
      c.add(register(ref, "IMS", Reg.IMS, or.ims(), Observation::ims));
    }
    if (ob.pba() != or.pba()) {
      c.add(
          new Check(
              String.format(
                  Locale.ROOT,
                  "    /* %s: MSI-X pending bits */\n"
                      + "    g_assert_cmphex(qtest_readl(s, E1KFUZZ_PBA) & 0x1f, ==, 0x%x);\n",
                  ref.id(),
                  or.pba()),
              o -> o.pba() == or.pba()));
    }
    if (ob.ics() != or.ics()) {
      c.add(register(ref, "ICS (ICR as last raised)", Reg.ICS, or.ics(), Observation::ics));
    }
    return c;
  }

  private static Check register(
      Variant ref,
      String what,
      Reg reg,
      int value,
      java.util.function.ToIntFunction<Observation> field) {
    return new Check(
        String.format(
            Locale.ROOT,
            "    /* %s: %s */\n"
                + "    g_assert_cmphex(qtest_readl(s, E1KFUZZ_BAR0 + 0x%x), ==, 0x%08x);\n",
            ref.id(),
            what,
            reg.offset(),
            value),
        o -> field.applyAsInt(o) == value);
  }

  /**
   * What the test does on each variant of the tree, as the model says: ABORT when QEMU aborts on
   * the way, FAIL when a check does not hold, else PASS ({@code E1KFUZZ_KNOWN_BUGS} set).
   */
  private static String outcome(Variant v, List<Step> steps, int evidenceStep, List<Check> checks) {
    ObservedRun run = ModelObserver.run(v, steps);
    // The checks run at the evidence step: one that fails there ends the test before an abort
    // later in the trace (a driver sequence on 8.1: an EITR echo, then the seed assert).
    if (evidenceStep > 0
        && !checks.isEmpty()
        && evidenceStep <= run.observations().size()
        && (run.abort() == null || evidenceStep < run.abort().step())) {
      Observation o = run.observations().get(evidenceStep - 1);
      if (!checks.stream().allMatch(k -> k.holds().test(o))) {
        return "FAIL";
      }
    }
    List<Step> idle = new ArrayList<>(steps);
    idle.add(new Step.Wait(ObservedRun.SETTLE_NS));
    if (run.abort() != null
        || Runner.runUntilAbort(v, idle, (i, st, t, e, d) -> true).abortSignature() != null) {
      return "ABORT"; // in the trace, or in the idle second the test ends with
    }
    return "PASS";
  }

  // ----------------------------------------------------------------------------------------
  // Which variants a test compares

  /** The release of the tree that shows the trace's finding (newest first), or null. */
  private static Variant buggy(Trace t, Tree tree) {
    if (!expected(t, tree.newest).equals("ok")) {
      return tree.newest;
    }
    for (Variant v : tree.variants) {
      if (!v.id().startsWith("fix-") && !expected(t, v).equals("ok")) {
        return v;
      }
    }
    return null;
  }

  /** A variant without the finding: of the tree first, then any; null if none. */
  private static Variant reference(Trace t, Tree tree) {
    for (Variant v : tree.variants) {
      if (expected(t, v).equals("ok")) {
        return v;
      }
    }
    for (Variant v : Variant.values()) {
      if (expected(t, v).equals("ok")) {
        return v;
      }
    }
    return null;
  }

  private static String expected(Trace t, Variant v) {
    return v == null ? "ok" : t.expectedResult(v).orElse("ok");
  }

  private static int violationStep(Variant v, List<Step> steps, boolean strict) {
    return Runner.run(v, steps, strict) instanceof Outcome.Violated x ? x.step() : -1;
  }

  // ----------------------------------------------------------------------------------------
  // C text

  private static String defines() {
    return String.format(
        Locale.ROOT,
        """
        /* Where e1kfuzz's backend maps the device (00:02.0 on q35) and its memory */
        #define E1KFUZZ_BAR0            0x%xULL
        #define E1KFUZZ_PBA             0x%xULL
        /* MSI-X vector v writes 0xc0de000v here */
        #define E1KFUZZ_MSIX_MARKER(v)  (0x%xULL + 4 * (v))
        #define E1KFUZZ_MSI_MARKER      0x%xULL
        #define E1KFUZZ_RX_RING         0x%xULL /* queue q at + q * 0x1000 */
        #define E1KFUZZ_RX_BUFFERS      0x%xULL /* 2 x 256 buffers of 2 KiB */
        #define E1KFUZZ_INTX_GSI        %d
        #define E1KFUZZ_RDH             (E1KFUZZ_BAR0 + 0x2810)

        """,
        Qtest.BAR0,
        Qtest.PBA,
        Qtest.MSIX_MARKERS,
        Qtest.MSI_MARKER,
        0x22_0000L,
        0x23_0000L,
        Qtest.INTX_PIN);
  }

  /** The helper functions, those the tests use (QEMU builds with -Werror=unused-function). */
  private static String helpers(String tests) {
    Qtest q = new Qtest();
    StringBuilder init = new StringBuilder();
    for (String line : q.preamble()) {
      init.append(cLine(line));
    }
    StringBuilder rings = new StringBuilder();
    for (String line : new Qtest().rings()) {
      rings.append(cLine(line));
    }
    byte[] ack = Qtest.frame(Step.Rx.SMALL_LENGTH, true);
    StringBuilder h = new StringBuilder();
    h.append("/* RX ring q full of 2 KiB buffers */\n")
        .append("static void e1kfuzz_fill_rx_ring(QTestState *s, int q)\n{\n")
        .append("    int i;\n\n")
        .append("    for (i = 0; i < 256; i++) {\n")
        .append("        uint64_t desc[2] = {\n")
        .append("            cpu_to_le64(E1KFUZZ_RX_BUFFERS + (q * 256 + i) * 2048ULL), 0\n")
        .append("        };\n")
        .append("        qtest_memwrite(s, E1KFUZZ_RX_RING + q * 0x1000 + i * 16, desc, 16);\n")
        .append("    }\n}\n\n");
    if (tests.contains("e1kfuzz_rings(s)")) {
      h.append("/* TX and RX ring registers and RX descriptors */\n")
          .append("static void e1kfuzz_rings(QTestState *s)\n{\n")
          .append(rings)
          .append("}\n\n");
    }
    h.append("/* BARs, bus master, MSI-X table (masked), MSI, rings: as at power-on */\n")
        .append("static void e1kfuzz_init(QTestState *s)\n{\n")
        .append(init)
        .append("}\n\n");
    if (tests.contains("e1kfuzz_clear_markers(s)")) {
      h.append("static void e1kfuzz_clear_markers(QTestState *s)\n{\n")
          .append("    qtest_memset(s, E1KFUZZ_MSIX_MARKER(0), 0, 0x18);\n}\n\n");
    }
    if (tests.contains("e1kfuzz_rx(s")) {
      h.append("/* Sends a frame to the device and waits until it is written to ring 0 */\n")
          .append("static void e1kfuzz_rx(QTestState *s, int peer, bool tcp_ack, size_t len)\n{\n")
          .append("    static const uint8_t ack[] = {\n")
          .append(bytes(ack))
          .append("    };\n")
          .append("    uint8_t frame[2048] = { 0 };\n")
          .append("    uint32_t rdh = qtest_readl(s, E1KFUZZ_RDH);\n")
          .append("    int i;\n\n")
          .append("    g_assert(len <= sizeof(frame));\n")
          .append("    memcpy(frame, ack, 12); /* the destination and source MACs */\n")
          .append("    if (tcp_ack) {\n        memcpy(frame, ack, sizeof(ack));\n    }\n")
          .append("    g_assert_cmpint(send(peer, frame, len, 0), ==, len);\n")
          .append("    for (i = 0; i < 5000 && qtest_readl(s, E1KFUZZ_RDH) == rdh; i++) {\n")
          .append("        g_usleep(1000);\n    }\n")
          .append("    g_assert_cmpint(qtest_readl(s, E1KFUZZ_RDH), !=, rdh);\n}\n\n");
    }
    h.append("static QTestState *e1kfuzz_start(int *peer)\n{\n")
        .append("    QTestState *s;\n    int sv[2];\n\n")
        .append("    g_assert_cmpint(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), ==, 0);\n")
        .append("    s = qtest_initf(\"-M q35 -nodefaults \"\n")
        .append("                    \"-netdev socket,fd=%d,id=n0 \"\n")
        .append("                    \"-device e1000e,addr=0x2,romfile=,netdev=n0,\"\n")
        .append("                    \"mac=")
        .append(Qtest.MAC)
        .append("\", sv[1]);\n")
        .append("    close(sv[1]);\n")
        .append("    *peer = sv[0];\n")
        .append("    qtest_irq_intercept_in(s, \"ioapic\");\n")
        .append("    e1kfuzz_init(s);\n")
        .append("    return s;\n}\n\n");
    return h.toString();
  }

  private static String bytes(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < b.length; i += 12) {
      sb.append("        ");
      for (int j = i; j < Math.min(b.length, i + 12); j++) {
        sb.append(String.format(Locale.ROOT, "0x%02x,", b[j] & 0xff));
        if (j + 1 < Math.min(b.length, i + 12)) {
          sb.append(' ');
        }
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /** One qtest protocol line as a libqtest call, with the register it names. */
  static String cLine(String line) {
    String[] f = line.split(" ");
    switch (f[0]) {
      case "writel":
        return "    qtest_writel(s, " + f[1] + ", " + f[2] + ");" + name(f[1]) + "\n";
      case "readl":
        return "    qtest_readl(s, " + f[1] + ");" + name(f[1]) + "\n";
      case "outl":
        return "    qtest_outl(s, " + f[1] + ", " + f[2] + ");" + port(f[1]) + "\n";
      case "outw":
        return "    qtest_outw(s, " + f[1] + ", " + f[2] + ");" + port(f[1]) + "\n";
      case "write":
        long addr = Long.decode(f[1]);
        if (addr == 0x22_0000L || addr == 0x22_1000L) {
          return "    e1kfuzz_fill_rx_ring(s, " + (addr - 0x22_0000L) / 0x1000 + ");\n";
        }
        String hex = f[3].substring(2);
        StringBuilder sb =
            new StringBuilder("    qtest_memwrite(s, " + f[1] + ", (const uint8_t[]) {");
        for (int i = 0; i < hex.length(); i += 2) {
          sb.append(i % 16 == 0 ? "\n        " : " ")
              .append("0x")
              .append(hex, i, i + 2)
              .append(',');
        }
        return sb.append("\n    }, ").append(f[2]).append(");\n").toString();
      default:
        throw new IllegalArgumentException("no libqtest call for: " + line);
    }
  }

  /** " /* NAME *\/" for a BAR0 register address, else "". */
  private static String name(String addr) {
    long a = Long.decode(addr);
    if (a >= Qtest.BAR0 && a < Qtest.BAR0 + 0x20000) {
      Reg r = Reg.targetAt((int) (a - Qtest.BAR0));
      if (r != null) {
        return " /* " + r.name() + " */";
      }
      if (a - Qtest.BAR0 == 0x2810) {
        return " /* RDH */";
      }
    } else if (a >= Qtest.BAR3 && a < Qtest.BAR3 + 0x50) {
      return " /* MSI-X table */";
    }
    return "";
  }

  private static String port(String p) {
    return p.equals("0xcf8") ? " /* PCI config address */" : " /* PCI config data */";
  }

  static String cName(String name) {
    String s = name.replaceFirst("\\.trace$", "").replaceAll("[^A-Za-z0-9]", "_");
    return Character.isDigit(s.charAt(0)) ? "t_" + s : s;
  }

  private static String wrap(String text, int width) {
    StringBuilder out = new StringBuilder();
    StringBuilder line = new StringBuilder();
    for (String w : text.split(" ")) {
      if (line.length() > 0 && line.length() + 1 + w.length() > width) {
        out.append(line).append('\n');
        line.setLength(0);
      }
      line.append(line.length() > 0 ? " " : "").append(w);
    }
    return out.append(line).append('\n').toString();
  }

  private static String wrapComment(String text) {
    StringBuilder out = new StringBuilder();
    for (String l : wrap(text, 74).split("\n")) {
      out.append(" * ").append(l).append('\n');
    }
    return out.toString();
  }
}
