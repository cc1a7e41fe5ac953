package e1kfuzz.model;

import com.google.common.collect.ImmutableList;
import java.util.Optional;

/**
 * A parsed trace: its header comments (without the leading {@code #}), its {@code @expect} lines
 * and its steps. {@link #format()} gives the canonical text, which parses back to an equal trace.
 */
public record Trace(
    ImmutableList<String> header,
    ImmutableList<Expectation> expectations,
    ImmutableList<Step> steps) {

  public static Trace of(Iterable<? extends Step> steps) {
    return new Trace(ImmutableList.of(), ImmutableList.of(), ImmutableList.copyOf(steps));
  }

  public Trace withHeader(Iterable<String> header) {
    return new Trace(ImmutableList.copyOf(header), expectations, steps);
  }

  public Trace withExpectations(Iterable<Expectation> expectations) {
    return new Trace(header, ImmutableList.copyOf(expectations), steps);
  }

  public Trace withSteps(Iterable<? extends Step> steps) {
    return new Trace(header, expectations, ImmutableList.copyOf(steps));
  }

  /** What the trace says {@code variant} must produce: its own line, else the {@code *} line. */
  public Optional<String> expectedResult(Variant variant) {
    String any = null;
    for (Expectation e : expectations) {
      if (e.variant().equals(variant.id())) {
        return Optional.of(e.result());
      }
      if (e.variant().equals(Expectation.ANY_VARIANT)) {
        any = e.result();
      }
    }
    return Optional.ofNullable(any);
  }

  /**
   * Whether the {@code @expect} lines state outcomes with the strict invariants on: one of them
   * names a strict signature; otherwise they state the outcomes without them. (Computed with the
   * strict invariants on, lines that name no strict signature are the same as computed without
   * them.)
   */
  public boolean strictExpectations() {
    return expectations.stream()
        .anyMatch(e -> Signature.byId(e.result()).map(Signature::strict).orElse(false));
  }

  public String format() {
    StringBuilder sb = new StringBuilder();
    for (String line : header) {
      sb.append(line.isEmpty() ? "#" : "# " + line).append('\n');
    }
    for (Expectation e : expectations) {
      sb.append(e.format()).append('\n');
    }
    for (Step s : steps) {
      sb.append(s.format()).append('\n');
    }
    return sb.toString();
  }
}
