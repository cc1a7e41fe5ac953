package e1kfuzz.model;

/**
 * The first posted patch (2025-08-06, not merged) on top of 8.1: under MSI-X, collect drops the
 * parked causes and returns nothing, and leaves the delay timers running.
 */
class FixV1 extends Qemu81 {
  @Override
  int collectDelayedCauses() {
    if (pci().msixEnabled()) {
      discardDelayedCauses();
      return 0;
    }
    return takeDelayedCauses();
  }
}
