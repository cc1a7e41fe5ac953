package e1kfuzz.timing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import e1kfuzz.cli.Main;
import e1kfuzz.corpus.TraceFiles;
import e1kfuzz.model.E1000eCore;
import e1kfuzz.model.Reg;
import e1kfuzz.model.Runner;
import e1kfuzz.model.Step;
import e1kfuzz.model.Trace;
import e1kfuzz.model.TraceParser;
import e1kfuzz.model.Variant;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Robustifier} on the corpus, its rewrites one by one, and the {@code robustify} command.
 */
class RobustifierTest {
  static final long MARGIN = Robustness.DEFAULT_MARGIN_NS;
  static final Path CORPUS = Paths.get("..", "corpus");

  @TempDir Path dir;

  static List<Path> corpus() throws Exception {
    try (Stream<Path> s = Files.list(CORPUS)) {
      return s.filter(p -> p.toString().endsWith(".trace")).sorted().toList();
    }
  }

  static Trace read(String name) throws Exception {
    return TraceFiles.read(CORPUS.resolve(name));
  }

  static String firstProblem(List<Step> steps, long margin) {
    for (Variant v : Variant.values()) {
      String m = Robustness.check(v, steps, margin);
      if (m != null) {
        return v.id() + ": " + m;
      }
    }
    return null;
  }

  /** Robust on every variant, every outcome kept, and the input's @expect lines still met. */
  static void assertRobustAndSame(Trace input, Robustifier.Result r) {
    assertTrue(r.robust(), () -> "not robust: " + r.reason());
    assertNull(r.reason());
    assertNull(
        firstProblem(r.steps(), MARGIN),
        () -> String.join("\n", r.steps().stream().map(Step::format).toList()));
    for (Variant v : Variant.values()) {
      String before = Runner.run(v, input.steps(), false).result();
      assertEquals(before, Runner.run(v, r.steps(), false).result(), v.id());
      input
          .expectedResult(v)
          .ifPresent(e -> assertEquals(e, before, "the corpus expectation of " + v.id()));
    }
  }

  @TestFactory
  Stream<DynamicTest> everyNonRobustCorpusTraceIsMadeRobustOrGivesAReason() throws Exception {
    List<Path> files = corpus();
    assertTrue(files.size() >= 30, "the corpus is there: " + files);
    return files.stream()
        .map(
            f ->
                DynamicTest.dynamicTest(
                    f.getFileName().toString(),
                    () -> {
                      Trace t = TraceFiles.read(f);
                      Robustifier.Result r = Robustifier.robustify(t.steps(), MARGIN);
                      if (firstProblem(t.steps(), MARGIN) == null) {
                        assertEquals(Robustifier.Status.ALREADY_ROBUST, r.status());
                        assertEquals(t.steps(), r.steps());
                        return;
                      }
                      if (r.status() == Robustifier.Status.ROBUSTIFIED) {
                        assertRobustAndSame(t, r);
                        assertFalse(r.rewrites().isEmpty());
                        assertFalse(
                            r.steps().stream().anyMatch(s -> s instanceof Step.Expire),
                            "no expire is robust");
                      } else {
                        assertEquals(Robustifier.Status.NOT_ROBUST, r.status());
                        assertNotNull(r.reason());
                        assertFalse(r.reason().isBlank());
                      }
                    }));
  }

  @Test
  void theFourNamedTracesBecomeRobust() throws Exception {
    for (String name :
        List.of(
            "s2-itr-race.trace",
            "itr-race-default.trace",
            "rx-radv-race.trace",
            "s1-ics-lsc.trace")) {
      Trace t = read(name);
      Robustifier.Result r = Robustifier.robustify(t.steps(), MARGIN);
      assertRobustAndSame(t, r);
    }
    // s2-itr-race writes ITR = 0xffff (16.8 ms) itself and waits 100 ms: it needs nothing.
    assertEquals(
        Robustifier.Status.ALREADY_ROBUST,
        Robustifier.robustify(read("s2-itr-race.trace").steps(), MARGIN).status());
  }

