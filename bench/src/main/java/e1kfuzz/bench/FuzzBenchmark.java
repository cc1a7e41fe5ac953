package e1kfuzz.bench;

import e1kfuzz.engine.GeneratorOptions;
import e1kfuzz.engine.Rng;
import e1kfuzz.engine.TraceGenerator;
import e1kfuzz.model.E1000eCore;
import e1kfuzz.model.Variant;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Campaign throughput: one operation = one 30-step trace generated against a device of one variant
 * in its power-on state and checked after every step, then settled, exactly what {@code fuzz
 * --variant V --max-steps 30} does per run (which, like this, starts each run on a copy of a fresh
 * device). Throughput mode gives traces per second per thread; run with {@code -t 2} for two cores.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
// A fixed, pre-touched heap, as StepBenchmark (first touches of fresh heap pages are slow on this
// VM), and the same JVM options as StepLoopBenchmark, against which make bench prints the ratio.
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch"})
@Threads(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FuzzBenchmark {
  @Param({"fix-mode-switch", "qemu-10.2"})
  public String variant;

  /** The delivery invariants on (as every command runs) or off: what they cost. */
  @Param({"on", "off"})
  public String delivery;

  private TraceGenerator generator;
  private long run;
  private E1000eCore fresh;
  private E1000eCore core;
  private Supplier<E1000eCore> scratch;

  @Setup
  public void setup() {
    Variant v = Variant.byId(variant).orElseThrow();
    generator = new TraceGenerator(GeneratorOptions.defaults().withMaxSteps(30));
    fresh = v.newCore();
    fresh.setDeliveryChecks(delivery.equals("on"));
    core = v.newCore();
    E1000eCore s = v.newCore();
    scratch = () -> s;
  }

  @Benchmark
  public int trace30() {
    core.copyFrom(fresh);
    int n = generator.generate(new Rng.SplitMix(Rng.SplitMix.runSeed(1, run++)), core, true).size();
    core.settle(scratch); // the end of the trace, as a campaign judges it
    return n;
  }
}
