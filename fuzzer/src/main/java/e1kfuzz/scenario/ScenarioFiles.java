package e1kfuzz.scenario;

import e1kfuzz.corpus.BadInputException;
import e1kfuzz.corpus.TraceFiles;
import e1kfuzz.model.Step;
import e1kfuzz.model.TraceParser;
import e1kfuzz.model.TraceSyntaxException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.stream.Stream;

/**
 * Reads scenario files ({@code .scenario}): trace format v1 lines with {@code {name}} placeholders,
 * under a header of directives ({@code @scenario}, {@code @title}, {@code @driver}, {@code
 * @source}, {@code @param}, {@code @window}). Every value of every parameter is substituted once
 * while reading, so a bad value or template line is reported here, with file and line, not in the
 * middle of a search.
 */
public final class ScenarioFiles {
  /** The file suffix {@link #readAll} looks for in a folder. */
  public static final String SUFFIX = ".scenario";

  /** At most this many values per discrete parameter. */
  public static final int MAX_VALUES = 64;

  private ScenarioFiles() {}

  /**
   * Every scenario named by {@code paths}: files as given, folders for their {@code .scenario}
   * files, sorted by name.
   */
  public static List<Scenario> readAll(List<Path> paths) throws BadInputException {
    List<Scenario> out = new ArrayList<>();
    Set<String> ids = new LinkedHashSet<>();
    Map<String, String> where = new HashMap<>();
    for (Path p : paths) {
      List<Path> files;
      if (Files.isDirectory(p)) {
        try (Stream<Path> s = Files.list(p)) {
          files = s.filter(f -> f.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
        } catch (IOException e) {
          throw new BadInputException(p + ": cannot list: " + TraceFiles.describe(e), e);
        }
        if (files.isEmpty()) {
          throw new BadInputException(p + ": no " + SUFFIX + " files in this folder");
        }
      } else {
        files = List.of(p);
      }
      for (Path f : files) {
        Scenario s = read(f);
        if (!ids.add(s.id())) {
          throw new BadInputException(
              f + ": scenario '" + s.id() + "' is already defined in " + where.get(s.id()));
        }
        where.put(s.id(), f.toString());
        out.add(s);
      }
    }
    return out;
  }

  /** Reads one file; its {@code @scenario} id must be its name without {@link #SUFFIX}. */
  public static Scenario read(Path file) throws BadInputException {
    Scenario s = parse(file.toString(), TraceFiles.readText(file));
    String name = file.getFileName().toString();
    if (!name.equals(s.id() + SUFFIX)) {
      throw new BadInputException(
          file
              + ": @scenario "
              + s.id()
              + " does not match the file name (expected "
              + s.id()
              + SUFFIX
              + ")");
    }
    return s;
  }

  /** Parses and checks one scenario; {@code source} names it in messages. */
  public static Scenario parse(String source, String text) throws BadInputException {
    try {
      return new Reader(source).read(text);
    } catch (TraceSyntaxException e) {
      throw new BadInputException(e.getMessage(), e);
    }
  }

  private static final class Reader {
    private final String source;
    private String id;
    private String title;
    private String driver;
    private final List<String> sources = new ArrayList<>();
    private final List<Scenario.Param> params = new ArrayList<>();
    private Scenario.Window window;
    private final Map<String, Integer> declaredAt = new HashMap<>();
    private final Map<String, Integer> firstUse = new HashMap<>();

    Reader(String source) {
      this.source = source;
    }

    Scenario read(String text) throws TraceSyntaxException {
      String[] lines = text.split("\n", -1);
      List<String> template = new ArrayList<>();
      for (int i = 0; i < lines.length; i++) {
        int lineNo = i + 1;
        String line =
            lines[i].endsWith("\r") ? lines[i].substring(0, lines[i].length() - 1) : lines[i];
        String trimmed = line.strip();
        if (trimmed.startsWith("@")) {
          directive(lineNo, line, trimmed);
          template.add("");
          continue;
        }
        String code = trimmed.startsWith("#") ? "" : line;
        Matcher m = Scenario.PLACEHOLDER.matcher(code);
        while (m.find()) {
          firstUse.putIfAbsent(m.group(1), lineNo);
          if (!declaredAt.containsKey(m.group(1))) {
            throw new TraceSyntaxException(
                source,
                lineNo,
                m.start() + 1,
                "undeclared parameter (declare it with @param or @window above)",
                m.group());
          }
          if (m.group(2) != null && window != null && window.name().equals(m.group(1))) {
            throw new TraceSyntaxException(
                source, lineNo, m.start() + 1, "the window's offset takes no |0xMASK", m.group());
          }
          if (m.group(2) != null) {
            for (Scenario.Param p : params) {
              if (p.name().equals(m.group(1))) {
                for (String v : p.values()) {
                  try {
                    Long.decode(v);
                  } catch (NumberFormatException e) {
                    throw new TraceSyntaxException(
                        source,
                        lineNo,
                        m.start() + 1,
                        "a mask needs numbers, but "
                            + p.name()
                            + " (line "
                            + declaredAt.get(p.name())
                            + ") has '"
                            + v
                            + "'",
                        m.group());
                  }
                }
              }
            }
          }
        }
        String rest = Scenario.PLACEHOLDER.matcher(code).replaceAll("");
        int brace = rest.indexOf('{');
        if (brace < 0) {
          brace = rest.indexOf('}');
        }
        if (brace >= 0 && (rest.indexOf('#') < 0 || brace < rest.indexOf('#'))) {
          throw new TraceSyntaxException(
              source,
              lineNo,
              brace + 1,
              "bad placeholder (write {name} or {name|0xMASK}, lower case, a mask of 1-8 hex digits)",
              line.strip());
        }
        template.add(line);
      }
      require(id, "@scenario ID");
      require(title, "@title TEXT");
      require(driver, "@driver TEXT");
      if (sources.isEmpty()) {
        throw new TraceSyntaxException(
            source,
            1,
            1,
            "missing @source line (where the driver does this: file, function, version)",
            "");
      }
      for (var e : declaredAt.entrySet()) {
        if (!firstUse.containsKey(e.getKey())) {
          throw new TraceSyntaxException(
              source, e.getValue(), 1, "parameter declared but never used in a step", e.getKey());
        }
      }
      Scenario s = new Scenario(id, title, driver, sources, params, window, template, source);
      check(s);
      return s;
    }

    private void require(String value, String what) throws TraceSyntaxException {
      if (value == null) {
        throw new TraceSyntaxException(source, 1, 1, "missing " + what + " line", "");
      }
    }

    private void directive(int lineNo, String line, String trimmed) throws TraceSyntaxException {
      int hash = trimmed.indexOf(" #");
      String why = hash < 0 ? "" : trimmed.substring(hash + 2).strip();
      String body = hash < 0 ? trimmed : trimmed.substring(0, hash).strip();
      int space = body.indexOf(' ');
      String word = space < 0 ? body : body.substring(0, space);
      String arg = space < 0 ? "" : body.substring(space + 1).strip();
      int argColumn = line.indexOf(arg.isEmpty() ? word : arg) + 1;
      switch (word) {
        case "@scenario" -> {
          once(id, lineNo, word);
          if (!arg.matches("[a-z0-9][a-z0-9.-]*")) {
            throw new TraceSyntaxException(
                source, lineNo, argColumn, "bad scenario id (lower case, digits, '-', '.')", arg);
          }
          id = arg;
        }
        case "@title" -> {
          once(title, lineNo, word);
          title = text(lineNo, argColumn, arg, trimmed);
        }
        case "@driver" -> {
          once(driver, lineNo, word);
          driver = text(lineNo, argColumn, arg, trimmed);
        }
        case "@source" -> sources.add(text(lineNo, argColumn, arg, trimmed));
        case "@param", "@window" -> declare(word, lineNo, line, arg, why);
        case "@expect" ->
            throw new TraceSyntaxException(
                source,
                lineNo,
                1,
                "a scenario has no @expect lines (scenarios reports what each variant does)",
                trimmed);
        default ->
            throw new TraceSyntaxException(
                source,
                lineNo,
                line.indexOf(word) + 1,
                "unknown directive (@scenario, @title, @driver, @source, @param, @window)",
                word);
      }
    }

    private void once(String previous, int lineNo, String word) throws TraceSyntaxException {
      if (previous != null) {
        throw new TraceSyntaxException(source, lineNo, 1, "duplicate " + word + " line", word);
      }
    }

    private String text(int lineNo, int column, String arg, String trimmed)
        throws TraceSyntaxException {
      if (arg.isEmpty()) {
        throw new TraceSyntaxException(source, lineNo, column, "missing text", trimmed);
      }
      return arg;
    }

    private void declare(String word, int lineNo, String line, String arg, String why)
        throws TraceSyntaxException {
      int eq = arg.indexOf('=');
      if (eq < 0) {
        throw new TraceSyntaxException(
            source,
            lineNo,
            line.indexOf(word) + 1,
            word.equals("@param")
                ? "expected @param NAME = VALUE VALUE..."
                : "expected @window NAME = FROM..TO",
            arg);
      }
      String name = arg.substring(0, eq).strip();
      String rhs = arg.substring(eq + 1).strip();
      if (!name.matches("[a-z][a-z0-9_-]*")) {
        throw new TraceSyntaxException(
            source,
            lineNo,
            line.indexOf(name) + 1,
            "bad parameter name (lower case, digits, '_', '-')",
            name);
      }
      if (declaredAt.containsKey(name)) {
        throw new TraceSyntaxException(
            source,
            lineNo,
            line.indexOf(name) + 1,
            "parameter already declared on line " + declaredAt.get(name),
            name);
      }
      int rhsColumn = line.indexOf(rhs, line.indexOf('=')) + 1;
      if (word.equals("@window")) {
        if (window != null) {
          throw new TraceSyntaxException(
              source,
              lineNo,
              1,
              "a scenario has at most one @window (the offset searched in ns)",
              word);
        }
        int dots = rhs.indexOf("..");
        if (dots < 0) {
          throw new TraceSyntaxException(
              source, lineNo, rhsColumn, "expected FROM..TO, e.g. 0ns..200us", rhs);
        }
        long lo = duration(lineNo, rhsColumn, rhs.substring(0, dots).strip());
        long hi = duration(lineNo, rhsColumn + dots + 2, rhs.substring(dots + 2).strip());
        if (hi <= lo) {
          throw new TraceSyntaxException(
              source, lineNo, rhsColumn, "empty range (TO must be above FROM)", rhs);
        }
        window = new Scenario.Window(name, lo, hi, why);
      } else {
        // Values are words, or, when one holds a space (a whole step such as "rx nobuf"),
        // separated by '|'.
        if (rhs.isEmpty()) {
          throw new TraceSyntaxException(source, lineNo, rhsColumn, "no values", arg);
        }
        List<String> values =
            rhs.contains("|")
                ? java.util.Arrays.stream(rhs.split("\\|", -1)).map(String::strip).toList()
                : List.of(rhs.split("\\s+"));
        if (values.stream().anyMatch(String::isEmpty)) {
          throw new TraceSyntaxException(
              source, lineNo, rhsColumn, "an empty value between '|'", rhs);
        }
        if (values.size() > MAX_VALUES) {
          throw new TraceSyntaxException(
              source, lineNo, rhsColumn, "more than " + MAX_VALUES + " values", rhs);
        }
        if (new LinkedHashSet<>(values).size() != values.size()) {
          throw new TraceSyntaxException(source, lineNo, rhsColumn, "a value is listed twice", rhs);
        }
        params.add(new Scenario.Param(name, values, why));
      }
      declaredAt.put(name, lineNo);
    }

    private long duration(int lineNo, int column, String text) throws TraceSyntaxException {
      try {
        if (TraceParser.parseStep(source, lineNo, "wait " + text) instanceof Step.Wait w) {
          return w.ns();
        }
      } catch (TraceSyntaxException e) {
        // reported below, with this line's column
      }
      throw new TraceSyntaxException(
          source, lineNo, column, "bad duration (e.g. 0ns, 33us, 2ms)", text);
    }

    /** Substitutes every value of every parameter once (others at their defaults). */
    private void check(Scenario s) throws TraceSyntaxException {
      Map<String, String> choice = new HashMap<>(s.defaults());
      long[] offsets =
          s.window() == null
              ? new long[] {0}
              : new long[] {s.window().loNs(), s.window().hiNs() - 1};
      for (long offset : offsets) {
        instantiate(s, choice, offset, "");
      }
      for (Scenario.Param p : s.params()) {
        for (String v : p.values().subList(1, p.values().size())) {
          Map<String, String> c = new HashMap<>(choice);
          c.put(p.name(), v);
          instantiate(s, c, offsets[0], " (with " + p.name() + "=" + v + ")");
        }
      }
    }

    private void instantiate(Scenario s, Map<String, String> choice, long offset, String with)
        throws TraceSyntaxException {
      try {
        if (s.instantiate(choice, offset).steps().isEmpty()) {
          throw new TraceSyntaxException(source, 1, 1, "the scenario has no steps", "");
        }
      } catch (TraceSyntaxException e) {
        if (with.isEmpty()) {
          throw e;
        }
        throw new TraceSyntaxException(
            e.source(), e.line(), e.column(), e.problem() + with, e.offending());
      }
    }
  }
}
