package e1kfuzz.qemu;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One QEMU process driven over the qtest protocol on its stdin/stdout. Replies ("OK ...", "FAIL
 * ...") are read with a timeout; asynchronous "IRQ raise|lower N" lines are recorded with the
 * number of replies read before them, so each interrupt can be placed between two commands. {@link
 * #close()} kills and reaps the process and deletes its temporary folder on every path.
 */
public final class QtestSession implements AutoCloseable {
  /** Longest wait for one reply. */
  public static final long REPLY_TIMEOUT_MS = 5_000;

  private static final String EOF = "\u0000EOF";

  /** An INTx level change seen on an intercepted IOAPIC pin, after {@code afterReply} replies. */
  public record Irq(boolean raised, int pin, long afterReply) {}

  /** Sessions whose QEMU may still run: killed by a shutdown hook if the JVM exits (Ctrl-C). */
  private static final java.util.Set<QtestSession> LIVE =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Set when the JVM shuts down: no QEMU may start after the reaper ran (it would be orphaned). */
  private static volatile boolean closing;

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  closing = true;
                  LIVE.forEach(QtestSession::close);
                },
                "e1kfuzz-qemu-reaper"));
  }

  private final Process process;
  private final Path tempDir;
  private final OutputStream stdin;
  private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
  private final List<Irq> irqs = Collections.synchronizedList(new ArrayList<>());
  private final StringBuffer stderr = new StringBuffer();
  private final Thread stdoutReader;
  private final Thread stderrReader;
  private volatile long repliesRead;

  private QtestSession(Process process, Path tempDir) {
    this.process = process;
    this.tempDir = tempDir;
    this.stdin = process.getOutputStream();
    this.stdoutReader = daemon("qtest-out", () -> readStdout(process.getInputStream()));
    this.stderrReader = daemon("qtest-err", () -> readStderr(process.getErrorStream()));
  }

  /** Starts {@code build} with {@code args} (qtest on stdio is added here). */
  public static QtestSession start(QemuBuild build, Path tempDir, List<String> args)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(build.executable().toString());
    cmd.addAll(args);
    // "none", not /dev/null: QEMU then formats no log line (with its timestamp) per command.
    cmd.addAll(List.of("-qtest", "stdio", "-qtest-log", "none"));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(tempDir.toFile());
    if (build.moduleDir() != null) {
      pb.environment().put("QEMU_MODULE_DIR", build.moduleDir().toString());
    }
    if (closing) {
      throw new IOException("e1kfuzz is shutting down: no new QEMU");
    }
    Process p = pb.start();
    QtestSession s = new QtestSession(p, tempDir);
    LIVE.add(s);
    if (closing) { // the reaper may have run between the check and LIVE.add
      s.close();
      throw new IOException("e1kfuzz is shutting down: no new QEMU");
    }
    s.stdoutReader.start();
    s.stderrReader.start();
    return s;
  }

  private static Thread daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  private void readStdout(InputStream in) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.startsWith("IRQ ")) {
          String[] f = line.split(" ");
          if (f.length == 3) {
            irqs.add(
                new Irq(
                    f[1].equals("raise"), Integer.parseInt(f[2]), repliesRead + replies.size()));
          }
        } else if (line.startsWith("OK") || line.startsWith("FAIL") || line.startsWith("ERR")) {
          replies.add(line);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // the process went away; EOF below tells the waiting side
    } finally {
      replies.add(EOF);
    }
  }

  private void readStderr(InputStream in) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        synchronized (stderr) {
          for (Map.Entry<String, Integer> c : stderrCounts.entrySet()) {
            c.setValue(c.getValue() + occurrences(line, c.getKey()));
          }
          // Past the cap only QEMU's own messages are kept (an assertion), not trace events: a
          // timer that re-arms for ever while the guest idles writes megabytes of them.
          if (stderr.length() < STDERR_CAP || !line.startsWith(TRACE_EVENT_PREFIX)) {
            stderr.append(line).append('\n');
          }
        }
      }
    } catch (IOException e) {
      // process gone
    }
  }

  /** Sends commands in one write (pipelined) and returns their replies in order. */
  public List<String> send(List<String> commands) throws IOException, QemuFailure {
    if (commands.isEmpty()) {
      return List.of();
    }
    StringBuilder sb = new StringBuilder();
    for (String c : commands) {
      sb.append(c).append('\n');
    }
    try {
      stdin.write(sb.toString().getBytes(StandardCharsets.UTF_8));
      stdin.flush();
    } catch (IOException e) {
      throw new QemuFailure("QEMU stopped reading commands (" + e.getMessage() + ")", true);
    }
    List<String> out = new ArrayList<>(commands.size());
    for (String c : commands) {
      String reply;
      try {
        reply = replies.poll(REPLY_TIMEOUT_MS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new QemuFailure("interrupted", false);
      }
      if (reply == null) {
        throw new QemuFailure("no reply to '" + c + "' within " + REPLY_TIMEOUT_MS + " ms", false);
      }
      if (reply.equals(EOF)) {
        replies.add(EOF);
        throw new QemuFailure("QEMU exited while running '" + c + "'", true);
      }
      repliesRead++;
      if (!reply.startsWith("OK")) {
        throw new QemuFailure("'" + c + "' failed: " + reply, false);
      }
      out.add(reply);
    }
    return out;
  }

  public String send(String command) throws IOException, QemuFailure {
    return send(List.of(command)).get(0);
  }

  /** The value of a read command's reply ("OK 0x..."). */
  public static long value(String reply) {
    String[] f = reply.split(" ");
    return Long.decode(f[f.length - 1]);
  }

  public long repliesRead() {
    return repliesRead;
  }

  public List<Irq> irqs() {
    synchronized (irqs) {
      return List.copyOf(irqs);
    }
  }

  public String stderr() {
    return stderr.toString();
  }

  /**
   * How often {@code needle} (one line's text) occurs in stderr so far, past the cap too. Counted
   * as lines arrive, so that waiting on it does not rescan what QEMU wrote.
   */
  int stderrCount(String needle) {
    synchronized (stderr) {
      return stderrCounts.computeIfAbsent(needle, n -> occurrences(stderr.toString(), n));
    }
  }

  private static int occurrences(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
      n++;
    }
    return n;
  }

  private static final int STDERR_CAP = 1 << 20;

  /** How QEMU's trace events (-trace e1000e_..., net_...) begin on stderr. */
  private static final String TRACE_EVENT_PREFIX = "e1000e_";

  /** Occurrences of each needle asked for so far (guarded by {@code stderr}). */
  private final Map<String, Integer> stderrCounts = new HashMap<>();

  /**
   * Between two traces on one process: forgets stderr (it is capped at 1 MiB) and every INTx event
   * but the last one of each pin, which still gives the pin's level.
   */
  void startNextTrace() {
    synchronized (stderr) {
      stderr.setLength(0);
      stderrCounts.clear();
    }
    synchronized (irqs) {
      List<Irq> last = new ArrayList<>();
      for (int i = irqs.size() - 1; i >= 0; i--) {
        Irq e = irqs.get(i);
        if (last.stream().noneMatch(l -> l.pin() == e.pin())) {
          last.add(0, e);
        }
      }
      irqs.clear();
      irqs.addAll(last);
    }
  }

  public boolean alive() {
    return process.isAlive();
  }

  /**
   * Waits for the process to end (after a crash) and returns its exit code, or -1 if it did not.
   * Once it ended, also waits for stderr to be read to its end, so the assertion text is there.
   */
  public int awaitExit(long millis) throws InterruptedException {
    if (!process.waitFor(millis, TimeUnit.MILLISECONDS)) {
      return -1;
    }
    stderrReader.join(2000);
    return process.exitValue();
  }

  public long pid() {
    return process.pid();
  }

  @Override
  public void close() {
    LIVE.remove(this);
    try {
      stdin.close();
    } catch (IOException e) {
      // already gone
    }
    process.destroy();
    try {
      if (!process.waitFor(2, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      stdoutReader.join(1000);
      stderrReader.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    deleteTree(tempDir);
  }

  static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  // best effort: a leftover socket file in /tmp is not worth failing a run
                }
              });
    } catch (IOException e) {
      // best effort
    }
  }
}
