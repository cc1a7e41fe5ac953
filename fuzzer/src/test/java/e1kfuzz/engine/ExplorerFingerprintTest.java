package e1kfuzz.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.common.collect.ImmutableList;
import e1kfuzz.model.E1000eCore;
import e1kfuzz.model.Signature;
import e1kfuzz.model.StateHasher;
import e1kfuzz.model.Step;
import e1kfuzz.model.Variant;
import e1kfuzz.model.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The explorer with 64-bit fingerprints, chunks and threads gives what the plain sequential
 * breadth-first search with the previous 128-bit state hashes ({@link StateSet}) gives: the same
 * states per level, the same transitions and the same shortest counterexamples. Depths 7 and 8 (2
 * and 9 million states) agree too, but take minutes here: they were checked once, by hand (the
 * README's "Exhaustive exploration" says how).
 */
class ExplorerFingerprintTest {
  @ParameterizedTest(name = "{0} to depth {1}, strict {2}")
  @CsvSource({
    "qemu-7.2.0,      6, false",
    "qemu-8.1,        5, true",
    "fix-throttle,    5, true",
    "fix-mode-switch, 6, false",
  })
  void sameAsTheSequentialSearchWith128BitHashes(String variant, int depth, boolean strict) {
    Variant v = Variant.byId(variant).orElseThrow();
    Alphabet a = Alphabet.defaultAlphabet();
    Reference ref = Reference.explore(v, depth, strict, a);
    Explorer.Result r =
        Explorer.explore(
            new Explorer.Options(v, depth, strict, a, 2, Explorer.MAX_STATES), null, () -> false);
    assertEquals(ref.newStates, r.levels().stream().map(Explorer.Level::newStates).toList());
    assertEquals(ref.transitions, r.levels().stream().map(Explorer.Level::transitions).toList());
    assertEquals(ref.shortest, r.shortest());
    assertEquals(depth, r.completeDepth());
    if (v == Variant.QEMU_7_2_0) {
      assertFalse(r.shortest().isEmpty(), "a case that finds something: " + r.shortest());
    }
  }

  /** The specification: one thread, one state after the other, 128-bit hashes. */
  private static final class Reference {
    final List<Long> newStates = new ArrayList<>();
    final List<Long> transitions = new ArrayList<>();
    final Map<Signature, Explorer.Counterexample> shortest = new TreeMap<>();

    static Reference explore(Variant v, int depth, boolean strict, Alphabet a) {
      Reference out = new Reference();
      E1000eCore root = v.newCore();
      root.setStrict(strict);
      StateSet seen = new StateSet(1 << 16);
      StateHasher h = new StateHasher();
      root.hashState(h);
      seen.add(h.high(), h.low());
      List<List<Step>> level = List.of(List.of());
      int[] codes = new int[a.maxExpansion()];
      E1000eCore node = v.newCore();
      E1000eCore child = v.newCore();
      for (int d = 1; d <= depth; d++) {
        List<List<Step>> next = new ArrayList<>();
        long moves = 0;
        for (List<Step> path : level) {
          node.copyFrom(root);
          for (Step s : path) {
            node.step(s);
            node.clearViolation();
          }
          int k = a.expand(node, codes);
          for (int c = 0; c < k; c++) {
            Step step = a.resolve(codes[c], node);
            child.copyFrom(node);
            Violation viol = child.step(step);
            moves++;
            List<Step> longer = new ArrayList<>(path);
            longer.add(step);
            if (viol != null) {
              out.shortest.putIfAbsent(
                  viol.signature(),
                  new Explorer.Counterexample(viol.signature(), ImmutableList.copyOf(longer)));
              if (child.abortSignature() != null) {
                continue;
              }
              child.clearViolation();
            }
            child.hashState(h.reset());
            if (seen.add(h.high(), h.low())) {
              next.add(longer);
            }
          }
        }
        out.newStates.add((long) next.size());
        out.transitions.add(moves);
        level = next;
      }
      return out;
    }
  }
}
