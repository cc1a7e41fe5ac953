package e1kfuzz.engine;

import com.google.common.collect.ImmutableList;
import e1kfuzz.model.Signature;
import e1kfuzz.model.Step;
import e1kfuzz.model.Variant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The fix-candidate table: for every variant and every signature, the shortest trace that
 * exploration or fuzzing found, or the bound up to which neither did.
 */
public final class Evaluation {
  /** How a shortest trace was found. */
  public enum Source {
    EXPLORE,
    FUZZ
  }

  /** One cell: a shortest known trace, or null steps when none was found. */
  public record Cell(
      Variant variant, Signature signature, ImmutableList<Step> steps, Source source) {
    public boolean reachable() {
      return steps != null;
    }
  }

  /** The table, with what bounds its empty cells. */
  public record Table(
      List<Variant> variants,
      List<Signature> signatures,
      Map<Variant, Map<Signature, Cell>> cells,
      long fuzzRuns,
      long fuzzNanos,
      Map<Variant, Integer> exploredDepth,
      Map<Variant, Long> exploredStates) {

    public Cell cell(Variant v, Signature s) {
      return cells.get(v).get(s);
    }
  }

  private Evaluation() {}

  /**
   * Combines per-variant exploration results and campaign findings; of two traces for one cell the
   * shorter wins (exploration's on a tie: it is minimal over its alphabet).
   */
  public static Table combine(
      List<Variant> variants,
      List<Explorer.Result> explored,
      List<Finding> findings,
      long runs,
      long nanos) {
    Map<Variant, Map<Signature, Cell>> cells = new EnumMap<>(Variant.class);
    Map<Variant, Integer> depth = new EnumMap<>(Variant.class);
    Map<Variant, Long> states = new EnumMap<>(Variant.class);
    for (Variant v : variants) {
      Map<Signature, Cell> row = new EnumMap<>(Signature.class);
      for (Signature s : Signature.values()) {
        row.put(s, new Cell(v, s, null, null));
      }
      cells.put(v, row);
    }
    for (Explorer.Result r : explored) {
      depth.put(r.variant(), r.completeDepth());
      states.put(r.variant(), r.states());
      for (Explorer.Counterexample c : r.shortest().values()) {
        offer(cells, new Cell(r.variant(), c.signature(), c.steps(), Source.EXPLORE));
      }
    }
    for (Finding f : findings) {
      offer(
          cells,
          new Cell(
              f.variant(), f.signature(), ImmutableList.copyOf(f.shrunk().steps()), Source.FUZZ));
    }
    return new Table(
        List.copyOf(variants), List.of(Signature.values()), cells, runs, nanos, depth, states);
  }

  private static void offer(Map<Variant, Map<Signature, Cell>> cells, Cell c) {
    Map<Signature, Cell> row = cells.get(c.variant());
    if (row == null) {
      return;
    }
    Cell old = row.get(c.signature());
    if (!old.reachable() || c.steps().size() < old.steps().size()) {
      row.put(c.signature(), c);
    }
  }
}
