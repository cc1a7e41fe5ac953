package e1kfuzz.engine;

import com.google.common.base.Preconditions;
import java.util.Arrays;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * How traces are generated: the number of steps and the relative weight of each step kind.
 *
 * @param maxSteps steps per generated trace (a run stops earlier at its first violation)
 * @param weights one weight per {@link StepKind}, by ordinal; 0 disables a kind
 */
public record GeneratorOptions(int maxSteps, int[] weights) {
  public static final int DEFAULT_MAX_STEPS = 40;

  public GeneratorOptions {
    Preconditions.checkArgument(maxSteps >= 1, "max steps must be at least 1, got %s", maxSteps);
    Preconditions.checkArgument(
        weights.length == StepKind.values().length, "one weight per step kind");
    Preconditions.checkArgument(
        Arrays.stream(weights).allMatch(w -> w >= 0), "weights must be >= 0");
    Preconditions.checkArgument(
        Arrays.stream(weights).sum() > 0, "at least one weight must be > 0");
    weights = weights.clone();
  }

  public static GeneratorOptions defaults() {
    return new GeneratorOptions(DEFAULT_MAX_STEPS, defaultWeights());
  }

  public static int[] defaultWeights() {
    return Arrays.stream(StepKind.values()).mapToInt(StepKind::defaultWeight).toArray();
  }

  public GeneratorOptions withMaxSteps(int n) {
    return new GeneratorOptions(n, weights);
  }

  public int weight(StepKind kind) {
    return weights[kind.ordinal()];
  }

  /**
   * Parses {@code kind=weight[,kind=weight...]} over the defaults, e.g. {@code wait=40,reset=0}.
   *
   * @throws IllegalArgumentException naming the offending item
   */
  public static int[] parseWeights(String spec) {
    int[] w = defaultWeights();
    for (String item : spec.split(",")) {
      String[] kv = item.strip().split("=", -1);
      if (kv.length != 2) {
        throw new IllegalArgumentException("bad weight '" + item + "' (expected kind=number)");
      }
      StepKind kind = null;
      for (StepKind k : StepKind.values()) {
        if (k.optionName().equals(kv[0].strip().toLowerCase(Locale.ROOT))) {
          kind = k;
        }
      }
      if (kind == null) {
        throw new IllegalArgumentException(
            "unknown step kind '" + kv[0] + "' in '" + item + "' (kinds: " + kinds() + ")");
      }
      try {
        int v = Integer.parseInt(kv[1].strip());
        if (v < 0 || v > 1_000_000) {
          throw new NumberFormatException();
        }
        w[kind.ordinal()] = v;
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "bad weight value '" + kv[1] + "' in '" + item + "' (0-1000000)");
      }
    }
    if (Arrays.stream(w).sum() == 0) {
      throw new IllegalArgumentException("all weights are 0 in '" + spec + "'");
    }
    return w;
  }

  static String kinds() {
    StringJoiner j = new StringJoiner(", ");
    for (StepKind k : StepKind.values()) {
      j.add(k.optionName());
    }
    return j.toString();
  }

  /** {@code write=30,read=5,...}: printed with the campaign parameters. */
  public String describeWeights() {
    StringJoiner j = new StringJoiner(",");
    for (StepKind k : StepKind.values()) {
      j.add(k.optionName() + "=" + weights[k.ordinal()]);
    }
    return j.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GeneratorOptions g
        && g.maxSteps == maxSteps
        && Arrays.equals(g.weights, weights);
  }

  @Override
  public int hashCode() {
    return 31 * maxSteps + Arrays.hashCode(weights);
  }

  @Override
  public String toString() {
    return "GeneratorOptions[maxSteps=" + maxSteps + ", weights=" + describeWeights() + "]";
  }
}
