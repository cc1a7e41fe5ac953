package e1kfuzz.report;

import static e1kfuzz.report.HtmlReportTest.replay;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import e1kfuzz.model.TimerId;
import e1kfuzz.model.Variant;
import e1kfuzz.report.TimelineLayout.Band;
import e1kfuzz.report.TimelineLayout.Bar;
import e1kfuzz.report.TimelineLayout.Column;
import e1kfuzz.report.TimelineLayout.End;
import e1kfuzz.report.TimelineLayout.Lane;
import e1kfuzz.report.TimelineLayout.Marker;
import e1kfuzz.report.TimelineLayout.Shape;
import e1kfuzz.report.TimelineLayout.Span;
import e1kfuzz.report.TimelineLayout.Tone;
import e1kfuzz.report.TimelineLayout.Violation;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The timeline's layout, without SVG: which lanes there are, where spans start and end, where
 * markers sit, checked against what the corpus traces say happened (steps count from 1).
 */
class TimelineLayoutTest {

  static TimelineLayout layout(String corpusName, Variant v) throws Exception {
    return TimelineLayout.of(replay(corpusName, v));
  }

  static Column column(TimelineLayout l, int step) {
    Column c = l.columns().get(step - 1);
    assertEquals(step, c.step());
    return c;
  }

  /** Strictly inside the column, after the step's own action (its events come after it). */
  static void assertAfterActionIn(TimelineLayout l, int step, double x, String what) {
    Column c = column(l, step);
    assertTrue(
        c.actionX() < x && x < c.x() + c.width(),
        what
            + " at "
            + x
            + " is not in step "
            + step
            + "'s column after its action: "
            + c.x()
            + ".."
            + (c.x() + c.width()));
  }

  static List<String> names(TimelineLayout l) {
    return l.lanes().stream().map(Lane::name).toList();
  }

  @Test
  void theSeedRaceOn720_tidvRunsFromTheTxStepToItsExpiryInTheWaitAndTheViolationFollowsIt()
      throws Exception {
    TimelineLayout l = layout("s1-tidv-race", Variant.QEMU_7_2_0);
    assertEquals(
        List.of(
            "write TIDV 0x0000ffff", "write TCTL 0x0000000a", "tx ide", "msix on", "wait 100ms"),
        l.columns().stream().map(Column::label).toList(),
        "the run stops at the violating step");
    assertEquals("#5 · 0 ns → 67.108 ms", column(l, 5).time());
    assertEquals(
        List.of(false, false, false, false, true),
        l.columns().stream().map(Column::violating).toList());
    assertEquals(
        List.of("guest", "mode", "TIDV", "delayed_causes", "interrupts", "violation"), names(l));

    assertEquals(1, l.timers().size());
    assertEquals(TimerId.TIDV, l.timers().get(0).timer());
    List<Bar> bars = l.timers().get(0).bars();
    assertEquals(1, bars.size());
    Span tidv = bars.get(0).span();
    assertEquals(3, tidv.fromStep(), "armed by tx ide");
    assertEquals(5, tidv.toStep(), "fired during the wait");
    assertEquals(End.FIRED, tidv.end());
    assertAfterActionIn(l, 3, tidv.x1(), "arming");
    assertAfterActionIn(l, 5, tidv.x2(), "expiry");
    assertEquals("due 67.108 ms", bars.get(0).label());
    assertEquals(
        "tidv: armed at 0 ns (step 3), due at 67107840 ns (period 67107840 ns); fired at 67107840 ns (step 5)",
        tidv.title());

    // The causes are parked in the tx column and never collected: held to the end.
    assertEquals(1, l.delayedMarkers().size());
    Marker park = l.delayedMarkers().get(0);
    assertEquals(3, park.step());
    assertEquals(Shape.DOWN, park.shape());
    assertEquals(Tone.PARK, park.tone());
    assertEquals("park TXDW|TXQE (INTx mode)", park.label());
    assertAfterActionIn(l, 3, park.x(), "parking");
    assertEquals(1, l.held().size());
    Span held = l.held().get(0);
    assertEquals(park.x(), held.x1(), "held from the park marker");
    assertEquals(End.RUNNING, held.end());
    assertEquals(
        "delayed_causes TXDW|TXQE: held from 0 ns (step 3), still held at the end", held.title());
    assertTrue(
        held.x2() > column(l, 5).actionX() && held.x2() <= l.right(),
        "held until the end: " + held.x2());

    Violation v = l.violation().orElseThrow();
    assertEquals(5, v.step());
    assertAfterActionIn(l, 5, v.x(), "violation");
    assertTrue(v.x() > tidv.x2(), "the violation is the expiry's consequence, drawn after it");
    assertEquals(
        "assert:collect-delayed-causes at step 5, 67.108 ms: collect under MSI-X with delayed_causes TXDW|TXQE",
        v.label());
    assertTrue(l.interruptMarkers().isEmpty(), "IMS is 0: nothing delivered");
    assertTrue(l.intx().isEmpty());

    // INTx until msix on, then MSI-X to the end.
    assertEquals(List.of("INTx", "MSI-X"), l.bands().stream().map(Band::mode).toList());
    assertEquals(column(l, 4).actionX(), l.bands().get(0).x2());
    assertEquals(column(l, 4).actionX(), l.bands().get(1).x1());
  }

