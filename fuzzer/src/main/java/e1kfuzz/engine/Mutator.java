package e1kfuzz.engine;

import e1kfuzz.model.E1000eCore;
import e1kfuzz.model.Reg;
import e1kfuzz.model.Step;
import e1kfuzz.model.TraceParser;
import e1kfuzz.model.Variant;
import java.util.ArrayList;
import java.util.List;

/**
 * Derives a new trace from one that reached new coverage: insert a step chosen for the device's
 * state at that point, delete, duplicate or swap steps, give a register write another meaningful
 * value, or shift a wait (by 1 ns, a little, or by half or double). One to three edits at a time.
 */
final class Mutator {
  private final TraceGenerator generator;
  private final Variant steering;

  Mutator(TraceGenerator generator, Variant steering) {
    this.generator = generator;
    this.steering = steering;
  }

  List<Step> mutate(Rng rng, List<Step> parent) {
    List<Step> steps = new ArrayList<>(parent);
    int edits = 1 + rng.nextInt(3);
    for (int e = 0; e < edits; e++) {
      edit(rng, steps);
    }
    int max = generator.options().maxSteps();
    return steps.size() > max ? steps.subList(0, max) : steps;
  }

  private void edit(Rng rng, List<Step> steps) {
    int n = steps.size();
    switch (n == 0 ? 0 : rng.nextInt(6)) {
      case 0 -> {
        int at = rng.nextInt(n + 1);
        steps.add(at, generator.nextStep(rng, stateBefore(steps, at)));
      }
      case 1 -> steps.remove(rng.nextInt(n));
      case 2 -> {
        int at = rng.nextInt(n);
        steps.add(at + 1, steps.get(at));
      }
      case 3 -> {
        if (n >= 2) {
          int at = rng.nextInt(n - 1);
          steps.set(at, steps.set(at + 1, steps.get(at)));
        }
      }
      case 4 -> retune(rng, steps, Step.Write.class);
      default -> retune(rng, steps, Step.Wait.class);
    }
  }

  /** Changes one step of the given kind, if the trace has one. */
  private static void retune(Rng rng, List<Step> steps, Class<? extends Step> kind) {
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      if (kind.isInstance(steps.get(i))) {
        at.add(i);
      }
    }
    if (at.isEmpty()) {
      return;
    }
    int i = at.get(rng.nextInt(at.size()));
    if (steps.get(i) instanceof Step.Write w) {
      Reg reg = Reg.atOffset(w.offset()).orElse(null);
      int value =
          reg == null || rng.chance(20)
              ? w.value() ^ (1 << rng.nextInt(32))
              : TraceGenerator.value(rng, reg);
      steps.set(i, new Step.Write(w.offset(), value));
    } else if (steps.get(i) instanceof Step.Wait w) {
      long ns =
          switch (rng.nextInt(5)) {
            case 0 -> w.ns() + 1;
            case 1 -> w.ns() - 1;
            case 2 -> w.ns() + rng.nextLong(1_000) - 500;
            case 3 -> w.ns() / 2;
            default -> w.ns() * 2;
          };
      steps.set(i, new Step.Wait(Math.max(0, Math.min(TraceParser.MAX_WAIT_NS, ns))));
    }
  }

  private E1000eCore stateBefore(List<Step> steps, int at) {
    E1000eCore d = steering.newCore();
    for (int i = 0; i < at; i++) {
      d.step(steps.get(i));
      d.clearViolation();
      if (d.abortSignature() != null) {
        break;
      }
    }
    return d;
  }
}
