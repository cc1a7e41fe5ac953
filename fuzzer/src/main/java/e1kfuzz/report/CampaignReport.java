package e1kfuzz.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import e1kfuzz.corpus.FindingWriter;
import e1kfuzz.corpus.TraceFiles;
import e1kfuzz.engine.Campaign;
import e1kfuzz.engine.CampaignOptions;
import e1kfuzz.engine.Coverage;
import e1kfuzz.engine.Finding;
import e1kfuzz.engine.InternalFailure;
import e1kfuzz.model.Mark;
import e1kfuzz.model.Trace;
import e1kfuzz.model.Variant;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/** The end-of-campaign outputs: summary text, JSON summary, JUnit XML. */
public final class CampaignReport {
  private CampaignReport() {}

  public static String parameters(CampaignOptions o, String outDir) {
    return String.format(
        Locale.ROOT,
        "e1kfuzz fuzz: seed %d%nvariants %s; %s; jobs %d; max-steps %d; shard %d/%d; strict %s; guidance %s; out %s%nweights %s%n",
        o.seed(),
        o.variants().size() == Variant.values().length
            ? "all"
            : o.variants().stream().map(Variant::id).collect(Collectors.joining(",")),
        bound(o),
        o.jobs(),
        o.generator().maxSteps(),
        o.shardIndex() + 1,
        o.shardCount(),
        o.strict() ? "yes" : "no",
        o.guidance().name().toLowerCase(Locale.ROOT),
        outDir,
        o.generator().describeWeights());
  }

  static String bound(CampaignOptions o) {
    String time = o.time() == null ? null : "time " + o.time().toMillis() / 1000.0 + "s";
    String runs = o.runs() > 0 ? "runs " + o.runs() : null;
    return time != null && runs != null ? time + ", " + runs : time != null ? time : runs;
  }

  public static String summary(Campaign.Result r, List<FindingWriter.Written> written) {
    StringBuilder sb = new StringBuilder();
    double secs = r.elapsedNanos() / 1e9;
    sb.append(
        String.format(
            Locale.ROOT,
            "%n%d runs in %.1fs (%.0f runs/s)%s%n",
            r.runs(),
            secs,
            secs > 0 ? r.runs() / secs : 0.0,
            r.interrupted() ? ", stopped early" : ""));
    if (r.findings().isEmpty()) {
      sb.append("no findings\n");
    } else {
      sb.append(
          String.format(
              Locale.ROOT,
              "%n%-16s %-40s %10s  %-34s %s%n",
              "VARIANT",
              "SIGNATURE",
              "RUN",
              "SHRINKING",
              "FILE"));
      for (FindingWriter.Written w : written) {
        for (Finding f : w.findings()) {
          sb.append(
              String.format(
                  Locale.ROOT,
                  "%-16s %-40s %10d  %-34s %s%s%n",
                  f.variant().id(),
                  f.signature().id(),
                  f.run(),
                  f.shrunk().summary(),
                  w.file(),
                  w.alreadyPresent() ? " (already there)" : ""));
        }
      }
      sb.append("\non the exact builds:\n");
      for (FindingWriter.Written w : written) {
        for (Finding f : w.findings()) {
          String line = exactLine(w, f);
          if (line != null) {
            sb.append(
                String.format(
                    Locale.ROOT,
                    "  %-50s %s%n",
                    f.signature().id() + " on " + f.variant().id(),
                    line));
          }
        }
      }
      sb.append("\nreplay:\n");
      for (FindingWriter.Written w : written) {
        sb.append("  ").append(replayCommand(w, r.options().strict())).append('\n');
      }
    }
    sb.append(coverage(r));
    for (InternalFailure f : r.internalFailures()) {
      sb.append(
          String.format(
              Locale.ROOT,
              "INTERNAL ERROR in run %d on %s: %s%n",
              f.run(),
              f.variant() == null ? "?" : f.variant().id(),
              f.exception()));
    }
    return sb.toString();
  }

