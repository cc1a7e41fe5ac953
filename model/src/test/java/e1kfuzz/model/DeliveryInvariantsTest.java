package e1kfuzz.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The delivery invariants at their edges: what they must not flag (the 82574 allows it) as much as
 * what they must, and how a delivery finding ranks against the others in one run.
 */
class DeliveryInvariantsTest {

  private static Outcome run(Variant v, String text) throws TraceSyntaxException {
    return Runner.run(v, TraceParser.parse("t", text).steps(), false);
  }

  private static String result(Variant v, String text) throws TraceSyntaxException {
    return run(v, text).result();
  }

  /** The EITR echo of 8.1+ (corpus/delivery-eitr-echo.trace), then the seed race on top. */
  private static final String ECHO =
      "msix on\nmsix vector 2 unmask\nwrite IVAR 0x00000a00\nwrite EIAC 0x00400000\n"
          + "write IMS 0x00400000\nwrite TCTL 0x2\ntx\nwait 1ms\n";

  @Test
  void aDeliveryFindingNeverHidesTheCrashAfterIt() throws Exception {
    assertEquals("delivery:spurious-interrupt", result(Variant.QEMU_8_1, ECHO));
    // The seed race after the echo: MSI-X off, TX with IDE parks causes, MSI-X on, TIDV fires.
    String race =
        ECHO + "msix off\nwrite TIDV 0x10\nwrite IMS 0x00000001\ntx ide\nmsix on\nwait 100ms\n";
    Outcome o = run(Variant.QEMU_8_1, race);
    assertEquals("assert:collect-delayed-causes", o.result());
    assertEquals(race.split("\n").length, ((Outcome.Violated) o).step());
    // On 10.2 the collect is fixed: the spurious interrupt (step 8) stays the outcome.
    Outcome fixed = run(Variant.QEMU_10_2, race);
    assertEquals("delivery:spurious-interrupt", fixed.result());
    assertEquals(8, ((Outcome.Violated) fixed).step());
  }

  @Test
  void aMessageForTwoCausesOfOneVectorAutoClearsBoth() throws Exception {
    // TXQ0 and TXQ1 both map to vector 3: the message QEMU sends for TXQ0 carries TXQ1 too, so
    // auto-clearing TXQ1 at that instant is what the 82574 does (QEMU's loop sees it "postponed").
    String t =
        "write EIAC 0x00800000\nwrite IVAR 0x0000bb00\nmsix on\nwrite IMS 0x00c00000\n"
            + "write ICS 0x00c00000\n";
    for (Variant v : List.of(Variant.QEMU_8_1, Variant.QEMU_10_2)) {
      assertEquals("ok", result(v, t), v.id());
    }
  }

  @Test
  void theCounterIsLoadedWithTheIntervalProgrammedWhenTheInterruptWasIssued() throws Exception {
    // ITR is written after the MSI: the counter loaded at 0 had no interval, so the MSI at the
    // ITR expiry (128 us, QEMU's floor) is not too soon although ITR now programs 131.072 us.
    String t =
        "msi on\nwrite IMS 0x00000004\nwrite ICS 0x00000004\nwrite ITR 0x00000200\nexpire itr\n";
    assertEquals("ok", result(Variant.QEMU_10_2, t));
    // Programmed before: the expiry MSI loads 1.024 us, and LSC comes 0 ns later.
    String before =
        "write ITR 0x00000004\nmsi on\nwrite IMS 0x00000005\nwrite ICS 0x00000001\nwait 128us\n"
            + "link down\n";
    assertEquals("delivery:unthrottled-interrupt", result(Variant.QEMU_10_2, before));
    assertEquals("ok", result(Variant.QEMU_7_2_0, before));
  }

  @Test
  void clearingTheTimersThroughImsAllowsTheNextInterruptAtOnce() throws Exception {
    // CTRL_EXT.INT_TIMERS_CLEAR_ENA with a full IMS write: the guest clears every counter, so on
    // 7.2 the MSI for the newly unmasked TXQ1 may follow the LSC one at once. 8.1+ runs the ITR
    // callback there, which sends LSC's MSI again, and then TXQ1's at the same instant: two
    // interrupts 0 ns apart after the counters were cleared (fix-throttle's callback re-arms ITR).
    String t =
        "msi on\nwrite IMS 0x00000004\nwrite ITR 0x00000001\nwrite ICS 0x00800004\n"
            + "write CTRL_EXT 0x20000000\nwrite IMS 0x01f782d7\n";
    for (Variant v : Variant.values()) {
      boolean rearms =
          v == Variant.QEMU_7_2_0 || v == Variant.QEMU_7_2_20 || v == Variant.FIX_THROTTLE;
      assertEquals(rearms ? "ok" : "delivery:unthrottled-interrupt", result(v, t), v.id());
    }
  }

  @Test
  void aResetLeavesNoThrottlingProgrammed() throws Exception {
    // ITR = 0x400 before the reset; after it the guest has programmed nothing, so the INTx at
    // QEMU's 128 us ITR expiry is not too soon.
    String t =
        "write ITR 0x00000400\nreset\nwrite ICS 0x00040000\nwrite IMS 0x00040000\nread ICR\n"
            + "write ICS 0x00040000\nwait 254us\n";
    for (Variant v : Variant.values()) {
      assertEquals("ok", result(v, t), v.id());
    }
  }

  @ParameterizedTest
  @EnumSource(Variant.class)
  void aCauseClearedByTheDriverBeforeTheTimerIsNotOwed(Variant v) throws Exception {
    // INTx mode, ITR running: the driver clears the cause before the throttled assertion; nothing
    // is pending when the timers run out, so nothing is lost.
    String t =
        "write IMS 0x00000004\nwrite ICS 0x00000004\nwrite ICR 0xffffffff\nwrite ICS 0x00000004\n"
            + "write IMC 0x00000004\nwait 1ms\n";
    assertEquals("ok", result(v, t));
  }

  @Test
  void aTraceThatEndsWhileTimersRunIsJudgedOnceTheyRunOut() throws Exception {
    // 7.2's stale msi_causes_pending: the lost MSI shows only once the ITR armed at the end runs
    // out (settle), without a step more in the trace.
    String t =
        "msi on\nwrite IMS 0x00800200\nwrite ICS 0x00800200\nmsi off\nwait 128us\n"
            + "write ICR 0x01000000\nmsi on\nwrite MDIC 0x20200000\n";
    Outcome o = run(Variant.QEMU_7_2_0, t);
    assertEquals("delivery:lost-interrupt", o.result());
    Outcome.Violated v = assertInstanceOf(Outcome.Violated.class, o);
    assertEquals(8, v.step());
    assertTrue(v.detail().contains("once every timer had run out"), v.detail());
    assertEquals("ok", result(Variant.QEMU_8_1, t));
  }
}
