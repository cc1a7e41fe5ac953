package e1kfuzz.model;

/** QEMU reached an assertion and aborted; thrown inside the model and ended into a violation. */
final class DeviceAbort extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final transient Signature signature;

  DeviceAbort(Signature signature, String detail) {
    super(detail, null, false, false);
    this.signature = signature;
  }

  Signature signature() {
    return signature;
  }
}
