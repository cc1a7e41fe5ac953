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
import java.util.concurrent.TimeUnit;

/**
 * One QEMU process driven over the qtest protocol on its stdin/stdout. The thread that sends the
 * commands reads their replies ("OK ...", "FAIL ...") itself, with no reader thread to hand them
 * over: a round trip then wakes one thread, not two (the hand-over cost more CPU than the four
 * campaign workers together). A watchdog ends a QEMU that leaves a reply unanswered for {@link
 * #REPLY_TIMEOUT_MS}. Asynchronous "IRQ raise|lower N" lines are recorded with the number of
 * replies read before them, so each interrupt can be placed between two commands. {@link #close()}
 * kills and reaps the process and deletes its temporary folder on every path.
 */
public final class QtestSession implements AutoCloseable {
  /** Longest wait for one reply (then the watchdog ends QEMU). */
  public static final long REPLY_TIMEOUT_MS = 5_000;

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
  private final InputStream stdout;
  private final List<Irq> irqs = Collections.synchronizedList(new ArrayList<>());
  private final StringBuffer stderr = new StringBuffer();
  private final Thread stderrReader;
  private long repliesRead;

  /** Since when (System.nanoTime) a reply is awaited, or 0; the watchdog reads it. */
  private volatile long awaitingSince;

  /** Set by the watchdog when it ended this QEMU for an unanswered reply. */
  private volatile boolean timedOut;

  /** The line being read from stdout. */
  private final StringBuilder line = new StringBuilder(64);

  private QtestSession(Process process, Path tempDir) {
    this.process = process;
    this.tempDir = tempDir;
    this.stdin = process.getOutputStream();
    // Read a byte at a time from the JDK's buffered pipe stream: each refill is one read(2), where
    // a bulk read would also ask the kernel how much more is available (two more calls).
    this.stdout = process.getInputStream();
    this.stderrReader = daemon("qtest-err", () -> readStderr(process.getErrorStream()));
  }

  /**
   * Ends the QEMUs that leave a reply unanswered for {@link #REPLY_TIMEOUT_MS}: the blocked read
   * then sees the end of the stream, and {@link #send} reports the timeout. Ticks every 100 ms.
   */
  private static final java.util.concurrent.ScheduledExecutorService WATCHDOG =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
          r -> daemon("e1kfuzz-qtest-watchdog", r));

  static {
    WATCHDOG.scheduleWithFixedDelay(
        () -> {
          long now = System.nanoTime();
          for (QtestSession s : LIVE) {
            long since = s.awaitingSince;
            if (since != 0 && now - since > TimeUnit.MILLISECONDS.toNanos(REPLY_TIMEOUT_MS)) {
              s.timedOut = true;
              s.process.destroyForcibly();
            }
          }
        },
        100,
        100,
        TimeUnit.MILLISECONDS);
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
    s.stderrReader.start();
    return s;
  }

  private static Thread daemon(String name, Runnable r) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** The next line QEMU writes to stdout, without its newline; null at the end of the stream. */
  private String readLine() throws IOException {
    line.setLength(0);
    for (int c; (c = stdout.read()) != '\n'; ) {
      if (c < 0) {
        return null;
      }
      line.append((char) c); // the protocol is ASCII
    }
    return line.toString();
  }

  /**
   * The next reply; IRQ lines before it are recorded. Null when QEMU's stdout ended (it exited, or
   * the watchdog ended it).
   */
  private String nextReply() throws IOException {
    for (String l; (l = readLine()) != null; ) {
      if (l.startsWith("IRQ ")) {
        String[] f = l.split(" ");
        if (f.length == 3) {
          try {
            irqs.add(new Irq(f[1].equals("raise"), Integer.parseInt(f[2]), repliesRead));
          } catch (NumberFormatException e) {
            // not an interrupt line after all
          }
        }
      } else if (l.startsWith("OK") || l.startsWith("FAIL") || l.startsWith("ERR")) {
        return l;
      }
    }
    return null;
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
    awaitingSince = System.nanoTime();
    try {
      for (String c : commands) {
        String reply;
        try {
          reply = nextReply();
        } catch (IOException e) {
          reply = null; // the pipe broke: QEMU is gone
        }
        if (reply == null) {
          if (timedOut) {
            throw new QemuFailure(
                "no reply to '" + c + "' within " + REPLY_TIMEOUT_MS + " ms", false);
          }
          throw new QemuFailure("QEMU exited while running '" + c + "'", true);
        }
        repliesRead++;
        awaitingSince = System.nanoTime(); // each reply gets the whole timeout
        if (!reply.startsWith("OK")) {
          throw new QemuFailure("'" + c + "' failed: " + reply, false);
        }
        out.add(reply);
      }
    } finally {
      awaitingSince = 0;
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
    // SIGKILL: nothing of QEMU's outlives it (its folder is deleted below), and QEMU's orderly
    // shutdown on SIGTERM cost 14 of its 39 ms of CPU per process.
    process.destroyForcibly();
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
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
