package e1kfuzz.model;

import static e1kfuzz.model.Variant.FIX_MODE_SWITCH;
import static e1kfuzz.model.Variant.FIX_V1;
import static e1kfuzz.model.Variant.QEMU_10_2;
import static e1kfuzz.model.Variant.QEMU_7_2_0;
import static e1kfuzz.model.Variant.QEMU_7_2_20;
import static e1kfuzz.model.Variant.QEMU_8_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The runs on real Debian builds of spec §9 (7.2.18 = qemu-7.2.0, 7.2.22 = qemu-7.2.20) and the bug
 * sequences of §10, on every variant.
 */
class SpecRunsTest {
  /** S1: TX causes parked by TIDV=0xffff in INTx mode, then MSI-X enabled. */
  static final String S1 =
      """
      write TIDV 0xffff
      write TCTL 0xa
      tx ide
      msix on
      """;

  /**
   * After the switch: map RXQ0/TXQ0/OTHER to vectors 0/1/2 (libqos' 7.2 IVAR) and unmask causes.
   */
  static final String MSIX_SETUP =
      """
      write IVAR 0x800a0908
      write IMS 0x01f00004
      """;

  @Test
  void s1WaitAbortsBeforeTheFixAndFoldsTheCausesIntoIcrAfter() {
    String wait = S1 + "wait 100ms\n";
    Sim pre = Sim.run(QEMU_7_2_0, wait);
    assertEquals("assert:collect-delayed-causes", pre.result());
    assertEquals(67_107_840L, pre.violation.timeNs(), "TIDV 0xffff x 1024 ns");
    assertTrue(pre.core.reached(Mark.TX_CAUSES_PARKED));
    assertTrue(pre.core.reached(Mark.MSIX_ENABLED_WITH_PARKED_CAUSES));
    assertEquals("assert:collect-delayed-causes", Sim.run(QEMU_8_1, wait).result());

    for (Variant fixed : new Variant[] {QEMU_7_2_20, QEMU_10_2}) {
      Sim post = Sim.run(fixed, wait);
      assertEquals("ok", post.result(), fixed.id());
      assertEquals(0x80000003, post.read(Reg.ICS), "measured on 7.2.22: ICR 0x80000003");
      assertEquals(0, post.core.pci().pendingBits(), "measured on 7.2.22: no PBA bit");
      assertEquals(0, post.core.delayedCauses());
      assertTrue(post.core.reached(Mark.COLLECT_UNDER_MSIX));
    }
  }

  @Test
  void s1FixCandidatesDropTheParkedCauses() {
    String wait = S1 + "wait 100ms\n";
    Sim v1 = Sim.run(FIX_V1, wait);
    assertEquals("ok", v1.result());
    assertEquals(0x80000002, v1.read(Reg.ICS), "only the TXQE of the TCTL write survives");
    assertTrue(v1.core.reached(Mark.PARKED_CAUSES_DISCARDED));

    Sim modeSwitch = Sim.run(FIX_MODE_SWITCH, S1);
    assertEquals(0, modeSwitch.core.delayedCauses());
    assertEquals(0, modeSwitch.core.runningTimers(), "delay timers stopped at the switch");
  }

  @Test
  void s1ThenIcsLscRaisesOtherToVector2() {
    String ics = S1 + MSIX_SETUP + "write ICS 0x4\n";
    assertEquals("assert:collect-delayed-causes", Sim.run(QEMU_7_2_0, ics).result());
    assertEquals("assert:collect-delayed-causes", Sim.run(QEMU_8_1, ics).result());
    for (Variant fixed : new Variant[] {QEMU_7_2_20, QEMU_10_2}) {
      Sim post = Sim.run(fixed, ics);
      assertEquals("ok", post.result(), fixed.id());
      assertEquals(0x81000007, post.read(Reg.ICS), "measured on 7.2.22");
      assertEquals(1 << 2, post.core.pci().pendingBits(), "measured on 7.2.22: PBA bit 2");
    }
  }

  @Test
  void s1ThenFpdFlushCollects() {
    String fpd = S1 + "write TIDV 0x8000ffff\n";
    assertEquals("assert:collect-delayed-causes", Sim.run(QEMU_7_2_0, fpd).result());
    Sim post = Sim.run(QEMU_7_2_20, fpd);
    assertEquals(0x80000003, post.read(Reg.ICS), "measured on 7.2.22");
    assertTrue(post.core.reached(Mark.FPD_FLUSH));
    assertEquals(0xffff, post.read(Reg.TIDV), "FPD is not stored");
  }

  @Test
  void s1ThenSecondTxRaisesTxq0ToVector1() {
    String second = S1 + MSIX_SETUP + "tx\n";
    assertEquals("assert:collect-delayed-causes", Sim.run(QEMU_7_2_0, second).result());
    Sim post = Sim.run(QEMU_7_2_20, second);
    assertEquals(0x80400003, post.read(Reg.ICS), "measured on 7.2.22");
    assertEquals(1 << 1, post.core.pci().pendingBits(), "measured on 7.2.22: PBA bit 1");
  }

