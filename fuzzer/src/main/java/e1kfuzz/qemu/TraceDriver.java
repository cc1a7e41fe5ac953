package e1kfuzz.qemu;

import e1kfuzz.model.E1000eCore;
import e1kfuzz.model.Event;
import e1kfuzz.model.Reg;
import e1kfuzz.model.Signature;
import e1kfuzz.model.Step;
import e1kfuzz.observe.HostInterrupts;
import e1kfuzz.observe.Observation;
import e1kfuzz.observe.ObservedRun;
import e1kfuzz.observe.Signal;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives one trace through a started QEMU and observes the device after every step. The model of
 * the build's variant runs alongside as a shadow: it says where an {@code expire} lands, which
 * timer deadlines a wait crosses, and how many frames QEMU must have received before a step is
 * observed.
 *
 * <p>On a build with the qtest accelerator a wait moves the virtual clock deadline by deadline. On
 * Debian's builds the virtual clock follows the host clock under TCG and a wait is a real pause
 * until the host clock reaches the trace's virtual time; such traces need timing margins (see
 * {@code timing.Robustness}).
 */
final class TraceDriver {
  /** How long to wait for frames the model says QEMU received; then the comparison tells. */
  static final long FRAME_TIMEOUT_NS = 1_000_000_000L;

  private final QemuBuild build;
  private final QtestSession session;
  private final Qmp qmp;
  private final DatagramSocket peer;
  private final InetSocketAddress qemuAddress;
  private final Qtest q = new Qtest();
  private final E1000eCore shadow;
  private int framesExpected;

  /** Whether the shadow sent an interrupt (or raised INTx) since this was last cleared. */
  private boolean shadowSignalled;

  /** Which of the shadow's events the host would see as an interrupt. */
  private final HostInterrupts shadowHost = new HostInterrupts();

  /**
   * The last commands of a step, sent with the observation that follows it in one round trip: a
   * step that lets no frame in, or the clock's last stretch of a wait, where no timer is due.
   */
  private final List<String> beforeObservation = new ArrayList<>();

  /** Virtual time since the trace began. */
  private long now;

  /** Interrupts seen so far, with their virtual times (builds with the qtest accelerator only). */
  private final List<Signal> signals = new ArrayList<>();

  /** The virtual time of the last {@link #collect}; -1 before the first. */
  private long collectedAt = -1;

  /** INTx events already turned into signals. */
  private int irqsSeen;

  /** The MSI-X vectors and MSI that sent during the current step (the sub-step reads included). */
  private int stepMsix;

  private boolean stepMsi;

  TraceDriver(
      QemuBuild build,
      QtestSession session,
      Qmp qmp,
      DatagramSocket peer,
      InetSocketAddress qemuAddress) {
    this.build = build;
    this.session = session;
    this.qmp = qmp;
    this.peer = peer;
    this.qemuAddress = qemuAddress;
    this.shadow = build.variant().newCore();
    shadow.setEventSink(
        e -> {
          if (e instanceof Event.FrameReceived) {
            framesExpected++;
          }
          shadowSignalled |= shadowHost.see(e) != null;
        });
  }

  /**
   * Whether the device will still hold state that a reset does not clear (see {@link
   * E1000eCore#stateOutlivesReset}) when the next trace on this process starts: after the link up,
   * the system reset and the preamble between two traces and {@link #run}'s ICS write. If so, this
   * process cannot stand in for a fresh one any more. Asks the shadow, which takes those steps.
   */
  boolean stateOutlivesReset() {
    if (!shadow.backendLinkUp()) {
      shadow.step(new Step.Link(true));
    }
    shadow.step(new Step.Reset());
    shadow.step(CLEAR_STALE_CAUSES);
    return shadow.stateOutlivesReset();
  }

  /**
   * An ICS write of 0 before each trace: an interrupt-state update that finds nothing pending,
   * which clears a msi_causes_pending that QEMU 7.2's reset kept from the previous trace on this
   * process. Changes nothing on a fresh device, nor on 8.1 and later.
   */
  private static final Step CLEAR_STALE_CAUSES = new Step.Write(Reg.ICS.offset(), 0);

