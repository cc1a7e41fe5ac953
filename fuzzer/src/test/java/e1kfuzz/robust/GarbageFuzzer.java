package e1kfuzz.robust;

import e1kfuzz.engine.Rng;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Feeds a parser generated garbage and checks it only ever fails the documented way. Input {@code
 * i} is a pure function of the seed and {@code i}; it is built from valid sample texts by one of a
 * fixed list of generators (random bytes, truncated lines, mutated lines, huge numbers, invalid
 * UTF-8, very long lines, spliced files). Not tied to the trace format: give it another parser, its
 * samples and its idea of a documented error.
 */
public final class GarbageFuzzer {
  /** The parser under test; anything it throws is judged by a {@link Judge}. */
  @FunctionalInterface
  public interface Parser {
    Object parse(String source, byte[] input) throws Exception;
  }

  /** Null when the outcome is as documented, else what is wrong with it. */
  @FunctionalInterface
  public interface Judge {
    String judge(String source, byte[] input, Object parsed, Throwable thrown);
  }

  /** How many inputs were tried, accepted and rejected, per generator, and the problems seen. */
  public record Report(long inputs, Map<String, long[]> byGenerator, List<String> problems) {
    long accepted() {
      return byGenerator.values().stream().mapToLong(a -> a[1]).sum();
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder();
      sb.append(inputs)
          .append(" inputs, ")
          .append(accepted())
          .append(" parsed, ")
          .append(inputs - accepted())
          .append(" rejected, ")
          .append(problems.size())
          .append(" problems;");
      byGenerator.forEach(
          (g, a) -> sb.append(' ').append(g).append(' ').append(a[0]).append('/').append(a[1]));
      return sb.append(" (generator tried/parsed)").toString();
    }
  }

  static final String[] GENERATORS = {
    "random-bytes",
    "truncated",
    "mutated",
    "huge-number",
    "invalid-utf8",
    "long-line",
    "spliced",
    "tokens"
  };

  /** Keep at most this many problem reports. */
  private static final int MAX_PROBLEMS = 20;

  private final long seed;
  private final List<String> samples;
  private final List<String> lines;
  private final List<String> words;

  /** {@code samples}: valid texts of the format (their lines and words are the raw material). */
  public GarbageFuzzer(long seed, List<String> samples) {
    if (samples.isEmpty()) {
      throw new IllegalArgumentException("no sample texts");
    }
    this.seed = seed;
    this.samples = List.copyOf(samples);
    List<String> ls = new ArrayList<>();
    List<String> ws = new ArrayList<>();
    for (String s : samples) {
      for (String l : s.split("\n")) {
        if (!l.isBlank()) {
          ls.add(l);
          for (String w : l.strip().split("[ \t]+")) {
            ws.add(w);
          }
        }
      }
    }
    this.lines = List.copyOf(ls);
    this.words = List.copyOf(ws);
  }

  /** Runs inputs {@code 0 .. count-1}. */
  public Report run(long count, Parser parser, Judge judge) {
    Map<String, long[]> by = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    for (long i = 0; i < count; i++) {
      Rng rng = new Rng.SplitMix(Rng.SplitMix.runSeed(seed, i));
      String generator = GENERATORS[rng.nextInt(GENERATORS.length)];
      byte[] input = generate(generator, rng);
      String source = "garbage-" + i + ".trace";
      Object parsed = null;
      Throwable thrown = null;
      try {
        parsed = parser.parse(source, input);
      } catch (Exception | StackOverflowError | OutOfMemoryError e) {
        thrown = e;
      }
      long[] a = by.computeIfAbsent(generator, g -> new long[2]);
      a[0]++;
      if (thrown == null) {
        a[1]++;
      }
      String problem;
      try {
        problem = judge.judge(source, input, parsed, thrown);
      } catch (RuntimeException e) {
        problem = "judge failed: " + e;
      }
      if (problem != null && problems.size() < MAX_PROBLEMS) {
        problems.add(
            "seed "
                + seed
                + " input "
                + i
                + " ("
                + generator
                + "): "
                + problem
                + "\n  input: "
                + escape(input));
      }
    }
    return new Report(count, by, problems);
  }

