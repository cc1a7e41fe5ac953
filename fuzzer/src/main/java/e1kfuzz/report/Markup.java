package e1kfuzz.report;

import com.google.common.base.Preconditions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * A small writer of XHTML-style markup: every element closed, text and attributes escaped, one
 * element per line with two-space indentation, so the output parses as XML and diffs well. HTML
 * elements are always written with an end tag ({@link #empty} is for SVG shapes and HTML void
 * elements), because an HTML parser does not honour {@code <div/>}.
 */
final class Markup {
  private final StringBuilder sb = new StringBuilder();
  private final Deque<String> open = new ArrayDeque<>();

  /** Opens {@code name} with attribute name/value pairs; a null value omits the attribute. */
  Markup start(String name, String... attributes) {
    open(name, attributes);
    sb.append('\n');
    return this;
  }

  Markup end(String name) {
    pop(name);
    indent();
    sb.append("</").append(name).append(">\n");
    return this;
  }

  /** A self-closed element: SVG shapes and HTML void elements ({@code meta}) only. */
  Markup empty(String name, String... attributes) {
    indent();
    tag(name, attributes);
    sb.append("/>\n");
    return this;
  }

  /** An element holding only text, on one line. */
  Markup element(String name, String text, String... attributes) {
    indent();
    tag(name, attributes);
    sb.append('>').append(escape(text)).append("</").append(name).append(">\n");
    return this;
  }

  /** Preformatted or inline content written as is, after escaping: no indentation added. */
  Markup inline(String name, String text, String... attributes) {
    tag(name, attributes);
    sb.append('>').append(escape(text)).append("</").append(name).append('>');
    return this;
  }

  /** Raw text for {@code <style>}: it must need no escaping, as HTML reads style text literally. */
  Markup style(String css) {
    Preconditions.checkArgument(
        css.indexOf('<') < 0 && css.indexOf('>') < 0 && css.indexOf('&') < 0,
        "style text must not contain < > &");
    indent();
    sb.append("<style>\n").append(css).append("</style>\n");
    return this;
  }

  Markup raw(String text) {
    sb.append(text);
    return this;
  }

  /**
   * An opening tag for mixed content (text and inline elements on one line); close with {@link
   * #close}.
   */
  Markup open(String name, String... attributes) {
    indent();
    tag(name, attributes);
    sb.append('>');
    open.push(name);
    return this;
  }

  Markup text(String text) {
    sb.append(escape(text));
    return this;
  }

  Markup close(String name) {
    pop(name);
    sb.append("</").append(name).append(">\n");
    return this;
  }

  String finish() {
    Preconditions.checkState(open.isEmpty(), "unclosed elements: %s", open);
    return sb.toString();
  }

  private void pop(String name) {
    String top = open.pop();
    Preconditions.checkState(top.equals(name), "closing <%s> while <%s> is open", name, top);
  }

  private void tag(String name, String... attributes) {
    Preconditions.checkArgument(
        attributes.length % 2 == 0, "attribute names and values must pair up: %s", name);
    sb.append('<').append(name);
    for (int i = 0; i < attributes.length; i += 2) {
      if (attributes[i + 1] != null) {
        sb.append(' ')
            .append(attributes[i])
            .append("=\"")
            .append(escape(attributes[i + 1]))
            .append('"');
      }
    }
  }

  private void indent() {
    sb.append("  ".repeat(open.size()));
  }

  /**
   * Escapes markup characters and replaces what XML 1.0 cannot hold (most control characters,
   * unpaired surrogates, U+FFFE/U+FFFF) with U+FFFD.
   */
  static String escape(String s) {
    StringBuilder out = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        case '\t', '\n', '\r' -> out.append(c);
        default -> {
          if (c < 0x20 || c == 0xFFFE || c == 0xFFFF || (c >= 0x7F && c <= 0x9F)) {
            out.append('\uFFFD');
          } else if (Character.isHighSurrogate(c)
              && i + 1 < s.length()
              && Character.isLowSurrogate(s.charAt(i + 1))) {
            out.append(c).append(s.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            out.append('\uFFFD');
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }

  /** A coordinate: whole numbers without a fraction, else one decimal (Locale.ROOT). */
  static String num(double v) {
    long r = Math.round(v * 10);
    return r % 10 == 0 ? Long.toString(r / 10) : String.format(Locale.ROOT, "%.1f", r / 10.0);
  }
}