  /** How long QEMU gets to take the held frames after {@link Qtest#drainRx}. */
  static final long DRAIN_TIMEOUT_NS = 200_000_000;

  /**
   * Lets QEMU take the frames it still holds after the trace and its idle second, so that none
   * reaches the next trace (a system reset alone does not discard them): the backend link up again
   * if the trace took it down (a step the shadow takes too), then a system reset and {@link
   * Qtest#drainRx}. Returns whether, within {@link #DRAIN_TIMEOUT_NS}, QEMU's trace shows as many
   * frames received as the shadow says it held. The device this leaves behind is reset again before
   * the next trace.
   */
  boolean drainHeldFrames() throws IOException, QemuFailure {
    if (!shadow.backendLinkUp() && shadow.heldFrames() > 0) {
      apply(new Step.Link(true), 0, System.nanoTime());
      awaitFrames();
    }
    int held = shadow.heldFrames();
    if (held == 0) {
      return true;
    }
    int expected = framesExpected + held;
    qmp(session, qmp, "{\"execute\":\"system_reset\"}");
    session.send(q.drainRx());
    awaitFrames(expected, DRAIN_TIMEOUT_NS);
    return session.stderrCount(QemuStderr.RX_EVENT) == expected;
  }

  /**
   * Frames the net layer (or the netdev's socket) still holds for the device after the trace and
   * the idle second after it.
   */
  int heldFrames() {
    return shadow.heldFrames();
  }

  /** How much of QEMU's stderr the trace itself wrote (the settling after it writes more). */
  int traceStderrEnd() {
    return traceStderrEnd;
  }

  private int traceStderrEnd = Integer.MAX_VALUE;

  /** Whether QEMU died (or stopped answering) while the idle guest settled after the trace. */
  boolean lostWhileSettling() {
    return lostWhileSettling;
  }

  private boolean lostWhileSettling;

  /**
   * Runs {@code steps} after {@code leading} (what the reset before this trace still has to send)
   * and the preamble, which go in one round trip.
   */
  ObservedRun run(List<String> leading, List<Step> steps) throws IOException {
    List<Observation> obs = new ArrayList<>();
    int step = 0;
    try {
      List<String> first = new ArrayList<>(leading);
      first.addAll(q.preamble());
      first.addAll(Qtest.powerOnThrottleReadback());
      first.addAll(q.commands(CLEAR_STALE_CAUSES));
      session.send(first);
      irqsSeen = session.irqs().size();
      long start = System.nanoTime();
      for (Step s : steps) {
        step++;
        apply(s, step, start);
        // Frames the step let in (a flush reads the held ones from the netdev's socket, one per
        // main-loop iteration) must all have arrived before the observation and the next step.
        awaitFrames();
        obs.add(observe(step));
      }
      return new ObservedRun(
          obs, new ObservedRun.Completed(), List.of(), signals, observeSettled(steps.size() + 1));
    } catch (QemuFailure f) {
      return new ObservedRun(obs, ending(f, step), List.of(), signals, null);
    }
  }

  /**
   * With exact virtual time: leaves the guest idle for {@link ObservedRun#SETTLE_NS}, longer than
   * any interrupt timer of the device runs, and observes the device then; otherwise null. Null too
   * when more than {@link ObservedRun#SETTLE_MAX_DEADLINES} timer deadlines fall in that time (a
   * timer that re-arms for ever: nothing settles; the model says the same), or when QEMU dies
   * meanwhile (the model's settling gives up on an abort too).
   */
  private Observation observeSettled(int pseudoStep) throws IOException {
    if (!build.qtestAccel()) {
      return null;
    }
    traceStderrEnd = session.stderr().length();
    try {
      if (advance(pseudoStep, now + ObservedRun.SETTLE_NS, ObservedRun.SETTLE_MAX_DEADLINES)) {
        awaitFrames();
        return observe(pseudoStep);
      }
    } catch (QemuFailure f) {
      lostWhileSettling = true;
    }
    signals.removeIf(sig -> sig.step() == pseudoStep); // no settled device, no settling interrupts
    return null;
  }