  @Test
  void columnsAndLanesTileTheDrawingAndEveryLabelFitsInIt() throws Exception {
    for (String name :
        List.of(
            "s1-tidv-race",
            "rx-ack-race",
            "s2-itr-race",
            "msi-and-msix-itr",
            "device-reset-parked",
            "delivery-eitr-echo")) {
      for (Variant variant : Variant.values()) {
        TimelineLayout l = layout(name, variant);
        String where = name + " on " + variant.id();
        double x = TimelineLayout.LEFT;
        for (Column c : l.columns()) {
          assertEquals(x, c.x(), where + ": columns side by side");
          assertTrue(
              c.label().length() * TimelineLayout.CHAR < c.width(),
              where + ": '" + c.label() + "' fits its column");
          for (int k = 1; k < c.eventX().size(); k++) {
            assertTrue(
                c.eventX().get(k - 1) < c.eventX().get(k),
                where + ": events of step " + c.step() + " keep their order");
          }
          x += c.width();
        }
        assertEquals(x, l.right(), where);
        double y = l.top();
        for (Lane lane : l.lanes()) {
          assertEquals(
              y, lane.y(), where + ": lane " + lane.name() + " right under the previous one");
          y += lane.height();
        }
        assertEquals(y, l.bottom(), where);
        for (Marker m : concat(l.delayedMarkers(), l.interruptMarkers(), l.intxMarkers())) {
          double w = m.label().length() * TimelineLayout.CHAR;
          assertTrue(
              m.labelLeft() ? m.x() - w >= TimelineLayout.LEFT : m.x() + w < l.width(),
              where + ": '" + m.label() + "' fits");
        }
        for (Violation v : l.violation().stream().toList()) {
          for (String line : v.lines()) {
            assertTrue(
                v.labelX() >= TimelineLayout.LEFT
                    && v.labelX() + line.length() * TimelineLayout.CHAR < l.width(),
                where + ": violation line '" + line + "' fits");
          }
        }
      }
    }
  }

  @Test
  void aViolationLabelTooLongForEitherSideOfItsMarkerWrapsWithinTheColumns() throws Exception {
    for (String name :
        List.of(
            "delivery-eitr-echo",
            "delivery-spurious-pending-flag-message",
            "delivery-itr-unthrottled")) {
      TimelineLayout l = layout(name, Variant.QEMU_10_2);
      Violation v = l.violation().orElseThrow();
      assertTrue(
          v.lines().size() > 1, name + ": " + v.label().length() + " characters on one line");
      assertEquals(v.label(), String.join(" ", v.lines()), name + ": broken only at spaces");
      assertEquals(v.lines().size(), v.lane().rows(), name + ": a row per line");
      for (String line : v.lines()) {
        double end = v.labelX() + line.length() * TimelineLayout.CHAR;
        assertTrue(
            v.labelX() >= TimelineLayout.LEFT && end <= l.right(),
            name + ": '" + line + "' within the columns: " + v.labelX() + ".." + end);
        assertTrue(end < v.x() || v.labelX() > v.x(), name + ": '" + line + "' beside the marker");
      }
      assertEquals(
          l.right() + TimelineLayout.RIGHT_MARGIN,
          l.width(),
          name + ": the drawing is as wide as its columns");
    }
    Violation fits = layout("s1-tidv-race", Variant.QEMU_7_2_0).violation().orElseThrow();
    assertEquals(List.of(fits.label()), fits.lines(), "a label that fits stays on one line");
  }

