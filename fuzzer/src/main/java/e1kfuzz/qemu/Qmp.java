package e1kfuzz.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A minimal QMP client on a unix socket: system_reset and set_link. */
final class Qmp implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Closes a channel whose reply is overdue: a blocking channel read has no timeout of its own. */
  private static final java.util.concurrent.ScheduledExecutorService WATCHDOG =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "e1kfuzz-qmp-watchdog");
            t.setDaemon(true);
            return t;
          });

  private final SocketChannel channel;
  private volatile boolean timedOut;
  private final BufferedReader in;
  private final OutputStream out;

  private Qmp(SocketChannel channel) {
    this.channel = channel;
    this.in =
        new BufferedReader(
            new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
    this.out = Channels.newOutputStream(channel);
  }

  /** Connects once QEMU listens on {@code socket}; fails at once when {@code alive} turns false. */
  static Qmp connect(Path socket, long timeoutMs, java.util.function.BooleanSupplier alive)
      throws IOException, QemuFailure {
    long deadline = System.currentTimeMillis() + timeoutMs;
    SocketChannel ch = null;
    while (ch == null) {
      try {
        if (Files.exists(socket)) {
          SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
          try {
            c.connect(UnixDomainSocketAddress.of(socket));
            ch = c;
            break;
          } catch (IOException e) {
            c.close(); // bound but not listening yet
          }
        }
        if (!alive.getAsBoolean()) {
          throw new QemuFailure(
              "QEMU exited before its QMP socket " + socket + " accepted a connection", true);
        }
        if (System.currentTimeMillis() > deadline) {
          throw new QemuFailure(
              "QMP socket " + socket + " did not accept a connection in " + timeoutMs + " ms",
              false);
        }
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new QemuFailure("interrupted", false);
      }
    }
    Qmp q = new Qmp(ch);
    q.reply(); // greeting
    q.execute("{\"execute\":\"qmp_capabilities\"}");
    return q;
  }

  JsonNode execute(String json) throws IOException, QemuFailure {
    out.write((json + "\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
    return reply();
  }

  /**
   * Reads the next reply within {@link QtestSession#REPLY_TIMEOUT_MS} (a stopped QEMU never
   * answers).
   */
  private JsonNode reply() throws IOException, QemuFailure {
    var watchdog =
        WATCHDOG.schedule(
            () -> {
              timedOut = true;
              close();
            },
            QtestSession.REPLY_TIMEOUT_MS,
            java.util.concurrent.TimeUnit.MILLISECONDS);
    try {
      return readReply();
    } catch (IOException e) {
      if (timedOut) {
        throw new QemuFailure(
            "no QMP reply within " + QtestSession.REPLY_TIMEOUT_MS + " ms", false);
      }
      throw e;
    } finally {
      watchdog.cancel(false);
    }
  }

  private JsonNode readReply() throws IOException, QemuFailure {
    while (true) {
      String line = in.readLine();
      if (line == null) {
        if (timedOut) {
          throw new QemuFailure(
              "no QMP reply within " + QtestSession.REPLY_TIMEOUT_MS + " ms", false);
        }
        throw new QemuFailure("QMP connection closed", true);
      }
      JsonNode n = JSON.readTree(line);
      if (n.has("event")) {
        continue;
      }
      if (n.has("error")) {
        throw new QemuFailure("QMP error: " + n.get("error"), false);
      }
      return n;
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // gone
    }
  }
}
