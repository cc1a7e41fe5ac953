package e1kfuzz.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The help and the README say what the code does: every help page, every README command example.
 */
class HelpAndReadmeTest {
  static final Path README = Path.of("..", "README.md");

  /** Every command and subcommand, as the words that name it ({@code [corpus, add]}). */
  static List<List<String>> commandPaths() {
    List<List<String>> paths = new ArrayList<>();
    collect(new CommandLine(new Main()), new ArrayList<>(), paths);
    return paths;
  }

  private static void collect(CommandLine c, List<String> path, List<List<String>> into) {
    into.add(List.copyOf(path));
    c.getSubcommands()
        .forEach(
            (name, sub) -> {
              List<String> p = new ArrayList<>(path);
              p.add(name);
              collect(sub, p, into);
            });
  }

  static CommandSpec spec(List<String> path) {
    CommandLine c = new CommandLine(new Main());
    for (String name : path) {
      c = c.getSubcommands().get(name);
    }
    return c.getCommandSpec();
  }

  static String[] args(List<String> path, String... more) {
    List<String> a = new ArrayList<>(path);
    a.addAll(List.of(more));
    return a.toArray(String[]::new);
  }

  static String collapse(String s) {
    return s.replaceAll("\\s+", " ").strip();
  }

  /**
   * Each description paragraph is a whole sentence: picocli prints every element on a line of its
   * own, so a sentence split over two elements is broken mid-line, and the top-level list shows
   * only the first element (a cut-off first line reads as a truncated description).
   */
  @TestFactory
  Stream<DynamicTest> everyHelpPageExitsZeroAndDescribesEverything() {
    return commandPaths().stream()
        .map(
            path ->
                DynamicTest.dynamicTest(
                    "e1kfuzz " + String.join(" ", path) + " --help",
                    () -> {
                      CliTest.Result r = CliTest.run(args(path, "--help"));
                      assertEquals(ExitCodes.OK, r.code(), r.err());
                      assertTrue(
                          r.out()
                              .startsWith(
                                  "Usage: e1kfuzz"
                                      + (path.isEmpty() ? "" : " " + String.join(" ", path))),
                          r.out());
                      CommandSpec spec = spec(path);
                      String[] description = spec.usageMessage().description();
                      assertTrue(description.length > 0, "no description");
                      for (String d : description) {
                        assertTrue(
                            d.strip().endsWith(".") || d.strip().endsWith(":"),
                            "a description paragraph that is no whole sentence: '" + d + "'");
                      }
                      for (ArgSpec a : spec.args()) {
                        if (!a.hidden()) {
                          assertTrue(
                              a.description().length > 0 && !a.description()[0].isBlank(),
                              "no description for "
                                  + a.paramLabel()
                                  + " of "
                                  + spec.qualifiedName());
                        }
                      }
                    }));
  }

  @Test
  void theTopLevelHelpShowsEachCommandsWholeFirstLine() {
    CliTest.Result r = CliTest.run("--help");
    String commands =
        collapse(r.out().substring(r.out().indexOf("Commands:"), r.out().indexOf("Exit codes:")));
    for (var e : new CommandLine(new Main()).getSubcommands().entrySet()) {
      String first = collapse(e.getValue().getCommandSpec().usageMessage().description()[0]);
      assertTrue(
          commands.contains(e.getKey() + " " + first),
          e.getKey() + ": '" + first + "' not whole in:\n" + r.out());
    }
  }

  @Test
  void helpNamesSubcommandsByTheirWholePath() {
    CliTest.Result viaHelp = CliTest.run("help", "corpus", "add");
    assertEquals(ExitCodes.OK, viaHelp.code(), viaHelp.err());
    assertEquals(CliTest.run("corpus", "add", "--help").out(), viaHelp.out());
    assertTrue(viaHelp.out().startsWith("Usage: e1kfuzz corpus add"), viaHelp.out());
    assertEquals(CliTest.run("fuzz", "--help").out(), CliTest.run("help", "fuzz").out());
    CliTest.Result unknown = CliTest.run("help", "corpus", "remove");
    assertEquals(ExitCodes.BAD_INPUT, unknown.code());
    assertTrue(
        unknown.err().contains("unknown command 'corpus remove'; the commands are: add, check"),
        unknown.err());
  }

  @Test
  void everyCommandPrintsTheProjectVersion() throws Exception {
    String pom = Files.readString(Path.of("..", "pom.xml"));
    Matcher m =
        Pattern.compile("<artifactId>e1kfuzz-parent</artifactId>\\s*<version>([^<]+)</version>")
            .matcher(pom);
    assertTrue(m.find(), "version in pom.xml");
    for (List<String> path : commandPaths()) {
      CliTest.Result r = CliTest.run(args(path, "--version"));
      assertEquals(ExitCodes.OK, r.code(), path + ": " + r.err());
      assertTrue(r.out().startsWith("e1kfuzz " + m.group(1) + "\n"), path + ": " + r.out());
    }
  }

  /** The {@code ./e1kfuzz ...} commands of README.md's code blocks, one argument list each. */
  static List<List<String>> readmeExamples(String readme) {
    List<List<String>> examples = new ArrayList<>();
    boolean inBlock = false;
    for (String line : readme.split("\n")) {
      if (line.startsWith("```")) {
        inBlock = !inBlock;
        continue;
      }
      if (!inBlock) {
        continue;
      }
      for (String command : line.split("&&|;|\\|")) {
        String c = command.strip();
        int hash = c.indexOf(" #");
        if (hash >= 0) {
          c = c.substring(0, hash).strip();
        }
        if (c.startsWith("./e1kfuzz ")) {
          examples.add(List.of(c.substring("./e1kfuzz ".length()).strip().split("\\s+")));
        }
      }
    }
    return examples;
  }

  @TestFactory
  Stream<DynamicTest> everyReadmeExampleParses() throws Exception {
    List<List<String>> examples = readmeExamples(Files.readString(README));
    assertTrue(examples.size() >= 15, "README examples found: " + examples);
    return examples.stream()
        .map(
            words ->
                DynamicTest.dynamicTest(
                    String.join(" ", words),
                    () -> {
                      CommandLine cmd = new CommandLine(new Main());
                      cmd.setCaseInsensitiveEnumValuesAllowed(true);
                      CommandLine.ParseResult parsed = cmd.parseArgs(words.toArray(String[]::new));
                      assertTrue(parsed.hasSubcommand(), "names a command: " + words);
                    }));
  }

  @Test
  void aReadmeExampleWithAWrongOptionWouldFail() {
    List<List<String>> bad =
        readmeExamples("```\n./e1kfuzz fuzz --varaint all --time 10s   # typo\n```\n");
    assertEquals(List.of(List.of("fuzz", "--varaint", "all", "--time", "10s")), bad);
    assertThrows(
        CommandLine.ParameterException.class,
        () -> new CommandLine(new Main()).parseArgs(bad.get(0).toArray(String[]::new)));
    assertThrows(
        CommandLine.ParameterException.class,
        () -> new CommandLine(new Main()).parseArgs("fuzz", "--time", "10"));
    assertFalse(readmeExamples("./e1kfuzz outside a block\n").iterator().hasNext());
  }
}
