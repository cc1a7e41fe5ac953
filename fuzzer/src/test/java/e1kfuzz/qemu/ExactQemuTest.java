package e1kfuzz.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import e1kfuzz.corpus.TraceFiles;
import e1kfuzz.diff.Differ;
import e1kfuzz.diff.RealChecks;
import e1kfuzz.engine.Campaign;
import e1kfuzz.engine.CampaignOptions;
import e1kfuzz.engine.Finding;
import e1kfuzz.engine.GeneratorOptions;
import e1kfuzz.model.Step;
import e1kfuzz.model.Trace;
import e1kfuzz.model.TraceParser;
import e1kfuzz.model.Variant;
import e1kfuzz.observe.ModelObserver;
import e1kfuzz.observe.ObservedRun;
import e1kfuzz.timing.Robustness;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every variant's model against its exact build ({@code make qemu-src}: Debian's QEMU source with
 * the qtest accelerator, patched per variant): the corpus and the findings of a seeded campaign
 * must give the same observations after every step and the same abort. Skipped, visibly, without
 * the builds.
 */
class ExactQemuTest {
  private static final Map<Variant, QemuBuild> BUILDS = new ConcurrentHashMap<>();
  private static final Map<Variant, QemuBackend> RUNNERS = new ConcurrentHashMap<>();
  private static final java.util.Set<Variant> WARNED = ConcurrentHashMap.newKeySet();

  /** The exact build of {@code v}; aborts the test (skip) with the reason when there is none. */
  static QemuBuild exact(Variant v) {
    Path p = QemuBuild.exact(v).orElse(null);
    if (p == null && WARNED.add(v)) {
      System.err.println(
          "ExactQemuTest: no exact build of "
              + v.id()
              + " ("
              + QemuBuild.exactLauncher(v)
              + ") in "
              + QemuBuild.cacheDir()
              + "; its tests are SKIPPED. Run 'make qemu-src' to build it.");
    }
    Assumptions.assumeTrue(
        p != null,
        () ->
            "no exact build of "
                + v.id()
                + " in "
                + QemuBuild.cacheDir()
                + ": run 'make qemu-src' (skipping)");
    QemuBuild b =
        BUILDS.computeIfAbsent(
            v,
            x -> {
              try {
                return QemuBuild.probe(p);
              } catch (QemuUnavailableException e) {
                return null;
              }
            });
    Assumptions.assumeTrue(b != null, () -> QemuBuild.exactLauncher(v) + " is unusable");
    assertEquals(
        v, b.variant(), () -> p + ": its marker names " + b.variant().id() + ", not " + v.id());
    assertTrue(b.qtestAccel(), () -> p + " has no qtest accelerator");
    return b;
  }

  /** One reused QEMU per build, as campaigns use them (traces run in a fixed order). */
  static QemuBackend runner(Variant v) {
    QemuBuild b = exact(v);
    return RUNNERS.computeIfAbsent(v, x -> new QemuBackend(b, true));
  }

  @AfterAll
  static void stopQemus() {
    RUNNERS.values().forEach(QemuBackend::close);
    RUNNERS.clear();
  }

  /** Runs {@code steps} on the model of {@code v} and on its exact build and asserts they agree. */
  static ObservedRun assertAgrees(Variant v, List<Step> steps) throws Exception {
    String unsupported = Qtest.firstUnsupported(steps);
    Assumptions.assumeTrue(unsupported == null, () -> "not replayable: " + unsupported);
    String fragile = Robustness.checkExact(v, steps);
    Assumptions.assumeTrue(fragile == null, () -> "not exact-robust: " + fragile);
    ObservedRun model = ModelObserver.run(v, steps);
    ObservedRun run = runner(v).run(steps);
    assertNull(run.failure(), () -> "backend failure: " + run.failure());
    Differ.Divergence d = Differ.compare(model, run);
    assertNull(d, () -> d.describe() + "\n" + Differ.timelines(steps, model, run));
    // The model-free delivery checks conclude the same from QEMU's observations as from the
    // model's: the same findings at the same steps.
    assertEquals(
        RealChecks.check(steps, model).stream().map(RealChecks.Finding::describe).toList(),
        RealChecks.check(steps, run).stream().map(RealChecks.Finding::describe).toList());
    return run;
  }

