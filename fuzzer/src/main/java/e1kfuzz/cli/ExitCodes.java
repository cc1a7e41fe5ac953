package e1kfuzz.cli;

/**
 * The exit codes of every e1kfuzz command; part of the interface. README.md's "Exit codes (every
 * command)" table and the top-level help list the same codes (ExitCodesTest holds the three
 * together).
 */
public final class ExitCodes {
  private ExitCodes() {}

  /**
   * Nothing found: every run passed or met its {@code @expect} line; {@code shrink}: the trace
   * fails nowhere.
   */
  public static final int OK = 0;

  /** A bug in e1kfuzz itself. */
  public static final int INTERNAL_ERROR = 1;

  /**
   * Bad usage or bad input: an option, a file (its line and offending text are named), or an output
   * path that cannot be written (checked before any work when the path is known up front).
   */
  public static final int BAD_INPUT = 2;

  /**
   * An invariant was violated or an {@code @expect} line was not met: by a run ({@code replay},
   * {@code corpus check}), by a finding ({@code fuzz}, {@code explore}, {@code evaluate}), or by
   * the trace {@code shrink} wrote.
   */
  public static final int FOUND = 3;

  /** The model and a real QEMU diverged. */
  public static final int DIVERGED = 4;

  /** A real QEMU was asked for and is not available. */
  public static final int NO_QEMU = 5;

  /**
   * {@code merge}: a variant and signature was found that no corpus {@code @expect} line states.
   */
  public static final int NEW_FINDING = 6;

  /**
   * A real QEMU failed on some traces (died, hung, broke the protocol) and nothing diverged; the
   * traces are kept as backend-failure reports.
   */
  public static final int BACKEND_FAILURE = 7;

  /**
   * {@code robustify}: the trace cannot be made timing-robust (the reason is printed). Not a
   * violation: the trace may be fine, it only cannot be replayed faithfully in real time.
   */
  public static final int NOT_ROBUST = 8;
}
