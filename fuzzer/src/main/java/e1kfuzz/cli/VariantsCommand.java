package e1kfuzz.cli;

import e1kfuzz.model.Variant;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code e1kfuzz variants}: the registry, one line per variant. */
@Command(
    name = "variants",
    mixinStandardHelpOptions = true,
    description = "List the modelled QEMU releases and fix candidates.")
final class VariantsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    var out = spec.commandLine().getOut();
    out.println(String.format(Locale.ROOT, "%-16s %-52s %s", "NAME", "RELEASES", "DESCRIPTION"));
    for (Variant v : Variant.values()) {
      out.println(
          String.format(Locale.ROOT, "%-16s %-52s %s", v.id(), v.releases(), v.description()));
    }
    return ExitCodes.OK;
  }
}
