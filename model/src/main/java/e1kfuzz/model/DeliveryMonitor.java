package e1kfuzz.model;

/**
 * e1kfuzz's own bookkeeping for the delivery invariants (not QEMU state): which causes became
 * pending since they were last signalled, and when each interrupt channel may signal next. A
 * channel is an MSI-X vector (0 to 4) or {@link #LEGACY}, the one INTx/MSI interrupt.
 *
 * <p>The rules are the 82574's (and its siblings', where the 82574 datasheet is not explicit): an
 * interrupt is signalled only for an active cause (ICR & IMS, mapped to the vector through IVAR);
 * once signalled, a channel's throttling counter is loaded with the programmed ITR/EITR interval
 * (0: no throttling) and no interrupt may come on it before that; auto-clear (EIAC) and auto-mask
 * act when the message is sent; and a cause that became active is eventually signalled.
 */
final class DeliveryMonitor {
  /** The INTx/MSI channel. */
  static final int LEGACY = Pci.MSIX_VECTORS;

  private static final int CHANNELS = LEGACY + 1;

  /** Pending unmasked causes (ICR & IMS without INT_ASSERTED) as last seen. */
  private int lastPending;

  /**
   * Causes that became pending and have not been signalled since (on their vector, under MSI-X).
   */
  private int owed;

  /** When each channel last signalled (an interrupt, not a pending bit); -1: not since reset. */
  private final long[] lastSignal = new long[CHANNELS];

  /** When each channel last signalled in any form, a pending bit included; -1: not since reset. */
  private final long[] lastNotified = new long[CHANNELS];

  /** When each channel's throttling counter, loaded at its last interrupt, runs out. */
  private final long[] quietUntil = new long[CHANNELS];

  /** The ITR (LEGACY) and EITR values the guest wrote since the last reset (0: no throttling). */
  private final int[] programmed = new int[CHANNELS];

  DeliveryMonitor() {
    java.util.Arrays.fill(lastSignal, -1);
    java.util.Arrays.fill(lastNotified, -1);
  }

  /**
   * The pending causes now; returns those that became pending since the last call (or since they
   * were cleared).
   */
  int newlyPending(int pending) {
    int newly = pending & ~lastPending;
    lastPending = pending;
    return newly;
  }

  void owe(int causes) {
    owed |= causes;
  }

  /** These causes are owed nothing any more. */
  void forgive(int causes) {
    owed &= ~causes;
  }

  /** The causes owed a signal. */
  int owed() {
    return owed;
  }

  /**
   * The channel signalled (a message, a pending bit or an INTx assertion) for {@code causes}: the
   * causes its vector carries, or every cause on INTx/MSI.
   */
  void signalled(int channel, long now, int causes) {
    owed &= ~causes;
    lastNotified[channel] = now;
  }

  /** When the channel last signalled in any form (a pending bit included); -1: not since reset. */
  long lastNotified(int channel) {
    return lastNotified[channel];
  }

  /** CTRL_EXT.INT_TIMERS_CLEAR_ENA with a full IMS write: the guest clears every counter. */
  void countersCleared(long now) {
    java.util.Arrays.fill(quietUntil, now);
  }

  /** Whether an interrupt now on the channel comes before its throttling counter ran out. */
  boolean tooSoon(int channel, long now) {
    return now < quietUntil[channel];
  }

  /** The interval the counter was loaded with at the channel's last interrupt. */
  long loadedInterval(int channel) {
    return quietUntil[channel] - lastSignal[channel];
  }

  long lastSignal(int channel) {
    return lastSignal[channel];
  }

  /** An interrupt on the channel: its throttling counter is loaded with the programmed interval. */
  void signalledAt(int channel, long now) {
    lastSignal[channel] = now;
    TimerId throttle = channel == LEGACY ? TimerId.ITR : TimerId.eitr(channel);
    quietUntil[channel] = now + (long) programmed[channel] * throttle.resolutionNs();
  }

  /** The guest wrote the channel's ITR/EITR (16 bits). */
  void program(int channel, int value) {
    programmed[channel] = value & 0xffff;
  }

  /**
   * A mode switch: what was owed in the old mode is not the new mode's to deliver, and the counters
   * start afresh (the datasheet says nothing of them across a switch of interrupt mode).
   */
  void modeChanged(long now) {
    owed = 0;
    java.util.Arrays.fill(quietUntil, now);
  }

  /** A register reset: nothing pending, nothing owed, no throttling programmed. */
  void reset() {
    lastPending = 0;
    owed = 0;
    java.util.Arrays.fill(lastSignal, -1);
    java.util.Arrays.fill(lastNotified, -1);
    java.util.Arrays.fill(quietUntil, 0);
    java.util.Arrays.fill(programmed, 0);
  }

  void copyFrom(DeliveryMonitor o) {
    lastPending = o.lastPending;
    owed = o.owed;
    System.arraycopy(o.lastSignal, 0, lastSignal, 0, CHANNELS);
    System.arraycopy(o.quietUntil, 0, quietUntil, 0, CHANNELS);
    System.arraycopy(o.lastNotified, 0, lastNotified, 0, CHANNELS);
    System.arraycopy(o.programmed, 0, programmed, 0, CHANNELS);
  }

  /**
   * The counters relative to now (one that ran out counts as 0) and the programmed values; when a
   * channel last signalled matters only to within its counter, and only for same-instant signals.
   */
  void hashInto(StateHasher h, long now) {
    h.add(lastPending).add(owed);
    for (int c = 0; c < CHANNELS; c++) {
      h.add(Math.max(0, quietUntil[c] - now)).add(programmed[c]).add(lastNotified[c] == now);
    }
  }
}
