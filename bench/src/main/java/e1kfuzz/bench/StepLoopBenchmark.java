package e1kfuzz.bench;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Calibration, not e1kfuzz: the loop of {@link FuzzBenchmark} reduced to a deliberately tiny
 * interrupt-manager-like state machine (eight step kinds, twelve timers, a parked-cause word and a
 * mode), to bound what a tight Java model loop can do per trace on this machine. One operation is
 * one 30-step trace, its steps drawn first and then applied to a reset machine, as in {@code
 * ../shared/perf/StepLoop.java}, whose logic this keeps. {@code make bench} prints the ratio of
 * {@code FuzzBenchmark.trace30} to this.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch"})
@Threads(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class StepLoopBenchmark {
  static final int STEPS = 30;

  private final ToyManager m = new ToyManager();
  private final int[] kinds = new int[STEPS];
  private final int[] args = new int[STEPS];
  private SplittableRandom r;

  @Setup
  public void setup() {
    r = new SplittableRandom(42);
  }

  @Benchmark
  public int trace30() {
    for (int i = 0; i < STEPS; i++) {
      kinds[i] = r.nextInt(8);
      args[i] = r.nextInt();
    }
    m.reset();
    for (int i = 0; i < STEPS; i++) {
      m.step(kinds[i], args[i]);
    }
    return m.violations;
  }

  /** The toy: mode 0 INTx, 1 MSI, 2 MSI-X; deadlines -1 when a timer does not run. */
  static final class ToyManager {
    int icr;
    int ims;
    int delayed;
    int mode;
    long now;
    final long[] deadline = new long[12];
    final int[] reg = new int[8];
    int violations;

    void reset() {
      icr = 0;
      ims = 0;
      delayed = 0;
      mode = 0;
      now = 0;
      Arrays.fill(deadline, -1);
      Arrays.fill(reg, 0);
    }

    void collect() {
      if (mode == 2 && delayed != 0) {
        violations++;
        delayed = 0;
        return;
      }
      icr |= delayed;
      delayed = 0;
      for (int i = 0; i < 5; i++) {
        deadline[i] = -1;
      }
    }

    void setCause(int c) {
      collect();
      icr |= c;
      if ((icr & ims) != 0 && mode != 2 && deadline[5] < 0) {
        deadline[5] = now + 128_000;
      }
    }

    void step(int kind, int arg) {
      switch (kind) {
        case 0 -> reg[arg & 7] = arg; // register write
        case 1 -> { // IMS
          ims |= arg;
          setCause(0);
        }
        case 2 -> setCause(arg & 0x1F); // ICS
        case 3 -> { // TX with IDE
          if (mode != 2) {
            delayed |= 3;
            deadline[3] = now + (reg[3] & 0xffff) * 1024L;
          } else {
            setCause(0x400000);
          }
        }
        case 4 -> mode = 2; // MSI-X on
        case 5 -> mode = 0; // MSI-X off
        case 6 -> fire(now + (arg & 0xfffff)); // wait
        default -> icr = 0; // read ICR
      }
    }

    void fire(long t) {
      while (true) {
        int best = -1;
        long bd = Long.MAX_VALUE;
        for (int i = 0; i < deadline.length; i++) {
          if (deadline[i] >= 0 && deadline[i] <= t && deadline[i] < bd) {
            bd = deadline[i];
            best = i;
          }
        }
        if (best < 0) {
          break;
        }
        now = bd;
        deadline[best] = -1;
        if (best < 5) {
          setCause(0);
        } else if (mode == 2) {
          violations++;
        }
      }
      now = t;
    }
  }
}
