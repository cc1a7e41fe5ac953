package e1kfuzz.qemu;

/** QEMU did not answer as expected: a timeout, a refused command, or the process ending. */
public final class QemuFailure extends Exception {
  private static final long serialVersionUID = 1L;
  private final boolean exited;

  public QemuFailure(String message, boolean exited) {
    super(message);
    this.exited = exited;
  }

  /** The process ended (possibly an abort, which the backend then reads from stderr). */
  public boolean exited() {
    return exited;
  }
}
