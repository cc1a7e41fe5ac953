package e1kfuzz.diff;

import e1kfuzz.model.Signature;
import e1kfuzz.model.Step;
import e1kfuzz.model.Variant;
import e1kfuzz.observe.ModelObserver;
import e1kfuzz.observe.ObservedRun;
import e1kfuzz.qemu.QemuBackend;
import e1kfuzz.qemu.QemuBuild;
import e1kfuzz.qemu.QemuUnavailableException;
import e1kfuzz.qemu.Qtest;
import e1kfuzz.timing.ExactTiming;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Checks a model finding on the variant's exact build (the instrument that proves findings): the
 * trace runs on the model and on QEMU with exact virtual time, and every observation and the abort
 * must agree.
 */
public final class Confirmation {
  private Confirmation() {}

  /**
   * The verdict on one trace, and its one-line text for finding headers and summaries.
   *
   * @param unobservable confirmed only as far as observations go: QEMU agreed after every step, but
   *     this form of the delivery finding shows in no observation, QEMU's or the model's
   * @param checked false when QEMU did not run the trace (not replayable, no build, a backend
   *     failure): not confirmed, but no disagreement either
   */
  public record Verdict(boolean confirmed, String text, boolean unobservable, boolean checked) {
    Verdict(boolean confirmed, String text) {
      this(confirmed, text, false, true);
    }

    Verdict(boolean confirmed, String text, boolean unobservable) {
      this(confirmed, text, unobservable, true);
    }

    /** QEMU did not run the trace: there is no verdict, only why ({@code checked} is false). */
    static Verdict notChecked(String build, String why) {
      return new Verdict(false, "not checked on " + build + ": " + why, false, false);
    }
  }

  /** Null when the variant has no exact build in the cache folder (nothing to check with). */
  public static Verdict check(Variant variant, List<Step> steps) {
    return check(variant, steps, null);
  }

  /**
   * As {@link #check(Variant, List)}, for a finding of {@code signature}: a delivery finding (one
   * that QEMU shows by what it sends, not by aborting) is confirmed only when QEMU's observations
   * alone show it too ({@link RealChecks}), not merely when they agree with the model's; a form of
   * it that shows in no observation (the checks miss it on the model's observations as well) is
   * confirmed as far as observations go, and says so.
   */
  public static Verdict check(Variant variant, List<Step> steps, Signature signature) {
    Optional<Path> exact = QemuBuild.exact(variant);
    if (exact.isEmpty()) {
      return null;
    }
    String name = QemuBuild.exactLauncher(variant);
    String unsupported = Qtest.firstUnsupported(steps);
    if (unsupported != null) {
      return Verdict.notChecked(name, unsupported);
    }
    String fragile = ExactTiming.problem(variant, steps);
    if (fragile != null) {
      return Verdict.notChecked(name, "not replayable under qtest: " + fragile);
    }
    QemuBuild build;
    try {
      build = QemuBuild.probe(exact.get());
    } catch (QemuUnavailableException e) {
      return Verdict.notChecked(name, e.getMessage());
    }
    ObservedRun model = ModelObserver.run(variant, steps);
    ObservedRun run;
    try {
      run = QemuBackend.runOnce(build, steps);
    } catch (IllegalStateException e) {
      return Verdict.notChecked(name, e.getMessage()); // e.g. the JVM is shutting down
    }
    if (run.failure() != null) {
      return Verdict.notChecked(name, "backend failure: " + run.failure());
    }
    Differ.Divergence d = Differ.compare(model, run);
    if (d != null) {
      return new Verdict(false, "NOT CONFIRMED on " + name + ": " + d.oneLine());
    }
    List<RealChecks.Finding> real = RealChecks.check(steps, run);
    String shown =
        real.isEmpty()
            ? ""
            : "; QEMU alone shows "
                + String.join("; ", real.stream().map(RealChecks.Finding::describe).toList());
    if (signature != null
        && signature.deferred()
        && real.stream().noneMatch(f -> f.signature() == signature)) {
      boolean observable =
          RealChecks.check(steps, model).stream().anyMatch(f -> f.signature() == signature);
      if (observable) {
        return new Verdict(
            false,
            "NOT CONFIRMED on "
                + name
                + ": the same observations after every step, but QEMU's observations alone do not"
                + " show "
                + signature.id()
                + ", the model's do"
                + shown);
      }
      return new Verdict(
          true,
          "confirmed on "
              + name
              + " as far as observations go: the same observations after every step; this form of "
              + signature.id()
              + " shows in no observation (the model-free checks miss it on the model's"
              + " observations too)"
              + shown,
          true);
    }
    return new Verdict(
        true,
        "confirmed on "
            + name
            + ": "
            + (run.abortId() != null
                ? "QEMU aborts with "
                    + run.abortId()
                    + " at step "
                    + run.abort().step()
                    + " as the model says"
                : "the same observations after every step")
            + shown);
  }
}
