package e1kfuzz.cli;

import e1kfuzz.corpus.CampaignState;
import e1kfuzz.engine.Campaign;
import e1kfuzz.engine.CampaignOptions;
import java.io.IOException;
import java.nio.file.Path;

/** Saves a campaign's state at an epoch boundary at most every few seconds, and at the end. */
final class StateSaver {
  private static final long INTERVAL_NANOS = 5_000_000_000L;
  private final Path dir;
  private final CampaignOptions options;
  private final long elapsedBefore;
  private final String out;
  private final long start = System.nanoTime();
  private long lastSave = System.nanoTime();
  private IOException failure;

  StateSaver(Path dir, CampaignOptions options, long elapsedBefore, String out) {
    this.dir = dir;
    this.options = options;
    this.elapsedBefore = elapsedBefore;
    this.out = out;
  }

  void maybeSave(Campaign c) {
    if (failure == null && System.nanoTime() - lastSave >= INTERVAL_NANOS) {
      try {
        save(c);
      } catch (IOException e) {
        failure = e; // reported at the end; the campaign itself goes on
      }
    }
  }

  void save(Campaign c) throws IOException {
    if (failure != null) {
      throw failure;
    }
    CampaignState.save(
        dir,
        new CampaignState.Saved(
            options, elapsedBefore + System.nanoTime() - start, out, c.snapshot()));
    lastSave = System.nanoTime();
  }
}
