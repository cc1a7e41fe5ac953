package e1kfuzz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * One exit-code table for every command: {@link ExitCodes}, the README's "Exit codes (every
 * command)" table and the top-level help list the same codes, and each command gives them in a
 * succeeding and a failing case.
 */
class ExitCodesTest {
  static final Path ROOT = Paths.get("..");
  static final Path CORPUS = ROOT.resolve("corpus");

  /** A path that no one can write: /dev/null is not a folder. */
  static final String UNWRITABLE = "/dev/null/x";

  static final String RACE = "write TIDV 0xffff\nwrite TCTL 0xa\ntx ide\nmsix on\nwait 100ms\n";

  @TempDir Path dir;

  static Map<Integer, String> constants() throws Exception {
    Map<Integer, String> codes = new TreeMap<>();
    for (Field f : ExitCodes.class.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
        String before = codes.put(f.getInt(null), f.getName());
        assertEquals(null, before, "two names for exit code " + f.getInt(null));
      }
    }
    return codes;
  }

  @Test
  void theReadmeTheHelpAndExitCodesListTheSameCodes() throws Exception {
    String readme = Files.readString(ROOT.resolve("README.md"));
    int start = readme.indexOf("## Exit codes (every command)");
    assertTrue(start >= 0, "README has an exit-code section");
    String section = readme.substring(start, readme.indexOf("\n## ", start + 3));
    Map<Integer, String> inReadme = new TreeMap<>();
    Matcher m = Pattern.compile("(?m)^\\| (\\d+) \\| (.+) \\|$").matcher(section);
    while (m.find()) {
      inReadme.put(Integer.parseInt(m.group(1)), m.group(2));
    }
    assertEquals(constants().keySet(), inReadme.keySet(), "README table: " + inReadme);
    Map<Integer, String> inHelp = new TreeMap<>();
    new CommandLine(new Main())
        .getCommandSpec()
        .usageMessage()
        .exitCodeList()
        .forEach((k, v) -> inHelp.put(Integer.parseInt(k.strip()), v));
    assertEquals(constants().keySet(), inHelp.keySet(), "top-level help: " + inHelp);
    // The decisions of the table, stated where a reader looks for them.
    assertTrue(
        inReadme.get(ExitCodes.BAD_INPUT).contains("cannot be written"),
        inReadme.get(ExitCodes.BAD_INPUT));
    assertTrue(
        inReadme.get(ExitCodes.FOUND).contains("`evaluate`")
            && inReadme.get(ExitCodes.FOUND).contains("`shrink`"),
        inReadme.get(ExitCodes.FOUND));
    assertTrue(inReadme.get(ExitCodes.OK).contains("`shrink`"), inReadme.get(ExitCodes.OK));
    assertTrue(
        inReadme.get(ExitCodes.NOT_ROBUST).contains("`robustify`"),
        inReadme.get(ExitCodes.NOT_ROBUST));
  }

  static void assertCode(int expected, CliTest.Result r, String what) {
    assertEquals(expected, r.code(), what + ": out: " + r.out() + "\nerr: " + r.err());
  }

  Path write(String name, String text) throws Exception {
    return Files.writeString(dir.resolve(name), text);
  }

  @Test
  void replayAndCorpus() throws Exception {
    Path fine = write("fine.trace", "@expect * ok\nwrite IMS 0x4\n");
    Path race = write("race.trace", RACE);
    assertCode(ExitCodes.OK, CliTest.run("variants"), "variants");
    assertCode(ExitCodes.OK, CliTest.run("replay", fine.toString()), "replay of a passing trace");
    assertCode(ExitCodes.FOUND, CliTest.run("replay", race.toString()), "replay of a violation");
    assertCode(
        ExitCodes.BAD_INPUT,
        CliTest.run("replay", dir.resolve("none.trace").toString()),
        "replay of a missing file");
    assertCode(
        ExitCodes.BAD_INPUT,
        CliTest.run("replay", fine.toString(), "--format", "html", "-o", UNWRITABLE),
        "replay -o unwritable");

    Path corpus = dir.resolve("corpus");
    assertCode(
        ExitCodes.OK,
        CliTest.run("corpus", "add", race.toString(), "--corpus", corpus.toString()),
        "corpus add");
    assertCode(
        ExitCodes.BAD_INPUT,
        CliTest.run("corpus", "add", race.toString(), "--corpus", UNWRITABLE),
        "corpus add unwritable");
    assertCode(ExitCodes.OK, CliTest.run("corpus", "check", corpus.toString()), "corpus check");
    write("corpus/wrong.trace", "@expect * ok\n" + RACE);
    assertCode(
        ExitCodes.FOUND,
        CliTest.run("corpus", "check", corpus.toString()),
        "corpus check with a mismatch");
    assertCode(
        ExitCodes.BAD_INPUT,
        CliTest.run("corpus", "check", dir.resolve("none").toString()),
        "corpus check, no folder");
  }

  @Test
  void fuzzExploreAndEvaluate() throws Exception {
    assertCode(
        ExitCodes.OK,
        CliTest.run(
            "fuzz",
            "--variant",
            "fix-mode-switch",
            "--seed",
            "3",
            "--runs",
            "500",
            // INTx-only traces: every MSI-X and MSI run of every 8.1+ variant has delivery
            // findings.
            "--weights",
            "msix=0,msix-vector=0,msi=0",
            "--out",
            dir.resolve("none").toString()),
        "fuzz, nothing found");
    assertCode(
        ExitCodes.FOUND,
        CliTest.run(
            "fuzz",
            "--variant",
            "qemu-7.2.0",
            "--seed",
            "5",
            "--runs",
            "500",
            "--no-confirm",
            "--out",
            dir.resolve("f").toString()),
        "fuzz, found");
    for (String[] output :
        new String[][] {
          {"--out", UNWRITABLE},
          {"--junit", UNWRITABLE},
          {"--html", UNWRITABLE},
          {"--state", UNWRITABLE}
        }) {
      CliTest.Result r =
          CliTest.run(
              "fuzz",
              "--variant",
              "qemu-7.2.0",
              "--seed",
              "5",
              "--runs",
              "500",
              "--out",
              dir.resolve("f2").toString(),
              output[0],
              output[1]);
      assertCode(ExitCodes.BAD_INPUT, r, "fuzz " + output[0] + " unwritable");
      assertFalse(r.out().contains("runs in"), "refused before the campaign: " + r.out());
    }

    assertCode(
        ExitCodes.OK,
        CliTest.run(
            "explore",
            "--variant",
            "fix-mode-switch",
            "--depth",
            "2",
            "--out",
            dir.resolve("e").toString()),
        "explore, nothing found");
    assertCode(
        ExitCodes.FOUND,
        CliTest.run(
            "explore",
            "--variant",
            "qemu-7.2.0",
            "--depth",
            "4",
            "--out",
            dir.resolve("e").toString()),
        "explore, found");
    CliTest.Result explore =
        CliTest.run("explore", "--variant", "qemu-7.2.0", "--depth", "4", "--out", UNWRITABLE);
    assertCode(ExitCodes.BAD_INPUT, explore, "explore --out unwritable");
    assertFalse(
        explore.out().contains("e1kfuzz explore: depth"),
        "refused before exploring: " + explore.out());

    assertCode(
        ExitCodes.FOUND,
        CliTest.run(
            "evaluate", "--time", "1s", "--depth", "2", "--out", dir.resolve("ev").toString()),
        "evaluate: the pre-fix variants fail");
    for (String[] output : new String[][] {{"--out", UNWRITABLE}, {"-o", UNWRITABLE}}) {
      CliTest.Result r =
          CliTest.run(
              "evaluate",
              "--time",
              "1s",
              "--depth",
              "2",
              "--out",
              dir.resolve("ev2").toString(),
              output[0],
              output[1]);
      assertCode(ExitCodes.BAD_INPUT, r, "evaluate " + output[0] + " unwritable");
      assertFalse(r.err().contains("exploring"), "refused before the evaluation: " + r.err());
    }

    Path park = write("park.scenario", ScenariosCliTest.PARK);
    String[] scenarios = {
      "scenarios",
      park.toString(),
      "--no-confirm",
      "--grid",
      "20",
      "--out",
      dir.resolve("sc").toString()
    };
    assertCode(ExitCodes.FOUND, CliTest.run(scenarios), "scenarios: the pre-fix variants abort");
    assertCode(
        ExitCodes.OK,
        CliTest.run(concat(scenarios, "--variant", "qemu-10.2")),
        "scenarios: safe on the fixed release");
    CliTest.Result outUnwritable =
        CliTest.run("scenarios", park.toString(), "--no-confirm", "--out", UNWRITABLE);
    assertCode(ExitCodes.BAD_INPUT, outUnwritable, "scenarios --out unwritable");
    assertTrue(outUnwritable.err().contains(UNWRITABLE), outUnwritable.err());
    CliTest.Result reportUnwritable = CliTest.run(concat(scenarios, "-o", UNWRITABLE));
    assertCode(ExitCodes.BAD_INPUT, reportUnwritable, "scenarios -o unwritable");
    assertFalse(
        reportUnwritable.err().contains("e1kfuzz scenarios:"),
        "refused before the search: " + reportUnwritable.err());
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void shrinkRobustifyExportMergeAndDiff() throws Exception {
    Path race = write("race.trace", "read ICR\n" + RACE);
    assertCode(
        ExitCodes.FOUND,
        CliTest.run("shrink", race.toString(), "--variant", "qemu-8.1"),
        "shrink: the result fails");
    Path fine = write("fine.trace", "write IMS 0x4\nwait 1ms\n");
    assertCode(ExitCodes.OK, CliTest.run("shrink", fine.toString()), "shrink: fails nowhere");

    Path radv = Files.copy(CORPUS.resolve("rx-radv-race.trace"), dir.resolve("rx-radv-race.trace"));
    assertCode(ExitCodes.OK, CliTest.run("robustify", radv.toString()), "robustify");
    Path tidv0 = Files.copy(CORPUS.resolve("tidv0-race.trace"), dir.resolve("tidv0-race.trace"));
    assertCode(
        ExitCodes.NOT_ROBUST,
        CliTest.run("robustify", tidv0.toString()),
        "robustify: cannot be made robust");
    assertCode(
        ExitCodes.BAD_INPUT,
        CliTest.run("robustify", radv.toString(), "-o", UNWRITABLE),
        "robustify -o unwritable");

    assertCode(ExitCodes.OK, CliTest.run("export", race.toString(), "--to", "qtest"), "export");
    assertCode(
        ExitCodes.BAD_INPUT,
        CliTest.run("export", race.toString(), "--to", "qtest", "-o", UNWRITABLE),
        "export -o unwritable");
    Path other = write("other.qtest", "mine\n");
    assertCode(
        ExitCodes.BAD_INPUT,
        CliTest.run("export", race.toString(), "--to", "qtest", "-o", other.toString()),
        "export over a different file");

    Path shard = Files.createDirectories(dir.resolve("shard"));
    MergeCommandTest.finding(shard, "f.trace", RACE, "assert:collect-delayed-causes on qemu-8.1");
    assertCode(
        ExitCodes.OK,
        CliTest.run(
            "merge",
            shard.toString(),
            "--out",
            dir.resolve("m1").toString(),
            "--corpus",
            CORPUS.toString()),
        "merge: expected");
    Path empty = Files.createDirectories(dir.resolve("empty-corpus"));
    assertCode(
        ExitCodes.NEW_FINDING,
        CliTest.run(
            "merge",
            shard.toString(),
            "--out",
            dir.resolve("m2").toString(),
            "--corpus",
            empty.toString()),
        "merge: new");
    assertCode(
        ExitCodes.BAD_INPUT,
        CliTest.run("merge", shard.toString(), "--out", UNWRITABLE, "--corpus", CORPUS.toString()),
        "merge --out unwritable");

    assertCode(
        ExitCodes.NO_QEMU,
        CliTest.run("diff", race.toString(), "--qemu", dir.resolve("no-qemu").toString()),
        "diff, no QEMU");
    java.util.Optional<Path> exact = e1kfuzz.qemu.QemuBuild.exact(e1kfuzz.model.Variant.QEMU_10_2);
    if (exact.isEmpty()) {
      System.err.println(
          "ExitCodesTest: SKIPPED diff on a real QEMU: no exact-qemu-10.2 in "
              + e1kfuzz.qemu.QemuBuild.cacheDir()
              + " (make qemu-src)");
    } else {
      // The merged fix's build against its own model and against the pre-fix model.
      String s1 = CORPUS.resolve("s1-tidv-race.trace").toString();
      assertCode(ExitCodes.OK, CliTest.run("diff", s1, "--qemu", "exact-qemu-10.2"), "diff, same");
      assertCode(
          ExitCodes.DIVERGED,
          CliTest.run("diff", s1, "--qemu", "exact-qemu-10.2", "--variant", "qemu-7.2.0"),
          "diff, diverged");
    }
    assertCode(
        ExitCodes.NO_QEMU,
        CliTest.run(
            "replay",
            race.toString(),
            "--backend",
            "qemu",
            "--qemu",
            dir.resolve("no-qemu").toString()),
        "replay --backend qemu, no QEMU");
  }
}