  @Test
  void expireBecomesAWaitAMarginAfterTheDeadlineAndShortDelaysAreScaled() throws Exception {
    Trace t = read("rx-radv-race.trace");
    Robustifier.Result r = Robustifier.robustify(t.steps(), MARGIN);
    assertEquals(Robustifier.Status.ROBUSTIFIED, r.status());
    List<Step> s = r.steps();
    assertEquals(t.steps().size(), s.size(), "nothing inserted: " + s);
    // RADV 0x100 (262 us) scaled to at least the margin; RDTR 0xffff stays.
    Step.Write radv = (Step.Write) s.get(1);
    assertEquals(Reg.RADV.offset(), radv.offset());
    assertTrue((radv.value() & 0xffff) * 1024L >= MARGIN, radv.format());
    assertEquals(t.steps().get(0), s.get(0));
    // The expire is a wait that ends at least a margin after RADV fires, and before RDTR's margin.
    Step.Wait w = (Step.Wait) s.get(5);
    long radvDeadline = (radv.value() & 0xffff) * 1024L;
    assertTrue(w.ns() >= radvDeadline + MARGIN, w.format());
    assertTrue(w.ns() <= 0xffffL * 1024 - MARGIN, w.format());
    assertEquals("was 'expire radv'", r.lines().get(5).note());
    assertTrue(r.lines().stream().allMatch(l -> l.origin() >= 0), "nothing inserted");
  }

  @Test
  void theDefaultThrottlingPeriodGetsAnInsertedWriteAtTheStart() throws Exception {
    Trace t = read("itr-race-default.trace");
    Robustifier.Result r = Robustifier.robustify(t.steps(), MARGIN);
    assertRobustAndSame(t, r);
    Robustifier.Line first = r.lines().get(0);
    assertEquals(-1, first.origin());
    Step.Write itr = (Step.Write) first.step();
    assertEquals(Reg.ITR.offset(), itr.offset());
    assertTrue(itr.value() * 256L >= MARGIN, itr.format());
    assertTrue(first.note().contains("default 128us"), first.note());
    // The wait that saw the 128 us ITR fire now ends a margin after the scaled ITR period.
    Step last = r.steps().get(r.steps().size() - 1);
    assertTrue(((Step.Wait) last).ns() >= itr.value() * 256L + MARGIN, last.format());

    Trace eitr = read("s1-ics-lsc.trace");
    Robustifier.Result e = Robustifier.robustify(eitr.steps(), MARGIN);
    assertRobustAndSame(eitr, e);
    Step.Write w = (Step.Write) e.steps().get(0);
    assertEquals(Reg.EITR2.offset(), w.offset(), w.format());
    // Only the EITR2 write is new; a wait may be retimed (on fix-throttle OTHER stays active, so
    // EITR2 sends again every period and the 100 ms wait must end between two of them).
    List<Step> rest = e.steps().subList(1, e.steps().size());
    assertEquals(eitr.steps().size(), rest.size(), "only the EITR2 write is new");
    for (int i = 0; i < rest.size(); i++) {
      if (!(eitr.steps().get(i) instanceof Step.Wait)) {
        assertEquals(eitr.steps().get(i), rest.get(i), "step " + (i + 1));
      }
    }
  }

  @Test
  void waitsEndingOnADeadlineMoveBetweenTheDeadlinesWithMarginFromBoth() throws Exception {
    // TIDV 0x2000 (8.4 ms), TADV 0x8000 (33.6 ms): the first wait ends exactly on TIDV's deadline.
    List<Step> steps =
        parse(
            "write TIDV 0x2000",
            "write TADV 0x8000",
            "write TCTL 0xa",
            "tx ide",
            "wait 8388608ns",
            "tx ide",
            "wait 100ms");
    assertNotNull(firstProblem(steps, MARGIN));
    Robustifier.Result r = Robustifier.robustify(steps, MARGIN);
    assertEquals(Robustifier.Status.ROBUSTIFIED, r.status(), r.reason());
    long end = ((Step.Wait) r.steps().get(4)).ns();
    assertTrue(end >= 0x2000L * 1024 + MARGIN, r.steps().get(4).format());
    assertTrue(end <= 0x8000L * 1024 - MARGIN, r.steps().get(4).format());
    assertEquals(
        steps.subList(0, 4), r.steps().subList(0, 4), "the periods were long enough already");
    assertEquals(
        Step.formatDuration(end),
        Step.formatDuration(end / 1_000_000 * 1_000_000),
        "rounded to whole ms");
  }

