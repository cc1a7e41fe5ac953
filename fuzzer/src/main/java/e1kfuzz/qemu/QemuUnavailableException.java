package e1kfuzz.qemu;

/** No usable QEMU: the message says what was tried; the CLI adds the install command (exit 5). */
public final class QemuUnavailableException extends Exception {
  private static final long serialVersionUID = 1L;

  public QemuUnavailableException(String message) {
    super(message);
  }
}