  /** Sends one step to QEMU (and to the shadow), moving {@link #now} past it. */
  private void apply(Step s, int step, long start) throws IOException, QemuFailure {
    long target = shadow.timeAfter(s, now);
    boolean rxReady = shadow.rxReady();
    boolean rxOffered = shadow.rxOffered();
    boolean linkUp = shadow.backendLinkUp();
    if ((s instanceof Step.Wait || s instanceof Step.Expire) && build.qtestAccel()) {
      advance(step, target, Integer.MAX_VALUE);
      return;
    }
    if (s instanceof Step.Wait || s instanceof Step.Expire) {
      shadow.step(s);
      sleepUntil(start + target);
      now = target;
      return;
    }
    if (s instanceof Step.Link link) {
      shadow.step(s);
      qmp(
          session,
          qmp,
          "{\"execute\":\"set_link\",\"arguments\":{\"name\":\"n0\",\"up\":" + link.up() + "}}");
    } else if (s instanceof Step.Reset) {
      int held = shadow.heldFrames();
      shadow.step(s);
      qmp(session, qmp, "{\"execute\":\"system_reset\"}");
      reinit(q.preamble(), held);
    } else if (s instanceof Step.Rx rx) {
      shadow.step(s);
      receive(rx, rxReady, rxOffered, linkUp);
    } else {
      int held = shadow.heldFrames();
      int frames = framesExpected;
      shadow.step(s);
      if (build.variant().softwareResets(s)) {
        session.send(q.commands(s));
        reinit(q.rings(), held); // CTRL.RST cleared the ring registers; a driver re-programs them
      } else if (framesExpected > frames) {
        session.send(q.commands(s)); // frames to wait for before the observation
      } else {
        beforeObservation.addAll(q.commands(s));
      }
    }
  }

