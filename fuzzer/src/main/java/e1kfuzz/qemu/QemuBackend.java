package e1kfuzz.qemu;

import e1kfuzz.model.E1000eCore;
import e1kfuzz.model.Event;
import e1kfuzz.model.Step;
import e1kfuzz.model.TimerId;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;

/**
 * Replays a trace on a real QEMU over qtest. Debian's builds have no qtest accelerator, so the
 * virtual clock follows the host clock under TCG and a {@code wait} is a real pause: the steps
 * between two waits are sent in one pipelined batch and each wait sleeps until the host clock
 * reaches the trace's virtual time. Traces need timing margins for that (see {@link Robustness}).
 */
public final class QemuBackend {
  private QemuBackend() {}

  /**
   * What QEMU did: one observation per completed step; the abort signature (or null) and the step
   * during which the process died; a backend failure message (timeout, refused command) or null.
   */
  public record Run(
      QemuBuild build, List<Observation> observations, String abortSignature, int abortStep,
      String abortText, String failure, List<String> timerEvents) {
    Run(QemuBuild build, List<Observation> observations, String abortSignature, int abortStep,
        String abortText, String failure) {
      this(build, observations, abortSignature, abortStep, abortText, failure, List.of());
    }

    Run withTimerEvents(List<String> events) {
      return new Run(build, observations, abortSignature, abortStep, abortText, failure, events);
    }
  }

  /** QEMU's own record of its interrupt-mitigation timers, from its trace events on stderr. */
  static final List<String> TRACE_ARGS =
      List.of("-trace", "e1000e_irq_rearm_timer", "-trace", "e1000e_irq_throttling_timer",
          "-trace", "e1000e_rx_written_to_guest", "-trace", "e1000e_rx_not_written_to_guest",
          "-trace", "e1000e_rx_flt_dropped", "-trace", "e1000x_rx_can_recv_disabled");

  /** The trace event of a can-receive check that finds RX disabled ("link_up: 1, rx_enabled 0, ..."). */
  static final String RX_REFUSED = ", rx_enabled ";

  /** The RX trace events: "Received packet written to guest", "... NOT written ...", "... dropped by RX filter". */
  static final String RX_EVENT = "Received packet ";

