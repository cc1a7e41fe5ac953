package e1kfuzz.engine;

import com.google.common.collect.ImmutableList;
import e1kfuzz.model.E1000eCore;
import e1kfuzz.model.Step;
import e1kfuzz.model.TimerId;
import e1kfuzz.model.TraceParser;
import e1kfuzz.model.TraceSyntaxException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The finite set of steps {@code explore} enumerates: fixed steps written as in a trace, and waits
 * relative to the deadlines of whatever timers run at that point ({@code wait before-deadline},
 * {@code at-deadline}, {@code after-deadline}: 1 ns before, at, 1 ns after each running timer's
 * deadline), which is where the races are.
 */
public final class Alphabet {
  /** Where a deadline wait lands relative to a running timer's deadline. */
  public enum Where {
    BEFORE("before-deadline", -1),
    AT("at-deadline", 0),
    AFTER("after-deadline", 1);

    private final String word;
    private final long offsetNs;

    Where(String word, long offsetNs) {
      this.word = word;
      this.offsetNs = offsetNs;
    }

    public String word() {
      return word;
    }
  }

  /** One line of an alphabet. */
  public sealed interface Symbol {
    String format();
  }

  public record Fixed(Step step) implements Symbol {
    @Override
    public String format() {
      return step.format();
    }
  }

  public record DeadlineWait(Where where) implements Symbol {
    @Override
    public String format() {
      return "wait " + where.word();
    }
  }

  /** Codes pack the symbol index and, for deadline waits, the timer: symbol * CODE_SPAN + timer. */
  static final int CODE_SPAN = 16;

  private static final String DEFAULT_RESOURCE = "/e1kfuzz/default.alphabet";

  private final String source;
  private final ImmutableList<Symbol> symbols;

  private Alphabet(String source, List<Symbol> symbols) {
    this.source = source;
    this.symbols = ImmutableList.copyOf(symbols);
  }

  public String source() {
    return source;
  }

  public ImmutableList<Symbol> symbols() {
    return symbols;
  }

  /** The alphabet documented in the README, as shipped in the jar. */
  public static Alphabet defaultAlphabet() {
    try {
      return parse("<default alphabet>", defaultText());
    } catch (TraceSyntaxException e) {
      throw new IllegalStateException(
          "the shipped default alphabet does not parse: " + e.getMessage(), e);
    }
  }

  public static String defaultText() {
    try (InputStream in = Alphabet.class.getResourceAsStream(DEFAULT_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULT_RESOURCE + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Parses alphabet text: one symbol a line, {@code #} comments and blank lines ignored. Errors
   * name {@code source}, the line and the column of the offending text.
   */
  public static Alphabet parse(String source, String text) throws TraceSyntaxException {
    ImmutableList.Builder<Symbol> out = ImmutableList.builder();
    Set<String> seen = new HashSet<>();
    String[] lines = text.split("\n", -1);
    int count = 0;
    for (int i = 0; i < lines.length; i++) {
      String line =
          lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
      int hash = line.indexOf('#');
      String body = (hash >= 0 ? line.substring(0, hash) : line).strip();
      if (body.isEmpty()) {
        continue;
      }
      int column = line.indexOf(body) + 1;
      String[] words = body.split("[ \t]+");
      Symbol symbol = null;
      if (words[0].equals("wait") && words.length == 2 && words[1].endsWith("-deadline")) {
        for (Where w : Where.values()) {
          if (w.word.equals(words[1])) {
            symbol = new DeadlineWait(w);
          }
        }
        if (symbol == null) {
          throw new TraceSyntaxException(
              source,
              i + 1,
              column + body.indexOf(words[1]),
              "unknown deadline wait (before-deadline, at-deadline or after-deadline)",
              words[1]);
        }
      } else {
        symbol = new Fixed(TraceParser.parseStep(source, i + 1, line));
      }
      if (!seen.add(symbol.format())) {
        throw new TraceSyntaxException(source, i + 1, column, "symbol listed twice", body);
      }
      out.add(symbol);
      if (++count > Integer.MAX_VALUE / CODE_SPAN) {
        throw new TraceSyntaxException(source, i + 1, column, "too many symbols", body);
      }
    }
    ImmutableList<Symbol> symbols = out.build();
    if (symbols.isEmpty()) {
      throw new TraceSyntaxException(
          source, Math.max(1, lines.length), 1, "the alphabet has no symbol", "");
    }
    return new Alphabet(source, symbols);
  }

  /**
   * The codes of the steps this alphabet offers in the device's current state, in a fixed order.
   */
  int expand(E1000eCore d, int[] codes) {
    int n = 0;
    int running = d.runningTimers();
    for (int s = 0; s < symbols.size(); s++) {
      if (symbols.get(s) instanceof DeadlineWait w) {
        long seenMask = 0;
        for (int m = running; m != 0; m &= m - 1) {
          TimerId t = TimerId.byOrdinal(Integer.numberOfTrailingZeros(m));
          long wait = d.timerDeadline(t) - d.now() + w.where.offsetNs;
          if (wait < 0 || isDuplicateWait(d, running, t, w.where)) {
            continue;
          }
          codes[n++] = s * CODE_SPAN + t.ordinal();
        }
      } else {
        codes[n++] = s * CODE_SPAN;
      }
    }
    return n;
  }

  /** Another running timer of lower ordinal has the same deadline: same wait, same child. */
  private static boolean isDuplicateWait(E1000eCore d, int running, TimerId t, Where where) {
    for (int m = running & (TimerId.bit(t) - 1); m != 0; m &= m - 1) {
      if (d.timerDeadline(TimerId.byOrdinal(Integer.numberOfTrailingZeros(m)))
          == d.timerDeadline(t)) {
        return true;
      }
    }
    return false;
  }

  /** The most steps {@link #expand} can give: every symbol, deadline waits once per timer. */
  int maxExpansion() {
    int n = 0;
    for (Symbol s : symbols) {
      n += s instanceof DeadlineWait ? TimerId.COUNT : 1;
    }
    return n;
  }

  /** The concrete step a code stands for in the device's current state. */
  Step resolve(int code, E1000eCore d) {
    Symbol s = symbols.get(code / CODE_SPAN);
    if (s instanceof Fixed f) {
      return f.step();
    }
    DeadlineWait w = (DeadlineWait) s;
    TimerId t = TimerId.byOrdinal(code % CODE_SPAN);
    return new Step.Wait(d.timerDeadline(t) - d.now() + w.where.offsetNs);
  }

  /** The canonical text: one symbol a line. */
  public String format() {
    StringBuilder sb = new StringBuilder();
    for (Symbol s : symbols) {
      sb.append(s.format()).append('\n');
    }
    return sb.toString();
  }
}