  /**
   * A wait moves QEMU's clock past the timer deadlines where the shadow shows nothing in one step
   * with the next one that matters. An interrupt QEMU sends at such a deadline must still be seen:
   * here 10.2's EITR echo (a message at 128 us) under a fix-throttle shadow, which predicts none.
   */
  @Test
  void anInterruptWhereTheShadowExpectsNoneIsSeen() throws Exception {
    QemuBuild b = exact(Variant.QEMU_10_2);
    QemuBuild misnamed =
        new QemuBuild(
            b.path(),
            b.executable(),
            b.versionLine(),
            b.version(),
            Variant.FIX_THROTTLE,
            null,
            true);
    List<Step> steps = TraceFiles.read(Path.of("../corpus/delivery-eitr-echo.trace")).steps();
    ObservedRun run = QemuBackend.runOnce(misnamed, steps);
    assertNull(run.failure(), () -> "backend failure: " + run.failure());
    Differ.Divergence d = Differ.compare(ModelObserver.run(Variant.FIX_THROTTLE, steps), run);
    assertNotNull(d, "10.2's echo went unseen");
    assertEquals(steps.size(), d.step(), d::describe);
    // And QEMU alone still shows it as what it is.
    assertEquals(
        List.of("delivery:spurious-interrupt"),
        RealChecks.check(steps, run).stream().map(f -> f.signature().id()).toList());
  }

  @TestFactory
  Stream<DynamicNode> everyCorpusTraceAgreesWithEachVariantsExactBuild() throws Exception {
    List<Path> files = RealQemuTest.corpus();
    return Stream.of(Variant.values())
        .map(
            v ->
                DynamicContainer.dynamicContainer(
                    v.id(),
                    files.stream()
                        .map(
                            f ->
                                DynamicTest.dynamicTest(
                                    f.getFileName().toString(),
                                    () -> {
                                      exact(v);
                                      Trace t = TraceFiles.read(f);
                                      ObservedRun run = assertAgrees(v, t.steps());
                                      // The corpus names the first violation: an assert must be
                                      // QEMU's abort too, and a
                                      // clean trace must not abort (after another violation the run
                                      // may go on to an abort).
                                      String expected = t.expectedResult(v).orElseThrow();
                                      if (expected.startsWith("assert:") || expected.equals("ok")) {
                                        assertEquals(
                                            expected.startsWith("assert:") ? expected : null,
                                            run.abortId());
                                      }
                                    }))));
  }

  /** The findings of {@code e1kfuzz fuzz --variant all --seed 1 --runs 20000}. */
  static List<Finding> seededFindings() throws Exception {
    CampaignOptions o =
        new CampaignOptions(
            List.of(Variant.values()),
            1,
            20_000,
            null,
            1,
            GeneratorOptions.defaults(),
            false,
            0,
            1);
    return new Campaign(o).run(p -> {}).findings();
  }

  @TestFactory
  Stream<DynamicNode> findingsOfASeededCampaignAgreeWithEachVariantsExactBuild() throws Exception {
    List<Finding> findings = seededFindings();
    assertTrue(
        findings.size() >= 4, "the seeded campaign found only " + findings.size() + " findings");
    return Stream.of(Variant.values())
        .map(
            v ->
                DynamicContainer.dynamicContainer(
                    v.id(),
                    findings.stream()
                        .map(
                            f ->
                                DynamicTest.dynamicTest(
                                    f.variant().id()
                                        + " "
                                        + f.signature().id()
                                        + " (run "
                                        + f.run()
                                        + ")",
                                    () -> {
                                      exact(v);
                                      assertAgrees(v, f.shrunk().steps());
                                    }))));
  }

  /**
   * The shortest counterexamples of {@code explore} (default alphabet, depth 6) replay on each
   * variant's exact build with the same observations, and an assert is QEMU's abort too.
   */
  @TestFactory
  Stream<DynamicNode> exploreCounterexamplesAgreeWithEachVariantsExactBuild() {
    return Stream.of(Variant.values())
        .map(
            v -> {
              e1kfuzz.engine.Explorer.Result r =
                  e1kfuzz.engine.Explorer.explore(
                      new e1kfuzz.engine.Explorer.Options(
                          v, 6, false, e1kfuzz.engine.Alphabet.defaultAlphabet(), 2, 10_000_000),
                      null,
                      () -> false);
              return DynamicContainer.dynamicContainer(
                  v.id() + " (" + r.shortest().size() + " counterexamples)",
                  r.shortest().values().stream()
                      .map(
                          c ->
                              DynamicTest.dynamicTest(
                                  c.signature().id() + " in " + c.steps().size() + " steps",
                                  () -> {
                                    exact(v);
                                    ObservedRun run = assertAgrees(v, c.steps());
                                    if (c.signature().id().startsWith("assert:")) {
                                      assertEquals(
                                          c.signature().id(),
                                          run.abortId(),
                                          "QEMU must abort on the same assert");
                                      assertEquals(c.steps().size(), run.abortStep());
                                    }
                                  })));
            });
  }

