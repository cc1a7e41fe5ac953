package e1kfuzz.engine;

import e1kfuzz.model.Signature;
import e1kfuzz.model.Step;
import e1kfuzz.model.Variant;
import java.util.List;

/**
 * A distinct failure: a variant and a signature, the first run (lowest global index) that showed
 * it, its trace up to the violating step, and the shrunk trace.
 *
 * @param notExactReplayable null when the shrunk trace replays on the exact builds (qtest), else
 *     why not (no failing run of the campaign had that form, or it ran with --zero-ns-windows)
 */
public record Finding(
    Variant variant,
    Signature signature,
    long run,
    List<Step> original,
    Shrinker.Result shrunk,
    String notExactReplayable) {

  public Finding(
      Variant variant, Signature signature, long run, List<Step> original, Shrinker.Result shrunk) {
    this(variant, signature, run, original, shrunk, null);
  }

  /** A stable order: by variant, then signature. */
  public static int compare(Finding a, Finding b) {
    int c = a.variant.compareTo(b.variant);
    return c != 0 ? c : a.signature.compareTo(b.signature);
  }
}