  @Test
  void aZeroPeriodCannotBeScaledAndIsReported() throws Exception {
    Trace t = read("tidv0-race.trace");
    Robustifier.Result r = Robustifier.robustify(t.steps(), MARGIN);
    assertEquals(Robustifier.Status.NOT_ROBUST, r.status());
    assertTrue(r.reason().contains("tidv is due 0ns after step 3"), r.reason());
    assertTrue(r.reason().contains("period 0"), r.reason());
  }

  @Test
  void aMarginBeyondTheLargestThrottlingPeriodIsReported() throws Exception {
    // ITR/EITR cannot exceed 0xffff * 256 ns = 16.8 ms.
    Trace t = read("itr-race-default.trace");
    Robustifier.Result r = Robustifier.robustify(t.steps(), 20_000_000);
    assertEquals(Robustifier.Status.NOT_ROBUST, r.status());
    assertTrue(r.reason().contains("itr"), r.reason());
  }

  @Test
  void oneVariantOnlyKeepsThatVariantsOutcome() throws Exception {
    Trace t = read("tadv-race.trace");
    for (Variant v : Variant.values()) {
      Robustifier.Result r = Robustifier.robustify(t.steps(), List.of(v), MARGIN);
      assertTrue(r.robust(), v.id() + ": " + r.reason());
      assertNull(Robustness.check(v, r.steps(), MARGIN), v.id());
      assertEquals(
          Runner.run(v, t.steps(), false).result(),
          Runner.run(v, r.steps(), false).result(),
          v.id());
    }
  }

  @Test
  void theOrderOfTimerEventsIsKept() throws Exception {
    for (String name :
        List.of(
            "rx-radv-race.trace",
            "tadv-race.trace",
            "link-autoneg-after-switch.trace",
            "rx-ack-race.trace")) {
      Trace t = read(name);
      Robustifier.Result r = Robustifier.robustify(t.steps(), MARGIN);
      assertTrue(r.robust(), name + ": " + r.reason());
      for (Variant v : Variant.values()) {
        assertEquals(firedTimers(v, t.steps()), firedTimers(v, r.steps()), name + " on " + v.id());
      }
    }
  }

  @Test
  void roundingPrefersWholeMillisecondsInsideTheWindow() {
    assertEquals(11_000_000, Robustifier.round(10_120_000, 10_120_000, Long.MAX_VALUE));
    assertEquals(10_200_000, Robustifier.round(10_120_000, 10_120_000, 10_900_000));
    assertEquals(10_121_000, Robustifier.round(10_120_500, 10_120_500, 10_121_400));
    assertEquals(0, Robustifier.round(0, 0, 7_000_000));
  }

  static List<String> firedTimers(Variant v, List<Step> steps) {
    E1000eCore core = v.newCore();
    List<String> out = new java.util.ArrayList<>();
    core.setEventSink(
        e -> {
          if (e instanceof e1kfuzz.model.Event.TimerFired f) {
            out.add(f.timer().traceName());
          }
        });
    for (Step s : steps) {
      core.step(s);
      if (core.abortSignature() != null) {
        break;
      }
    }
    return out;
  }

  static List<Step> parse(String... lines) throws Exception {
    return TraceParser.parse("<test>", String.join("\n", lines)).steps();
  }

  // ------------------------------------------------------------------------------------------
  // The command, as CliTest drives the others.

  record Result(int code, String out, String err) {}

