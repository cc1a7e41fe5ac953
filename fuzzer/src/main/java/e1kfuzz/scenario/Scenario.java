package e1kfuzz.scenario;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import e1kfuzz.model.Step;
import e1kfuzz.model.Trace;
import e1kfuzz.model.TraceParser;
import e1kfuzz.model.TraceSyntaxException;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A guest driver's path as data: the register and PCI-config sequence a driver performs, a trace
 * template whose {@code {name}} placeholders are its free parameters (discrete values the driver or
 * its user chooses, and at most one arrival offset, the window, searched in nanoseconds).
 *
 * @param id the scenario's stable name, e.g. {@code linux-hibernation-thaw}
 * @param title one line for reports
 * @param driver the driver it comes from, e.g. {@code Linux e1000e}
 * @param sources where each step of the sequence was read (file, function, version)
 * @param params the discrete parameters in file order; each one's first value is the driver's
 *     default
 * @param window the arrival offset searched for the window, or null when the scenario has none
 * @param template the file's lines with directives blanked, so trace line numbers are file lines
 * @param file where it was read from, for messages
 */
public record Scenario(
    String id,
    String title,
    String driver,
    List<String> sources,
    List<Param> params,
    Window window,
    List<String> template,
    String file) {

  /**
   * {@code {name}}, or {@code {name|0xMASK}}: the value (a number) with the mask's bits set, as a
   * driver writes a register with a flag, e.g. RDTR with FPD: {@code {rxdelay|0x80000000}}.
   */
  static final Pattern PLACEHOLDER =
      Pattern.compile("\\{([a-z][a-z0-9_-]*)(?:\\|(0x[0-9a-fA-F]{1,8}))?\\}");

  public Scenario {
    sources = ImmutableList.copyOf(sources);
    params = ImmutableList.copyOf(params);
    template = ImmutableList.copyOf(template);
  }

  /** A discrete free parameter: the words a placeholder can stand for, the default first. */
  public record Param(String name, List<String> values, String why) {
    public Param {
      values = ImmutableList.copyOf(values);
    }
  }

  /**
   * The arrival offset: a placeholder for a duration searched from {@code loNs} up to, not
   * including, {@code hiNs}.
   */
  public record Window(String name, long loNs, long hiNs, String why) {}

  /** The default choice: every discrete parameter at its first value. */
  public Map<String, String> defaults() {
    ImmutableMap.Builder<String, String> b = ImmutableMap.builder();
    for (Param p : params) {
      b.put(p.name(), p.values().get(0));
    }
    return b.buildOrThrow();
  }

  /**
   * The trace for one choice of the discrete parameters and, when the scenario has a window, one
   * offset in nanoseconds (ignored otherwise).
   *
   * @throws TraceSyntaxException when a substituted line is not a step; the message names the
   *     scenario file, its line and the values substituted
   */
  public Trace instantiate(Map<String, String> choice, long offsetNs) throws TraceSyntaxException {
    StringBuilder text = new StringBuilder();
    for (String line : template) {
      text.append(substitute(line, choice, offsetNs + "ns")).append('\n');
    }
    return TraceParser.parse(file, text.toString());
  }

  /** The steps for one choice; the scenario was checked when it was read, so they parse. */
  public List<Step> steps(Map<String, String> choice, long offsetNs) {
    return bind(choice).at(offsetNs);
  }

  /**
   * The scenario with its discrete parameters fixed: the steps for any offset, parsing only the
   * lines that hold the window's placeholder (a search runs thousands of offsets per choice).
   */
  public Bound bind(Map<String, String> choice) {
    List<Step> steps = new java.util.ArrayList<>();
    List<Integer> at = new java.util.ArrayList<>();
    List<String> lines = new java.util.ArrayList<>();
    List<Integer> numbers = new java.util.ArrayList<>();
    String placeholder = window == null ? null : "{" + window.name() + "}";
    for (int i = 0; i < template.size(); i++) {
      String line = template.get(i);
      int hash = line.indexOf('#');
      String code = (hash < 0 ? line : line.substring(0, hash)).strip();
      if (code.isEmpty()) {
        continue;
      }
      if (placeholder != null && code.contains(placeholder)) {
        at.add(steps.size());
        lines.add(substitute(code, choice, OFFSET));
        numbers.add(i + 1);
        steps.add(null);
      } else {
        steps.add(parse(i + 1, substitute(code, choice, OFFSET)));
      }
    }
    return new Bound(steps, at, lines, numbers);
  }

  /** A scenario with its discrete parameters fixed. */
  public final class Bound {
    private final List<Step> steps;
    private final List<Integer> at;
    private final List<String> lines;
    private final List<Integer> numbers;

    private Bound(List<Step> steps, List<Integer> at, List<String> lines, List<Integer> numbers) {
      this.steps = steps;
      this.at = at;
      this.lines = lines;
      this.numbers = numbers;
    }

    /** The steps with the window at {@code offsetNs}. */
    public List<Step> at(long offsetNs) {
      List<Step> out = new java.util.ArrayList<>(steps);
      for (int k = 0; k < at.size(); k++) {
        String line = lines.get(k);
        out.set(
            at.get(k),
            line.equals("wait " + OFFSET)
                ? new Step.Wait(offsetNs)
                : parse(numbers.get(k), line.replace(OFFSET, offsetNs + "ns")));
      }
      return out;
    }
  }

  private Step parse(int lineNo, String code) {
    try {
      return TraceParser.parseStep(file, lineNo, code);
    } catch (TraceSyntaxException e) {
      throw new IllegalStateException("a checked scenario no longer parses: " + e.getMessage(), e);
    }
  }

  /** Stands for the window's value until an offset is chosen; no trace line can hold it. */
  private static final String OFFSET = "\u0000";

  private String substitute(String line, Map<String, String> choice, String offset) {
    Matcher m = PLACEHOLDER.matcher(line);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1);
      String value = window != null && window.name().equals(name) ? offset : choice.get(name);
      if (value != null && m.group(2) != null) {
        value = withBits(value, Long.decode(m.group(2)));
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value == null ? m.group() : value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** {@code value | bits} in trace hex, or text the parser names as a bad number. */
  private static String withBits(String value, long bits) {
    try {
      return Step.hex((int) (Long.decode(value) | bits));
    } catch (NumberFormatException e) {
      return value + "|" + Step.hex((int) bits);
    }
  }

  /** {@code name=value} for each parameter, in file order: how reports name a choice. */
  public String describe(Map<String, String> choice) {
    StringBuilder b = new StringBuilder();
    for (Param p : params) {
      if (b.length() > 0) {
        b.append(' ');
      }
      b.append(p.name()).append('=').append(choice.get(p.name()));
    }
    return b.toString();
  }
}
