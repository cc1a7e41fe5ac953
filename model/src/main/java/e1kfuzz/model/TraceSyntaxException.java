package e1kfuzz.model;

/** Bad trace text: names the source, line, column (1-based) and the offending text. */
public final class TraceSyntaxException extends Exception {
  private static final long serialVersionUID = 1L;
  private final String source;
  private final int line;
  private final int column;
  private final String problem;
  private final String offending;

  public TraceSyntaxException(
      String source, int line, int column, String problem, String offending) {
    super(source + ":" + line + ":" + column + ": " + problem + ": '" + printable(offending) + "'");
    this.source = source;
    this.line = line;
    this.column = column;
    this.problem = problem;
    this.offending = offending;
  }

  public String source() {
    return source;
  }

  public int line() {
    return line;
  }

  public int column() {
    return column;
  }

  public String problem() {
    return problem;
  }

  public String offending() {
    return offending;
  }

  /**
   * Control characters are shown escaped so the message stays one readable line; long text is cut.
   */
  private static String printable(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && sb.length() < 80; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
        sb.append(String.format(java.util.Locale.ROOT, "\\x%02x", (int) c));
      } else {
        sb.append(c);
      }
    }
    if (sb.length() >= 80 && s.length() > 80) {
      sb.append("...");
    }
    return sb.toString();
  }
}
