package e1kfuzz.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code e1kfuzz} command line; the only place that prints or exits. */
@Command(
    name = "e1kfuzz",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
      "Property-based race-condition fuzzer for the interrupt manager of QEMU's e1000e (Intel 82574).",
      "Models the device per QEMU release and fix candidate, and replays traces of guest actions and timer expirations."
    },
    subcommands = {
      VariantsCommand.class,
      ReplayCommand.class,
      FuzzCommand.class,
      ExploreCommand.class,
      EvaluateCommand.class,
      ShrinkCommand.class,
      RobustifyCommand.class,
      CorpusCommand.class,
      DiffCommand.class,
      ExportCommand.class,
      MergeCommand.class,
      ScenariosCommand.class,
      HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:nothing found",
      "1:internal error",
      "2:usage error or bad input, an output that cannot be written included",
      "3:an invariant was violated or an @expect line was not met (fuzz, explore, evaluate: something was found; shrink: the written trace fails)",
      "4:the model and a real QEMU diverged",
      "5:QEMU not available",
      "6:merge: a finding the corpus does not expect",
      "7:a real QEMU failed on some traces, nothing diverged (fuzz --backend diff, diff, replay --backend qemu)",
      "8:robustify: the trace cannot be made timing-robust"
    })
public final class Main implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
  }

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line with the given streams and returns the exit code (tests use this). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cmd = new CommandLine(new Main());
    cmd.setOut(out);
    cmd.setErr(err);
    cmd.setCaseInsensitiveEnumValuesAllowed(true);
    // Every command and subcommand answers --version (picocli gives the provider to the top only).
    installVersion(cmd, new Version());
    cmd.setParameterExceptionHandler(
        (ex, a) -> {
          ex.getCommandLine().getErr().println("e1kfuzz: " + ex.getMessage());
          if (!CommandLine.UnmatchedArgumentException.printSuggestions(
              ex, ex.getCommandLine().getErr())) {
            ex.getCommandLine()
                .getErr()
                .println(
                    "Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
          }
          return ExitCodes.BAD_INPUT;
        });
    cmd.setExecutionExceptionHandler(
        (ex, c, parsed) -> {
          c.getErr().println("e1kfuzz: internal error: " + ex);
          ex.printStackTrace(c.getErr());
          return ExitCodes.INTERNAL_ERROR;
        });
    int code = cmd.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  private static void installVersion(CommandLine cmd, CommandLine.IVersionProvider version) {
    cmd.getCommandSpec().versionProvider(version);
    cmd.getSubcommands().values().forEach(sub -> installVersion(sub, version));
  }

  /** The project version, from a resource Maven fills in at build time (fuzzer/pom.xml). */
  static final class Version implements CommandLine.IVersionProvider {
    static final String RESOURCE = "version.properties";

    @Override
    public String[] getVersion() throws java.io.IOException {
      java.util.Properties p = new java.util.Properties();
      try (var in = Main.class.getResourceAsStream(RESOURCE)) {
        if (in == null) {
          throw new IllegalStateException(
              "e1kfuzz/cli/" + RESOURCE + " is missing from the class path: a broken build");
        }
        p.load(in);
      }
      return new String[] {
        "e1kfuzz " + p.getProperty("version"),
        "Java "
            + System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vendor")
            + ")"
      };
    }
  }
}
