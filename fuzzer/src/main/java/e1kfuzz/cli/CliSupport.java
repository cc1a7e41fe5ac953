package e1kfuzz.cli;

import e1kfuzz.corpus.BadInputException;
import e1kfuzz.corpus.TraceFiles;
import e1kfuzz.model.Trace;
import e1kfuzz.qemu.QemuBuild;
import e1kfuzz.qemu.QemuUnavailableException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** What several commands do with user input the same way: report it and go on. */
final class CliSupport {
  private CliSupport() {}

  /**
   * Prints a report in {@code format}: to stdout, or to {@code output} (written atomically) with
   * the text form on stdout and where the report went. False when {@code output} cannot be written
   * (reported).
   */
  static boolean printReport(
      ReplayCommand.Format format,
      Path output,
      String text,
      java.util.function.Supplier<String> json,
      java.util.function.Supplier<e1kfuzz.report.HtmlReport> html,
      PrintWriter stdout,
      PrintWriter err) {
    if (output == null) {
      stdout.print(
          switch (format) {
            case json -> json.get();
            case html -> html.get().render();
            default -> text;
          });
      stdout.flush();
      return true;
    }
    try {
      if (format == ReplayCommand.Format.html) {
        html.get().write(output);
      } else {
        String report = format == ReplayCommand.Format.json ? json.get() : text;
        TraceFiles.replace(output, report.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      cannotWriteFile(output, e, err);
      return false;
    }
    stdout.print(text);
    stdout.println((format == ReplayCommand.Format.html ? "timelines: " : "report: ") + output);
    stdout.flush();
    return true;
  }

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
      err.println(
          "e1kfuzz: QEMU not available: "
              + e.getMessage()
              + "; "
              + (qemu != null && qemu.startsWith("exact-")
                  ? "'make qemu-src' builds the exact builds (exact-<variant>, one per variant: see 'e1kfuzz variants')"
                  : DiffCommand.INSTALL));
      return null;
    }
  }

  /** {@link #outputFolderUsable(Path, String, PrintWriter)} for findings. */
  static boolean outputFolderUsable(Path out, PrintWriter err) {
    return outputFolderUsable(out, "findings", err);
  }

  /**
   * Whether {@code what} can be written under {@code out}: the folder, or its nearest existing
   * ancestor, must be a folder that accepts a new file (probed with a temporary file, since root
   * ignores permission bits). Says why not, before a long run is made for nothing; the caller exits
   * {@link ExitCodes#BAD_INPUT}.
   */
  static boolean outputFolderUsable(Path out, String what, PrintWriter err) {
    String why = folderProblem(out);
    if (why != null) {
      err.println(
          "e1kfuzz: cannot write "
              + what
              + " to "
              + out
              + ": "
              + why
              + (Files.isDirectory(out) ? "; files written before are kept" : ""));
      return false;
    }
    return true;
  }

  /**
   * Whether the file {@code file} (the value of {@code option}) can be written: not a folder, and
   * in a folder that accepts a new file. Says why not; the caller exits {@link
   * ExitCodes#BAD_INPUT}.
   */
  static boolean outputFileUsable(Path file, String option, PrintWriter err) {
    if (Files.isDirectory(file)) {
      err.println(
          "e1kfuzz: " + option + " " + file + " is a folder; give the name of the file to write");
      return false;
    }
    Path parent = file.toAbsolutePath().getParent();
    String why = parent == null ? "no folder to write it in" : folderProblem(parent);
    if (why != null) {
      err.println("e1kfuzz: cannot write " + file + " (" + option + "): " + why);
      return false;
    }
    return true;
  }

  /** Why nothing can be created under {@code dir}, or null when something can. */
  private static String folderProblem(Path dir) {
    Path p = dir.toAbsolutePath();
    while (p != null && !Files.exists(p)) {
      p = p.getParent();
    }
    if (p == null) {
      return null;
    }
    if (!Files.isDirectory(p)) {
      return p + " exists and is not a folder";
    }
    try {
      Files.delete(Files.createTempFile(p, ".e1kfuzz-probe", ".tmp"));
      return null;
    } catch (IOException e) {
      return why(e);
    }
  }

  /**
   * One clear line for a failed write of findings: which file, and why (disk full, read-only...).
   */
  static void cannotWrite(Path out, IOException e, PrintWriter err) {
    err.println(
        "e1kfuzz: cannot write findings to "
            + out
            + ": "
            + why(e)
            + "; files written before are kept");
  }

  /** One clear line for a failed write of one file. */
  static void cannotWriteFile(Path file, IOException e, PrintWriter err) {
    err.println("e1kfuzz: cannot write " + file + ": " + why(e));
  }

  /** Why a write failed, in words: a file in the way, permission denied, read-only, disk full. */
  static String why(IOException e) {
    if (e instanceof java.nio.file.FileAlreadyExistsException f) {
      return f.getFile() + " exists and is not a folder";
    } else if (e instanceof java.nio.file.AccessDeniedException f) {
      return f.getFile() + ": permission denied";
    } else if (e instanceof java.nio.file.FileSystemException f) {
      return f.getFile()
          + ": "
          + (f.getReason() != null ? f.getReason() : e.getClass().getSimpleName());
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  /** {@code 1 trace}, {@code 2 traces}: a count with its noun. */
  static String count(long n, String noun) {
    return count(n, noun, noun + "s");
  }

  /** {@code 1 mismatch}, {@code 2 mismatches}. */
  static String count(long n, String one, String many) {
    return String.format(Locale.ROOT, "%d %s", n, n == 1 ? one : many);
  }
}
