package e1kfuzz.engine;

import e1kfuzz.model.Step;
import e1kfuzz.model.Variant;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

/**
 * An exception thrown inside the model: a bug in e1kfuzz, kept with what reproduces it (the run,
 * its steps) and the stack trace for a bug report.
 */
public record InternalFailure(
    long run, Variant variant, String exception, String stackTrace, List<Step> steps) {

  public static InternalFailure of(long run, Variant variant, Throwable e, List<Step> steps) {
    StringWriter sw = new StringWriter();
    e.printStackTrace(new PrintWriter(sw));
    return new InternalFailure(run, variant, e.toString(), sw.toString(), List.copyOf(steps));
  }

  /**
   * What makes two failures the same bug: the variant, the exception class and the frame that
   * threw. A campaign keeps one failure (the lowest run) per kind, so a model that throws on every
   * run does not fill the heap.
   */
  public String kind() {
    String head =
        exception.contains(":") ? exception.substring(0, exception.indexOf(':')) : exception;
    String frame =
        stackTrace
            .lines()
            .map(String::strip)
            .filter(l -> l.startsWith("at "))
            .findFirst()
            .orElse("");
    return variant.id() + " " + head + " " + frame;
  }
}
