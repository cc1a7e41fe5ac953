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
      err.println("e1kfuzz: QEMU not available: " + e.getMessage() + "; "
          + (qemu != null && qemu.startsWith("exact-")
              ? "'make qemu-src' builds the exact builds (exact-<variant>, one per variant: see 'e1kfuzz variants')"
              : DiffCommand.INSTALL));
      return null;
    }
  }

  /**
   * Whether findings can be written under {@code out}: the folder, or its nearest existing ancestor,
   * must be a folder that accepts a new file (probed with a temporary file, since root ignores
   * permission bits). Says why not, before a long campaign is run for nothing.
   */
  static boolean outputFolderUsable(Path out, PrintWriter err) {
    Path p = out.toAbsolutePath();
    while (p != null && !java.nio.file.Files.exists(p)) {
      p = p.getParent();
    }
    if (p == null) {
      return true;
    }
    if (!java.nio.file.Files.isDirectory(p)) {
      err.println("e1kfuzz: cannot write findings to " + out + ": " + p + " exists and is not a folder");
      return false;
    }
    try {
      java.nio.file.Files.delete(java.nio.file.Files.createTempFile(p, ".e1kfuzz-probe", ".tmp"));
      return true;
    } catch (java.io.IOException e) {
      cannotWrite(out, e, err);
      return false;
    }
  }

  /** One clear line for a failed write: which file, and why (disk full, read-only, permission...). */
  static void cannotWrite(Path out, java.io.IOException e, PrintWriter err) {
    String why;
    if (e instanceof java.nio.file.FileAlreadyExistsException f) {
      why = f.getFile() + " exists and is not a folder";
    } else if (e instanceof java.nio.file.AccessDeniedException f) {
      why = f.getFile() + ": permission denied";
    } else if (e instanceof java.nio.file.FileSystemException f) {
      why = f.getFile() + ": " + (f.getReason() != null ? f.getReason() : e.getClass().getSimpleName());
    } else {
      why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
    err.println("e1kfuzz: cannot write findings to " + out + ": " + why + "; files written before are kept");
  }
}
