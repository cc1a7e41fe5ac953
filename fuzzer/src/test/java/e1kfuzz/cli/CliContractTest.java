package e1kfuzz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import e1kfuzz.model.Variant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * Every option works in every combination the help allows, or is refused with exit 2 before any
 * work; and what the commands print says what happened.
 */
class CliContractTest {
  static final Path CORPUS = Paths.get("..", "corpus");
  static final String S1 = CORPUS.resolve("s1-tidv-race.trace").toString();

  @TempDir Path dir;

  /**
   * Options a command would ignore in that combination, and bad values: a usage error naming them.
   */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "fuzz --runs 10 --qemu qemu-7.2.18                      | --qemu needs --backend diff",
        "fuzz --runs 10 --qemu-module-dir /tmp                  | --qemu-module-dir needs --backend diff",
        "fuzz --runs 10 --margin 10ms                           | --margin needs --backend diff",
        "fuzz --runs 10 --fresh-qemu                            | --fresh-qemu needs --backend diff",
        "fuzz --time 5x                                         | Invalid value for option '--time': duration '5x' needs a unit",
        "fuzz --time 0s                                         | duration '0s' must be positive",
        "replay S1 --qemu qemu-7.2.18                           | --qemu needs --backend qemu",
        "replay S1 --summary --format json                      | --summary is for the text format",
        "replay S1 --backend qemu --qemu all                    | --qemu all is for diff and fuzz --backend diff",
        "replay S1 --backend qemu --strict                      | --strict cannot be combined with --backend qemu",
        "replay S1 --backend qemu --summary                     | --summary cannot be combined with --backend qemu",
        "replay S1 --backend qemu --variant all                 | --backend qemu holds one build to one variant's @expect lines",
        "explore --format html                                  | --format is text or json for explore",
        "explore --print-alphabet --depth 3                     | --print-alphabet prints the default alphabet and runs nothing",
        "explore --max-states 0                                 | --max-states must be at least 1",
        "evaluate --time 0s                                     | Invalid value for option '--time'",
        "evaluate --jobs 0                                      | --jobs must be at least 1",
        "export S1 --to qtest --package p                       | --package is for --to junit",
        "export S1 --to junit --variant qemu-8.1                | --variant is for --to qtest",
        "export S1 --to qtest --variant qemu-9                  | unknown variant 'qemu-9'",
        "shrink S1 --variant all                                | one variant is meant here, not 'all'",
        "shrink S1 --variant qemu-9                             | unknown variant 'qemu-9'",
        "diff S1 --variant qemu-9                               | unknown variant 'qemu-9'",
        "diff S1 --margin 5                                     | Invalid value for option '--margin': duration '5' needs a unit",
        "diff S1 --qemu qemu-7.2.18 --variant qemu-7.2.0,fix-v1 | several --variant need --qemu all",
        "robustify S1 --margin 5                                | Invalid value for option '--margin'",
        "corpus                                                 | Missing required subcommand",
      })
  void refusedWithExitTwoBeforeAnyWork(String command, String message) {
    String[] args = command.strip().replace("S1", S1).split("\\s+");
    CliTest.Result r = CliTest.run(args);
    assertEquals(ExitCodes.BAD_INPUT, r.code(), command + ": " + r.out() + r.err());
    assertTrue(r.err().startsWith("e1kfuzz: "), r.err());
    assertTrue(r.err().contains(message), r.err());
    assertFalse(r.err().contains("internal error"), r.err());
  }

  /**
   * One mixin: the same --qemu and --qemu-module-dir, with the same help, in every command that
   * drives QEMU.
   */
  @Test
  void theQemuOptionsAreTheSameEverywhere() {
    CommandLine main = new CommandLine(new Main());
    List<String> texts = new java.util.ArrayList<>();
    for (String command : new String[] {"diff", "fuzz", "replay"}) {
      var spec = main.getSubcommands().get(command).getCommandSpec();
      assertTrue(
          spec.mixins().values().stream().anyMatch(m -> m.userObject() instanceof QemuOptions),
          command);
      texts.add(
          String.join(" ", spec.findOption("--qemu").description())
              + " | "
              + String.join(" ", spec.findOption("--qemu-module-dir").description()));
    }
    assertEquals(1, texts.stream().distinct().count(), texts.toString());
  }

  @Test
  void printAlphabetAloneStillWorks() {
    CliTest.Result r = CliTest.run("explore", "--print-alphabet");
    assertEquals(ExitCodes.OK, r.code(), r.err());
    assertTrue(r.out().contains("write IMS"), r.out());
  }

  @Test
  void evaluateWritesTheReportFileInEveryFormat() throws Exception {
    Path json = dir.resolve("ev.json");
    CliTest.Result r =
        CliTest.run(
            "evaluate",
            "--time",
            "1s",
            "--depth",
            "2",
            "--format",
            "json",
            "-o",
            json.toString(),
            "--out",
            dir.resolve("ev").toString());
    assertEquals(ExitCodes.FOUND, r.code(), r.err());
    assertTrue(new ObjectMapper().readTree(json.toFile()).get("cells").size() > 0);
    assertTrue(r.out().contains("report: " + json), r.out());
    assertTrue(
        r.err().contains("fuzzing all variants for 0.7s, seed 1"), "not 'for 0 s': " + r.err());
    assertTrue(r.err().contains("fuzzing all variants for 0.3s (strict), seed 1"), r.err());
    Path text = dir.resolve("ev.md");
    CliTest.Result t =
        CliTest.run(
            "evaluate",
            "--time",
            "1s",
            "--depth",
            "2",
            "-o",
            text.toString(),
            "--out",
            dir.resolve("ev").toString());
    assertEquals(ExitCodes.FOUND, t.code(), t.err());
    assertTrue(
        Files.readString(text).contains("| `assert:collect-delayed-causes` |"),
        Files.readString(text));
  }

  @Test
  void severalVariantsTheHeaderPrintsAFormTheOptionTakes() throws Exception {
    Path out = dir.resolve("f");
    CliTest.Result r =
        CliTest.run(
            "fuzz",
            "--variant",
            "qemu-7.2.0",
            "--variant",
            "fix-v1",
            "--seed",
            "1",
            "--runs",
            "3000",
            "--no-confirm",
            "--out",
            out.toString());
    assertEquals(ExitCodes.FOUND, r.code(), r.err());
    Matcher m = Pattern.compile("(?m)^variants ([^;]+);").matcher(r.out());
    assertTrue(m.find(), r.out());
    assertEquals("qemu-7.2.0,fix-v1", m.group(1));
    FuzzCommand parsed = new FuzzCommand();
    new CommandLine(parsed)
        .setCaseInsensitiveEnumValuesAllowed(true)
        .parseArgs("--variant", m.group(1));
    assertEquals(
        List.of(e1kfuzz.model.Variant.QEMU_7_2_0, e1kfuzz.model.Variant.FIX_V1), parsed.variants);
    // Coverage is measured on the steering model, which did not run here: said so.
    assertTrue(
        r.out()
            .contains(
                "measured on qemu-10.2, the model that steers the traces, not one of the variants run"),
        r.out());
    // The findings say how to regenerate the campaign: both variants.
    try (Stream<Path> s = Files.list(out)) {
      for (Path f : s.toList()) {
        assertTrue(
            Files.readString(f)
                .contains(
                    "found by: e1kfuzz fuzz --seed 1 --variant qemu-7.2.0,fix-v1 --max-steps 40\n"),
            f.toString());
      }
    }
  }

  @Test
  void replaySummaryCountsWhatWasExpected() {
    CliTest.Result r = CliTest.run("replay", S1, "--summary");
    assertEquals(ExitCodes.OK, r.code(), r.err());
    assertTrue(
        r.out()
            .contains(
                Variant.values().length
                    + " runs: "
                    + Variant.values().length
                    + " as expected (2 violated as expected), 0 unexpected (violated or"
                    + " mismatched), 0 unreadable files"),
        r.out());
    CliTest.Result one = CliTest.run("replay", S1, "--summary", "--variant", "fix-v1");
    assertTrue(one.out().contains("1 run: 1 as expected (0 violated as expected)"), one.out());
  }

  @Test
  void robustifyMarksTheTimesOfTheInputInCommentsWhenPeriodsAreScaled() throws Exception {
    Path in =
        Files.copy(CORPUS.resolve("itr-race-default.trace"), dir.resolve("itr-race-default.trace"));
    CliTest.Result r = CliTest.run("robustify", in.toString());
    assertEquals(ExitCodes.OK, r.code(), r.out() + r.err());
    String text = Files.readString(dir.resolve("itr-race-default.robust.trace"));
    assertTrue(text.contains("write ITR 0x00004e20"), text);
    assertTrue(
        text.contains("# INTx, ITR armed 128 us" + RobustifyCommand.STALE_TIME + "\n"), text);
    assertTrue(
        text.contains("# same virtual instant\n"),
        "a comment without a time is left alone: " + text);
  }

  @Test
  void aCampaignStoppedBeforeItsRunsSaysHowToResume() throws Exception {
    Path state = dir.resolve("st");
    CliTest.Result r =
        CliTest.run(
            "fuzz",
            "--variant",
            "fix-mode-switch",
            "--time",
            "500ms",
            "--jobs",
            "1",
            "--state",
            state.toString(),
            "--out",
            dir.resolve("f").toString());
    // Found or not (every variant has delivery findings), a stopped campaign says how to go on.
    assertTrue(r.code() == ExitCodes.OK || r.code() == ExitCodes.FOUND, r.err());
    String hint = "go on with: ./e1kfuzz fuzz --resume " + state + " --time DURATION";
    assertTrue(r.out().contains(hint), r.out());
    String[] resume =
        (hint.substring("go on with: ./e1kfuzz ".length()).replace("DURATION", "500ms")).split(" ");
    CliTest.Result resumed = CliTest.run(resume);
    assertTrue(resumed.code() == ExitCodes.OK || resumed.code() == ExitCodes.FOUND, resumed.err());
    assertTrue(resumed.out().contains("resumed from " + state), resumed.out());
    // A campaign that did all its runs has nothing to resume.
    CliTest.Result whole =
        CliTest.run(
            "fuzz",
            "--variant",
            "fix-mode-switch",
            "--runs",
            "100",
            "--state",
            dir.resolve("st2").toString(),
            "--out",
            dir.resolve("f").toString());
    assertFalse(whole.out().contains("--resume"), whole.out());
  }

  @Test
  void mergeAdvisesTheCorpusItRead() throws Exception {
    Path shard = Files.createDirectories(dir.resolve("shard"));
    MergeCommandTest.finding(
        shard,
        "f.trace",
        "write TIDV 0xffff\nwrite TCTL 0xa\ntx ide\nmsix on\nwait 100ms\n",
        "assert:collect-delayed-causes on qemu-8.1");
    Path corpus = Files.createDirectories(dir.resolve("mycorpus"));
    CliTest.Result r =
        CliTest.run(
            "merge",
            shard.toString(),
            "--out",
            dir.resolve("m").toString(),
            "--corpus",
            corpus.toString());
    assertEquals(ExitCodes.NEW_FINDING, r.code());
    assertTrue(
        r.out()
            .contains(
                "keep it: ./e1kfuzz corpus add "
                    + dir.resolve("m").resolve("f.trace")
                    + " --corpus "
                    + corpus),
        r.out());
  }
}
