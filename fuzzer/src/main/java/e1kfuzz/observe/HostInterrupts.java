package e1kfuzz.observe;

import e1kfuzz.model.Event;

/**
 * Which model events reach the host as an interrupt: an MSI-X or MSI message, or the INTx line at
 * the interrupt controller going high (a pending bit is not one). Follows the line's level.
 */
public final class HostInterrupts {
  private boolean line;

  /** The kind of interrupt the host sees for {@code e}, or null. */
  public Signal.Kind see(Event e) {
    if (e instanceof Event.Interrupt in) {
      return switch (in.delivery()) {
        case MSIX -> Signal.Kind.MSIX;
        case MSI -> Signal.Kind.MSI;
        default -> null;
      };
    }
    boolean was = line;
    if (e instanceof Event.IntxLevel l) {
      line = l.level() && l.visible();
    } else if (e instanceof Event.IntxGate g) {
      line = g.lineHigh();
    } else {
      return null;
    }
    return line && !was ? Signal.Kind.INTX : null;
  }

  /** The INTx line at the interrupt controller. */
  public boolean line() {
    return line;
  }
}
