package e1kfuzz.junit;

import com.google.common.base.Preconditions;
import e1kfuzz.engine.GeneratorOptions;
import e1kfuzz.engine.Rng;
import e1kfuzz.engine.Shrinker;
import e1kfuzz.engine.TraceGenerator;
import e1kfuzz.model.E1000eCore;
import e1kfuzz.model.Signature;
import e1kfuzz.model.Step;
import e1kfuzz.model.Trace;
import e1kfuzz.model.Variant;
import e1kfuzz.model.Violation;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.opentest4j.AssertionFailedError;

/**
 * A property over seeded generated traces, stated as JUnit 5 dynamic tests. Trace {@code i} is the
 * trace of run {@code i} of {@code e1kfuzz fuzz --seed S --variant V --max-steps L --guidance none}
 * (unguided: with coverage guidance, runs after the first 4,096 mutate kept traces instead), so a
 * failure can be reproduced from the command line too; with {@code --zero-ns-windows} that campaign
 * reports the same first failing run as the property. Use it from a {@code @TestFactory}:
 *
 * <pre>{@code
 * @TestFactory
 * Stream<DynamicTest> fixedReleaseNeverAsserts() {
 *   return Property.on(Variant.QEMU_10_2).seed(1).traces(10_000)
 *       .never(s -> s.id().startsWith("assert:"), "any assert: signature");
 * }
 * }</pre>
 */
public final class Property {
  /** Traces per dynamic test, so a failure names a small range of runs. */
  static final int BATCH = 1_000;

  private final Variant variant;
  private final long seed;
  private final long traces;
  private final GeneratorOptions generator;
  private final boolean strict;

  private Property(
      Variant variant, long seed, long traces, GeneratorOptions generator, boolean strict) {
    this.variant = variant;
    this.seed = seed;
    this.traces = traces;
    this.generator = generator;
    this.strict = strict;
  }

  public static Property on(Variant variant) {
    return new Property(variant, 1, BATCH, GeneratorOptions.defaults(), false);
  }

  public Property seed(long seed) {
    return new Property(variant, seed, traces, generator, strict);
  }

  public Property traces(long n) {
    Preconditions.checkArgument(n >= 1, "traces must be >= 1, got %s", n);
    return new Property(variant, seed, n, generator, strict);
  }

  public Property maxSteps(int n) {
    return new Property(variant, seed, traces, generator.withMaxSteps(n), strict);
  }

  /** Check the strict invariants too. */
  public Property strict() {
    return new Property(variant, seed, traces, generator, true);
  }

  /**
   * One dynamic test per batch of traces; a batch fails with the shrunk trace and the commands that
   * reproduce it when a trace reaches a signature that {@code forbidden} accepts.
   */
  public Stream<DynamicTest> never(Predicate<Signature> forbidden, String what) {
    TraceGenerator gen = new TraceGenerator(generator);
    long batches = (traces + BATCH - 1) / BATCH;
    return LongStream.range(0, batches)
        .mapToObj(
            b -> {
              long from = b * BATCH;
              long to = Math.min(traces, from + BATCH);
              String name =
                  String.format(
                      Locale.ROOT,
                      "%s never reaches %s (traces %d-%d, seed %d)",
                      variant.id(),
                      what,
                      from,
                      to - 1,
                      seed);
              return DynamicTest.dynamicTest(
                  name,
                  () -> {
                    for (long run = from; run < to; run++) {
                      Violation v = runOne(gen, run).violation;
                      if (v != null && forbidden.test(v.signature())) {
                        throw failure(run, v.signature(), runOne(gen, run).steps);
                      }
                    }
                  });
            });
  }

  /** One dynamic test that passes when some trace reaches {@code target} within the budget. */
  public Stream<DynamicTest> reaches(Signature target) {
    TraceGenerator gen = new TraceGenerator(generator);
    String name =
        String.format(
            Locale.ROOT,
            "%s reaches %s within %d traces (seed %d)",
            variant.id(),
            target.id(),
            traces,
            seed);
    return Stream.of(
        DynamicTest.dynamicTest(
            name,
            () -> {
              for (long run = 0; run < traces; run++) {
                Violation v = runOne(gen, run).violation;
                if (v != null && v.signature() == target) {
                  return;
                }
              }
              throw new AssertionFailedError(name + ": not reached; reproduce with " + command());
            }));
  }

  private record Run(List<Step> steps, Violation violation) {}

  private Run runOne(TraceGenerator gen, long run) {
    E1000eCore core = variant.newCore();
    core.setStrict(strict);
    List<Step> steps = gen.generate(new Rng.SplitMix(Rng.SplitMix.runSeed(seed, run)), core, true);
    core.settle(variant::newCore);
    return new Run(steps, core.violation());
  }

  private AssertionFailedError failure(long run, Signature sig, List<Step> steps) {
    Shrinker.Result r = Shrinker.shrink(variant, steps, sig, strict);
    String text = Trace.of(r.steps()).format();
    return new AssertionFailedError(
        variant.id()
            + " reached "
            + sig.id()
            + " in trace "
            + run
            + " ("
            + r.summary()
            + "):\n"
            + text
            + "replay: save the lines above as x.trace and run ./e1kfuzz replay x.trace --variant "
            + variant.id()
            + (strict ? " --strict" : "")
            + "\n"
            + "regenerate: "
            + command()
            + " (run "
            + run
            + ")");
  }

  private String command() {
    return "./e1kfuzz fuzz --seed "
        + seed
        + " --variant "
        + variant.id()
        + " --runs "
        + traces
        + " --max-steps "
        + generator.maxSteps()
        + (java.util.Arrays.equals(generator.weights(), GeneratorOptions.defaultWeights())
            ? ""
            : " --weights " + generator.describeWeights())
        + " --guidance none --zero-ns-windows"
        + (strict ? " --strict" : "")
        + " --jobs 1";
  }
}
