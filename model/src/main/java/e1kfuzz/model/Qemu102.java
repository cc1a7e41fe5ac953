package e1kfuzz.model;

/** QEMU 10.2 and the fixed stables 10.0.4 / 10.1.1: 8.1 with the merged fix 8e4649cac9. */
class Qemu102 extends Qemu81 {
  /** 8e4649cac9: the MSI-X branch of collect is gone; parked causes are taken into ICR. */
  @Override
  int collectDelayedCauses() {
    return takeDelayedCauses();
  }
}
