package e1kfuzz.model;

import static e1kfuzz.model.Variant.QEMU_10_2;
import static e1kfuzz.model.Variant.QEMU_7_2_20;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Timer units, arm / re-arm / stop rules and firing order (spec §4, §5). */
class TimerTest {
  static final String TX_LEGACY = "write TCTL 0x2\n";

  @ParameterizedTest
  @EnumSource(Variant.class)
  void tidvRestartsOnEveryBatchTadvArmsOnce(Variant v) {
    Sim s = Sim.run(v, TX_LEGACY + "write TIDV 0x10\nwrite TADV 0x40\ntx ide\nwait 10us\ntx ide");
    List<Event.TimerArmed> tidv = s.armed(TimerId.TIDV);
    assertEquals(2, tidv.size());
    assertEquals(16 * 1024, tidv.get(0).deadlineNs(), "1024 ns units");
    assertEquals(10_000 + 16 * 1024, tidv.get(1).deadlineNs(), "full period from now");
    assertEquals(1, s.armed(TimerId.TADV).size(), "absolute timer armed only when not running");
    assertEquals(64 * 1024, s.core.timerDeadline(TimerId.TADV));
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void tadvZeroIsNeverArmedButTidvZeroIsAZeroLengthTimer(Variant v) {
    Sim s = Sim.run(v, TX_LEGACY + "tx ide");
    assertTrue(s.core.timerRunning(TimerId.TIDV), "TIDV = 0 still arms");
    assertFalse(s.core.timerRunning(TimerId.TADV));
    assertEquals(0, s.core.timerDeadline(TimerId.TIDV));
    assertTrue(s.core.reached(Mark.ZERO_LENGTH_DELAY_TIMER));
    assertEquals(0x80000002, s.read(Reg.ICS), "parked, not raised yet");
    s.then("wait 0ns");
    assertEquals(0x80000003, s.read(Reg.ICS), "fires at the next time advance");
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void rxDelayArmsRdtrRadvAndRaidByTheirRules(Variant v) {
    String base = "write RCTL 0x2\nwrite RDTR 0x10\n";
    Sim plain = Sim.run(v, base + "write RADV 0x20\nrx\nwait 1us\nrx");
    assertEquals(2, plain.armed(TimerId.RDTR).size(), "packet timer restarts per frame");
    assertEquals(1, plain.armed(TimerId.RADV).size(), "absolute timer once");
    assertEquals(0, plain.armed(TimerId.RAID).size(), "no ACK: no RAID");
    Sim ack = Sim.run(v, base + "write RAID 0x8\nrx ack");
    assertEquals(8 * 1024, ack.core.timerDeadline(TimerId.RAID));
    Sim ackNoRaid = Sim.run(v, base + "rx ack");
    assertEquals(0x80020080, ackNoRaid.read(Reg.ICS), "RAID = 0: ACK not delayed");
    Sim noRdtr = Sim.run(v, "write RCTL 0x2\nrx");
    assertEquals(0x80000080, noRdtr.read(Reg.ICS), "RDTR = 0: not delayed");
    Sim srpd = Sim.run(v, base + "write RSRPD 0x100\nrx small");
    assertEquals(0x80010080, srpd.read(Reg.ICS), "a non-delayable cause sends the parked ones too");
    assertEquals(0, srpd.core.runningTimers());
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void delayingNeverHappensUnderMsix(Variant v) {
    Sim s =
        Sim.run(
            v,
            "msix on\nwrite TIDV 0xffff\nwrite RDTR 0xffff\nwrite RCTL 0x2\n"
                + TX_LEGACY
                + "tx ide\nrx");
    assertEquals(0, s.core.delayedCauses());
    assertEquals(0, s.core.runningTimers() & TimerId.DELAY_TIMERS);
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void collectStopsAllFiveDelayTimers(Variant v) {
    Sim s =
        Sim.run(
            v,
            TX_LEGACY
                + "write TIDV 0x100\nwrite TADV 0x200\nwrite RDTR 0x100\nwrite RADV 0x200\nwrite RCTL 0x2\ntx ide\nrx\nwrite ICS 0x4");
    assertEquals(0, s.core.runningTimers() & TimerId.DELAY_TIMERS);
    assertEquals(0x80000087, s.read(Reg.ICS));
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void itrIsReArmedByEveryDeliveredLegacyInterrupt(Variant v) {
    Sim s = Sim.run(v, "write IMS 0x5\nwrite ICS 0x4");
    assertEquals(128_000, s.core.timerDeadline(TimerId.ITR), "default 500 x 256 ns");
    s.then("write ICR 0x4\nwrite ICS 0x1");
    assertEquals(1, s.armed(TimerId.ITR).size(), "postponed while running");
    assertTrue(s.core.reached(Mark.ITR_POSTPONED));
    s.then("wait 200us\nwrite ICS 0x4");
    assertTrue(s.armed(TimerId.ITR).size() >= 2);
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void eitrIsArmedPerVectorByMsixNotifies(Variant v) {
    Sim s =
        Sim.run(
            v,
            "msix on\nwrite IVAR 0x00000b00\nwrite EITR3 0x1000\nwrite IMS 0x00400000\nwrite ICS 0x00400000");
    assertEquals(0x1000 * 256L, s.core.timerDeadline(TimerId.EITR3));
    assertFalse(s.core.timerRunning(TimerId.ITR), "no ITR under MSI-X");
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void timersDueAtTheSameInstantFireInArmOrder(Variant v) {
    // RXQ0 -> vector 0, TXQ0 -> vector 1, same EITR period: both expire at 128 us.
    String setup = "msix on\nwrite IVAR 0x00000908\nwrite IMS 0x00500000\n";
    Sim rxFirst = Sim.run(v, setup + "write ICS 0x00100000\nwrite ICS 0x00400000\nwait 1ms");
    // The first expiries (fix-throttle goes on sending for the still active causes, re-arming).
    assertEquals(List.of(TimerId.EITR0, TimerId.EITR1), rxFirst.firedOrder().subList(0, 2));
    Sim txFirst = Sim.run(v, setup + "write ICS 0x00400000\nwrite ICS 0x00100000\nwait 1ms");
    assertEquals(
        List.of(TimerId.EITR1, TimerId.EITR0),
        txFirst.firedOrder().subList(0, 2),
        "arm order, not enum order");
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void expireAdvancesExactlyToTheDeadlineOrDoesNothing(Variant v) {
    Sim s = Sim.run(v, TX_LEGACY + "write TIDV 0xffff\nexpire tadv");
    assertEquals(0, s.core.now(), "tadv not running: no-op");
    s.then("tx ide\nwait 1ms\nexpire tidv");
    assertEquals(67_107_840L, s.core.now());
    assertEquals(0x80000003, s.read(Reg.ICS));
  }

  @Test
  void autonegCompletesOnTheNextWholeMillisecondPlus500() {
    Sim s = Sim.run(QEMU_10_2, "wait 1500us\nlink down");
    assertEquals(0x80000004, s.read(Reg.ICS), "link down: LSC at once");
    s.then("write ICR 0xffffffff\nlink up");
    assertEquals(
        501_000_000L, s.core.timerDeadline(TimerId.AUTONEG), "ms timer: floor(1.5 ms) + 500 ms");
    assertEquals(0, s.read(Reg.ICS), "no LSC before autoneg completes");
    s.then("expire autoneg");
    assertEquals(Cause.LSC, s.read(Reg.ICS) & Cause.LSC);
    assertEquals(2, s.read(Reg.STATUS) & 2, "link up");
  }

  @Test
  void autonegCompletionIsDroppedIfTheLinkWentDownAgain() {
    Sim s = Sim.run(QEMU_7_2_20, "link down\nlink up\nlink down\nwrite ICR 0xffffffff\nwait 600ms");
    assertEquals(0, s.read(Reg.ICS) & Cause.LSC);
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void resetStopsEveryTimerAndClearsDelayedCauses(Variant v) {
    Sim s =
        Sim.run(
            v,
            TX_LEGACY
                + "write TIDV 0xffff\ntx ide\nwrite IMS 0x4\nwrite ICS 0x4\nlink down\nlink up\nreset");
    assertEquals(0, s.core.runningTimers());
    assertEquals(0, s.core.delayedCauses());
    assertEquals("ok", s.result());
  }

  /** Found by the differential campaign against Debian's 7.2.22 (corpus/ok-6524bd63ba28.trace). */
  @ParameterizedTest
  @EnumSource(Variant.class)
  void linkUpOnAnUpLinkRestartsAutonegotiationUntilItCompletedOnce(Variant v) {
    Sim s = Sim.run(v, "link up");
    assertEquals(0x80000004, s.read(Reg.ICS), "LU dropped: LSC at once");
    assertEquals(0, s.read(Reg.STATUS) & 2);
    s.then("write ICR 0xffffffff\nwait 600ms");
    assertEquals(0x80000004, s.read(Reg.ICS), "autoneg done: LSC again");
    assertEquals(2, s.read(Reg.STATUS) & 2);
    s.then("write ICR 0xffffffff\nlink up");
    assertEquals(0, s.read(Reg.ICS), "autoneg already completed: nothing changes");
    s.then("reset\nlink up");
    assertEquals(0x80000004, s.read(Reg.ICS), "a reset clears AN_COMP again");
  }
}
