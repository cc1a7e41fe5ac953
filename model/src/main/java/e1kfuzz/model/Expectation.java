package e1kfuzz.model;

/**
 * An {@code @expect VARIANT RESULT} line: {@code variant} is a variant id or {@code *} (every
 * variant not named on another line), {@code result} is {@code ok} or a signature id.
 */
public record Expectation(String variant, String result) {
  public static final String ANY_VARIANT = "*";
  public static final String OK = "ok";

  public String format() {
    return "@expect " + variant + " " + result;
  }
}
