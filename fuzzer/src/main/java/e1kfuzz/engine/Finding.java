package e1kfuzz.engine;

import e1kfuzz.model.Signature;
import e1kfuzz.model.Step;
import e1kfuzz.model.Variant;
import java.util.List;

/**
 * A distinct failure: a variant and a signature, the first run (lowest global index) that showed
 * it, its trace up to the violating step, and the shrunk trace.
 */
public record Finding(
    Variant variant, Signature signature, long run, List<Step> original, Shrinker.Result shrunk) {

  /** A stable order: by variant, then signature. */
  public static int compare(Finding a, Finding b) {
    int c = a.variant.compareTo(b.variant);
    return c != 0 ? c : a.signature.compareTo(b.signature);
  }
}
