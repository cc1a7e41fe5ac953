package e1kfuzz.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --qemu} and {@code --qemu-module-dir}: which real QEMU build to drive (diff, fuzz
 * --backend diff, replay --backend qemu).
 */
final class QemuOptions {
  static final String ALL = "all";

  @Option(
      names = "--qemu",
      paramLabel = "PATH",
      description =
          "The real QEMU to drive: a binary or launcher, the name of a cached build (qemu-7.2.18, qemu-7.2.22, "
              + "qemu-10.0.2, qemu-10.0.13, exact-<variant>), or 'all' (diff and fuzz --backend diff only): each variant's "
              + "exact build (make qemu-src), else its Debian build. Default: for diff and fuzz --backend diff the exact builds "
              + "when present, else qemu-system-x86_64 on PATH.")
  String qemu;

  @Option(
      names = "--qemu-module-dir",
      paramLabel = "DIR",
      description = "QEMU_MODULE_DIR for an unpacked, not installed build (its accel-tcg module).")
  Path moduleDir;

  /** Whether either option was given. */
  boolean given() {
    return qemu != null || moduleDir != null;
  }

  /** The option of the two that was given, for a refusal message. */
  String givenName() {
    return qemu != null ? "--qemu" : "--qemu-module-dir";
  }
}
