package e1kfuzz.engine;

import com.google.common.base.Preconditions;
import e1kfuzz.model.Variant;
import java.time.Duration;
import java.util.List;

/**
 * What a campaign does. Run {@code j} of shard {@code k} (0-based) of {@code n} is global run
 * {@code k + j * n}; run {@code r}'s trace is a pure function of {@code seed}, {@code r} and the
 * generator options, so shards and jobs only decide who computes which run. With coverage guidance
 * a run also depends on the traces kept before its epoch, which the same seed and options reproduce
 * whatever {@code jobs} is (shards keep their own).
 *
 * @param runs runs per shard, or 0 for no limit (then {@code time} must be set)
 * @param zeroNsWindows keep findings that need a step to run while a timer is already due (a 0-ns
 *     window, see {@link e1kfuzz.timing.ExactTiming}); by default a finding is the first run that
 *     fails in a form the exact builds replay, and is shrunk keeping that form
 * @param time wall-clock budget, or null for no limit (then {@code runs} must be set)
 */
public record CampaignOptions(
    List<Variant> variants,
    long seed,
    long runs,
    Duration time,
    int jobs,
    GeneratorOptions generator,
    boolean strict,
    int shardIndex,
    int shardCount,
    Guidance guidance,
    boolean zeroNsWindows) {

  public CampaignOptions {
    variants = List.copyOf(variants);
    Preconditions.checkArgument(!variants.isEmpty(), "no variant");
    Preconditions.checkArgument(runs > 0 || time != null, "a campaign needs --runs or --time");
    Preconditions.checkArgument(runs >= 0, "runs must be >= 0");
    Preconditions.checkArgument(jobs >= 1, "jobs must be >= 1, got %s", jobs);
    Preconditions.checkNotNull(guidance, "guidance");
    Preconditions.checkArgument(
        shardCount >= 1 && shardIndex >= 0 && shardIndex < shardCount, "bad shard");
  }

  /** Findings in the form the exact builds replay. */
  public CampaignOptions(
      List<Variant> variants,
      long seed,
      long runs,
      Duration time,
      int jobs,
      GeneratorOptions generator,
      boolean strict,
      int shardIndex,
      int shardCount,
      Guidance guidance) {
    this(
        variants,
        seed,
        runs,
        time,
        jobs,
        generator,
        strict,
        shardIndex,
        shardCount,
        guidance,
        false);
  }

  /** Unguided: every run is a pure function of the seed and its index. */
  public CampaignOptions(
      List<Variant> variants,
      long seed,
      long runs,
      Duration time,
      int jobs,
      GeneratorOptions generator,
      boolean strict,
      int shardIndex,
      int shardCount) {
    this(
        variants, seed, runs, time, jobs, generator, strict, shardIndex, shardCount, Guidance.NONE);
  }

  public CampaignOptions withGuidance(Guidance g) {
    return new CampaignOptions(
        variants,
        seed,
        runs,
        time,
        jobs,
        generator,
        strict,
        shardIndex,
        shardCount,
        g,
        zeroNsWindows);
  }

  public CampaignOptions withZeroNsWindows(boolean z) {
    return new CampaignOptions(
        variants, seed, runs, time, jobs, generator, strict, shardIndex, shardCount, guidance, z);
  }

  /** The global index of this shard's {@code local}-th run. */
  public long globalRun(long local) {
    return shardIndex + local * shardCount;
  }

  /** The variant whose model steers generation when several variants run the same traces. */
  public static final Variant SHADOW = Variant.QEMU_10_2;
}
