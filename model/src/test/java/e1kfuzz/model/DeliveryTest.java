package e1kfuzz.model;

import static e1kfuzz.model.Variant.FIX_MODE_SWITCH;
import static e1kfuzz.model.Variant.QEMU_10_2;
import static e1kfuzz.model.Variant.QEMU_7_2_0;
import static e1kfuzz.model.Variant.QEMU_7_2_20;
import static e1kfuzz.model.Variant.QEMU_8_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Delivery rules (spec §7, Appendix A): INTx, MSI, MSI-X and the PCI core around them. */
class DeliveryTest {

  @ParameterizedTest
  @EnumSource(Variant.class)
  void intxFollowsImsAndIcr(Variant v) {
    Sim s = Sim.run(v, "write ICS 0x4");
    assertFalse(s.core.pci().intxLevel(), "masked cause: no INTx");
    s.then("write IMS 0x4");
    assertTrue(s.core.pci().intxLevel(), "unmasking a set cause asserts INTx");
    s.then("write IMC 0x4");
    assertFalse(s.core.pci().intxLevel(), "masking lowers it");
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void msiSendsVectorZeroAndNeverIntx(Variant v) {
    Sim s = Sim.run(v, "msi on\nwrite IMS 0x4\nwrite ICS 0x4");
    assertEquals(1, s.count(Event.Delivery.MSI));
    assertEquals(0, s.count(Event.Delivery.INTX));
    assertTrue(s.core.timerRunning(TimerId.ITR), "MSI is throttled by ITR too");
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void msixNotifiesTheIvarVectorMaskedGoesToPbaAndUnmaskDelivers(Variant v) {
    Sim s =
        Sim.run(v, "msix on\nwrite IVAR 0x00000a00\nwrite IMS 0x00400000\nwrite ICS 0x00400000");
    assertEquals(1 << 2, s.core.pci().pendingBits(), "vectors start masked");
    assertEquals(0, s.count(Event.Delivery.MSIX));
    s.then("msix vector 2 unmask");
    assertEquals(0, s.core.pci().pendingBits());
    assertEquals(1, s.count(Event.Delivery.MSIX));
    assertTrue(s.core.reached(Mark.PBA_DELIVERED_ON_UNMASK));
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void invalidIvarEntriesNotifyNothing(Variant v) {
    Sim s =
        Sim.run(v, "msix on\nwrite IVAR 0x00000200\nwrite IMS 0x00400000\nwrite ICS 0x00400000");
    assertEquals(0, s.core.pci().pendingBits());
    Sim big =
        Sim.run(v, "msix on\nwrite IVAR 0x00000f00\nwrite IMS 0x00400000\nwrite ICS 0x00400000");
    assertEquals(0, big.core.pci().pendingBits(), "vector 7 >= 5 is rejected");
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void functionMaskHoldsAndReleasesPendingVectors(Variant v) {
    Sim s =
        Sim.run(
            v,
            "msix mask\nmsix on\nmsix vector 0 unmask\nwrite IVAR 0x00000008\nwrite IMS 0x00100000\nwrite ICS 0x00100000");
    assertEquals(1, s.core.pci().pendingBits());
    s.then("msix unmask");
    assertEquals(0, s.core.pci().pendingBits());
    assertEquals(1, s.count(Event.Delivery.MSIX));
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void enablingMsixDeassertsIntxAndIntxDisableHidesIt(Variant v) {
    Sim s = Sim.run(v, "write IMS 0x4\nintx off\nwrite ICS 0x4");
    assertTrue(s.core.pci().intxLevel());
    Event.IntxLevel raise =
        (Event.IntxLevel)
            s.events.stream().filter(e -> e instanceof Event.IntxLevel).findFirst().orElseThrow();
    assertFalse(raise.visible(), "INTx Disable gates it at the PCI core");
    s.then("msix on");
    assertFalse(s.core.pci().intxLevel(), "the MSI-X enable write deasserts INTx");
  }

  /** ad431f0f82: 8.1+ notifies only newly raised causes; 7.2 skips causes already notified. */
  @Test
  void msixNotifiesOnlyNewCauses() {
    String s =
        "msix on\nwrite IVAR 0x00000908\nwrite IMS 0x00500000\nwrite ICS 0x00100000\nwait 1ms\nwrite ICS 0x00400000";
    for (Variant v : new Variant[] {QEMU_7_2_20, QEMU_10_2}) {
      Sim sim = Sim.run(v, s);
      long vector0 = sim.interrupts().stream().filter(i -> i.vector() == 0).count();
      long vector1 = sim.interrupts().stream().filter(i -> i.vector() == 1).count();
      assertEquals(1, vector1, v.id());
      // 8.1+ re-notifies vector 0 once at EITR0 expiry (Q4); 7.2 only with a pending flag.
      assertEquals(v == QEMU_10_2 ? 2 : 1, vector0, v.id());
    }
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void eiacAutoClearsAndEiameClearsIam(Variant v) {
    Sim s =
        Sim.run(
            v,
            "msix on\nwrite IVAR 0x00000008\nwrite EIAC 0x00100000\nwrite CTRL_EXT 0x01000000\nwrite IAM 0x00100004\nwrite IMS 0x00100000\nwrite ICS 0x00100000");
    assertEquals(0, s.core.icr() & ~Cause.ASSERTED, "EIAC cleared RXQ0 from ICR");
    assertEquals(0, s.read(Reg.IMS), "and from IMS (IAME clear)");
    assertEquals(0x4, s.read(Reg.IAM), "EIAME cleared RXQ0 from IAM");
    assertTrue(s.core.reached(Mark.EIAC_AUTO_CLEAR));
  }

  /** Real QEMU leaves INT_ASSERTED and the ICS mirror stale after EIAC: strict checks only. */
  @ParameterizedTest
  @EnumSource(Variant.class)
  void eiacLeavesAssertedAndTheIcsMirrorStale(Variant v) {
    String s =
        "msix on\nwrite IVAR 0x00000008\nwrite EIAC 0x00100000\nwrite IMS 0x00100000\nwrite ICS 0x00100000";
    Sim sim = Sim.run(v, s);
    assertEquals("ok", sim.result());
    assertEquals(0x80000000, sim.core.icr());
    assertEquals(0x80100000, sim.read(Reg.ICS));
    assertEquals("strict:icr-asserted-mismatch", Sim.strict(v, s).result());
    assertEquals(
        "strict:ics-mirror-stale",
        Sim.strict(
                v,
                "msix on\nwrite IVAR 0x00000008\nwrite EIAC 0x00100000\nwrite IMS 0x00100000\nwrite ICS 0x00100004")
            .result());
  }

  /** Bug C (31e3f318c8): 7.2's pending flag is never cleared, so later ITR expiries re-deliver. */
  @Test
  void stalePendingFlagOnlyIn72() {
    String s =
        "write IMS 0x4\nwrite ICS 0x4\nwrite ICS 0x4\nwait 1ms\nwrite ICR 0x4\nwrite IMS 0x1\nwrite ICS 0x1\nwait 1ms";
    Sim pre = Sim.run(QEMU_7_2_0, s);
    assertTrue(pre.core.reached(Mark.STALE_PENDING_FLAG_FIRED));
    Sim post = Sim.run(QEMU_8_1, s);
    assertFalse(post.core.reached(Mark.STALE_PENDING_FLAG_FIRED));
  }

  @Test
  void itrCallbackUnderMsixRaisesIntxEvenWithIntxDisabled() {
    Sim s = Sim.run(QEMU_10_2, "write IMS 0x4\nwrite ICS 0x4\nintx off\nmsix on\nwait 1ms");
    assertEquals(
        "intx-under-msix", s.result(), "the device asserts its pin (IAC++); the PCI core hides it");
    assertTrue(s.core.reached(Mark.ITR_CALLBACK_UNDER_MSIX));
    assertEquals(
        "ok",
        Sim.run(QEMU_10_2, "write IMS 0x4\nwrite ICS 0x4\nwrite ICR 0x4\nmsix on\nwait 1ms")
            .result(),
        "IMS & ICR == 0 at expiry: nothing");
    assertEquals(
        "ok",
        Sim.run(QEMU_10_2, "write IMS 0x4\nwrite ICS 0x4\nmsi on\nmsix on\nwait 1ms").result(),
        "MSI enabled too: the callback sends MSI instead");
  }

  @Test
  void itrIsFiredSynchronouslyByAFullImsWriteWithIntTimersClearEna() {
    String s =
        "write IMS 0x4\nwrite ICS 0x4\nmsix on\nwrite CTRL_EXT 0x20000000\nwrite IMS 0x01f782d7";
    Sim pre = Sim.run(QEMU_7_2_20, s);
    assertEquals("assert:itr-timer-under-msix", pre.result());
    assertEquals(0, pre.core.now(), "no time passed");
    assertTrue(pre.core.reached(Mark.FIRE_ALL_TIMERS));
    assertTrue(
        pre.events.contains(new Event.TimerFiredNow(0, TimerId.ITR)),
        "the forced ITR callback is logged: " + pre.events);
    assertTrue(
        pre.events.stream().noneMatch(e -> e instanceof Event.TimerFired),
        "not as an expiry: " + pre.events);
    assertEquals("intx-under-msix", Sim.run(QEMU_10_2, s).result());
    assertEquals("ok", Sim.run(FIX_MODE_SWITCH, s).result());
  }

  @Test
  void fireAllTimersCollectsOnlyIn72() {
    String s =
        "write TIDV 0xffff\nwrite TCTL 0x2\ntx ide\nwrite CTRL_EXT 0x20000000\nwrite IMS 0x01f782d7";
    Sim pre = Sim.run(QEMU_7_2_20, s);
    assertEquals(0, pre.core.delayedCauses());
    assertFalse(pre.core.timerRunning(TimerId.TIDV));
    Sim post = Sim.run(QEMU_10_2, s);
    assertEquals(Cause.TXDW | Cause.TXQE, post.core.delayedCauses());
    assertEquals(
        "assert:collect-delayed-causes",
        Sim.run(QEMU_7_2_0, "msix on\n" + s.replace("tx ide", "msix off\ntx ide\nmsix on"))
            .result());
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void causesParkedInMsiModeAreRecordedAsSuch(Variant v) {
    Sim s =
        Sim.run(
            v,
            "write TCTL 0x2\nwrite IMS 0x3\nwrite TIDV 0x10\nwait 1ms\nmsi on\ntx ide\nwait 1ms");
    Event.Interrupt msi = s.interrupts().get(s.interrupts().size() - 1);
    assertEquals(Event.Delivery.MSI, msi.delivery());
    assertEquals(Cause.TXDW | Cause.TXQE, msi.parkedInMsi());
  }

  /** A tainted notify postponed by EITR is still reported when the EITR expiry sends it. */
  @Test
  void legacyCauseOverMsixThroughAPostponedNotify() {
    String s =
        "msix on\nwrite ICS 0x00400000\nmsix off\n" // TXQ0 left in ICR, notified to no one
            + "write RDTR 0x10\nwrite RAID 0x10\nwrite RCTL 0x2\nrx ack\nmsix on\n"
            + "write IVAR 0x000a0a00\nwrite IMS 0x01400000\n" // TXQ0 and OTHER -> vector 2: EITR2
            // armed
            + "wait 1ms"; // RDTR collects the ACK at 16 us, EITR2 (128 us) sends it
    Sim s102 = Sim.run(QEMU_10_2, s);
    assertEquals("legacy-cause-over-msix", s102.result());
    assertTrue(s102.violation.detail().contains("EITR expiry"), s102.violation.detail());
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void resetRestoresThePciFunction(Variant v) {
    Sim s = Sim.run(v, "msix on\nmsix vector 1 unmask\nmsi on\nintx off\nreset");
    assertFalse(s.core.pci().msixEnabled());
    assertFalse(s.core.pci().msiEnabled());
    assertFalse(s.core.pci().intxDisabled());
    assertEquals(0x1f, s.core.pci().vectorMaskBits());
  }
}
