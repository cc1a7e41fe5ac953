package e1kfuzz.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import e1kfuzz.corpus.TraceFiles;
import e1kfuzz.export.QtestCExport.Named;
import e1kfuzz.export.QtestCExport.Tree;
import e1kfuzz.model.Trace;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What the C export writes, read as text: which check each finding gets, which tests are skipped as
 * known bugs, and a patch whose hunks are well formed. Whether the C compiles in QEMU's trees and
 * fails exactly where the bugs are is {@code make qemu-check}'s part (see the README).
 */
class QtestCExportTest {
  private static Named corpus(String name) throws Exception {
    return new Named(name, TraceFiles.read(Path.of("../corpus", name)));
  }

  /** The text of one test function. */
  private static String test(String file, String fn) {
    int start = file.indexOf("static void test_" + fn + "(void)");
    assertTrue(start >= 0, fn + " missing");
    return file.substring(start, file.indexOf("\n}\n", start));
  }

  @Test
  void theSeedRaceChecksThatQemuSurvivesAndNamesTheFixItGuards() throws Exception {
    for (Tree tree : Tree.values()) {
      String c = QtestCExport.testFile(List.of(corpus("s1-tidv-race.trace")), tree);
      String t = test(c, "s1_tidv_race");
      assertFalse(t.contains("g_test_skip"), tree + ": fixed in the newest release: runs always");
      assertTrue(t.contains("qtest_clock_step(s, "), t);
      assertTrue(t.contains("g_assert_true(qtest_probe_child(s));"), t);
      assertTrue(c.contains("Guards 8e4649cac9"), c);
      assertTrue(c.contains("qtest_add_func(\"e1000e-e1kfuzz/s1_tidv_race\",\n"), c);
    }
  }

  @Test
  void theParkedAckChecksTheOtherVectorsPendingBitAndIsAKnownBugOnTen() throws Exception {
    String c = QtestCExport.testFile(List.of(corpus("rx-ack-race.trace")), Tree.TRIXIE);
    String t = test(c, "rx_ack_race");
    assertTrue(t.contains("g_test_skip(\"legacy-cause-over-msix\"\n"), t);
    assertTrue(t.contains("\" is not fixed in qemu-10.2\");"), t);
    assertTrue(t.contains("e1kfuzz_rx(s, peer, true, 60);"), t);
    // At the step where qemu-10.2 parks OTHER's pending bit, a fixed device has none.
    int step8 = t.indexOf("/* step 8: wait 100ms */");
    int check = t.indexOf("g_assert_cmphex(qtest_readl(s, E1KFUZZ_PBA) & 0x1f, ==, 0x0);");
    assertTrue(step8 > 0 && check > step8 && check < t.indexOf("/* step 9"), t);
    assertTrue(t.indexOf("e1kfuzz_clear_markers(s);") < step8, "markers cleared before it");
  }

  @Test
  void aDeliveryFindingChecksTheMessageThatMustNotCome() throws Exception {
    String c = QtestCExport.testFile(List.of(corpus("delivery-eitr-echo.trace")), Tree.TRIXIE);
    String t = test(c, "delivery_eitr_echo");
    assertTrue(t.contains("g_assert_cmphex(qtest_readl(s, E1KFUZZ_MSIX_MARKER(2)), ==, 0);"), t);
    assertTrue(t.contains("fix-throttle: no MSI-X message on vector 2 (qemu-10.2: one)"), t);
  }

  @Test
  void onEachTreeTheS2TraceIsAKnownBugOfItsOwnKind() throws Exception {
    Named s2 = corpus("s2-itr-race.trace");
    String old = test(QtestCExport.testFile(List.of(s2), Tree.BOOKWORM), "s2_itr_race");
    assertTrue(old.contains("g_test_skip(\"assert:itr-timer-under-msix\""), old);
    // On 10.0 no release aborts, but 8.1+ assert INTx under MSI-X there: that is checked instead.
    String c = QtestCExport.testFile(List.of(s2), Tree.TRIXIE);
    String t = test(c, "s2_itr_race");
    assertTrue(t.contains("g_test_skip(\"intx-under-msix\""), t);
    assertTrue(t.contains("g_assert_false(qtest_get_irq(s, E1KFUZZ_INTX_GSI));"), t);
  }

  /**
   * The hibernation driver sequence aborts qemu-8.1 late, but its test checks an EITR echo first:
   * on 8.1 the check fails before the abort, so qemu-check must expect FAIL, not ABORT (found by
   * make qemu-check on the driver scenarios).
   */
  @Test
  void aCheckThatFailsBeforeALaterAbortIsAFail() throws Exception {
    String patch =
        QtestCExport.patch(
            List.of(corpus("assert-collect-delayed-causes-372241f4535e.trace")), Tree.TRIXIE);
    assertTrue(
        patch.contains("e1kfuzz-expect: assert_collect_delayed_causes_372241f4535e qemu-8.1=FAIL"),
        patch.lines().filter(l -> l.contains("e1kfuzz-expect")).toList().toString());
  }

