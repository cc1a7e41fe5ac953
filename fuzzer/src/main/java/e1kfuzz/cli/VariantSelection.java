package e1kfuzz.cli;

import e1kfuzz.model.Variant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine;

/**
 * Parses {@code --variant NAME|all}; the option takes several, repeated or comma-separated ({@code
 * --variant qemu-7.2.0,fix-v1}), the form the campaign header prints.
 */
final class VariantSelection implements CommandLine.ITypeConverter<List<Variant>> {
  static final String ALL = "all";

  @Override
  public List<Variant> convert(String value) {
    if (value.equals(ALL)) {
      return List.of(Variant.values());
    }
    return List.of(one(value));
  }

  private static Variant one(String value) {
    return Variant.byId(value)
        .orElseThrow(
            () ->
                new CommandLine.TypeConversionException(
                    "unknown variant '" + value + "' (see 'e1kfuzz variants', or 'all')"));
  }

  /** The variants in the order given, each once ({@code --variant all,qemu-8.1} is all of them). */
  static List<Variant> distinct(List<Variant> variants) {
    return List.copyOf(new LinkedHashSet<>(variants));
  }

  /** How {@code --variant} names a selection: {@code all}, or the ids joined by commas. */
  static String format(List<Variant> variants) {
    return variants.size() == Variant.values().length
            && new LinkedHashSet<>(variants).size() == variants.size()
        ? ALL
        : variants.stream().map(Variant::id).collect(Collectors.joining(","));
  }

  /** Parses {@code --variant NAME} where exactly one variant is meant ({@code all} is refused). */
  static final class One implements CommandLine.ITypeConverter<Variant> {
    @Override
    public Variant convert(String value) {
      if (value.equals(ALL)) {
        throw new CommandLine.TypeConversionException(
            "one variant is meant here, not 'all' (see 'e1kfuzz variants')");
      }
      return one(value);
    }
  }
}
