package e1kfuzz.qemu;

import e1kfuzz.model.Step;
import e1kfuzz.observe.ObservedRun;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One QEMU process: a q35 machine with an e1000e, its temporary folder, the qtest session, the QMP
 * connection and the UDP peer that plays the network. Runs traces one after another, resetting the
 * machine between them.
 */
final class QemuProcess implements AutoCloseable {
  /** The start of a failure message of a QEMU that did not start (retried by the backend). */
  static final String START_FAILED = "QEMU did not start: ";

  private final QemuBuild build;
  private final Path tmp;
  private DatagramSocket peer;
  private InetSocketAddress qemuAddress;
  private QtestSession session;
  private Qmp qmp;
  private String startFailure;
  private int traces;
  private boolean linkTouched;
  private boolean broken;

  QemuProcess(QemuBuild build) throws IOException {
    this.build = build;
    this.tmp = Files.createTempDirectory("e1kfuzz-qemu-");
    try {
      byte[] halt = new byte[65536];
      Arrays.fill(halt, (byte) 0xF4); // HLT: the vCPU stops at the reset vector
      Files.write(tmp.resolve("halt.bin"), halt);
      InetAddress lo = InetAddress.getLoopbackAddress();
      int qemuPort;
      try (DatagramSocket probe = new DatagramSocket(0, lo)) {
        qemuPort = probe.getLocalPort();
      }
      peer = new DatagramSocket(0, lo);
      qemuAddress = new InetSocketAddress(lo, qemuPort);
      Path qmpSocket = tmp.resolve("qmp.sock");
      List<String> args =
          new ArrayList<>(
              List.of(
                  "-nodefaults",
                  "-display",
                  "none",
                  "-machine",
                  "q35",
                  "-accel",
                  build.qtestAccel() ? "qtest" : "tcg",
                  "-bios",
                  tmp.resolve("halt.bin").toString(),
                  "-netdev",
                  "socket,id=n0,udp=127.0.0.1:"
                      + peer.getLocalPort()
                      + ",localaddr=127.0.0.1:"
                      + qemuPort,
                  "-device",
                  "e1000e,addr=0x2,romfile=,netdev=n0,mac=" + Qtest.MAC,
                  "-qmp",
                  "unix:" + qmpSocket + ",server=on,wait=off"));
      args.addAll(QemuStderr.TRACE_ARGS);
      session = QtestSession.start(build, tmp, args);
      try {
        qmp = Qmp.connect(qmpSocket, 10_000, session::alive);
        session.send("irq_intercept_in ioapic");
      } catch (QemuFailure | IOException f) {
        // Also a socket reset while QEMU starts (it died, e.g. on a UDP port another process
        // took since it was probed free): a start failure, which the backend retries.
        startFailure = START_FAILED + f.getMessage() + stderrTail("; its stderr: ");
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Whether the next trace can run here after a reset. */
  boolean readyForNext() {
    return !broken && startFailure == null && session.alive();
  }

  ObservedRun run(List<Step> steps) throws IOException {
    if (startFailure != null) {
      return ObservedRun.failed(startFailure);
    }
    List<String> leading = List.of();
    if (traces++ > 0) {
      try {
        leading = resetForNextTrace();
      } catch (QemuFailure | IOException f) {
        broken = true;
        // QEMU died between two traces: say how, for the report (an abort would be a finding of its
        // own).
        String how =
            session.alive() ? "" : "; QEMU " + exitDescription() + stderrTail(", its stderr: ");
        return ObservedRun.failed("reset between traces: " + f.getMessage() + how);
      }
    }
    linkTouched = steps.stream().anyMatch(s -> s instanceof Step.Link);
    TraceDriver driver = new TraceDriver(build, session, qmp, peer, qemuAddress);
    ObservedRun run = driver.run(leading, steps);
    String stderr = session.stderr();
    // The timers of the trace, not of the idle second after it.
    run =
        run.withTimerEvents(
            QemuStderr.timerEvents(
                stderr.substring(0, Math.min(stderr.length(), driver.traceStderrEnd()))));
    // The next trace needs a new QEMU after an abort (QEMU may also die after the trace, while
    // the idle guest settles: a timer's assert), when frames it still holds cannot be drained (a
    // system_reset alone does not discard them: the exact campaigns saw them reach the next
    // trace), or when the device keeps state a reset does not clear.
    broken |=
        !(run.ending() instanceof ObservedRun.Completed)
            || driver.lostWhileSettling()
            || (driver.heldFrames() > 0 && !drain(driver))
            || driver.stateOutlivesReset();
    return run;
  }

  /**
   * {@link TraceDriver#drainHeldFrames}; false if QEMU failed meanwhile (the trace's run is
   * complete already: a failure here only retires the process).
   */
  private static boolean drain(TraceDriver driver) {
    try {
      return driver.drainHeldFrames();
    } catch (QemuFailure | IOException f) {
      return false;
    }
  }

  /**
   * A QMP system_reset (after {@code set_link up} if the last trace touched the link), the marker
   * words cleared and the virtual clock moved on to a whole millisecond (as at power-on, where it
   * is 0; the autonegotiation timer counts in milliseconds). Returns what is still to be sent
   * before the trace's preamble, in the same round trip: the last clock step.
   */
  private List<String> resetForNextTrace() throws IOException, QemuFailure {
    if (linkTouched) {
      TraceDriver.qmp(
          session, qmp, "{\"execute\":\"set_link\",\"arguments\":{\"name\":\"n0\",\"up\":true}}");
    }
    TraceDriver.qmp(session, qmp, "{\"execute\":\"system_reset\"}");
    List<String> commands =
        new ArrayList<>(
            List.of(
                String.format(
                    Locale.ROOT, "write 0x%x 0x14 0x%s", Qtest.MSIX_MARKERS, "00".repeat(20)),
                Qtest.writel(Qtest.MSI_MARKER, 0)));
    if (build.qtestAccel()) {
      // qtest has no "what time is it": a 1-ns step answers with the new time (QEMU 10 refuses a
      // 0-ns step).
      commands.add("clock_step 1");
    }
    List<String> replies = session.send(commands);
    session.startNextTrace();
    if (!build.qtestAccel()) {
      return List.of();
    }
    long now = QtestSession.value(replies.get(replies.size() - 1));
    return List.of("clock_step " + ((now / 1_000_000 + 1) * 1_000_000 - now));
  }

  /** The end of QEMU's stderr after {@code prefix}, or nothing when it printed nothing. */
  private String stderrTail(String prefix) {
    String err = session.stderr();
    return err.isBlank() ? "" : prefix + QemuStderr.tail(err);
  }

  private String exitDescription() {
    try {
      int code = session.awaitExit(2000);
      return code < 0 ? "did not exit" : "exited with code " + code;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "exited";
    }
  }

  @Override
  public void close() {
    if (qmp != null) {
      qmp.close();
    }
    if (session != null) {
      session.close();
    }
    if (peer != null) {
      peer.close();
    }
    QtestSession.deleteTree(tmp);
  }
}