  /**
   * The timer trace events in order, e.g. "armed tidv, delay 67107840 ns", "fired tidv". QEMU
   * prints them asynchronously on stderr, so they are not attributed to steps.
   */
  static List<String> timerEvents(String stderr) {
    List<String> out = new ArrayList<>();
    java.util.regex.Pattern armed = java.util.regex.Pattern.compile("timer armed for register 0x([0-9a-fA-F]+), delay (-?\\d+) ns");
    java.util.regex.Pattern shot = java.util.regex.Pattern.compile("timer shot for register 0x([0-9a-fA-F]+)");
    for (String line : stderr.lines().toList()) {
      java.util.regex.Matcher m = armed.matcher(line);
      if (m.find()) {
        out.add("armed " + timerName(Integer.parseInt(m.group(1), 16)) + ", delay " + m.group(2) + " ns");
        continue;
      }
      m = shot.matcher(line);
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
    return String.format(java.util.Locale.ROOT, "register 0x%x", offset);
  }

  /** Runs a trace on a freshly started QEMU, which is stopped afterwards. */
  public static Run run(QemuBuild build, List<Step> steps) {
    try (Runner r = new Runner(build, false)) {
      return r.run(steps);
    }
  }

  private static final String START_FAILED = "QEMU did not start: ";

  private static final java.util.concurrent.ExecutorService PRESTARTER = java.util.concurrent.Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "e1kfuzz-qemu-prestart");
    t.setDaemon(true);
    return t;
  });

  private record InetAddressPort(InetAddress address, int port) {}

  /**
   * Runs traces one after another on one QEMU process when {@code reuse} is set: between two
   * traces a QMP {@code system_reset} (after {@code set_link up} if the last trace touched the
   * link), the virtual clock moved on to a whole millisecond (as at power-on, where it is 0; the
   * autonegotiation timer counts in milliseconds), the marker words cleared and the preamble run
   * again. A trace that ends QEMU (an abort) or fails starts a new process for the next one.
   * Without {@code reuse} every trace gets a fresh process.
   */
  public static final class Runner implements AutoCloseable {
    private final QemuBuild build;
    private final boolean reuse;
    private Machine machine;
    private CompletableFuture<Machine> next;
    private boolean prestartAhead;
    private int starts;

    /** Start each next QEMU ahead of need (campaigns; not for a single trace). */
    public Runner prestarting() {
      prestartAhead = true;
      return this;
    }

    /**
     * @param reuse keep one process when the build's device reset restores the power-on state,
     *     see {@link #resetIsPowerOn}; otherwise every trace gets a fresh process anyway
     */
    public Runner(QemuBuild build, boolean reuse) {
      this.build = build;
      this.reuse = reuse && resetIsPowerOn(build.variant());
    }

    /** Whether traces on {@code build} can share one process (not on the 7.2 code). */
    public static boolean reusesFor(QemuBuild build) {
      return resetIsPowerOn(build.variant());
    }

    /** Whether traces really share one process. */
    public boolean reusing() {
      return reuse;
    }

    public QemuBuild build() {
      return build;
    }

    /** QEMU processes started so far. */
    public int starts() {
      return starts;
    }

    /**
     * Runs one trace. Never throws for what QEMU does: a QEMU that dies, hangs, resets a socket or
     * cannot start gives a {@link Run} with a {@link Run#failure()}, and the next trace gets a
     * fresh process.
     */
    public Run run(List<Step> steps) {
      String why = Qtest.firstUnsupported(steps);
      if (why != null) {
        throw new IllegalArgumentException("not replayable on QEMU: " + why);
      }
      if (machine != null && (!reuse || !machine.readyForNext())) {
        closeMachine();
      }
      Run run = null;
      // The UDP port handed to QEMU is probed free, then bound by QEMU: another process can take
      // it in between, so a failed start is retried with a new port.
      for (int attempt = 0; attempt < 3; attempt++) {
        try {
          if (machine == null) {
            machine = take();
          }
          run = machine.run(steps);
        } catch (IOException | RuntimeException e) {
          closeMachine();
          return new Run(build, List.of(), null, -1, "", "backend: " + e);
        }
        if (run.failure() == null || !run.failure().startsWith(START_FAILED)) {
          break;
        }
        closeMachine();
      }
      if (run.failure() != null || run.abortSignature() != null || !reuse || !machine.readyForNext()) {
        closeMachine();
        prestart();
      }
      return run;
    }

    /** The QEMU started ahead of need, or a new one. */
    private Machine take() throws IOException {
      CompletableFuture<Machine> n = next;
      next = null;
      if (n == null) {
        starts++;
        return new Machine(build);
      }
      try {
        return n.join();
      } catch (java.util.concurrent.CompletionException e) {
        if (e.getCause() instanceof java.io.UncheckedIOException u) {
          throw u.getCause();
        }
        throw e;
      }
    }

    /**
     * Starts the next trace's QEMU while the caller compares this one: a start is ~35 ms of QEMU
     * initialisation, mostly spent waiting here otherwise.
     */
    private void prestart() {
      if (next == null && prestartAhead) {
        starts++;
        next = CompletableFuture.supplyAsync(() -> {
          try {
            return new Machine(build);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }, PRESTARTER);
      }
    }

    private void closeMachine() {
      if (machine != null) {
        machine.close();
        machine = null;
      }
    }

    @Override
    public void close() {
      closeMachine();
      CompletableFuture<Machine> n = next;
      next = null;
      if (n != null) {
        try {
          n.join().close();
        } catch (RuntimeException e) {
          // it did not start: nothing to close
        }
      }
    }
  }

  /**
   * Whether a system_reset brings the e1000e of this variant back to what a fresh QEMU has. Not on
   * the 7.2 code: e1000e_core_reset leaves itr_intr_pending, eitr_intr_pending and
   * msi_causes_pending alone, so a trace would start with the previous trace's flags (found as
   * unreproducible ITR-assert divergences in the first exact campaign on qemu-7.2.20).
   */
  static boolean resetIsPowerOn(e1kfuzz.model.Variant v) {
    return v != e1kfuzz.model.Variant.QEMU_7_2_0 && v != e1kfuzz.model.Variant.QEMU_7_2_20;
  }

  /** One QEMU process with its temporary folder, QMP connection and RX peer socket. */
  private static final class Machine implements AutoCloseable {
    private final QemuBuild build;
    private final Path tmp;
    private DatagramSocket peer;
    private InetAddressPort qemu;
    private QtestSession session;
    private Qmp qmp;
    private String startFailure;
    private int traces;
    private boolean linkTouched;
    private boolean broken;

    Machine(QemuBuild build) throws IOException {
      this.build = build;
      this.tmp = Files.createTempDirectory("e1kfuzz-qemu-");
      try {
        byte[] halt = new byte[65536];
        java.util.Arrays.fill(halt, (byte) 0xF4); // HLT: the vCPU stops at the reset vector
        Files.write(tmp.resolve("halt.bin"), halt);
        InetAddress lo = InetAddress.getLoopbackAddress();
        int qemuPort;
        try (DatagramSocket probe = new DatagramSocket(0, lo)) {
          qemuPort = probe.getLocalPort();
        }
        peer = new DatagramSocket(0, lo);
        qemu = new InetAddressPort(lo, qemuPort);
        Path qmpSocket = tmp.resolve("qmp.sock");
        List<String> args = new ArrayList<>(List.of(
            "-nodefaults", "-display", "none", "-machine", "q35", "-accel", build.qtestAccel() ? "qtest" : "tcg",
            "-bios", tmp.resolve("halt.bin").toString(),
            "-netdev", "socket,id=n0,udp=127.0.0.1:" + peer.getLocalPort() + ",localaddr=127.0.0.1:" + qemuPort,
            "-device", "e1000e,addr=0x2,romfile=,netdev=n0,mac=" + Qtest.MAC,
            "-qmp", "unix:" + qmpSocket + ",server=on,wait=off"));
        args.addAll(TRACE_ARGS);
        session = QtestSession.start(build, tmp, args);
        try {
          qmp = Qmp.connect(qmpSocket, 10_000, session::alive);
          session.send("irq_intercept_in ioapic");
        } catch (QemuFailure | IOException f) {
          // Also a socket reset while QEMU starts (it died, e.g. on a UDP port another process
          // took since it was probed free): a start failure, which the runner retries.
          startFailure = START_FAILED + f.getMessage() + stderrTail(session, "; its stderr: ");
        }
      } catch (IOException | RuntimeException e) {
        close();
        throw e;
      }
    }

    boolean readyForNext() {
      return !broken && startFailure == null && session.alive();
    }

    Run run(List<Step> steps) throws IOException {
      if (startFailure != null) {
        return new Run(build, List.of(), null, -1, "", startFailure);
      }
      if (traces++ > 0) {
        try {
          resetForNextTrace();
        } catch (QemuFailure | IOException f) {
          broken = true;
          // QEMU died between two traces: say how, for the report (an abort would be a finding of its own).
          String how = session.alive() ? "" : "; QEMU " + exitDescription(session) + stderrTail(session, ", its stderr: ");
          return new Run(build, List.of(), null, -1, "", "reset between traces: " + f.getMessage() + how);
        }
      }
      linkTouched = steps.stream().anyMatch(s -> s instanceof Step.Link);
      boolean[] framesLeft = {false};
      Run run = drive(build, steps, session, qmp, peer, qemu, framesLeft);
      // Frames the net layer still holds (or that wait in the netdev's socket) are not reliably
      // gone after a system_reset: the exact campaigns saw them reach the next trace. Start afresh.
      broken |= run.failure() != null || run.abortSignature() != null || framesLeft[0];
      return run.withTimerEvents(timerEvents(session.stderr()));
    }

    private void resetForNextTrace() throws IOException, QemuFailure {
      if (linkTouched) {
        qmp(session, qmp, "{\"execute\":\"set_link\",\"arguments\":{\"name\":\"n0\",\"up\":true}}");
      }
      qmp(session, qmp, "{\"execute\":\"system_reset\"}");
      if (build.qtestAccel()) {
        // qtest has no "what time is it": a 1-ns step answers with the new time (QEMU 10 refuses
        // a 0-ns step).
        long now = QtestSession.value(session.send("clock_step 1"));
        long next = (now / 1_000_000 + 1) * 1_000_000;
        session.send("clock_step " + (next - now));
      }
      session.send(List.of(
          String.format(java.util.Locale.ROOT, "write 0x%x 0x14 0x%s", Qtest.MSIX_MARKERS, "00".repeat(20)),
          Qtest.writel(Qtest.MSI_MARKER, 0)));
      session.startNextTrace();
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

  private static Run drive(
      QemuBuild build, List<Step> steps, QtestSession session, Qmp qmp, DatagramSocket peer, InetAddressPort qemu,
      boolean[] framesLeft) throws IOException {
    Qtest q = new Qtest();
    List<Observation> obs = new ArrayList<>();
    // The model of the build's variant runs alongside, to know where an `expire` lands.
    E1000eCore shadow = build.variant().newCore();
    int[] framesExpected = {0};
    shadow.setEventSink(e -> {
      if (e instanceof Event.FrameReceived) {
        framesExpected[0]++;
      }
    });
    int step = 0;
    try {
      session.send(q.preamble());
      long start = System.nanoTime();
      long virtualNs = 0;
      for (Step s : steps) {
        step++;
        long target = virtualNs;
        if (s instanceof Step.Wait w) {
          target += w.ns();
        } else if (s instanceof Step.Expire e && shadow.abortSignature() == null && shadow.timerRunning(e.timer())) {
          target = Math.max(target, shadow.timerDeadline(e.timer()));
        }
        boolean rxReady = shadow.rxReady();
        boolean rxOffered = shadow.rxOffered();
        boolean linkUp = shadow.backendLinkUp();
        if ((s instanceof Step.Wait || s instanceof Step.Expire) && build.qtestAccel()) {
          // Exact virtual time, no sleeping. The clock moves from one timer deadline to the next,
          // so that QEMU's main loop runs in between as it does in a running VM: frames a timer
          // lets in (autonegotiation completing) are read from the netdev's socket at that
          // instant, not when the wait is over.
          long next;
          while (shadow.abortSignature() == null && (next = nextDeadline(shadow)) <= target) {
            shadow.step(new Step.Wait(next - virtualNs));
            session.send("clock_step " + (next - virtualNs));
            virtualNs = next;
            awaitFrames(session, framesExpected[0]);
          }
          if (shadow.abortSignature() == null) {
            shadow.step(new Step.Wait(target - virtualNs));
          }
          if (target > virtualNs) { // QEMU 10 refuses a 0-ns step; due timers have run already
            session.send("clock_step " + (target - virtualNs));
          }
          virtualNs = target;
        } else if (s instanceof Step.Wait || s instanceof Step.Expire) {
          shadow.step(s);
          sleepUntil(start + target);
          virtualNs = target;
        } else if (s instanceof Step.Link link) {
          shadow.step(s);
          qmp(session, qmp, "{\"execute\":\"set_link\",\"arguments\":{\"name\":\"n0\",\"up\":" + link.up() + "}}");
        } else if (s instanceof Step.Reset) {
          int held = shadow.heldFrames();
          shadow.step(s);
          qmp(session, qmp, "{\"execute\":\"system_reset\"}");
          reinit(session, q.preamble(), held);
        } else if (s instanceof Step.Rx rx) {
          shadow.step(s);
          receive(q, session, peer, qemu, rx, rxReady, rxOffered, linkUp);
        } else {
          int held = shadow.heldFrames();
          shadow.step(s);
          session.send(q.commands(s));
          if (softwareReset(build, s)) {
            reinit(session, q.rings(), held); // CTRL.RST cleared the ring registers; a driver re-programs them
          }
        }
        // Frames the step let in (a flush reads the held ones from the netdev's socket, one per
        // main-loop iteration) must all have arrived before the observation and the next step.
        awaitFrames(session, framesExpected[0]);
        obs.add(observe(step, session));
      }
      framesLeft[0] = !shadow.rxOffered();
      return new Run(build, obs, null, -1, "", null);
    } catch (QemuFailure f) {
      if (f.exited()) {
        int code;
        try {
          code = session.awaitExit(3000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          code = -1;
        }
        String err = session.stderr();
        String sig = abortSignature(err);
        if (code == 134 || sig != null) {
          return new Run(build, obs, sig != null ? sig : "qemu-abort", step, assertionLine(err), null);
        }
        return new Run(build, obs, null, -1, "", "QEMU exited with code " + code + " at step " + step + ": " + tail(err));
      }
      return new Run(build, obs, null, -1, "", "step " + step + ": " + f.getMessage());
    }
  }

  /** A QMP command; a broken connection means QEMU died during it (for example an abort). */
  private static void qmp(QtestSession session, Qmp qmp, String json) throws QemuFailure {
    try {
      qmp.execute(json);
    } catch (IOException e) {
      try {
        session.awaitExit(2000);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
      throw new QemuFailure("QMP: " + e.getMessage(), !session.alive());
    }
  }

  /** A CTRL (or CTRL_DUP) write with RST on a build where that is a software reset (8.0+). */
  static boolean softwareReset(QemuBuild build, Step s) {
    return s instanceof Step.Write w
        && (w.offset() == e1kfuzz.model.Reg.CTRL.offset() || w.offset() == e1kfuzz.model.Reg.CTRL_DUP.offset())
        && (w.value() & (1 << 26)) != 0
        && build.variant() != e1kfuzz.model.Variant.QEMU_7_2_0
        && build.variant() != e1kfuzz.model.Variant.QEMU_7_2_20;
  }

  private static void receive(
      Qtest q, QtestSession session, DatagramSocket peer, InetAddressPort qemu, Step.Rx rx, boolean rxReady,
      boolean rxOffered, boolean linkUp)
      throws IOException, QemuFailure {
    byte[] frame = rx.ack() ? Qtest.frame(Step.Rx.SMALL_LENGTH, true) : Qtest.frame(rx.length(), false);
    long rdh = QtestSession.value(session.send(Qtest.readRdh()).get(0));
    // An RDT write flushes held frames, so only empty ring 0 when the device receives right now.
    boolean emptyRing = rx.noBuffer() && rxReady;
    if (emptyRing) {
      session.send(Qtest.setRdt0((int) rdh)); // ring 0 empty; ring 1 keeps can_receive true
    }
    int seen = session.stderrCount(RX_EVENT);
    int refused = session.stderrCount(RX_REFUSED);
    boolean expectRefusal = !rxReady && rxOffered;
    peer.send(new DatagramPacket(frame, frame.length, qemu.address(), qemu.port()));
    // A device that can receive takes the frame, written or not (no buffer): wait for QEMU's trace
    // event, after which every later command runs after the receive path. A disabled device is
    // asked too, and refuses it (the net layer then holds it): wait for that event. Behind a held
    // frame the netdev does not read its socket at all: nothing to wait for (loopback UDP is in
    // QEMU's socket buffer when send returns). With the backend link down QEMU reads and drops
    // it: let its main loop do so before the next step.
    if (!rxReady && !expectRefusal && linkUp) {
      return;
    }
    if (!linkUp) {
      settle(session);
      return;
    }
    long deadline = System.nanoTime() + (rxReady || expectRefusal ? 2_000_000_000L : 2_000_000);
    while (System.nanoTime() < deadline && session.alive() && !(rxReady && session.stderrCount(RX_EVENT) > seen)
        && !(expectRefusal && session.stderrCount(RX_REFUSED) > refused)) {
      LockSupport.parkNanos(20_000);
    }
    if (QtestSession.value(session.send(Qtest.readRdh()).get(0)) != rdh) {
      session.send(q.replenishRx());
    }
    if (emptyRing) {
      session.send(Qtest.setRdt0(q.rxTail0()));
    }
  }

  private static Observation observe(int step, QtestSession session) throws IOException, QemuFailure {
    List<String> r = session.send(Qtest.observe());
    String markers = r.get(3).substring(r.get(3).indexOf("0x") + 2);
    byte[] m = HexFormat.of().parseHex(markers);
    int msix = 0;
    for (int v = 0; v < 5; v++) {
      if ((m[4 * v] | m[4 * v + 1] | m[4 * v + 2] | m[4 * v + 3]) != 0) {
        msix |= 1 << v;
      }
    }
    boolean line = false;
    for (QtestSession.Irq irq : session.irqs()) {
      if (irq.pin() == Qtest.INTX_PIN) {
        line = irq.raised();
      }
    }
    return new Observation(step, (int) QtestSession.value(r.get(0)), (int) QtestSession.value(r.get(1)),
        (int) QtestSession.value(r.get(2)) & 0x1f, line, msix, QtestSession.value(r.get(5)) != 0,
        session.stderrCount(RX_EVENT));
  }

  /** Real time given to QEMU's main loop to read the next held frame from the netdev's socket. */
  static final long SETTLE_NS = 3_000_000;

  /**
   * Re-initialises the function after a reset. While frames are held, each flush (command
   * register and RDT writes) must find the next frame already offered by the netdev, which its
   * socket handler does in a main-loop iteration of its own (nothing in QEMU's trace shows it):
   * the commands are sent in pieces, with a pause and a round trip before each flush and after
   * the last one, as in a running VM where the driver's writes are far apart.
   */
  private static void reinit(QtestSession session, List<String> commands, int heldFrames) throws IOException, QemuFailure {
    if (heldFrames == 0) {
      session.send(commands);
      return;
    }
    for (List<String> piece : Qtest.splitAtFlushes(commands)) {
      settle(session);
      session.send(piece);
    }
    settle(session);
  }

  private static void settle(QtestSession session) throws IOException, QemuFailure {
    LockSupport.parkNanos(SETTLE_NS);
    session.send(Qtest.readl(Qtest.BAR0 + e1kfuzz.model.Reg.ICS.offset()));
  }

  /** The end of QEMU's stderr after {@code prefix}, or nothing when it printed nothing. */
  private static String stderrTail(QtestSession session, String prefix) {
    String err = session.stderr();
    return err.isBlank() ? "" : prefix + tail(err);
  }

  private static String exitDescription(QtestSession session) {
    try {
      int code = session.awaitExit(2000);
      return code < 0 ? "did not exit" : "exited with code " + code;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "exited";
    }
  }

  /** The earliest deadline of a running timer after now, or Long.MAX_VALUE. */
  private static long nextDeadline(E1000eCore core) {
    long best = Long.MAX_VALUE;
    for (TimerId t : TimerId.values()) {
      if (core.timerRunning(t) && core.timerDeadline(t) > core.now()) {
        best = Math.min(best, core.timerDeadline(t));
      }
    }
    return best;
  }

  /** How long to wait for frames the model says QEMU received; then the comparison tells. */
  static final long FRAME_TIMEOUT_NS = 1_000_000_000L;

  /**
   * Waits until QEMU's trace shows {@code expected} frames received in this trace (the model's
   * count), or {@link #FRAME_TIMEOUT_NS}.
   */
  private static void awaitFrames(QtestSession session, int expected) {
    if (expected == 0) {
      return;
    }
    long deadline = System.nanoTime() + FRAME_TIMEOUT_NS;
    while (session.stderrCount(RX_EVENT) < expected && System.nanoTime() < deadline && session.alive()) {
      LockSupport.parkNanos(20_000);
    }
  }

  private static void sleepUntil(long hostNanos) {
    long now;
    while ((now = System.nanoTime()) < hostNanos) {
      LockSupport.parkNanos(hostNanos - now);
    }
  }

  /** Maps QEMU's assertion message to a signature. */
  public static String abortSignature(String stderr) {
    for (String line : stderr.lines().toList()) {
      if (!line.contains("Assertion")) {
        continue;
      }
      if (line.contains("collect_delayed_causes")) {
        return "assert:collect-delayed-causes";
      }
      if (line.contains("on_msix_throttling_timer")) {
        return "assert:eitr-timer-without-msix";
      }
      if (line.contains("on_throttling_timer")) {
        return "assert:itr-timer-under-msix";
      }
      return "qemu-abort";
    }
    return null;
  }

  static String assertionLine(String stderr) {
    return stderr.lines().filter(l -> l.contains("Assertion")).findFirst().orElse(tail(stderr));
  }

  static String tail(String s) {
    String t = s.strip();
    return t.length() > 300 ? "..." + t.substring(t.length() - 300) : t;
  }
}
