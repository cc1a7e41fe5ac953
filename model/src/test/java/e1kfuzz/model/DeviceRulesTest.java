package e1kfuzz.model;

import static e1kfuzz.model.Variant.FIX_V1;
import static e1kfuzz.model.Variant.QEMU_10_2;
import static e1kfuzz.model.Variant.QEMU_7_2_0;
import static e1kfuzz.model.Variant.QEMU_7_2_20;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Device rules one assertion each: what a reset restores, what each register write and read does on
 * its own, per variant. (Its cases came from a mutation run: each pins a rule no other test did.)
 */
class DeviceRulesTest {

  /**
   * What a reset does not restore on 7.2 (why a reused QEMU must be retired): a pending flag set by
   * a postponed interrupt outlives any reset; a stale msi_causes_pending outlives the reset too,
   * but not the first update that finds nothing pending (an ICS write of 0). Nothing outlives a
   * reset on 8.1 and later.
   */
  @ParameterizedTest
  @EnumSource(Variant.class)
  void whatOutlivesAReset(Variant v) {
    boolean sevenTwo = v == QEMU_7_2_0 || v == QEMU_7_2_20;
    assertFalse(v.newCore().stateOutlivesReset(), "power-on");
    // Two INTx interrupts 1 us apart: the second is postponed by the ITR timer.
    Sim postponed =
        Sim.run(v, "write IMS 0x1\nwrite ICS 0x1\nwrite ICR 0x1\nwait 1us\nwrite ICS 0x1");
    postponed.then("reset\nwrite ICS 0");
    assertEquals(sevenTwo, postponed.core.stateOutlivesReset(), "itr_intr_pending");
    // MSI notified TXDW (msi_causes_pending = TXDW); then nothing clears it before the reset.
    Sim notified = Sim.run(v, "msi on\nwrite IMS 0x1\nwrite ICS 0x1\nreset");
    assertEquals(sevenTwo, notified.core.stateOutlivesReset(), "msi_causes_pending");
    notified.then("write ICS 0");
    assertFalse(notified.core.stateOutlivesReset(), "after an update with nothing pending");
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void resetRestoresEveryRegisterAndThePciFunction(Variant v) {
    Sim s =
        Sim.run(
            v,
            "write IVAR 0x800a0908\nwrite IAM 0xffffffff\nwrite EIAC 0x01f00000\nwrite CTRL_EXT 0x08000000\n"
                + "write RSRPD 0x100\nwrite RFCTL 0x1000\nwrite TIDV 0x10\nwrite RDTR 0x10\nwrite RADV 0x10\nwrite TADV 0x10\nwrite RAID 0x10\n"
                + "write TARC0 0\nwrite ITR 0x1000\nwrite EITR1 0x1000\nwrite IMS 0x4\nwrite ICS 0x4\nmsix mask\ntx\nreset");
    for (Reg r :
        new Reg[] {
          Reg.IVAR,
          Reg.IAM,
          Reg.EIAC,
          Reg.CTRL_EXT,
          Reg.RSRPD,
          Reg.RFCTL,
          Reg.TIDV,
          Reg.RDTR,
          Reg.RADV,
          Reg.TADV,
          Reg.RAID,
          Reg.IMS,
          Reg.ICS,
          Reg.TCTL,
          Reg.RCTL,
          Reg.IAC
        }) {
      assertEquals(0, s.read(r), r.name());
    }
    assertEquals(0x403, s.read(Reg.TARC0));
    assertEquals(500, s.core.itr);
    assertEquals(500, s.core.eitr[1]);
    assertFalse(s.core.pci().intxLevel());
    assertFalse(s.core.pci().functionMask());
    s.then("write TCTL 0x2");
    assertEquals(0x80000002, s.read(Reg.ICS), "the posted descriptor was dropped by the reset");
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void resetDropsPendingBitsAndKeepsTheBackendLinkState(Variant v) {
    Sim s =
        Sim.run(
            v,
            "msix on\nwrite IVAR 0x00000008\nwrite IMS 0x00100000\nwrite ICS 0x00100000\nlink down\nreset");
    assertEquals(0, s.core.pci().pendingBits());
    assertEquals(0, s.read(Reg.STATUS) & 2, "the backend link is still down");
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void rdtrFpdFlushesParkedRxCauses(Variant v) {
    Sim s = Sim.run(v, "write RDTR 0x100\nwrite RCTL 0x2\nrx\nwrite RDTR 0x80000100");
    assertEquals(0x80000080, s.read(Reg.ICS));
    assertTrue(s.core.reached(Mark.FPD_FLUSH));
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void theXitrFloorSetsThePeriodAndGuestValuesKeepSixteenBits(Variant v) {
    Sim s = Sim.run(v, "write ITR 1\nwrite IMS 0x4\nwrite ICS 0x4\nwrite EITR0 0x12345");
    assertEquals(128_000, s.core.timerDeadline(TimerId.ITR), "max(1, 500) x 256 ns");
    assertEquals(0x2345, s.read(Reg.EITR0));
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void eiacLeavesImsAloneWhenIameIsSet(Variant v) {
    Sim s =
        Sim.run(
            v,
            "msix on\nwrite IVAR 0x00000008\nwrite EIAC 0x00100000\nwrite CTRL_EXT 0x08000000\nwrite IMS 0x00100000\nwrite ICS 0x00100000");
    assertEquals(0x00100000, s.read(Reg.IMS));
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void pendingBitsClearOnlyUnderMsixWithPbaClrAndAValidExtendedMapping(Variant v) {
    String pending =
        "msix on\nwrite IVAR 0x00000008\nwrite IMS 0x00100000\nwrite ICS 0x00100000\nwrite ICR 0x00100000\n";
    assertEquals(
        1, Sim.run(v, pending + "write IMS 0x00100000").core.pci().pendingBits(), "no PBA_CLR");
    assertEquals(
        1,
        Sim.run(v, pending + "write CTRL_EXT 0x80000000\nwrite IMS 0x4").core.pci().pendingBits(),
        "no extended bit");
    assertEquals(
        1,
        Sim.run(v, pending + "write IVAR 0\nwrite CTRL_EXT 0x80000000\nwrite IMS 0x00100000")
            .core
            .pci()
            .pendingBits(),
        "invalid IVAR entry");
    assertEquals(
        1,
        Sim.run(v, pending + "msix off\nwrite PBACLR 0x1f").core.pci().pendingBits(),
        "PBACLR needs MSI-X");
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void theLastWrittenBackDescriptorsIdeDecidesAndTheRingDrains(Variant v) {
    Sim s = Sim.run(v, "write TIDV 0x100\ntx ide\ntx\nwrite TCTL 0x2");
    assertEquals(0, s.core.delayedCauses(), "last descriptor without IDE: not delayed");
    assertEquals(0x80000003, s.read(Reg.ICS));
    s.then("write ICR 0xffffffff\nwrite TCTL 0x2");
    assertEquals(0x80000002, s.read(Reg.ICS), "the ring was drained: only TXQE");
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void raidIsArmedOnceAndCollectStopsIt(Variant v) {
    Sim s =
        Sim.run(
            v,
            "write RDTR 0x100\nwrite RAID 0x10\nwrite RADV 0x20\nwrite RCTL 0x2\nrx ack\nwait 2us\nrx ack");
    assertEquals(0x10 * 1024, s.core.timerDeadline(TimerId.RAID), "armed at the first ACK only");
    assertEquals(0x20 * 1024, s.core.timerDeadline(TimerId.RADV), "RADV in 1024 ns units");
    s.then("write ICS 0x4");
    assertFalse(s.core.timerRunning(TimerId.RAID));
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void expireOfAStoppedTimerNeverMovesTime(Variant v) {
    Sim s = Sim.run(v, "write TADV 0x10\nwrite TCTL 0x2\ntx ide\nwait 1ms\nexpire tadv");
    assertEquals(1_000_000, s.core.now(), "tadv fired long ago: its old deadline is not a target");
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void linkAndLoopbackRxRules(Variant v) {
    Sim held = Sim.run(v, "link down\nlink up\nwrite RCTL 0x2\nwrite ICR 0xffffffff\nrx");
    assertEquals(0, held.read(Reg.ICS), "STATUS.LU clear during autoneg: held");
    held.then("wait 600ms");
    assertEquals(Cause.RXT0, held.read(Reg.ICS) & Cause.RXT0, "delivered when autoneg completes");
    Sim dropped = Sim.run(v, "write RCTL 0x2\nlink down\nrx\nlink up\nwait 600ms");
    assertEquals(
        0, dropped.read(Reg.ICS) & Cause.RXT0, "a frame while the backend link is down is lost");
    Sim loop = Sim.run(v, "write RCTL 0x40\nwrite TCTL 0x2\ntx\nwrite RCTL 0x42");
    assertEquals(
        0,
        loop.read(Reg.ICS) & Cause.RXT0,
        "a looped frame the device cannot take is dropped, not held");
    Sim small = Sim.run(v, "write RSRPD 0x41\nwrite RCTL 0x42\nwrite TCTL 0x2\ntx");
    assertEquals(Cause.SRPD, small.read(Reg.ICS) & Cause.SRPD, "looped frames are 60 bytes");
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void busMasteringOffHoldsFramesAndSettingItFlushesThem(Variant v) {
    Sim s = Sim.run(v, "write RCTL 0x2\nbusmaster off\nrx\nintx off\nwait 1ms");
    assertEquals(1, s.core.heldFrames(), "no DMA without bus mastering: held");
    assertEquals(false, s.core.rxReady());
    assertEquals(
        0, s.read(Reg.ICS) & Cause.RXT0, "a command write without Bus Master flushes nothing");
    s.then("busmaster on");
    assertEquals(0, s.core.heldFrames());
    assertEquals(Cause.RXT0, s.read(Reg.ICS) & Cause.RXT0, "pci_set_master: received at once");
    // Messages are DMA writes: without bus mastering QEMU drops them (a masked vector still gets
    // its pending bit, which is config space).
    Sim msix =
        Sim.run(
            v,
            "write IVAR 0x000a0000\nwrite IMS 0x01000000\nmsix vector 2 unmask\nmsix on\n"
                + "busmaster off\nwrite ICS 0x4");
    assertEquals(
        0, msix.events.stream().filter(e -> e instanceof Event.Interrupt).count(), "no message");
    Sim pending =
        Sim.run(
            v,
            "write IVAR 0x000a0000\nwrite IMS 0x01000000\nmsix on\nbusmaster off\nwrite ICS 0x4");
    assertEquals(1 << 2, pending.core.pci().pendingBits(), "a masked vector's pending bit");
    Sim msi = Sim.run(v, "msi on\nbusmaster off\nwrite IMS 0x4\nwrite ICS 0x4");
    assertEquals(
        0, msi.events.stream().filter(e -> e instanceof Event.Interrupt).count(), "no MSI message");
    Sim reset = Sim.run(v, "busmaster off\nreset");
    assertEquals(true, reset.core.pci().busMaster(), "the harness re-enables bus mastering");
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void intxIsDeassertedByMsiEnableButNotByAnMsixWriteLeavingItOff(Variant v) {
    Sim s = Sim.run(v, "write IMS 0x4\nwrite ICS 0x4\nmsix off");
    assertTrue(s.core.pci().intxLevel());
    s.then("msi on");
    assertFalse(s.core.pci().intxLevel());
  }

  /**
   * The invariants hold by construction on valid traces; force each broken state to see it caught.
   */
  @Test
  void eachConsistencyCheckFires() {
    E1000eCore c = QEMU_10_2.newCore();
    c.ims = 0x80000000;
    assertEquals(Signature.IMS_INVALID_BITS, c.step(new Step.Wait(0)).signature());
    E1000eCore d =
        new Qemu102() {
          @Override
          void onMsixEnableWrite() {}
        };
    d.pci().writeMsixControl(Step.MsixControl.ON);
    d.tidv = 1;
    d.rearmTimer(TimerId.TIDV);
    assertEquals(Signature.DELAY_TIMER_ARMED_UNDER_MSIX, d.violation().signature());
  }

  @Test
  void v72EitrPendingFlagMakesTheExpiryNotify() {
    String s =
        "msix on\nwrite IVAR 0x00000008\nwrite IMS 0x00100000\nwrite ICS 0x00100000\nwrite ICR 0x00100000\nwrite ICS 0x00100000\nwait 1ms";
    Sim sim = Sim.run(QEMU_7_2_20, s);
    assertTrue(sim.core.reached(Mark.EITR_POSTPONED));
    assertEquals(2, sim.count(Event.Delivery.PBA), "the postponed notify is sent at EITR expiry");
  }

  /**
   * dd0ef12866 (7.1): the ITR callback forgets notified MSI causes so the postponed MSI goes out.
   */
  @Test
  void v72PostponedMsiIsSentAtItrExpiry() {
    Sim sim =
        Sim.run(QEMU_7_2_0, "msi on\nwrite IMS 0x5\nwrite ICS 0x4\nwrite ICS 0x1\nwait 200us");
    assertEquals(
        2, sim.count(Event.Delivery.MSI), "one now, the postponed one at the 128 us expiry");
  }

  @Test
  void fireAllTimersNeedsTheFullMaskAndIntTimersClearEnaAndFiresEitrToo() {
    String itrUnderMsix = "write IMS 0x4\nwrite ICS 0x4\nmsix on\n";
    assertEquals(
        "ok",
        Sim.run(QEMU_7_2_20, itrUnderMsix + "write IMS 0x01f782d7").result(),
        "no INT_TIMERS_CLEAR_ENA");
    assertEquals(
        "ok",
        Sim.run(QEMU_7_2_20, itrUnderMsix + "write CTRL_EXT 0x20000000\nwrite IMS 0x01f782d5")
            .result(),
        "not the full mask");
    String eitrRunning =
        "msix on\nwrite IVAR 0x00000008\nwrite IMS 0x00100000\nwrite ICS 0x00100000\nmsix off\n";
    assertEquals(
        "assert:eitr-timer-without-msix",
        Sim.run(QEMU_7_2_20, eitrRunning + "write CTRL_EXT 0x20000000\nwrite IMS 0x01f782d7")
            .result(),
        "EITR fired synchronously");
  }

  @Test
  void v81EitrExpiryNotifiesEvenWithMsixOff() {
    Sim s =
        Sim.run(
            QEMU_10_2,
            "msix on\nmsix vector 0 unmask\nwrite IVAR 0x00000008\nwrite IMS 0x00100000\nwrite ICS 0x00100000\nmsix off\nwait 1ms");
    assertEquals(1, s.count(Event.Delivery.MSIX));
    assertEquals(
        1, s.core.pci().pendingBits(), "the expiry notify with MSI-X off sets the pending bit");
  }

  @Test
  void fixV1LeavesTheDelayTimersRunning() {
    Sim s = Sim.run(FIX_V1, "write TIDV 0xffff\nwrite TCTL 0x2\ntx ide\nmsix on\nwrite ICS 0x4");
    assertTrue(s.core.timerRunning(TimerId.TIDV));
    assertEquals(0, s.core.delayedCauses());
  }

  /**
   * A flush while the backend link is down drops every held frame (QEMU's net layer drops them
   * all).
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.EnumSource(Variant.class)
  void aFlushWhileTheLinkIsDownDropsEveryHeldFrame(Variant v) {
    Sim s = Sim.run(v, "rx\nrx\nlink down\nwrite RCTL 0x2\nlink up\nexpire autoneg");
    assertEquals(0, s.core.icr() & Cause.RXT0, "no frame left to receive after autoneg");
    assertTrue((s.core.icr() & Cause.LSC) != 0, "autoneg completed");
  }
}
