package e1kfuzz.cli;

/** The exit codes of every e1kfuzz command; part of the interface. */
public final class ExitCodes {
  private ExitCodes() {}

  /** Nothing found. */
  public static final int OK = 0;
  /** A bug in e1kfuzz itself. */
  public static final int INTERNAL_ERROR = 1;
  /** Bad usage or bad input (a file, line and offending text are named). */
  public static final int BAD_INPUT = 2;
  /** An invariant was violated or an {@code @expect} line was not met. */
  public static final int FOUND = 3;
  /** The model and a real QEMU diverged. */
  public static final int DIVERGED = 4;
  /** A real QEMU was asked for and is not available. */
  public static final int NO_QEMU = 5;
  /** {@code merge}: a variant and signature was found that no corpus {@code @expect} line states. */
  public static final int NEW_FINDING = 6;
  /**
   * A real QEMU failed on some traces (died, hung, broke the protocol) and nothing diverged; the
   * traces are kept as backend-failure reports.
   */
  public static final int BACKEND_FAILURE = 7;
}
