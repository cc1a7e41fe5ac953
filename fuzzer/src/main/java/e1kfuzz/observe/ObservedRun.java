package e1kfuzz.observe;

import e1kfuzz.model.Signature;
import java.util.List;

/**
 * One trace as a comparison sees it, on the model or on a real QEMU: what each completed step
 * showed, how the run ended, (QEMU only) QEMU's own record of its timers, every interrupt with its
 * virtual time ({@code signals}), and the device once the guest stopped acting and every timer ran
 * out ({@code settled}, numbered one past the last step; null when the run did not complete, its
 * virtual time is not exact, or a timer re-arms for ever). The last two are what the model-free
 * delivery checks read.
 */
public record ObservedRun(
    List<Observation> observations,
    Ending ending,
    List<String> timerEvents,
    List<Signal> signals,
    Observation settled) {

  /** How long the guest stays idle after a trace before {@code settled} is observed. */
  public static final long SETTLE_NS = 1_000_000_000L;

  /**
   * More timer deadlines than this in the idle time mean a timer that re-arms for ever (an EITR
   * that keeps sending a cause nobody clears): then nothing settles, and {@code settled} is null.
   */
  public static final int SETTLE_MAX_DEADLINES = 64;

  public ObservedRun {
    observations = List.copyOf(observations);
    timerEvents = List.copyOf(timerEvents);
    signals = List.copyOf(signals);
  }

  public ObservedRun(List<Observation> observations, Ending ending, List<String> timerEvents) {
    this(observations, ending, timerEvents, List.of(), null);
  }

  /** How a run ended. */
  public sealed interface Ending {}

  /** Every step ran. */
  public record Completed() implements Ending {}

  /**
   * QEMU aborted (or the model says it would) during {@code step}, counted from 1. The signature is
   * null for an assertion the model does not know; {@code assertion} is QEMU's message or the
   * model's detail.
   */
  public record Aborted(Signature signature, int step, String assertion) implements Ending {
    /** The signature id, or {@code qemu-abort} for an assertion the model does not know. */
    public String id() {
      return signature != null ? signature.id() : UNKNOWN_ABORT;
    }
  }

  /**
   * The backend failed: QEMU died without an assertion, hung, refused a command or did not start.
   */
  public record BackendFailed(String reason) implements Ending {}

  /** The id of an abort on an assertion that no {@link Signature} names. */
  public static final String UNKNOWN_ABORT = "qemu-abort";

  public static ObservedRun failed(String reason) {
    return new ObservedRun(List.of(), new BackendFailed(reason), List.of());
  }

  /** The abort, or null. */
  public Aborted abort() {
    return ending instanceof Aborted a ? a : null;
  }

  /** The abort's id (see {@link Aborted#id}), or null. */
  public String abortId() {
    return ending instanceof Aborted a ? a.id() : null;
  }

  /** The step the abort happened in, or -1. */
  public int abortStep() {
    return ending instanceof Aborted a ? a.step() : -1;
  }

  /** The backend failure's reason, or null. */
  public String failure() {
    return ending instanceof BackendFailed f ? f.reason() : null;
  }

  public ObservedRun withTimerEvents(List<String> events) {
    return new ObservedRun(observations, ending, events, signals, settled);
  }
}
