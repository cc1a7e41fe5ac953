package e1kfuzz.bench;

import e1kfuzz.engine.GeneratorOptions;
import e1kfuzz.engine.Rng;
import e1kfuzz.engine.TraceGenerator;
import e1kfuzz.model.E1000eCore;
import e1kfuzz.model.Variant;
import java.util.concurrent.TimeUnit;
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
 * Campaign throughput: one operation = one 30-step trace generated against a fresh device of one
 * variant and checked after every step, exactly what {@code fuzz --variant V --max-steps 30} does
 * per run. Throughput mode gives traces per second per thread; run with {@code -t 2} for two cores.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(1)
@Threads(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FuzzBenchmark {
  @Param({"fix-mode-switch", "qemu-10.2"})
  public String variant;

  /** The delivery invariants on (as every command runs) or off: what they cost. */
  @Param({"on", "off"})
  public String delivery;

  private Variant v;
  private TraceGenerator generator;
  private long run;

  @Setup
  public void setup() {
    v = Variant.byId(variant).orElseThrow();
    generator = new TraceGenerator(GeneratorOptions.defaults().withMaxSteps(30));
  }

  @Benchmark
  public int trace30() {
    E1000eCore core = v.newCore();
    boolean on = delivery.equals("on");
    core.setDeliveryChecks(on);
    int n = generator.generate(new Rng.SplitMix(Rng.SplitMix.runSeed(1, run++)), core, true).size();
    core.settle(v::newCore); // the end of the trace, as a campaign judges it
    return n;
  }
}
