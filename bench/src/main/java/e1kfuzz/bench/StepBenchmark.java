package e1kfuzz.bench;

import e1kfuzz.model.E1000eCore;
import e1kfuzz.model.Reg;
import e1kfuzz.model.Step;
import e1kfuzz.model.TraceParser;
import e1kfuzz.model.TraceSyntaxException;
import e1kfuzz.model.Variant;
import e1kfuzz.model.Violation;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one model step costs: {@link E1000eCore#step(Step)} (apply the step, then check the
 * after-step invariants) on a long-lived core, one step per invocation.
 *
 * <p>A core keeps its first violation forever, so the steps are chosen to never violate, and this
 * is checked: {@code @Setup} runs a few thousand steps and {@code @TearDown} checks that the core
 * the measurement ran on is still clean. The core is created in {@code @Setup}, so its allocation
 * is not measured. Each invocation picks its step from a small pre-built array (an index increment,
 * a mask and an array load, about a nanosecond of overhead).
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
public class StepBenchmark {

  /** Steps run in {@code @Setup} to show the cycle does not drift into a violation. */
  static final int VERIFY_STEPS = 8192;

  /**
   * Register writes that never raise a cause: ICR stays 0, so unmasking LSC in IMS delivers
   * nothing, no ITR timer is armed and INTx stays low (legacy INTx mode, MSI and MSI-X off).
   */
  static final Step[] WRITES = {
    new Step.Write(Reg.ITR.offset(), 0x1000),
    new Step.Write(Reg.IMS.offset(), 0x4),
    new Step.Write(Reg.ITR.offset(), 0x200),
    new Step.Write(Reg.IMC.offset(), 0x4),
  };

  /**
   * 64 realistic steps of a legacy-mode (INTx) driver: set-up writes, TX and RX with the delay
   * timers armed, ICR/ICS reads, small waits and timer expiries, throttled INTx delivery. The cycle
   * starts with a device reset, so the state stays bounded (held RX frames, TX rings, IAC). MSI-X
   * is never enabled: enabling it with delay/ITR timers running is exactly the race the model
   * flags, and a flagged core would turn every later step into a no-op.
   */
  static final String MIXED_CYCLE =
      String.join(
          "\n",
          "reset",
          "write RCTL 0x2", // EN
          "write TCTL 0xa", // EN|PSP: raises TXQE (IMS = 0 yet)
          "write TIDV 0x40", // 65.5 us
          "write TADV 0x80", // 131 us
          "write RDTR 0x20", // 32.8 us
          "write RADV 0x40",
          "write RAID 0x40",
          "write ITR 0x200", // 131 us
          "write IMS 0xc7", // TXDW|TXQE|LSC|RXO|RXT0
          "read ICR",
          "tx",
          "read ICS",
          "read ICR",
          "wait 10us",
          "rx",
          "rx small",
          "read ICS",
          "wait 10us",
          "read ICR",
          "tx ide",
          "tx ide q1",
          "read ICS",
          "expire tidv",
          "read ICR",
          "rx ack",
          "rx",
          "expire rdtr",
          "read ICS",
          "read ICR",
          "wait 10us",
          "write IMC 0x4",
          "write ICS 0x4",
          "read ICS",
          "write IMS 0x4",
          "read ICR",
          "rx nobuf",
          "read ICR",
          "tx nors",
          "tx ide",
          "wait 10us",
          "expire tadv",
          "read ICR",
          "rx small q1",
          "expire radv",
          "read ICS",
          "read ICR",
          "mdic",
          "read ICR",
          "expire itr",
          "write ITR 0x1f4",
          "write EITR0 0x100",
          "wait 10us",
          "write TDT 0x1",
          "read ICR",
          "rx ack",
          "expire raid",
          "read ICR",
          "read IAC",
          "write IMC 0xffffffff",
          "tx",
          "rx",
          "read ICS",
          "wait 10us");

  @Param({"qemu-7.2.0", "qemu-7.2.20", "qemu-8.1", "qemu-10.2", "fix-v1", "fix-mode-switch"})
  public String variant;

  private E1000eCore writeCore;
  private Step[] writes;
  private int writeIndex;

  private E1000eCore mixedCore;
  private Step[] mixed;
  private int mixedIndex;

  @Setup(Level.Trial)
  public void setUp() throws TraceSyntaxException {
    Variant v = variantOf(variant);

    writes = WRITES.clone();
    writeCore = v.newCore();
    verify(v, writeCore, writes, "registerWrite");

    List<Step> cycle = TraceParser.parse("mixed-cycle", MIXED_CYCLE).steps();
    if (cycle.size() != 64) {
      throw new IllegalStateException("mixed cycle has " + cycle.size() + " steps, expected 64");
    }
    mixed = cycle.toArray(new Step[0]);
    mixedCore = v.newCore();
    verify(v, mixedCore, mixed, "mixedStep");
  }

  /** The cores the measurement ran on must still be clean, or the numbers timed no-op steps. */
  @TearDown(Level.Trial)
  public void tearDown() {
    checkClean(writeCore, "registerWrite");
    checkClean(mixedCore, "mixedStep");
  }

  /** One register write (ITR, IMS, ITR, IMC in turn). */
  @Benchmark
  public Violation registerWrite() {
    return writeCore.step(writes[writeIndex++ & (WRITES.length - 1)]);
  }

  /** One step of the 64-step mixed cycle. */
  @Benchmark
  public Violation mixedStep() {
    return mixedCore.step(mixed[mixedIndex++ & 63]);
  }

  static Variant variantOf(String id) {
    return Variant.byId(id)
        .orElseThrow(() -> new IllegalArgumentException("unknown variant " + id));
  }

  /** Runs {@link #VERIFY_STEPS} steps of the cycle on the core and fails on any violation. */
  private static void verify(Variant v, E1000eCore core, Step[] cycle, String benchmark) {
    for (int i = 0; i < VERIFY_STEPS; i++) {
      Step step = cycle[i % cycle.length];
      Violation violation = core.step(step);
      if (violation != null) {
        throw new IllegalStateException(
            benchmark
                + " on "
                + v.id()
                + ": step "
                + (i + 1)
                + " '"
                + step.format()
                + "' violated "
                + violation.signature().id()
                + ": "
                + violation.detail());
      }
    }
  }

  private static void checkClean(E1000eCore core, String benchmark) {
    if (core != null && core.violation() != null) {
      Violation violation = core.violation();
      throw new IllegalStateException(
          benchmark
              + ": the core violated "
              + violation.signature().id()
              + " during measurement: "
              + violation.detail());
    }
  }
}
