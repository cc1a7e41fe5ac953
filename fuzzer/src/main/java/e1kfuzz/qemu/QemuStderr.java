package e1kfuzz.qemu;

import e1kfuzz.model.Signature;
import e1kfuzz.model.TimerId;
import e1kfuzz.observe.ObservedRun;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What QEMU tells on stderr: the trace events the backend turns on (timers, received frames) and
 * the failed assertion it dies with.
 */
public final class QemuStderr {
  private QemuStderr() {}

  /** QEMU's own record of its interrupt-mitigation timers and receive path, as trace events. */
  static final List<String> TRACE_ARGS =
      List.of(
          "-trace",
          "e1000e_irq_rearm_timer",
          "-trace",
          "e1000e_irq_throttling_timer",
          "-trace",
          "e1000e_rx_written_to_guest",
          "-trace",
          "e1000e_rx_not_written_to_guest",
          "-trace",
          "e1000e_rx_flt_dropped",
          "-trace",
          "e1000x_rx_can_recv_disabled");

  /**
   * The trace event of a can-receive check that finds RX disabled ("link_up: 1, rx_enabled 0,
   * ...").
   */
  static final String RX_REFUSED = ", rx_enabled ";

  /**
   * The RX trace events: "Received packet written to guest", "... NOT written ...", "... dropped by
   * RX filter".
   */
  static final String RX_EVENT = "Received packet ";

  private static final Pattern ARMED =
      Pattern.compile("timer armed for register 0x([0-9a-fA-F]+), delay (-?\\d+) ns");
  private static final Pattern SHOT = Pattern.compile("timer shot for register 0x([0-9a-fA-F]+)");

  /**
   * The timer trace events in order, e.g. "armed tidv, delay 67107840 ns", "fired tidv". QEMU
   * prints them asynchronously on stderr, so they are not attributed to steps.
   */
  static List<String> timerEvents(String stderr) {
    List<String> out = new ArrayList<>();
    for (String line : stderr.lines().toList()) {
      Matcher m = ARMED.matcher(line);
      if (m.find()) {
        out.add(
            "armed "
                + timerName(Integer.parseInt(m.group(1), 16))
                + ", delay "
                + m.group(2)
                + " ns");
        continue;
      }
      m = SHOT.matcher(line);
      if (m.find()) {
        out.add("fired " + timerName(Integer.parseInt(m.group(1), 16)));
      }
    }
    return out;
  }

  private static String timerName(int offset) {
    for (TimerId t : TimerId.values()) {
      if (t.register() != null && t.register().offset() == offset) {
        return t.traceName();
      }
    }
    return String.format(Locale.ROOT, "register 0x%x", offset);
  }

  /**
   * The abort signature of QEMU's first failed assertion on stderr ({@link
   * ObservedRun#UNKNOWN_ABORT} for one no signature names), or null if it shows none.
   */
  public static String abortSignature(String stderr) {
    String line = assertionLine(stderr);
    if (line == null) {
      return null;
    }
    return Signature.ofAssertionMessage(line).map(Signature::id).orElse(ObservedRun.UNKNOWN_ABORT);
  }

  /** The first failed-assertion line, or null. */
  static String assertionLine(String stderr) {
    return stderr.lines().filter(l -> l.contains("Assertion")).findFirst().orElse(null);
  }

  /** The end of a long text, for messages. */
  static String tail(String s) {
    String t = s.strip();
    return t.length() > 300 ? "..." + t.substring(t.length() - 300) : t;
  }
}
