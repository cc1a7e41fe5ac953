package e1kfuzz.bench;

import e1kfuzz.model.Outcome;
import e1kfuzz.model.Runner;
import e1kfuzz.model.Step;
import e1kfuzz.model.Trace;
import e1kfuzz.model.TraceParser;
import e1kfuzz.model.TraceSyntaxException;
import e1kfuzz.model.Variant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one whole replay costs: {@link Runner#run} of the seed race (corpus/s1-tidv-race.trace
 * without its trailing read), per trace, including creating the fresh core. The trace is parsed
 * once in {@code @Setup}, so parsing is not measured.
 *
 * <p>On qemu-7.2.0 and qemu-8.1 the run ends in assert:collect-delayed-causes at the last step
 * (that is the bug being modelled); {@code @Setup} checks every variant gives its expected result.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
// A fixed, pre-touched heap: on this VM the first touch of fresh heap pages is slow enough to
// make whole iterations of allocating benchmarks 10-50x slower while the heap grows.
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class TraceBenchmark {

  static final String RACE_TRACE =
      String.join(
          "\n",
          "@expect qemu-7.2.0 assert:collect-delayed-causes",
          "@expect qemu-8.1 assert:collect-delayed-causes",
          "@expect * ok",
          "write TIDV 0xffff",
          "write TCTL 0xa",
          "tx ide",
          "msix on",
          "wait 100ms");

  @Param({"qemu-7.2.0", "qemu-7.2.20", "qemu-8.1", "qemu-10.2", "fix-v1", "fix-mode-switch"})
  public String variant;

  private Variant v;
  private List<Step> steps;

  @Setup(Level.Trial)
  public void setUp() throws TraceSyntaxException {
    v = StepBenchmark.variantOf(variant);
    Trace trace = TraceParser.parse("race", RACE_TRACE);
    steps = trace.steps();
    String expected = trace.expectedResult(v).orElseThrow();
    Outcome outcome = Runner.run(v, steps, false);
    if (!outcome.result().equals(expected)) {
      throw new IllegalStateException(
          "race trace on " + variant + ": got " + outcome.result() + ", expected " + expected);
    }
  }

  /** One replay of the race trace on a fresh core (non-strict, no event sink, no observer). */
  @Benchmark
  public Outcome replayRace() {
    return Runner.run(v, steps, false);
  }
}