  @Test
  void aWaitSpreadsItsIntervalAcrossItsColumn() throws Exception {
    // Fixed in 7.2.20: TIDV fires 67.1 ms into the 100 ms wait and collects the parked causes.
    TimelineLayout l = layout("s1-tidv-race", Variant.QEMU_7_2_20);
    Column wait = column(l, 5);
    assertEquals("#5 · 0 ns → 100 ms", wait.time());
    Span tidv = l.timers().get(0).bars().get(0).span();
    assertEquals(End.FIRED, tidv.end());
    double along = (tidv.x2() - wait.x()) / wait.width();
    assertTrue(0.55 < along && along < 0.8, "about two thirds along the wait: " + along);
    Marker collect = l.delayedMarkers().get(1);
    assertEquals(Tone.COLLECT_MSIX, collect.tone());
    assertEquals("collect TXDW|TXQE under MSI-X", collect.label());
    Span held = l.held().get(0);
    assertEquals(List.of(3, 5, End.STOPPED), List.of(held.fromStep(), held.toStep(), held.end()));
    assertEquals(collect.x(), held.x2(), "held until the collect marker");
    assertTrue(collect.x() > tidv.x2(), "collected by the expiry's callback");
    assertTrue(l.violation().isEmpty());
    assertFalse(names(l).contains("violation"));
  }

  @Test
  void theFixDiscardsTheParkedCausesAndStopsTidvAtTheMsixEnable() throws Exception {
    TimelineLayout l = layout("s1-tidv-race", Variant.FIX_MODE_SWITCH);
    assertEquals(6, l.columns().size(), "no violation: every step runs");
    Span tidv = l.timers().get(0).bars().get(0).span();
    assertEquals(List.of(3, 4, End.STOPPED), List.of(tidv.fromStep(), tidv.toStep(), tidv.end()));
    assertAfterActionIn(l, 4, tidv.x2(), "stop");
    Span held = l.held().get(0);
    assertEquals(List.of(3, 4, End.STOPPED), List.of(held.fromStep(), held.toStep(), held.end()));
    Marker discard = l.delayedMarkers().get(1);
    assertEquals(
        List.of(4, Shape.CROSS, Tone.DISCARD),
        List.of(discard.step(), discard.shape(), discard.tone()));
    assertEquals(discard.x(), held.x2());
    assertEquals(List.of("guest", "mode", "TIDV", "delayed_causes", "interrupts"), names(l));
  }

  @Test
  void aResetEndsTheHeldCausesAtItsLastEventAndStopsTheTimers() throws Exception {
    TimelineLayout l = layout("device-reset-parked", Variant.QEMU_7_2_20);
    int reset = 7;
    assertEquals("reset", column(l, reset).label());
    // No event says the causes went: the state after the reset does.
    Span held = l.held().get(0);
    assertEquals(
        List.of(6, reset, End.STOPPED), List.of(held.fromStep(), held.toStep(), held.end()));
    assertTrue(held.title().endsWith("to step " + reset), held.title());
    List<Double> events = column(l, reset).eventX();
    assertEquals(events.get(events.size() - 1), held.x2(), "at the reset's last event");
    assertEquals(
        List.of(TimerId.TIDV, TimerId.ITR),
        l.timers().stream().map(t -> t.timer()).toList(),
        "in TimerId order");
    for (var t : l.timers()) {
      Span s = t.bars().get(0).span();
      assertEquals(
          List.of(reset, End.STOPPED),
          List.of(s.toStep(), s.end()),
          t.timer() + " stopped by the reset");
    }
  }

  @Test
  void interruptMarkersSayHowTheyWereSentAndWhereTheirCausesCameFrom() throws Exception {
    TimelineLayout itr = layout("s2-itr-race", Variant.QEMU_10_2);
    List<Marker> intx = itr.interruptMarkers();
    assertEquals(
        List.of("INTx LSC (direct)", "INTx LSC (direct)"),
        intx.stream().map(Marker::label).toList());
    assertEquals(
        List.of(3, 5),
        intx.stream().map(Marker::step).toList(),
        "the ICS write, then the ITR expiry in the wait");
    assertTrue(intx.stream().allMatch(m -> m.shape() == Shape.SQUARE && m.tone() == Tone.DIRECT));
    assertTrue(itr.intx().isPresent(), "the INTx pin changed: a lane for its line");
    assertTrue(itr.intxLevels().stream().anyMatch(TimelineLayout.Level::high));

    TimelineLayout ack = layout("rx-ack-race", Variant.QEMU_10_2);
    Marker pba =
        ack.interruptMarkers().stream().filter(m -> m.tone() == Tone.BAD).findFirst().orElseThrow();
    assertEquals(Shape.HOLLOW_DIAMOND, pba.shape());
    assertEquals(
        "PBA bit 2 ACK|OTHER (parked in INTx ACK; still parked at MSI-X enable ACK)", pba.label());
    assertTrue(
        pba.title().startsWith("MSI-X pending bit 2 [ACK|OTHER; direct -; parked in INTx ACK;"),
        "the model's words: " + pba.title());
    assertEquals(8, pba.step());
    assertEquals(8, ack.violation().orElseThrow().step());
  }

  @SafeVarargs
  private static List<Marker> concat(List<Marker>... lists) {
    return java.util.Arrays.stream(lists).flatMap(List::stream).toList();
  }
}
