package e1kfuzz.corpus;

import e1kfuzz.engine.Alphabet;
import e1kfuzz.model.Trace;
import e1kfuzz.model.TraceParser;
import e1kfuzz.model.TraceSyntaxException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/** Reads and writes {@code .trace} files: strict UTF-8 in, atomic and never-clobbering out. */
public final class TraceFiles {
  /** Traces longer than this are refused rather than read into memory. */
  public static final long MAX_BYTES = 16L << 20;

  private TraceFiles() {}

  public static Trace read(Path file) throws BadInputException {
    return parse(file.toString(), readBytes(file));
  }

  /**
   * The text of a trace file as the parser sees it: size-checked, strictly decoded, without a
   * leading byte-order mark.
   */
  public static String readText(Path file) throws BadInputException {
    return decode(file.toString(), readBytes(file));
  }

  /** Reads an alphabet file for {@code explore}, with the same checks as a trace. */
  public static Alphabet readAlphabet(Path file) throws BadInputException {
    return parseAlphabet(file.toString(), readBytes(file));
  }

  /** Decodes strictly (invalid UTF-8 is an error naming the line) and parses an alphabet. */
  public static Alphabet parseAlphabet(String source, byte[] bytes) throws BadInputException {
    String text = decode(source, bytes);
    try {
      return Alphabet.parse(source, text);
    } catch (TraceSyntaxException e) {
      throw new BadInputException(e.getMessage(), e);
    }
  }

  private static byte[] readBytes(Path file) throws BadInputException {
    byte[] bytes;
    if (Files.isDirectory(file)) {
      throw new BadInputException(file + ": is a folder, not a file");
    }
    try {
      long size = Files.size(file);
      if (size > MAX_BYTES) {
        throw new BadInputException(
            file + ": file too large (" + size + " bytes, limit " + MAX_BYTES + ")");
      }
      bytes = Files.readAllBytes(file);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new BadInputException(file + ": no such file", e);
    } catch (IOException e) {
      throw new BadInputException(file + ": cannot read: " + describe(e), e);
    }
    return bytes;
  }

  /** Decodes strictly (invalid UTF-8 is an error naming the line) and parses. */
  public static Trace parse(String source, byte[] bytes) throws BadInputException {
    String text = decode(source, bytes);
    try {
      return TraceParser.parse(source, text);
    } catch (TraceSyntaxException e) {
      throw new BadInputException(e.getMessage(), e);
    }
  }

  /**
   * Strict UTF-8; a leading byte-order mark (EF BB BF) is dropped, as some Windows editors write
   * one.
   */
  private static String decode(String source, byte[] bytes) throws BadInputException {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      return TraceParser.withoutByteOrderMark(decoder.decode(ByteBuffer.wrap(bytes)).toString());
    } catch (CharacterCodingException e) {
      int bad = firstInvalidUtf8(bytes);
      int line = 1;
      for (int i = 0; i < bad; i++) {
        if (bytes[i] == '\n') {
          line++;
        }
      }
      throw new BadInputException(
          String.format(
              Locale.ROOT,
              "%s:%d: invalid UTF-8: byte 0x%02x at offset %d",
              source,
              line,
              bytes[bad] & 0xff,
              bad),
          e);
    }
  }

  /** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
  private static int firstInvalidUtf8(byte[] b) {
    int i = 0;
    while (i < b.length) {
      int c = b[i] & 0xff;
      int len =
          c < 0x80
              ? 1
              : c >= 0xc2 && c < 0xe0
                  ? 2
                  : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xf0 && c < 0xf5 ? 4 : 0;
      if (len == 0 || i + len > b.length) {
        return i;
      }
      try {
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(b, i, len));
      } catch (CharacterCodingException e) {
        return i;
      }
      i += len;
    }
    return Math.max(0, b.length - 1);
  }

  /**
   * Replaces a file e1kfuzz owns (a campaign state, a report, a divergence being shrunk)
   * atomically: temporary file, fsync, rename; readers and a crash at any moment see the old
   * content or the new, never a part. The one atomic write of e1kfuzz.
   */
  public static void replace(Path file, byte[] bytes) throws IOException {
    Path tmp = writeTemporary(file, bytes);
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** A complete, synced, 0644 hidden temporary copy of {@code bytes} next to {@code file}. */
  private static Path writeTemporary(Path file, byte[] bytes) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
    try {
      readableByAll(tmp);
      Files.write(tmp, bytes);
      try (var channel =
          java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      return tmp;
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
  }

  /**
   * Writes {@code text} to {@code file} atomically (temporary file, then rename) and never replaces
   * an existing file with different content.
   *
   * @return true if written, false if the file already held exactly this text
   * @throws FileAlreadyExistsException if the file exists with different content
   */
  public static boolean writeNew(Path file, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (Files.exists(file)) {
      if (java.util.Arrays.equals(Files.readAllBytes(file), bytes)) {
        return false;
      }
      throw new FileAlreadyExistsException(file.toString(), null, "exists with different content");
    }
    Path tmp = writeTemporary(file, bytes);
    try {
      // link(2) publishes the complete file atomically and fails if the name is taken meanwhile.
      try {
        Files.createLink(file, tmp);
      } catch (UnsupportedOperationException e) {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
    return true;
  }

  /** Temporary files are created 0600; findings are for CI collectors and colleagues too (0644). */
  public static void readableByAll(Path file) throws IOException {
    if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(
          file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    }
  }

  /** Why a file could not be read or listed, in words: "no such file", "is a folder", ... */
  public static String describe(IOException e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file or folder";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.file.NotDirectoryException) {
      return "not a folder";
    }
    if ("Is a directory".equals(e.getMessage())) {
      return "is a folder, not a file";
    }
    String name = e.getClass().getSimpleName();
    return e.getMessage() == null ? name : name + " (" + e.getMessage() + ")";
  }
}
