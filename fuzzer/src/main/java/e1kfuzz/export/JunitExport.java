package e1kfuzz.export;

import e1kfuzz.model.Trace;
import e1kfuzz.model.Variant;
import java.util.Locale;

/**
 * A trace as a JUnit 5 test class that replays it on the model and asserts each variant's outcome.
 */
public final class JunitExport {
  private JunitExport() {}

  /**
   * A Java class name from a file name: letters and digits, a leading letter, "Test" at the end.
   */
  public static String className(String fileName) {
    String base = fileName.replaceAll("\\.trace$", "");
    StringBuilder sb = new StringBuilder();
    boolean upper = true;
    for (char c : base.toCharArray()) {
      if (Character.isLetterOrDigit(c) && c < 128) {
        sb.append(upper ? Character.toUpperCase(c) : c);
        upper = false;
      } else {
        upper = true;
      }
    }
    if (sb.length() == 0 || !Character.isLetter(sb.charAt(0))) {
      sb.insert(0, "Trace");
    }
    return sb + "Test";
  }

  public static String source(String packageName, String className, String fileName, Trace trace) {
    StringBuilder sb = new StringBuilder();
    if (packageName != null && !packageName.isEmpty()) {
      sb.append("package ").append(packageName).append(";\n\n");
    }
    sb.append("import static org.junit.jupiter.api.Assertions.assertEquals;\n\n");
    sb.append(
        "import e1kfuzz.model.Runner;\nimport e1kfuzz.model.Step;\nimport e1kfuzz.model.TraceParser;\n");
    sb.append(
        "import e1kfuzz.model.Variant;\nimport java.util.List;\nimport org.junit.jupiter.api.Test;\n\n");
    sb.append("/** Regression test exported by e1kfuzz from ").append(fileName).append(". */\n");
    sb.append("class ").append(className).append(" {\n");
    sb.append("  static final String TRACE =\n      \"\"\"\n");
    for (String line : Trace.of(trace.steps()).format().split("\n")) {
      sb.append("      ").append(line).append('\n');
    }
    sb.append("      \"\"\";\n\n");
    sb.append("  static List<Step> steps() throws Exception {\n");
    sb.append("    return TraceParser.parse(\"")
        .append(fileName)
        .append("\", TRACE).steps();\n  }\n");
    for (Variant v : Variant.values()) {
      String expected = trace.expectedResult(v).orElse(null);
      if (expected == null) {
        continue;
      }
      sb.append("\n  @Test\n  void ")
          .append(v.name().toLowerCase(Locale.ROOT))
          .append("() throws Exception {\n");
      sb.append("    assertEquals(\"")
          .append(expected)
          .append("\", Runner.run(Variant.")
          .append(v.name())
          .append(", steps(), ")
          .append(expected.startsWith("strict:"))
          .append(").result());\n  }\n");
    }
    sb.append("}\n");
    return sb.toString();
  }
}
