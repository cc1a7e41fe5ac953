package e1kfuzz.cli;

import e1kfuzz.engine.CampaignOptions;
import e1kfuzz.engine.GeneratorOptions;
import e1kfuzz.engine.Guidance;

/**
 * The command that regenerates a campaign's runs, for finding headers ({@code found by: ...}): the
 * options that decide the traces, and none of those that do not ({@code --jobs}, {@code --time},
 * {@code --out}).
 */
final class CampaignOrigin {
  private CampaignOrigin() {}

  static String of(CampaignOptions o) {
    StringBuilder sb = new StringBuilder("e1kfuzz fuzz --seed " + o.seed());
    sb.append(" --variant ").append(VariantSelection.format(o.variants()));
    sb.append(" --max-steps ").append(o.generator().maxSteps());
    if (!java.util.Arrays.equals(o.generator().weights(), GeneratorOptions.defaultWeights())) {
      sb.append(" --weights ").append(o.generator().describeWeights());
    }
    if (o.strict()) {
      sb.append(" --strict");
    }
    if (o.guidance() == Guidance.NONE) {
      sb.append(" --guidance none");
    }
    if (o.zeroNsWindows()) {
      sb.append(" --zero-ns-windows");
    }
    if (o.shardCount() > 1) {
      sb.append(" --shard ").append(o.shardIndex() + 1).append('/').append(o.shardCount());
    }
    return sb.toString();
  }
}
