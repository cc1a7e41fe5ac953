package e1kfuzz.cli;

import e1kfuzz.corpus.Regression;
import e1kfuzz.corpus.TraceFiles;
import e1kfuzz.diff.DiffCampaign;
import e1kfuzz.diff.Differ;
import e1kfuzz.model.Step;
import e1kfuzz.model.Trace;
import e1kfuzz.model.Variant;
import e1kfuzz.qemu.QemuBuild;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes what a differential campaign finds, the moment it finds it, so nothing is lost when the
 * campaign dies later: every divergence as {@code diverged-<variant>-s<seed>-r<run>.trace}
 * (atomically, before it is re-run), replaced by its shrunk form once shrinking is done (or marked
 * as not reproduced); every backend failure as {@code backend-failure-...trace} with the trace that
 * was running. Only files this campaign created are ever replaced; an existing file of an earlier
 * campaign is left as it is. At most {@link #MAX_PER_KIND} unshrunk divergences per kind and {@link
 * #MAX_FAILURE_FILES} failure reports are written (the rest are counted).
 */
final class DiffFindings implements DiffCampaign.Listener {
  static final int MAX_PER_KIND = 10;
  static final int MAX_FAILURE_FILES = 50;

  private final Path out;
  private final QemuBuild build;
  private final String buildName;
  private final Variant variant;
  private final long seed;
  private final PrintWriter err;

  /** The file of each divergence this campaign wrote, by the run that found it. */
  private final Map<Long, Path> written = new HashMap<>();

  private final Map<String, Integer> perKind = new LinkedHashMap<>();
  private final List<Path> files = new ArrayList<>();
  private int failureFiles;
  private int writeErrors;
  private final DiffCampaign.Listener progress;

  DiffFindings(
      Path out,
      QemuBuild build,
      Variant variant,
      long seed,
      PrintWriter err,
      DiffCampaign.Listener progress) {
    this.out = out;
    this.build = build;
    this.buildName = QemuTargets.displayName(build);
    this.variant = variant;
    this.seed = seed;
    this.err = err;
    this.progress = progress;
  }

  /** The files written (divergences, shrunk or not, and backend failures), in the order written. */
  List<Path> files() {
    return List.copyOf(files);
  }

  int writeErrors() {
    return writeErrors;
  }

  @Override
  public void onTrace(long generated, long compared, int divergences, long elapsedNanos) {
    progress.onTrace(generated, compared, divergences, elapsedNanos);
  }

  @Override
  public void onDivergence(long run, List<Step> steps, Differ.Divergence d) {
    int n = perKind.merge(d.kind(), 1, Integer::sum);
    if (n > MAX_PER_KIND) {
      return;
    }
    List<String> header = header(run, steps.size());
    header.add(
        "  FOUND, not yet shrunk"
            + (n > 1 ? " (an earlier run diverged the same way: this one is kept as it is)" : "")
            + ": "
            + d.oneLine());
    Path f = out.resolve("diverged-" + variant.id() + "-s" + seed + "-r" + run + ".trace");
    if (write(f, steps, header, false)) {
      written.put(run, f);
    }
    err.println("e1kfuzz: divergence on run " + run + " (" + d.kind() + ") written to " + f);
    err.flush();
  }

  @Override
  public void onShrunk(DiffCampaign.Divergent d) {
    List<String> header = header(d.run(), d.original().size());
    header.set(
        1, header.get(1) + "; shrunk to " + d.shrunk().size() + " in " + d.shrinkRuns() + " runs");
    for (String line : d.divergence().describe().split("\n")) {
      header.add("  " + line.strip());
    }
    rewrite(d.run(), d.shrunk(), header);
  }

  @Override
  public void onUnreproduced(DiffCampaign.Unreproduced u) {
    List<String> header = header(u.run(), u.steps().size());
    header.add(
        "  diverged once, NOT REPRODUCED when re-run (nondeterminism in the backend, or timing noise): "
            + u.divergence().oneLine());
    rewrite(u.run(), u.steps(), header);
  }

  /** Replaces the file this campaign wrote when run {@code run} diverged, if it wrote one. */
  private void rewrite(long run, List<Step> steps, List<String> header) {
    Path f = written.get(run);
    if (f != null) {
      write(f, steps, header, true);
    }
  }

  @Override
  public void onBackendFailure(DiffCampaign.BackendFailure b) {
    if (++failureFiles > MAX_FAILURE_FILES) {
      return;
    }
    List<String> header = new ArrayList<>();
    header.add(
        "e1kfuzz backend failure: "
            + build.versionLine()
            + " ("
            + buildName
            + ") against model "
            + variant.id());
    header.add(
        "  seed " + seed + ", run " + b.run() + (b.whileShrinking() ? ", a shrink candidate" : ""));
    header.add("  " + b.failure().replace("\n", " "));
    Path f =
        out.resolve(
            "backend-failure-"
                + variant.id()
                + "-s"
                + seed
                + "-r"
                + b.run()
                + (b.whileShrinking() ? "-c" + Regression.contentHash(b.steps()) : "")
                + ".trace");
    header.add(replay(f));
    write(f, b.steps(), header, false);
  }

  private List<String> header(long run, int originalLength) {
    List<String> header = new ArrayList<>();
    header.add(
        "e1kfuzz diff finding: "
            + build.versionLine()
            + " ("
            + buildName
            + ") against model "
            + variant.id());
    header.add(
        "  seed " + seed + ", run " + run + ", original length " + originalLength + " steps");
    header.add(
        replay(out.resolve("diverged-" + variant.id() + "-s" + seed + "-r" + run + ".trace")));
    return header;
  }

  /**
   * The command that replays a file on this build against this model (the variant named: a build
   * maps to its own).
   */
  String replay(Path f) {
    return "replay: ./e1kfuzz diff "
        + e1kfuzz.corpus.FindingWriter.replayPath(f)
        + " --qemu "
        + buildName
        + " --variant "
        + variant.id();
  }

  /** Writes atomically; replaces only a file this campaign wrote. False if nothing was written. */
  private boolean write(Path f, List<Step> steps, List<String> header, boolean replace) {
    Trace t =
        Trace.of(steps).withHeader(header).withExpectations(Regression.expectations(steps, false));
    try {
      if (replace) {
        TraceFiles.replace(f, t.format().getBytes(StandardCharsets.UTF_8));
      } else if (Files.exists(f)) {
        err.println(
            "e1kfuzz: " + f + " exists (an earlier campaign with this seed?); left as it is");
        return false;
      } else {
        TraceFiles.writeNew(f, t.format());
        files.add(f);
      }
      return true;
    } catch (IOException e) {
      writeErrors++;
      CliSupport.cannotWrite(f, e, err);
      return false;
    }
  }
}
