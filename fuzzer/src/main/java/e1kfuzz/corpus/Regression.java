package e1kfuzz.corpus;

import com.google.common.hash.Hashing;
import e1kfuzz.model.Expectation;
import e1kfuzz.model.Outcome;
import e1kfuzz.model.Runner;
import e1kfuzz.model.Step;
import e1kfuzz.model.Trace;
import e1kfuzz.model.Variant;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a trace into a regression case: {@code @expect} lines for every variant, computed by
 * running it, and the canonical file name {@code <signature>-<content-hash>.trace}.
 */
public final class Regression {
  private Regression() {}

  /** One {@code @expect} per variant, in registry order. */
  public static List<Expectation> expectations(List<Step> steps, boolean strict) {
    List<Expectation> out = new ArrayList<>();
    for (Variant v : Variant.values()) {
      Outcome o = Runner.run(v, steps, strict);
      out.add(new Expectation(v.id(), o.result()));
    }
    return out;
  }

  /** The signature that names the case: the first variant's failure in registry order, else ok. */
  public static String leadingResult(List<Expectation> expectations) {
    return expectations.stream()
        .map(Expectation::result)
        .filter(r -> !r.equals(Expectation.OK))
        .findFirst()
        .orElse(Expectation.OK);
  }

  /** 12 hex digits of the SHA-256 of the canonical step text. */
  public static String contentHash(List<Step> steps) {
    String body = Trace.of(steps).format();
    return Hashing.sha256().hashString(body, StandardCharsets.UTF_8).toString().substring(0, 12);
  }

  /**
   * {@code assert-collect-delayed-causes-0123456789ab.trace}: ':' is not portable in file names.
   */
  public static String fileName(String result, List<Step> steps) {
    return result.replace(':', '-') + "-" + contentHash(steps) + ".trace";
  }
}
