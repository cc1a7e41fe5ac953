package e1kfuzz.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code e1kfuzz help [COMMAND [SUBCOMMAND]]}: the help of the command named by the whole path, so
 * that {@code help corpus add} shows {@code corpus add} (picocli's own help command reads only the
 * first name).
 */
@Command(
    name = "help",
    helpCommand = true,
    mixinStandardHelpOptions = true,
    description =
        "Show the help of e1kfuzz, of a command (help fuzz) or of a subcommand (help corpus add).")
final class HelpCommand implements CommandLine.IHelpCommandInitializable2, Runnable {
  @Parameters(
      paramLabel = "COMMAND",
      arity = "0..*",
      description = "The command, and subcommand, whose help to show.")
  List<String> names = new ArrayList<>();

  private CommandLine self;
  private CommandLine.Help.ColorScheme colors;
  private PrintWriter out;

  @Override
  public void init(
      CommandLine helpCommandLine,
      CommandLine.Help.ColorScheme colorScheme,
      PrintWriter outWriter,
      PrintWriter errWriter) {
    this.self = helpCommandLine;
    this.colors = colorScheme;
    this.out = outWriter;
  }

  @Override
  public void run() {
    CommandLine target = self.getParent();
    List<String> path = new ArrayList<>();
    for (String name : names) {
      CommandLine sub = target.getSubcommands().get(name);
      if (sub == null) {
        throw new CommandLine.ParameterException(
            self,
            "unknown command '"
                + String.join(" ", path)
                + (path.isEmpty() ? "" : " ")
                + name
                + "'; the commands are: "
                + String.join(", ", target.getSubcommands().keySet()));
      }
      path.add(name);
      target = sub;
    }
    target.usage(out, colors);
  }
}