  /**
   * The "exact builds:" line of a finding's header (confirmed on its exact build, or why not), or
   * null.
   */
  static String exactLine(FindingWriter.Written w, Finding f) {
    String mine = "e1kfuzz finding: " + f.signature().id() + " on " + f.variant().id();
    boolean found = false;
    for (String h : w.trace().header()) {
      if (h.equals(mine)) {
        found = true;
      } else if (found && h.startsWith("  exact builds: ")) {
        return h.substring("  exact builds: ".length());
      }
    }
    return null;
  }

  /** What the campaign exercised, and what it did not (see {@link Coverage} for the definition). */
  static String coverage(Campaign.Result r) {
    Coverage c = r.coverage();
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "%ncoverage (guidance %s, measured on %s): %d of %d state points, %d transitions, %d of %d race branches; %d traces kept%n",
            r.options().guidance().name().toLowerCase(Locale.ROOT),
            measuredOn(r.options()),
            c.points(),
            Coverage.POINTS,
            c.transitions(),
            c.marksReached(),
            Mark.values().length,
            r.kept()));
    List<Mark> marks = c.marksNotReached();
    if (!marks.isEmpty()) {
      sb.append("  race branches never reached: ")
          .append(
              marks.stream()
                  .map(m -> m.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                  .collect(Collectors.joining(", ")))
          .append('\n');
    }
    List<String> states = c.statesNotReached();
    sb.append(
        String.format(
            Locale.ROOT,
            "  abstract states never reached: %d of %d%s%n",
            states.size(),
            Coverage.STATES,
            states.isEmpty() ? "" : " (--format json lists them, and every unreached point)"));
    return sb.toString();
  }

  /**
   * Which model coverage is measured on, said so that it cannot be taken for a variant that ran.
   */
  private static String measuredOn(CampaignOptions o) {
    if (o.variants().size() == 1) {
      return o.variants().get(0).id();
    }
    return CampaignOptions.SHADOW.id()
        + ", the model that steers the traces"
        + (o.variants().contains(CampaignOptions.SHADOW) ? "" : ", not one of the variants run");
  }

  private static String steering(CampaignOptions o) {
    return (o.variants().size() == 1 ? o.variants().get(0) : CampaignOptions.SHADOW).id();
  }

  public static String replayCommand(FindingWriter.Written w, boolean strict) {
    return "./e1kfuzz replay " + w.file() + (strict ? " --strict" : "");
  }

  public static String json(Campaign.Result r, List<FindingWriter.Written> written)
      throws IOException {
    CampaignOptions o = r.options();
    ObjectNode root = Json.object();
    root.put("seed", o.seed());
    ArrayNode vs = root.putArray("variants");
    o.variants().forEach(v -> vs.add(v.id()));
    root.put("shard", (o.shardIndex() + 1) + "/" + o.shardCount());
    root.put("strict", o.strict());
    root.put("maxSteps", o.generator().maxSteps());
    root.put("weights", o.generator().describeWeights());
    root.put("runs", r.runs());
    root.put("elapsedMs", r.elapsedNanos() / 1_000_000);
    root.put("interrupted", r.interrupted());
    ArrayNode fs = root.putArray("findings");
    for (FindingWriter.Written w : written) {
      for (Finding f : w.findings()) {
        ObjectNode n = fs.addObject();
        n.put("variant", f.variant().id());
        n.put("signature", f.signature().id());
        n.put("run", f.run());
        n.put("originalSteps", f.original().size());
        n.put("shrunkSteps", f.shrunk().steps().size());
        n.put("shrinkRuns", f.shrunk().runs());
        n.put("file", w.file().toString());
        n.put("new", !w.alreadyPresent());
        n.put("exactBuilds", exactLine(w, f));
        n.put("replay", replayCommand(w, o.strict()));
      }
    }
    Coverage c = r.coverage();
    ObjectNode cov = root.putObject("coverage");
    cov.put("guidance", o.guidance().name().toLowerCase(Locale.ROOT));
    cov.put("measuredOn", steering(o));
    cov.put("points", c.points());
    cov.put("pointsPossible", Coverage.POINTS);
    cov.put("transitions", c.transitions());
    cov.put("raceBranches", c.marksReached());
    cov.put("kept", r.kept());
    ArrayNode marks = cov.putArray("raceBranchesNotReached");
    c.marksNotReached()
        .forEach(m -> marks.add(m.name().toLowerCase(Locale.ROOT).replace('_', '-')));
    ArrayNode states = cov.putArray("statesNotReached");
    c.statesNotReached().forEach(states::add);
    ArrayNode points = cov.putArray("pointsNotReached");
    c.pointsNotReached().forEach(points::add);
    ArrayNode errs = root.putArray("internalErrors");
    for (InternalFailure f : r.internalFailures()) {
      ObjectNode n = errs.addObject();
      n.put("run", f.run());
      n.put("variant", f.variant() == null ? null : f.variant().id());
      n.put("exception", f.exception());
      n.put("trace", Trace.of(f.steps()).format());
    }
    return Json.render(root);
  }

  /**
   * JUnit XML: one test case per variant and signature found (a failure holding the shrunk trace
   * and the replay command), and one passing case per variant with nothing found.
   */
  public static void junit(Path file, Campaign.Result r, List<FindingWriter.Written> written)
      throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      XMLStreamWriter x = XMLOutputFactory.newFactory().createXMLStreamWriter(bytes, "UTF-8");
      int failures = written.stream().mapToInt(w -> w.findings().size()).sum();
      List<Variant> clean =
          r.options().variants().stream()
              .filter(
                  v ->
                      written.stream()
                          .flatMap(w -> w.findings().stream())
                          .noneMatch(f -> f.variant() == v))
              .toList();
      x.writeStartDocument("UTF-8", "1.0");
      x.writeCharacters("\n");
      x.writeStartElement("testsuite");
      x.writeAttribute("name", "e1kfuzz");
      x.writeAttribute("tests", Integer.toString(failures + clean.size()));
      x.writeAttribute("failures", Integer.toString(failures));
      x.writeAttribute("errors", Integer.toString(r.internalFailures().size()));
      x.writeAttribute("time", String.format(Locale.ROOT, "%.3f", r.elapsedNanos() / 1e9));
      x.writeCharacters("\n");
      x.writeStartElement("properties");
      property(x, "seed", Long.toString(r.options().seed()));
      property(x, "runs", Long.toString(r.runs()));
      property(x, "shard", (r.options().shardIndex() + 1) + "/" + r.options().shardCount());
      x.writeEndElement();
      x.writeCharacters("\n");
      for (FindingWriter.Written w : written) {
        for (Finding f : w.findings()) {
          x.writeStartElement("testcase");
          x.writeAttribute("classname", "e1kfuzz." + f.variant().id());
          x.writeAttribute("name", f.signature().id());
          x.writeStartElement("failure");
          x.writeAttribute("type", f.signature().id());
          x.writeAttribute(
              "message",
              f.signature().id() + " on " + f.variant().id() + "; " + f.shrunk().summary());
          x.writeCharacters(
              w.trace().format() + "\n" + replayCommand(w, r.options().strict()) + "\n");
          x.writeEndElement();
          x.writeEndElement();
          x.writeCharacters("\n");
        }
      }
      for (Variant v : clean) {
        x.writeStartElement("testcase");
        x.writeAttribute("classname", "e1kfuzz." + v.id());
        x.writeAttribute("name", "no violation");
        x.writeEndElement();
        x.writeCharacters("\n");
      }
      for (InternalFailure f : r.internalFailures()) {
        x.writeStartElement("testcase");
        x.writeAttribute("classname", "e1kfuzz.internal");
        x.writeAttribute("name", "run " + f.run());
        x.writeStartElement("error");
        x.writeAttribute("message", f.exception());
        x.writeCharacters(Trace.of(f.steps()).format());
        x.writeEndElement();
        x.writeEndElement();
        x.writeCharacters("\n");
      }
      x.writeEndElement();
      x.writeEndDocument();
      x.close();
    } catch (XMLStreamException e) {
      throw new IOException("cannot write " + file + ": " + e.getMessage(), e);
    }
    TraceFiles.replace(file, bytes.toByteArray());
  }

  private static void property(XMLStreamWriter x, String name, String value)
      throws XMLStreamException {
    x.writeEmptyElement("property");
    x.writeAttribute("name", name);
    x.writeAttribute("value", value);
  }
}
