package e1kfuzz.cli;

import e1kfuzz.corpus.BadInputException;
import e1kfuzz.corpus.TraceFiles;
import e1kfuzz.model.Trace;
import e1kfuzz.qemu.QemuBuild;
import e1kfuzz.qemu.QemuUnavailableException;
import java.io.PrintWriter;
import java.nio.file.Path;

/** What several commands do with user input the same way: report it and go on. */
final class CliSupport {
  private CliSupport() {}

  /** Reads a trace file; bad input is reported (file, line, text) and gives null. */
  static Trace readTrace(Path file, PrintWriter err) {
    try {
      return TraceFiles.read(file);
    } catch (BadInputException e) {
      err.println("e1kfuzz: " + e.getMessage());
      return null;
    }
  }

  /** The QEMU to drive; null after telling the user how to get one (the caller exits 5). */
  static QemuBuild qemuBuild(String qemu, Path moduleDir, PrintWriter err) {
    try {
      return DiffCommand.resolve(qemu, moduleDir);
    } catch (QemuUnavailableException e) {
      err.println("e1kfuzz: QEMU not available: " + e.getMessage() + "; " + DiffCommand.INSTALL);
      return null;
    }
  }
}
