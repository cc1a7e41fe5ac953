package e1kfuzz.model;

import com.google.common.collect.ImmutableList;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads trace format v1: one step per line, {@code #} starts a comment, {@code @expect} lines state
 * results. Parsing is strict: anything it does not know is an error naming line, column and text.
 */
public final class TraceParser {
  /** Longest single wait accepted: one day of virtual time. */
  public static final long MAX_WAIT_NS = 86_400_000_000_000L;

  private final String source;
  private int lineNo;
  private String line;

  private TraceParser(String source) {
    this.source = source;
  }

  /** The byte-order mark some editors put first in a UTF-8 file, decoded. */
  public static final char BYTE_ORDER_MARK = '\uFEFF';

  /**
   * Parses {@code text}; {@code source} names it in errors (usually the file path). A leading
   * byte-order mark is ignored (columns on line 1 count from after it); one anywhere else is an
   * error.
   */
  public static Trace parse(String source, String text) throws TraceSyntaxException {
    return new TraceParser(source).parseAll(withoutByteOrderMark(text));
  }

  /** {@code text} without a leading byte-order mark, if it has one. */
  public static String withoutByteOrderMark(String text) {
    return !text.isEmpty() && text.charAt(0) == BYTE_ORDER_MARK ? text.substring(1) : text;
  }

  /** Parses one step line (no comment, no {@code @expect}). */
  public static Step parseStep(String text) throws TraceSyntaxException {
    return parseStep("<step>", 1, text);
  }

  /** Parses one step line of a file; errors name {@code source} and {@code line}. */
  public static Step parseStep(String source, int line, String text) throws TraceSyntaxException {
    TraceParser p = new TraceParser(source);
    p.lineNo = line;
    p.line = text;
    List<Token> tokens = p.tokenize(text);
    if (tokens.isEmpty()) {
      throw p.error(1, "empty step", text);
    }
    return p.step(tokens);
  }

  private Trace parseAll(String text) throws TraceSyntaxException {
    List<String> header = new ArrayList<>();
    List<Expectation> expectations = new ArrayList<>();
    Set<String> expectedVariants = new HashSet<>();
    List<Step> steps = new ArrayList<>();
    boolean inHeader = true;
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      lineNo = i + 1;
      line = lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
      String trimmed = line.strip();
      if (trimmed.startsWith("#")) {
        if (inHeader) {
          String body = trimmed.substring(1);
          header.add(body.startsWith(" ") ? body.substring(1) : body);
        }
        continue;
      }
      List<Token> tokens = tokenize(line);
      if (tokens.isEmpty()) {
        continue;
      }
      inHeader = false;
      if (tokens.get(0).text.startsWith("@")) {
        Expectation e = expectation(tokens);
        if (!expectedVariants.add(e.variant())) {
          throw error(tokens.get(1).column, "second @expect for the same variant", e.variant());
        }
        expectations.add(e);
      } else {
        steps.add(step(tokens));
      }
    }
    return new Trace(
        ImmutableList.copyOf(header),
        ImmutableList.copyOf(expectations),
        ImmutableList.copyOf(steps));
  }

  private record Token(String text, int column) {}

  private List<Token> tokenize(String text) throws TraceSyntaxException {
    List<Token> tokens = new ArrayList<>();
    int i = 0;
    int n = text.length();
    while (i < n) {
      char c = text.charAt(i);
      if (c == '#') {
        break;
      }
      if (c == ' ' || c == '\t') {
        i++;
        continue;
      }
      int start = i;
      while (i < n && text.charAt(i) != ' ' && text.charAt(i) != '\t' && text.charAt(i) != '#') {
        char d = text.charAt(i);
        if (d < 0x20 || d == 0x7f || Character.isISOControl(d) || d == '\uFFFD') {
          throw error(i + 1, "unexpected character", String.valueOf(d));
        }
        i++;
      }
      tokens.add(new Token(text.substring(start, i), start + 1));
    }
    return tokens;
  }

  private Expectation expectation(List<Token> t) throws TraceSyntaxException {
    Token head = t.get(0);
    if (!head.text.equals("@expect")) {
      throw error(head.column, "unknown directive (only @expect is defined)", head.text);
    }
    if (t.size() != 3) {
      throw error(head.column, "expected '@expect VARIANT RESULT'", line.strip());
    }
    Token variant = t.get(1);
    if (!variant.text.equals(Expectation.ANY_VARIANT) && Variant.byId(variant.text).isEmpty()) {
      throw error(variant.column, "unknown variant (see 'e1kfuzz variants')", variant.text);
    }
    Token result = t.get(2);
    if (!result.text.equals(Expectation.OK) && Signature.byId(result.text).isEmpty()) {
      throw error(result.column, "unknown result (ok or a signature)", result.text);
    }
    return new Expectation(variant.text, result.text);
  }

  private Step step(List<Token> t) throws TraceSyntaxException {
    Token head = t.get(0);
    String word = head.text.toLowerCase(Locale.ROOT);
    switch (word) {
      case "write" -> {
        arity(t, 3, "write REGISTER VALUE");
        return new Step.Write(register(t.get(1)), u32(t.get(2)));
      }
      case "read" -> {
        arity(t, 2, "read REGISTER");
        return new Step.Read(register(t.get(1)));
      }
      case "tx" -> {
        boolean[] f = flags(t, "ide", "nors", "q1");
        return new Step.Tx(f[0], f[1], f[2]);
      }
      case "rx" -> {
        boolean[] f = flags(t, "ack", "small", "nobuf", "q1");
        return new Step.Rx(f[0], f[1], f[2], f[3]);
      }
      case "msix" -> {
        if (t.size() >= 2 && t.get(1).text.equalsIgnoreCase("vector")) {
          arity(t, 4, "msix vector N mask|unmask");
          Token n = t.get(2);
          long v = number(n);
          if (v >= Pci.MSIX_VECTORS) {
            throw error(n.column, "MSI-X vector out of range 0-4", n.text);
          }
          return new Step.MsixVector((int) v, choice(t.get(3), "mask", "unmask"));
        }
        arity(t, 2, "msix on|off|mask|unmask");
        Token op = t.get(1);
        for (Step.MsixControl c : Step.MsixControl.values()) {
          if (c.word().equalsIgnoreCase(op.text)) {
            return new Step.Msix(c);
          }
        }
        throw error(op.column, "expected on, off, mask, unmask or vector", op.text);
      }
      case "msi" -> {
        arity(t, 2, "msi on|off");
        return new Step.Msi(choice(t.get(1), "on", "off"));
      }
      case "intx" -> {
        arity(t, 2, "intx on|off");
        return new Step.Intx(choice(t.get(1), "on", "off"));
      }
      case "busmaster" -> {
        arity(t, 2, "busmaster on|off");
        return new Step.BusMaster(choice(t.get(1), "on", "off"));
      }
      case "link" -> {
        arity(t, 2, "link up|down");
        return new Step.Link(choice(t.get(1), "up", "down"));
      }
      case "mdic" -> {
        arity(t, 1, "mdic");
        return new Step.Mdic();
      }
      case "wait" -> {
        arity(t, 2, "wait DURATION (e.g. 67ms, 128us, 500ns)");
        return new Step.Wait(duration(t.get(1)));
      }
      case "expire" -> {
        arity(t, 2, "expire TIMER");
        Token timer = t.get(1);
        return new Step.Expire(
            TimerId.byTraceName(timer.text.toLowerCase(Locale.ROOT))
                .orElseThrow(
                    () ->
                        error(
                            timer.column,
                            "unknown timer (rdtr radv raid tidv tadv itr eitr0-eitr4 autoneg)",
                            timer.text)));
      }
      case "reset" -> {
        arity(t, 1, "reset");
        return new Step.Reset();
      }
      default -> throw error(head.column, "unknown step", head.text);
    }
  }

  private void arity(List<Token> t, int n, String usage) throws TraceSyntaxException {
    if (t.size() > n) {
      throw error(t.get(n).column, "unexpected text (expected '" + usage + "')", t.get(n).text);
    }
    if (t.size() < n) {
      throw error(t.get(0).column, "missing operand (expected '" + usage + "')", line.strip());
    }
  }

  private boolean choice(Token token, String yes, String no) throws TraceSyntaxException {
    if (token.text.equalsIgnoreCase(yes)) {
      return true;
    }
    if (token.text.equalsIgnoreCase(no)) {
      return false;
    }
    throw error(token.column, "expected " + yes + " or " + no, token.text);
  }

  private boolean[] flags(List<Token> t, String... names) throws TraceSyntaxException {
    boolean[] set = new boolean[names.length];
    outer:
    for (int i = 1; i < t.size(); i++) {
      Token token = t.get(i);
      for (int k = 0; k < names.length; k++) {
        if (names[k].equalsIgnoreCase(token.text)) {
          if (set[k]) {
            throw error(token.column, "flag given twice", token.text);
          }
          set[k] = true;
          continue outer;
        }
      }
      throw error(
          token.column, "unknown flag (expected " + String.join(", ", names) + ")", token.text);
    }
    return set;
  }

  private int register(Token token) throws TraceSyntaxException {
    String s = token.text;
    if (s.startsWith("0x") || s.startsWith("0X")) {
      long off = number(token);
      if (off >= Reg.BAR0_SIZE) {
        throw error(token.column, "offset outside BAR0 (0x00000-0x1fffc)", s);
      }
      if (off % 4 != 0) {
        throw error(token.column, "offset not 4-byte aligned", s);
      }
      return (int) off;
    }
    return Reg.byName(s)
        .map(Reg::offset)
        .orElseThrow(() -> error(token.column, "unknown register", s));
  }

  private int u32(Token token) throws TraceSyntaxException {
    long v = number(token);
    if (v > 0xFFFF_FFFFL) {
      throw error(token.column, "value does not fit in 32 bits", token.text);
    }
    return (int) v;
  }

  /** A non-negative number, hex with 0x or decimal, up to 2^53. */
  private long number(Token token) throws TraceSyntaxException {
    String s = token.text;
    boolean hex = s.startsWith("0x") || s.startsWith("0X");
    String digits = hex ? s.substring(2) : s;
    int radix = hex ? 16 : 10;
    if (digits.isEmpty() || digits.length() > (hex ? 13 : 16)) {
      throw error(token.column, "bad number", s);
    }
    long v = 0;
    for (int i = 0; i < digits.length(); i++) {
      int d = Character.digit(digits.charAt(i), radix);
      if (d < 0 || digits.charAt(i) > 0x7f) {
        throw error(token.column, "bad number", s);
      }
      v = v * radix + d;
    }
    return v;
  }

  private long duration(Token token) throws TraceSyntaxException {
    String s = token.text.toLowerCase(Locale.ROOT);
    long scale;
    String digits;
    if (s.endsWith("ns")) {
      scale = 1;
      digits = s.substring(0, s.length() - 2);
    } else if (s.endsWith("us")) {
      scale = 1_000;
      digits = s.substring(0, s.length() - 2);
    } else if (s.endsWith("ms")) {
      scale = 1_000_000;
      digits = s.substring(0, s.length() - 2);
    } else {
      throw error(token.column, "duration needs a unit: ns, us or ms", token.text);
    }
    if (digits.isEmpty()
        || digits.length() > 15
        || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw error(token.column, "bad duration", token.text);
    }
    long v = Long.parseLong(digits);
    if (v > MAX_WAIT_NS / scale) {
      throw error(token.column, "duration longer than one day", token.text);
    }
    return v * scale;
  }

  private TraceSyntaxException error(int column, String problem, String offending) {
    return new TraceSyntaxException(source, lineNo, column, problem, offending);
  }
}
