package e1kfuzz.cli;

import e1kfuzz.engine.Campaign;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine;

/**
 * Parses the duration options ({@code --time}, {@code --margin}): a positive whole number with a
 * unit, {@code 500ms}, {@code 30s}, {@code 5m}, {@code 1h}. A bad value is a usage error (exit 2)
 * quoting it, before any work starts.
 */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    try {
      return Campaign.parseDuration(value);
    } catch (IllegalArgumentException | ArithmeticException e) {
      String why =
          e instanceof ArithmeticException
              ? "duration '" + value + "' is too long"
              : e.getMessage();
      throw new CommandLine.TypeConversionException(
          why.contains("needs a unit")
              ? why
              : why + " (a positive whole number and a unit: 500ms, 30s, 5m, 1h)");
    }
  }

  /** A duration as people read it in a progress line: {@code 40s}, {@code 0.7s}, {@code 2m 30s}. */
  static String format(Duration d) {
    long ms = d.toMillis();
    if (ms < 10_000) {
      return ms % 1000 == 0 ? ms / 1000 + "s" : String.format(Locale.ROOT, "%.1fs", ms / 1e3);
    }
    long s = d.toSeconds();
    return s < 120 ? s + "s" : s / 60 + "m" + (s % 60 == 0 ? "" : " " + s % 60 + "s");
  }
}
