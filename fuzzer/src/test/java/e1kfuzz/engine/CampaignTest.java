package e1kfuzz.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import e1kfuzz.corpus.FindingWriter;
import e1kfuzz.model.Signature;
import e1kfuzz.model.Variant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CampaignTest {
  @TempDir Path dir;

  static CampaignOptions options(
      List<Variant> variants, long seed, long runs, int jobs, int shard, int shards) {
    return new CampaignOptions(
        variants, seed, runs, null, jobs, GeneratorOptions.defaults(), false, shard, shards);
  }

  static Campaign.Result run(CampaignOptions o) throws InterruptedException {
    return new Campaign(o).run(null);
  }

  static Map<String, String> files(Path d) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.list(d)) {
      for (Path p : s.toList()) {
        out.put(p.getFileName().toString(), Files.readString(p));
      }
    }
    return out;
  }

  @Test
  void theSameSeedGivesTheSameFindingsFilesWhateverJobsIs() throws Exception {
    List<Variant> all = List.of(Variant.values());
    Campaign.Result one = run(options(all, 4242, 3000, 1, 0, 1));
    Campaign.Result two = run(options(all, 4242, 3000, 2, 0, 1));
    assertEquals(3000, one.runs());
    assertEquals(3000, two.runs());
    assertFalse(one.findings().isEmpty());
    Path d1 = dir.resolve("j1");
    Path d2 = dir.resolve("j2");
    FindingWriter.write(d1, one.findings(), false, 4242, "e1kfuzz fuzz --seed 4242");
    FindingWriter.write(d2, two.findings(), false, 4242, "e1kfuzz fuzz --seed 4242");
    // Byte for byte: the headers' replay lines name the file, not the --out folder outside the
    // working directory.
    assertEquals(files(d1), files(d2));
  }

  /** N shards of M runs find what one campaign of N x M runs finds. */
  @Test
  void shardsTogetherDoWhatOneLongRunDoes() throws Exception {
    List<Variant> v = List.of(Variant.QEMU_7_2_0);
    Campaign.Result whole = run(options(v, 9, 1500, 2, 0, 1));
    Map<Signature, Finding> merged = new TreeMap<>();
    for (int k = 0; k < 3; k++) {
      for (Finding f : run(options(v, 9, 500, 1, k, 3)).findings()) {
        merged.merge(f.signature(), f, (a, b) -> a.run() <= b.run() ? a : b);
      }
    }
    assertEquals(
        whole.findings().stream().collect(Collectors.toMap(Finding::signature, f -> f.run())),
        merged.values().stream().collect(Collectors.toMap(Finding::signature, f -> f.run())));
    for (Finding f : whole.findings()) {
      assertEquals(f.shrunk().steps(), merged.get(f.signature()).shrunk().steps());
    }
  }

  /** What `make fuzz` must show: the asserts where they live, none where they were fixed. */
  @Test
  void aCampaignFindsEachAssertOnlyWhereItLives() throws Exception {
    Campaign.Result r = run(options(List.of(Variant.values()), 1, 20000, 2, 0, 1));
    Map<Variant, Set<String>> found =
        r.findings().stream()
            .collect(
                Collectors.groupingBy(
                    Finding::variant,
                    Collectors.mapping(f -> f.signature().id(), Collectors.toSet())));
    assertTrue(
        found
            .get(Variant.QEMU_7_2_0)
            .containsAll(
                Set.of(
                    "assert:collect-delayed-causes",
                    "assert:itr-timer-under-msix",
                    "assert:eitr-timer-without-msix")),
        found.toString());
    assertTrue(
        found
            .get(Variant.QEMU_7_2_20)
            .containsAll(Set.of("assert:itr-timer-under-msix", "assert:eitr-timer-without-msix")),
        found.toString());
    assertTrue(
        found.get(Variant.QEMU_8_1).contains("assert:collect-delayed-causes"), found.toString());
    for (Variant fixed : List.of(Variant.QEMU_10_2, Variant.FIX_V1, Variant.FIX_MODE_SWITCH)) {
      assertTrue(
          found.getOrDefault(fixed, Set.of()).stream().noneMatch(s -> s.startsWith("assert:")),
          found.toString());
    }
    assertFalse(
        found
            .getOrDefault(Variant.QEMU_7_2_20, Set.of())
            .contains("assert:collect-delayed-causes"));
    assertTrue(r.internalFailures().isEmpty(), r.internalFailures().toString());
  }

  @Test
  void findingFilesAreNeverOverwritten() throws Exception {
    Campaign.Result r = run(options(List.of(Variant.QEMU_7_2_0), 5, 300, 1, 0, 1));
    List<FindingWriter.Written> first = FindingWriter.write(dir, r.findings(), false, 5, "a");
    assertTrue(first.stream().noneMatch(FindingWriter.Written::alreadyPresent));
    // Same steps, different header (another seed): kept as it is, reported as already there.
    List<FindingWriter.Written> again = FindingWriter.write(dir, r.findings(), false, 6, "b");
    assertTrue(again.stream().allMatch(FindingWriter.Written::alreadyPresent));
    for (FindingWriter.Written w : first) {
      assertTrue(Files.readString(w.file()).contains("seed 5,"), "the first header stays");
    }
    // A different trace under the same name is refused.
    Path victim = first.get(0).file();
    Files.writeString(victim, "# mine\nreset\n");
    assertTrue(
        org.junit.jupiter.api.Assertions.assertThrows(
                java.io.IOException.class,
                () -> FindingWriter.write(dir, r.findings(), false, 5, "a"))
            .getMessage()
            .contains("not overwritten"));
    assertEquals("# mine\nreset\n", Files.readString(victim));
  }

  @Test
  void aTimeBoundedCampaignStopsAndCountsItsRuns() throws Exception {
    CampaignOptions o =
        new CampaignOptions(
            List.of(Variant.FIX_MODE_SWITCH),
            3,
            0,
            java.time.Duration.ofMillis(300),
            1,
            GeneratorOptions.defaults(),
            false,
            0,
            1);
    Campaign.Result r = new Campaign(o).run(null);
    assertTrue(r.runs() > 0);
    assertTrue(r.elapsedNanos() >= 300_000_000L);
  }

  @Test
  void durationsParse() {
    assertEquals(java.time.Duration.ofSeconds(30), Campaign.parseDuration("30s"));
    assertEquals(java.time.Duration.ofMinutes(5), Campaign.parseDuration("5m"));
    assertEquals(java.time.Duration.ofMillis(500), Campaign.parseDuration("500ms"));
    assertEquals(java.time.Duration.ofHours(2), Campaign.parseDuration("2h"));
    for (String bad : List.of("30", "0s", "-1s", "1.5s", "s", "99999999999h")) {
      org.junit.jupiter.api.Assertions.assertThrows(
          IllegalArgumentException.class, () -> Campaign.parseDuration(bad), bad);
    }
  }
}