  static Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
    return new Result(code, out.toString(), err.toString());
  }

  Path copy(String name) throws Exception {
    Path p = dir.resolve(name);
    Files.copy(CORPUS.resolve(name), p);
    return p;
  }

  @Test
  void robustifyWritesNextToTheInputAndExitsZeroEightOrTwo() throws Exception {
    Path in = copy("rx-radv-race.trace");
    String original = Files.readString(in);
    Result r = run("robustify", in.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    Path outFile = dir.resolve("rx-radv-race.robust.trace");
    assertTrue(r.out().contains("wrote " + outFile), r.out());
    assertEquals(original, Files.readString(in), "the input is untouched");
    String text = Files.readString(outFile);
    Trace in0 = TraceFiles.read(in);
    Trace written = TraceFiles.read(outFile);
    assertEquals(
        in0.header(), written.header().subList(0, in0.header().size()), "input header kept");
    assertEquals(in0.header().size() + 1, written.header().size());
    assertTrue(
        written
            .header()
            .get(in0.header().size())
            .startsWith("robustified for real-time replay, margin 5ms"),
        text);
    assertEquals(in0.expectations(), written.expectations(), "@expect lines unchanged");
    assertTrue(text.contains("# was 'expire radv'"), text);
    assertNull(firstProblem(written.steps(), MARGIN), text);
    assertEquals(
        0,
        run("replay", outFile.toString(), "--variant", "all", "--summary").code(),
        "its @expect lines hold");

    // Again: same content, nothing replaced.
    Result again = run("robustify", in.toString());
    assertEquals(0, again.code());
    assertTrue(again.out().contains("already there: " + outFile), again.out());

    // Never over the input, never over a different file.
    assertEquals(2, run("robustify", in.toString(), "-o", in.toString()).code());
    Path other = dir.resolve("other.trace");
    Files.writeString(other, "reset\n");
    Result clash = run("robustify", in.toString(), "-o", other.toString());
    assertEquals(2, clash.code());
    assertTrue(clash.err().contains("exists with different content"), clash.err());
    assertEquals("reset\n", Files.readString(other));

    // Already robust: nothing to write.
    Path robust = copy("s2-itr-race.trace");
    Result already = run("robustify", robust.toString());
    assertEquals(0, already.code());
    assertTrue(already.out().contains("already timing-robust"), already.out());
    assertFalse(Files.exists(dir.resolve("s2-itr-race.robust.trace")));

    // Cannot be made robust: exit 8 (not a violation), the reason, no file.
    Path zero = copy("tidv0-race.trace");
    Result no = run("robustify", zero.toString());
    assertEquals(e1kfuzz.cli.ExitCodes.NOT_ROBUST, no.code(), no.out() + no.err());
    assertTrue(no.out().contains("tidv is due 0ns"), no.out());
    assertFalse(Files.exists(dir.resolve("tidv0-race.robust.trace")));

    // Bad input and bad options: exit 2.
    Path bad = dir.resolve("bad.trace");
    Files.writeString(bad, "reset\nwrite ICS 0xzz\n");
    Result b = run("robustify", bad.toString());
    assertEquals(2, b.code());
    assertTrue(b.err().contains(bad + ":2:11: bad number: '0xzz'"), b.err());
    assertEquals(2, run("robustify", dir.resolve("nope.trace").toString()).code());
    assertEquals(2, run("robustify", in.toString(), "--margin", "5").code());
    assertEquals(2, run("robustify", in.toString(), "--variant", "qemu-9").code());

    // One variant, another margin, another name.
    Path o = dir.resolve("out.trace");
    Result one =
        run(
            "robustify",
            in.toString(),
            "--variant",
            "qemu-8.1",
            "--margin",
            "10ms",
            "-o",
            o.toString());
    assertEquals(0, one.code(), one.out() + one.err());
    assertNull(Robustness.check(Variant.QEMU_8_1, TraceFiles.read(o).steps(), 10_000_000));
    assertTrue(Files.readString(o).contains("margin 10ms (kept for qemu-8.1 only)"));
  }
}
