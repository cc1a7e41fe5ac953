package e1kfuzz.model;

/**
 * stable-7.2 from 7.2.20 on (Debian 12's 1:7.2+dfsg-7+deb12u17 and deb12u18): v7.2.0 with the
 * merged fix backported (ee2a2c7d54, cherry-pick of 8e4649cac9). The ITR/EITR asserts stay.
 */
class Qemu7220 extends Qemu720 {
  /** 8e4649cac9: the MSI-X branch of collect is gone; parked causes are taken into ICR. */
  @Override
  int collectDelayedCauses() {
    return takeDelayedCauses();
  }
}
