package e1kfuzz.model;

/**
 * A candidate fix on top of 10.2: the PCI config write that enables MSI-X discards the parked
 * causes and stops the five delay timers and the ITR timer, so no legacy-mode state survives the
 * switch.
 */
class FixModeSwitch extends Qemu102 {
  @Override
  void onMsixEnableWrite() {
    discardDelayedCauses();
    stopDelayTimers();
    stopTimer(TimerId.ITR);
  }
}