  /** How a run that lost QEMU ended: an abort with its assertion, or a backend failure. */
  private ObservedRun.Ending ending(QemuFailure f, int step) {
    if (!f.exited()) {
      return new ObservedRun.BackendFailed("step " + step + ": " + f.getMessage());
    }
    int code;
    try {
      code = session.awaitExit(3000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      code = -1;
    }
    String err = session.stderr();
    String assertion = QemuStderr.assertionLine(err);
    if (code == 134 || assertion != null) {
      Signature sig =
          assertion == null ? null : Signature.ofAssertionMessage(assertion).orElse(null);
      return new ObservedRun.Aborted(
          sig, step, assertion != null ? assertion : QemuStderr.tail(err));
    }
    return new ObservedRun.BackendFailed(
        "QEMU exited with code " + code + " at step " + step + ": " + QemuStderr.tail(err));
  }

  /** A QMP command; a broken connection means QEMU died during it (for example an abort). */
  static void qmp(QtestSession session, Qmp qmp, String json) throws QemuFailure {
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

  private void receive(Step.Rx rx, boolean rxReady, boolean rxOffered, boolean linkUp)
      throws IOException, QemuFailure {
    byte[] frame =
        rx.ack() ? Qtest.frame(Step.Rx.SMALL_LENGTH, true) : Qtest.frame(rx.length(), false);
    long rdh = QtestSession.value(session.send(Qtest.readRdh()).get(0));
    // An RDT write flushes held frames, so only empty ring 0 when the device receives right now.
    boolean emptyRing = rx.noBuffer() && rxReady;
    if (emptyRing) {
      session.send(Qtest.setRdt0((int) rdh)); // ring 0 empty; ring 1 keeps can_receive true
    }
    int seen = session.stderrCount(QemuStderr.RX_EVENT);
    int refused = session.stderrCount(QemuStderr.RX_REFUSED);
    boolean expectRefusal = !rxReady && rxOffered;
    peer.send(new DatagramPacket(frame, frame.length, qemuAddress));
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
      settle();
      return;
    }
    long deadline = System.nanoTime() + (rxReady || expectRefusal ? 2_000_000_000L : 2_000_000);
    while (System.nanoTime() < deadline
        && session.alive()
        && !(rxReady && session.stderrCount(QemuStderr.RX_EVENT) > seen)
        && !(expectRefusal && session.stderrCount(QemuStderr.RX_REFUSED) > refused)) {
      LockSupport.parkNanos(20_000);
    }
    if (QtestSession.value(session.send(Qtest.readRdh()).get(0)) != rdh) {
      session.send(q.replenishRx());
    }
    if (emptyRing) {
      session.send(Qtest.setRdt0(q.rxTail0()));
    }
  }

  /**
   * Exact virtual time, no sleeping: moves the clock to {@code target} and collects the interrupts
   * at each timer deadline where the shadow interrupts or lets frames in. There QEMU's main loop
   * runs as it does in a running VM (frames a timer lets in, autonegotiation completing, are read
   * from the netdev's socket at that instant, not when the wait is over), and the interrupts are
   * collected 1 ns before the deadline too, so that one a timer sends has its exact virtual time
   * (the model-free throttling check needs it). The clock moves past the other deadlines in the
   * same step as the next one that matters: an interrupt QEMU sends there still shows, in a window
   * where the shadow has none, and the comparison tells; a throttling timer that re-arms while
   * nothing is delivered (fix-throttle's EITR) no longer costs a round trip per expiry. The windows
   * are QEMU's facts wherever the shadow puts them. Returns false, short of the target, when more
   * than {@code maxDeadlines} deadlines come first.
   */
  private boolean advance(int step, long target, int maxDeadlines) throws IOException, QemuFailure {
    long next;
    for (int d = 0;
        shadow.abortSignature() == null && (next = shadow.nextDeadline(shadow.now())) <= target;
        d++) {
      if (d == maxDeadlines) {
        return false;
      }
      int framesBefore = framesExpected;
      shadowSignalled = false;
      shadow.step(new Step.Wait(next - shadow.now()));
      boolean frames = framesExpected > framesBefore;
      if (!shadowSignalled && !frames && shadow.abortSignature() == null) {
        continue; // nothing the shadow shows here: QEMU passes it with the next deadline that does
      }
      if (shadowSignalled && next - now > 1) {
        stepAndCollect(step, next - 1 - now);
      }
      if (frames) {
        session.send("clock_step " + (next - now));
        now = next;
        awaitFrames();
        collect(step);
      } else {
        stepAndCollect(step, next - now);
      }
    }
    if (shadow.abortSignature() == null) {
      shadow.step(new Step.Wait(target - shadow.now()));
    }
    if (target > now) { // QEMU 10 refuses a 0-ns step; due timers have run already
      // Timers may expire in this stretch, but none where the shadow shows anything.
      beforeObservation.add("clock_step " + (target - now));
    }
    now = target;
    return true;
  }

  /** Moves the clock by {@code ns} and collects the interrupts, in one round trip. */
  private void stepAndCollect(int step, long ns) throws IOException, QemuFailure {
    List<String> c = new ArrayList<>();
    c.add("clock_step " + ns);
    c.addAll(Qtest.signalReads());
    List<String> replies = session.send(c);
    now += ns;
    note(step, Qtest.SignalReads.parse(replies.subList(1, replies.size())));
  }

  /** Reads the interrupts QEMU sent since the last collection, at {@link #now}. */
  private void collect(int step) throws IOException, QemuFailure {
    note(step, Qtest.SignalReads.parse(session.send(Qtest.signalReads())));
  }

  /**
   * Records interrupts read at {@link #now}: each came after the previous collection (at its very
   * instant if no time passed since) and at the latest now.
   */
  private void note(int step, Qtest.SignalReads r) throws IOException, QemuFailure {
    stepMsix |= r.msixMessages();
    stepMsi |= r.msiMessage();
    List<QtestSession.Irq> irqs = session.irqs();
    int raises = 0;
    for (int i = irqsSeen; i < irqs.size(); i++) {
      if (irqs.get(i).pin() == Qtest.INTX_PIN && irqs.get(i).raised()) {
        raises++;
      }
    }
    irqsSeen = irqs.size();
    if (build.qtestAccel() && (r.any() || raises > 0)) {
      // The intervals these interrupts loaded: read only when there are interrupts.
      Qtest.ThrottleReads t = Qtest.ThrottleReads.parse(session.send(Qtest.throttleReads()));
      long earliest = now > collectedAt ? collectedAt + 1 : now;
      for (int v = 0; v < 5; v++) {
        if ((r.msixMessages() & (1 << v)) != 0) {
          signals.add(new Signal(step, Signal.Kind.MSIX, v, earliest, now, 256L * t.eitr()[v]));
        }
      }
      if (r.msiMessage()) {
        signals.add(new Signal(step, Signal.Kind.MSI, -1, earliest, now, 256L * t.itr()));
      }
      for (int i = 0; i < raises; i++) {
        signals.add(new Signal(step, Signal.Kind.INTX, -1, earliest, now, 256L * t.itr()));
      }
    }
    collectedAt = now;
  }

  private Observation observe(int step) throws IOException, QemuFailure {
    List<String> c = new ArrayList<>(beforeObservation);
    int sent = c.size();
    beforeObservation.clear();
    c.addAll(Qtest.observe());
    List<String> replies = session.send(c);
    Qtest.DeviceReads r = Qtest.DeviceReads.parse(replies.subList(sent, replies.size()));
    note(step, r.signals());
    int msix = stepMsix;
    boolean msi = stepMsi;
    stepMsix = 0;
    stepMsi = false;
    boolean line = false;
    for (QtestSession.Irq irq : session.irqs()) {
      if (irq.pin() == Qtest.INTX_PIN) {
        line = irq.raised();
      }
    }
    return new Observation(
        step,
        r.ics(),
        r.ims(),
        r.pba(),
        line,
        msix,
        msi,
        session.stderrCount(QemuStderr.RX_EVENT),
        r.ivar());
  }

  /**
   * Re-initialises the function after a reset. While frames are held, each flush (command register
   * and RDT writes) must find the next frame already offered by the netdev, which its socket
   * handler does in a main-loop iteration of its own (nothing in QEMU's trace shows it): the
   * commands are sent in pieces, with a pause and a round trip before each flush and after the last
   * one, as in a running VM where the driver's writes are far apart.
   */
  private void reinit(List<String> commands, int heldFrames) throws IOException, QemuFailure {
    if (heldFrames == 0) {
      session.send(commands);
      return;
    }
    for (List<String> piece : Qtest.splitAtFlushes(commands)) {
      settle();
      session.send(piece);
    }
    settle();
  }

  /**
   * Lets QEMU's main loop read what waits in the netdev's socket (a datagram sent, or the next held
   * frame after a flush): two round trips. The socket is readable before the first command is, so
   * the main-loop iteration that runs the first command also runs the socket's handler, before or
   * after it; the second command runs in a later iteration.
   */
  private void settle() throws IOException, QemuFailure {
    session.send(Qtest.readl(Qtest.BAR0 + Reg.ICS.offset()));
    session.send(Qtest.readl(Qtest.BAR0 + Reg.ICS.offset()));
  }

  /**
   * Waits until QEMU's trace shows as many frames received in this trace as the model counts, or
   * {@link #FRAME_TIMEOUT_NS}.
   */
  private void awaitFrames() {
    if (framesExpected > 0) {
      awaitFrames(framesExpected, FRAME_TIMEOUT_NS);
    }
  }

  /** Waits until QEMU's trace shows {@code count} frames received in this trace, or the timeout. */
  private void awaitFrames(int count, long timeoutNs) {
    long deadline = System.nanoTime() + timeoutNs;
    while (session.stderrCount(QemuStderr.RX_EVENT) < count
        && System.nanoTime() < deadline
        && session.alive()) {
      LockSupport.parkNanos(20_000);
    }
  }

  private static void sleepUntil(long hostNanos) {
    long now;
    while ((now = System.nanoTime()) < hostNanos) {
      LockSupport.parkNanos(hostNanos - now);
    }
  }
}