  /**
   * A reused QEMU (system_reset and the preamble between traces, the held frames drained) gives
   * exactly what a fresh process gives: the same observations and abort for every corpus trace, run
   * back to back in corpus order, on every exact build. Only an abort (in the trace or while the
   * idle guest settles) or, on 7.2, a pending flag that outlives the reset retires the process.
   * (QEMU's timer trace events are read from stderr asynchronously, for display only, so they are
   * not compared.)
   */
  @Test
  void reusedQemuGivesTheSameRunsAsFreshOnes() throws Exception {
    List<Variant> built =
        Stream.of(Variant.values()).filter(v -> QemuBuild.exact(v).isPresent()).toList();
    Assumptions.assumeFalse(
        built.isEmpty(),
        "no exact build in " + QemuBuild.cacheDir() + ": run 'make qemu-src' (skipping)");
    List<String> mismatches = new ArrayList<>();
    for (Variant v : built) {
      QemuBuild b = exact(v);
      int retiring = 0;
      int heldAtEnd = 0;
      int runs = 0;
      try (QemuBackend reused = new QemuBackend(b, true)) {
        Map<String, List<Step>> traces = new java.util.LinkedHashMap<>();
        for (Path f : RealQemuTest.corpus()) {
          traces.put(f.getFileName().toString(), TraceFiles.read(f).steps());
        }
        // Frames held at the end (RX is off; a reset and the preamble drop three of them), then a
        // trace that would receive any that leaked.
        traces.put("six held frames", TraceParser.parse("held", "rx\n".repeat(6)).steps());
        traces.put("RX on", TraceParser.parse("on", "write IMS 0x80\nwrite RCTL 0x2\n").steps());
        for (Map.Entry<String, List<Step>> t : traces.entrySet()) {
          List<Step> steps = t.getValue();
          if (Qtest.firstUnsupported(steps) != null) {
            continue;
          }
          ObservedRun again = reused.run(steps);
          ObservedRun fresh = QemuBackend.runOnce(b, steps);
          runs++;
          e1kfuzz.model.E1000eCore end = v.newCore();
          steps.forEach(end::step);
          end.step(new Step.Wait(ObservedRun.SETTLE_NS));
          if (end.heldFrames() > 0) {
            heldAtEnd++;
          }
          end.step(new Step.Reset());
          end.step(new Step.Write(e1kfuzz.model.Reg.ICS.offset(), 0));
          if (fresh.abortId() != null || fresh.settled() == null || end.stateOutlivesReset()) {
            retiring++;
          }
          if (!fresh.observations().equals(again.observations())
              || !fresh.signals().equals(again.signals())
              || !java.util.Objects.equals(fresh.settled(), again.settled())
              || !java.util.Objects.equals(fresh.abortId(), again.abortId())
              || fresh.abortStep() != again.abortStep()
              || !java.util.Objects.equals(fresh.failure(), again.failure())) {
            mismatches.add(
                v.id()
                    + " "
                    + t.getKey()
                    + ": fresh "
                    + fresh.observations()
                    + " "
                    + fresh.abortId()
                    + " "
                    + fresh.timerEvents()
                    + "\n  reused "
                    + again.observations()
                    + " "
                    + again.abortId()
                    + " "
                    + again.timerEvents());
          }
        }
        assertTrue(
            reused.starts() <= retiring + 1 && reused.starts() < runs,
            v.id()
                + ": "
                + reused.starts()
                + " starts for "
                + runs
                + " traces, "
                + retiring
                + " of them ending in an abort or with state a reset keeps");
        assertTrue(heldAtEnd > 0, v.id() + ": no corpus trace ends with held frames to drain");
      }
    }
    assertTrue(mismatches.isEmpty(), String.join("\n", mismatches));
  }

  /** {@code diff --qemu all} holds every variant that has an exact build against it. */
  @Test
  void diffAllUsesEachVariantsExactBuild() throws Exception {
    List<Variant> built =
        Stream.of(Variant.values()).filter(v -> QemuBuild.exact(v).isPresent()).toList();
    Assumptions.assumeFalse(
        built.isEmpty(),
        "no exact build in " + QemuBuild.cacheDir() + ": run 'make qemu-src' (skipping)");
    java.io.StringWriter w = new java.io.StringWriter();
    int rc =
        e1kfuzz.cli.Main.run(
            new String[] {"diff", "../corpus/s1-tidv-race.trace", "--qemu", "all"},
            new java.io.PrintWriter(w),
            new java.io.PrintWriter(w));
    assertEquals(0, rc, w.toString());
    for (Variant v : built) {
      assertTrue(
          w.toString().contains("exact build of " + v.id() + ":")
              && w.toString().contains("compared with model " + v.id() + ";"),
          v.id() + " missing:\n" + w);
    }
    assertTrue(
        w.toString().contains("all builds: " + built.size() + " same, 0 diverged")
            || built.size() == 1,
        w.toString());
  }
}
