package e1kfuzz.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import e1kfuzz.corpus.FindingWriter;
import e1kfuzz.corpus.FindingsMerge;
import e1kfuzz.corpus.TraceFiles;
import e1kfuzz.model.Outcome;
import e1kfuzz.model.Runner;
import e1kfuzz.model.Signature;
import e1kfuzz.model.Step;
import e1kfuzz.model.Trace;
import e1kfuzz.model.Variant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An exception inside the model (injected through the campaign's model-runner seam) is kept as an
 * internal error with its run, steps and stack trace, one per kind, and the campaign goes on.
 */
class InternalErrorTest {
  @TempDir Path dir;

  /** qemu-10.2 throws on every trace with an {@code msix on} step; the others run normally. */
  static Outcome failing(Variant v, List<Step> steps, boolean strict) {
    if (v == Variant.QEMU_10_2
        && steps.stream()
            .anyMatch(s -> s instanceof Step.Msix m && m.op() == Step.MsixControl.ON)) {
      throw new IllegalStateException("injected model bug");
    }
    return Runner.run(v, steps, strict);
  }

  static CampaignOptions options(int jobs) {
    return new CampaignOptions(
        List.of(Variant.QEMU_7_2_0, Variant.QEMU_10_2),
        1,
        3000,
        null,
        jobs,
        GeneratorOptions.defaults(),
        false,
        0,
        1);
  }

  @Test
  void aThrowingVariantIsRecordedOncePerKindAndTheCampaignGoesOn() throws Exception {
    AtomicLong thrown = new AtomicLong();
    Campaign.Result r =
        new Campaign(
                options(2),
                System::nanoTime,
                (v, s, strict) -> {
                  try {
                    return failing(v, s, strict);
                  } catch (IllegalStateException e) {
                    thrown.incrementAndGet();
                    throw e;
                  }
                })
            .run(null);
    assertEquals(3000, r.runs(), "every run ran");
    assertTrue(thrown.get() > 100, "the injected bug fired in many runs: " + thrown.get());
    assertEquals(
        1,
        r.internalFailures().size(),
        "one record per kind, not one per run: " + r.internalFailures().size());
    InternalFailure f = r.internalFailures().get(0);
    assertEquals(Variant.QEMU_10_2, f.variant());
    assertEquals("java.lang.IllegalStateException: injected model bug", f.exception());
    assertTrue(
        f.stackTrace().contains("at e1kfuzz.engine.InternalErrorTest.failing"), f.stackTrace());
    // the kept run is the lowest one that throws, whatever the number of jobs
    Campaign.Result one =
        new Campaign(options(1), System::nanoTime, InternalErrorTest::failing).run(null);
    assertEquals(f.run(), one.internalFailures().get(0).run());
    assertEquals(f.steps(), one.internalFailures().get(0).steps());
    // the other variant's findings are still there
    assertTrue(
        r.findings().stream()
            .anyMatch(
                x ->
                    x.variant() == Variant.QEMU_7_2_0
                        && x.signature() == Signature.COLLECT_DELAYED_CAUSES),
        r.findings().toString());
  }

  @Test
  void itIsSavedAsATraceAndAStackTraceThatMergeReportsAsNew() throws Exception {
    Campaign.Result r =
        new Campaign(options(1), System::nanoTime, InternalErrorTest::failing).run(null);
    InternalFailure f = r.internalFailures().get(0);
    List<Path> files =
        FindingWriter.writeInternalErrors(
            dir, r.internalFailures(), 1, "e1kfuzz fuzz --seed 1 --variant all");
    assertEquals(1, files.size());
    Path trace = files.get(0);
    assertTrue(
        trace.getFileName().toString().startsWith("internal-error-qemu-10.2-"), trace.toString());
    Trace t = TraceFiles.read(trace);
    assertEquals(f.steps(), t.steps());
    assertTrue(
        t.header()
            .get(0)
            .equals(
                "e1kfuzz internal error on qemu-10.2: java.lang.IllegalStateException: injected model bug"),
        t.header().toString());
    assertTrue(t.header().get(1).contains("seed 1, run " + f.run()), t.header().toString());
    String stack = Files.readString(FindingsMerge.stackFile(trace));
    assertTrue(
        stack.contains("seed 1, run " + f.run())
            && stack.contains("at e1kfuzz.engine.InternalErrorTest.failing"),
        stack);
    // written again: already there, nothing replaced
    String before = Files.readString(trace);
    FindingWriter.writeInternalErrors(
        dir, r.internalFailures(), 1, "e1kfuzz fuzz --seed 1 --variant all");
    assertEquals(before, Files.readString(trace));
    // merge keeps it as (qemu-10.2, internal-error), which no corpus expects
    FindingsMerge.Result m = FindingsMerge.merge(List.of(dir), Path.of("..", "corpus"));
    assertTrue(m.errors().isEmpty(), m.errors().toString());
    assertEquals(
        List.of(new FindingsMerge.Key("qemu-10.2", FindingsMerge.INTERNAL_ERROR)), m.unexpected());
    Path out = dir.resolve("merged");
    FindingsMerge.write(m, out);
    assertTrue(
        Files.exists(out.resolve(trace.getFileName()))
            && Files.exists(FindingsMerge.stackFile(out.resolve(trace.getFileName()))));
  }
}