  /** Input {@code i} alone, to reproduce a problem. */
  public byte[] input(long i) {
    Rng rng = new Rng.SplitMix(Rng.SplitMix.runSeed(seed, i));
    return generate(GENERATORS[rng.nextInt(GENERATORS.length)], rng);
  }

  private byte[] generate(String generator, Rng rng) {
    return switch (generator) {
      case "random-bytes" -> randomBytes(rng, rng.nextInt(200));
      case "truncated" -> truncated(rng);
      case "mutated" -> utf8(mutated(rng));
      case "huge-number" -> utf8(hugeNumber(rng));
      case "invalid-utf8" -> invalidUtf8(rng);
      case "long-line" -> utf8(longLine(rng));
      case "spliced" -> utf8(spliced(rng));
      case "tokens" -> utf8(tokens(rng));
      default -> throw new IllegalStateException(generator);
    };
  }

  private static byte[] randomBytes(Rng rng, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      // half printable ASCII, so that some inputs get past the first character
      b[i] = (byte) (rng.chance(50) ? 0x20 + rng.nextInt(0x5f) : rng.nextInt(256));
    }
    return b;
  }

  private String sample(Rng rng) {
    return samples.get(rng.nextInt(samples.size()));
  }

  private String line(Rng rng) {
    return lines.get(rng.nextInt(lines.size()));
  }

  private String word(Rng rng) {
    return words.get(rng.nextInt(words.size()));
  }

  /** A valid text cut at any byte, possibly inside a multi-byte character. */
  private byte[] truncated(Rng rng) {
    byte[] b = utf8(sample(rng));
    byte[] cut = new byte[b.length == 0 ? 0 : rng.nextInt(b.length + 1)];
    System.arraycopy(b, 0, cut, 0, cut.length);
    return cut;
  }

  private static final String[] ODD = {
    "\u0000",
    "\t",
    "\r",
    "\r\n",
    "\u000b",
    "\u000c",
    "\u007f",
    "\u0085",
    "\u00a0",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\ufffd",
    "\ud83d\ude00",
    "#",
    "@",
    "@expect",
    "*",
    "0x",
    "-",
    "+",
    "=",
    "/",
    "\\",
    "'",
    "\"",
    " ",
    "  ",
    "\u0301",
    "\u0660",
    "\uff11",
    "\u0130",
    "\u0131",
    "K",
    "\u212a"
  };

  /**
   * Valid lines with a few edits: characters inserted, deleted, replaced, words swapped or
   * repeated.
   */
  private String mutated(Rng rng) {
    StringBuilder sb = new StringBuilder();
    int n = 1 + rng.nextInt(6);
    for (int l = 0; l < n; l++) {
      sb.append(line(rng)).append(rng.chance(10) ? "\r\n" : "\n");
    }
    int edits = 1 + rng.nextInt(4);
    for (int e = 0; e < edits && sb.length() > 0; e++) {
      int at = rng.nextInt(sb.length());
      switch (rng.nextInt(6)) {
        case 0 -> sb.insert(at, rng.pick(ODD));
        case 1 -> sb.deleteCharAt(at);
        case 2 -> sb.setCharAt(at, (char) (0x20 + rng.nextInt(0x5f)));
        case 3 -> sb.insert(at, " " + word(rng));
        case 4 ->
            sb.setCharAt(
                at,
                Character.isUpperCase(sb.charAt(at))
                    ? Character.toLowerCase(sb.charAt(at))
                    : Character.toUpperCase(sb.charAt(at)));
        default -> sb.insert(at, sb.substring(at, Math.min(sb.length(), at + rng.nextInt(20))));
      }
    }
    return sb.toString();
  }

  private static final String[] HUGE = {
    "18446744073709551616",
    "9223372036854775807",
    "9223372036854775808",
    "-1",
    "-0",
    "+1",
    "4294967296",
    "0xffffffff",
    "0x100000000",
    "0xffffffffffffffff",
    "0x" + "f".repeat(40),
    "9".repeat(100),
    "0".repeat(50) + "1",
    "1e9",
    "1.5",
    "0x",
    "0b101",
    "00x1",
    "0xg",
    "86400000000000ns",
    "86400000000001ns",
    "86400000us",
    "86400001ms",
    "9223372036854775807ms",
    "99999999999999999ns",
    "1" + "0".repeat(30) + "ms",
    "0ns",
    "ms",
    "5",
    "5 ms",
    "\u0661\u0662"
  };

  /** Valid lines whose numbers are replaced by huge, negative, malformed or boundary values. */
  private String hugeNumber(Rng rng) {
    StringBuilder sb = new StringBuilder();
    int n = 1 + rng.nextInt(4);
    for (int l = 0; l < n; l++) {
      String line = line(rng);
      String[] w = line.strip().split("[ \t]+");
      for (int i = 0; i < w.length; i++) {
        if (!w[i].isEmpty() && Character.isDigit(w[i].charAt(0)) || rng.chance(15)) {
          w[i] = rng.pick(HUGE);
        }
      }
      sb.append(String.join(" ", w)).append('\n');
    }
    return sb.toString();
  }

  private static final int[][] BAD_UTF8 = {
    {0x80},
    {0xbf},
    {0xc0, 0x80},
    {0xc1, 0xbf},
    {0xe0, 0x80, 0x80},
    {0xed, 0xa0, 0x80},
    {0xed, 0xbf, 0xbf},
    {0xf0, 0x80, 0x80, 0x80},
    {0xf4, 0x90, 0x80, 0x80},
    {0xf5, 0x80, 0x80, 0x80},
    {0xff},
    {0xfe},
    {0xc3},
    {0xe2, 0x82},
    {0xf0, 0x9f, 0x98},
    {0xc3, 0x28},
    {0xe2, 0x28, 0xa1}
  };

  /**
   * A valid text with an invalid UTF-8 sequence (lone continuation, overlong, surrogate, cut)
   * somewhere.
   */
  private byte[] invalidUtf8(Rng rng) {
    byte[] b = utf8(sample(rng));
    int at = b.length == 0 ? 0 : rng.nextInt(b.length + 1);
    int[] bad = BAD_UTF8[rng.nextInt(BAD_UTF8.length)];
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(b, 0, at);
    for (int x : bad) {
      out.write(x);
    }
    out.write(b, at, b.length - at);
    return out.toByteArray();
  }

  /** One very long line: a word repeated, a huge token, or very many arguments (up to ~1 MB). */
  private String longLine(Rng rng) {
    int n = 1_000 + rng.nextInt(rng.chance(10) ? 1_000_000 : 50_000);
    StringBuilder sb = new StringBuilder();
    switch (rng.nextInt(4)) {
      case 0 -> sb.append("write TIDV 0x").append("f".repeat(n));
      case 1 -> sb.append(line(rng).strip()).append((" " + word(rng)).repeat(n / 8));
      case 2 -> sb.append("#").append("x".repeat(n)).append('\n').append(line(rng));
      default -> sb.append(word(rng).repeat(Math.max(1, n / Math.max(1, word(rng).length()))));
    }
    return sb.append('\n').toString();
  }

  /** Pieces of several valid texts glued at random points. */
  private String spliced(Rng rng) {
    StringBuilder sb = new StringBuilder();
    int n = 2 + rng.nextInt(3);
    for (int i = 0; i < n; i++) {
      String s = sample(rng);
      int a = rng.nextInt(s.length() + 1);
      int b = a + rng.nextInt(s.length() - a + 1);
      sb.append(s, a, b);
    }
    return sb.toString();
  }

  /** Lines of words drawn from anywhere in the samples, in any order. */
  private String tokens(Rng rng) {
    StringBuilder sb = new StringBuilder();
    int n = 1 + rng.nextInt(8);
    for (int l = 0; l < n; l++) {
      int k = 1 + rng.nextInt(5);
      for (int i = 0; i < k; i++) {
        sb.append(i == 0 ? "" : rng.chance(10) ? "\t" : " ").append(word(rng));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The input as a Java-escaped string, cut to 300 characters. */
  static String escape(byte[] b) {
    StringBuilder sb = new StringBuilder("\"");
    for (int i = 0; i < b.length && sb.length() < 300; i++) {
      int c = b[i] & 0xff;
      if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
        sb.append((char) c);
      } else {
        sb.append(String.format(java.util.Locale.ROOT, "\\x%02x", c));
      }
    }
    return sb.append(b.length > 300 ? "\"... (" + b.length + " bytes)" : "\"").toString();
  }
}
