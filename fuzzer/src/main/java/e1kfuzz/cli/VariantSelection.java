package e1kfuzz.cli;

import e1kfuzz.model.Variant;
import java.util.List;
import picocli.CommandLine;

/** Parses {@code --variant NAME|all}. */
final class VariantSelection implements CommandLine.ITypeConverter<List<Variant>> {
  static final String ALL = "all";

  @Override
  public List<Variant> convert(String value) {
    if (value.equals(ALL)) {
      return List.of(Variant.values());
    }
    return List.of(
        Variant.byId(value)
            .orElseThrow(
                () ->
                    new CommandLine.TypeConversionException(
                        "unknown variant '" + value + "' (see 'e1kfuzz variants', or 'all')")));
  }
}