  @Test
  void framesTheNetLayerHoldsAreNotExported() throws Exception {
    Trace held = TraceFiles.read(Path.of("../corpus/rx-held-ctrl-rst-drops-two.trace"));
    assertNotNull(QtestCExport.unsupported(held, Tree.TRIXIE));
    assertNull(QtestCExport.unsupported(corpus("rx-ack-race.trace").trace(), Tree.TRIXIE));
  }

  @Test
  void thePatchHunksCountTheirLinesAndCarryTheFileAndTheMesonLine() throws Exception {
    List<Named> traces = List.of(corpus("s1-tidv-race.trace"), corpus("rx-ack-race.trace"));
    for (Tree tree : Tree.values()) {
      String p = QtestCExport.patch(traces, tree);
      assertTrue(p.startsWith("From 0000000000000000000000000000000000000000 Mon Sep 17"), p);
      assertTrue(p.contains("Subject: [PATCH] tests/qtest: add e1000e interrupt race"), p);
      assertTrue(p.contains("Regression test for 8e4649cac9"), p);
      assertTrue(
          p.contains(
              "+  (config_all_devices.has_key('CONFIG_E1000E_PCI_EXPRESS') ?"
                  + " ['e1000e-e1kfuzz-test'] : []) +\\\n"),
          p);
      String[] lines = p.substring(p.indexOf("\ndiff --git")).split("\n");
      Pattern hunk = Pattern.compile("^@@ -\\d+(?:,(\\d+))? \\+\\d+,(\\d+) @@");
      int hunks = 0;
      for (int i = 0; i < lines.length; i++) {
        Matcher m = hunk.matcher(lines[i]);
        if (!m.find()) {
          continue;
        }
        hunks++;
        int oldCount = m.group(1) == null ? 1 : Integer.parseInt(m.group(1));
        int newCount = Integer.parseInt(m.group(2));
        int o = 0;
        int n = 0;
        int j = i + 1;
        while (o < oldCount || n < newCount) {
          char k = lines[j++].charAt(0);
          o += k == '+' ? 0 : 1;
          n += k == '-' ? 0 : 1;
        }
        assertEquals(oldCount, o, tree + " hunk at line " + i);
        assertEquals(newCount, n, tree + " hunk at line " + i);
      }
      assertEquals(2, hunks, p);
      String file = QtestCExport.testFile(traces, tree);
      assertTrue(p.contains("+" + file.replace("\n", "\n+").substring(0, 200)), "the file as is");
    }
  }

  @Test
  void protocolLinesBecomeLibqtestCallsWithTheRegisterTheyName() {
    assertEquals(
        "    qtest_writel(s, 0xe0000400, 0x2); /* TCTL */\n",
        QtestCExport.cLine("writel 0xe0000400 0x2"));
    assertEquals(
        "    qtest_outw(s, 0xcfe, 0x8000); /* PCI config data */\n",
        QtestCExport.cLine("outw 0xcfe 0x8000"));
    assertEquals("s1_tidv_race", QtestCExport.cName("s1-tidv-race.trace"));
    assertEquals("t_1x", QtestCExport.cName("1x.trace"));
  }

  /** QEMU's checkpatch.pl warns past 80 columns and refuses past 90: the file stays within 80. */
  @Test
  void everyLineOfTheCorpusExportFitsEightyColumns() throws Exception {
    List<Named> all = new java.util.ArrayList<>();
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.list(Path.of("../corpus"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".trace")).sorted().toList()) {
        Named n = new Named(f.getFileName().toString(), TraceFiles.read(f));
        if (QtestCExport.unsupported(n.trace(), Tree.TRIXIE) == null) {
          all.add(n);
        }
      }
    }
    assertTrue(all.size() > 40, "most of the corpus exports: " + all.size());
    for (Tree tree : Tree.values()) {
      for (String line : QtestCExport.testFile(all, tree).split("\n")) {
        assertTrue(line.length() <= 80, tree + ": " + line.length() + " columns: " + line);
      }
    }
  }

  @Test
  void aTraceWithATimerDueAtTheInstantOfAStepIsNotExported() throws Exception {
    String why = QtestCExport.unsupported(corpus("tidv0-race.trace").trace(), Tree.TRIXIE);
    assertTrue(
        why != null && why.contains("QEMU under qtest runs it before the next command"), why);
  }
}