  /** S2: ITR=0xffff, IMS=LSC, ICS=LSC in INTx mode, then MSI-X on. */
  @Test
  void s2ItrTimerUnderMsix() {
    String s2 =
        """
        write ITR 0xffff
        write IMS 0x4
        write ICS 0x4
        msix on
        wait 20ms
        """;
    Sim pre = Sim.run(QEMU_7_2_20, s2);
    assertEquals("assert:itr-timer-under-msix", pre.result(), "measured on 7.2.22");
    assertEquals(16_776_960L, pre.violation.timeNs(), "ITR 0xffff x 256 ns");
    assertEquals("assert:itr-timer-under-msix", Sim.run(QEMU_7_2_0, s2).result());
    for (Variant v : new Variant[] {QEMU_8_1, QEMU_10_2, FIX_V1}) {
      Sim later = Sim.run(v, s2);
      assertEquals("intx-under-msix", later.result(), v.id());
      assertTrue(later.core.pci().intxLevel(), "INTx raised again after the switch lowered it");
      assertEquals(2, later.read(Reg.IAC), "once before the switch, once under MSI-X");
    }
    Sim fix = Sim.run(FIX_MODE_SWITCH, s2);
    assertEquals("ok", fix.result());
    assertTrue(!fix.core.timerRunning(TimerId.ITR));
  }

  /** S3: MSI-X on, OTHER -> vector 2, EITR2=0xffff, IMS=OTHER|LSC, ICS=LSC, MSI-X off. */
  @Test
  void s3EitrTimerWithoutMsix() {
    String s3 =
        """
        msix on
        write IVAR 0x000a0000
        write EITR2 0xffff
        write IMS 0x01000004
        write ICS 0x4
        msix off
        wait 20ms
        """;
    Sim pre = Sim.run(QEMU_7_2_20, s3);
    assertEquals("assert:eitr-timer-without-msix", pre.result(), "measured on 7.2.22");
    Sim later = Sim.run(QEMU_10_2, s3);
    assertEquals("ok", later.result());
    assertEquals(1 << 2, later.core.pci().pendingBits(), "the expiry only sets PBA bit 2");
    assertTrue(later.core.reached(Mark.EITR_CALLBACK_WITHOUT_MSIX));
  }

  /** §10.1 RX twin: RXT0 parked by RDTR, then MSI-X on. */
  @Test
  void rxRaceParksRxt0() {
    String rx =
        """
        write RDTR 0x4000
        write RCTL 0x2
        rx
        msix on
        wait 20ms
        """;
    Sim pre = Sim.run(QEMU_8_1, rx);
    assertEquals("assert:collect-delayed-causes", pre.result());
    assertEquals(0x4000 * 1024L, pre.violation.timeNs());
    assertTrue(pre.core.reached(Mark.RX_CAUSES_PARKED));
    Sim post = Sim.run(QEMU_10_2, rx);
    assertEquals(0x80000080, post.read(Reg.ICS), "RXT0 folded into ICR, no vector for it");
  }

  /** §10.1: a parked TCP ACK collected under MSI-X sets ICR.OTHER and notifies OTHER's vector. */
  @Test
  void parkedAckReachesTheOtherVectorAfterTheFix() {
    String ack =
        """
        write RDTR 0x10
        write RAID 0x10
        write RCTL 0x2
        rx ack
        msix on
        write IVAR 0x000a0000
        write IMS 0x01000000
        wait 1ms
        """;
    assertEquals("assert:collect-delayed-causes", Sim.run(QEMU_8_1, ack).result());
    Sim post = Sim.run(QEMU_10_2, ack);
    assertEquals("legacy-cause-over-msix", post.result());
    assertEquals("legacy-cause-over-msix", Sim.run(QEMU_7_2_20, ack).result());
    assertEquals("ok", Sim.run(FIX_V1, ack).result());
    assertEquals("ok", Sim.run(FIX_MODE_SWITCH, ack).result());
    Event.Interrupt pba = post.interrupts().get(0);
    assertEquals(Event.Delivery.PBA, pba.delivery());
    assertEquals(2, pba.vector());
    assertEquals(Cause.ACK, pba.parkedAtMsixEnable());
    assertEquals(Cause.ACK, pba.parkedInIntx());
  }

  /** §9 controls: the timer fires in INTx mode first, or MSI-X is never enabled. */
  @Test
  void controlsPassEverywhere() {
    String noMsix = "write TIDV 0xffff\nwrite TCTL 0xa\ntx ide\nwait 100ms\n";
    String fireFirst = noMsix + "msix on\nwait 100ms\n";
    for (Variant v : Variant.values()) {
      assertEquals("ok", Sim.run(v, noMsix).result(), v.id());
      Sim s = Sim.run(v, fireFirst);
      assertEquals("ok", s.result(), v.id());
      assertEquals(0, s.core.delayedCauses());
    }
  }
}
