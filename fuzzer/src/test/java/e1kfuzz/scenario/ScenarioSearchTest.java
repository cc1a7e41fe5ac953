package e1kfuzz.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import e1kfuzz.model.Variant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScenarioSearchTest {
  static final String PARK =
      ScenarioFilesTest.HEAD
          + "@param rd = 0x20 0x1 0x123 0x0\n"
          + "@window gap = 0ns..400us\n"
          + "write RDTR {rd}\nwrite RCTL 0x2\nrx\nwait {gap}\nmsix on\nwait 100ms\n";

  /**
   * A frame parked by RDTR aborts qemu-7.2.0 when MSI-X comes on before the timer fires: the window
   * is exactly RDTR x 1024 ns (spec §4, §10.1), whatever the grid, because its edge is found by
   * bisection.
   */
  @Test
  void theWindowIsTheDelayTimerToTheNanosecond() throws Exception {
    Scenario s = ScenarioFiles.parse("park.scenario", PARK);
    for (int grid : new int[] {1, 7, 1000}) {
      ScenarioSearch.Result r =
          ScenarioSearch.search(s, Variant.QEMU_7_2_0, new ScenarioSearch.Options(grid, 100, 1));
      assertEquals(4, r.choices().size());
      for (ScenarioSearch.ChoiceResult c : r.choices()) {
        long rdtr = Long.decode(c.choice().get("rd"));
        long expected = Math.min(rdtr * 1024, 400_000);
        assertEquals(
            expected,
            c.widthNs("assert:collect-delayed-causes"),
            () -> c.choice() + " grid " + grid);
        if (expected > 0) {
          assertEquals(0, c.segmentsOf("assert:collect-delayed-causes").get(0).loNs());
        }
        assertEquals(
            400_000, c.segments().stream().mapToLong(ScenarioSearch.Segment::widthNs).sum());
      }
      assertEquals(3, r.choicesReaching("assert:collect-delayed-causes"));
      assertEquals("0x123", r.widest("assert:collect-delayed-causes").choice().get("rd"));
    }
    // A window near the switch is found however coarse the grid: geometric points near the start.
    Scenario far = ScenarioFiles.parse("far.scenario", PARK.replace("0ns..400us", "0ns..100ms"));
    for (int grid : new int[] {1, 2, 37}) {
      ScenarioSearch.Result r =
          ScenarioSearch.search(far, Variant.QEMU_7_2_0, new ScenarioSearch.Options(grid, 1, 1));
      assertEquals(32_768, r.atDefaults().widthNs("assert:collect-delayed-causes"), "grid " + grid);
    }
    // The merged fix leaves no window at all.
    ScenarioSearch.Result fixed =
        ScenarioSearch.search(s, Variant.QEMU_10_2, ScenarioSearch.Options.defaults());
    assertEquals(List.of("ok"), List.copyOf(fixed.results()));
  }

  @Test
  void tooManyChoicesAreSampledWithTheDefaultsFirstAndTheSameSeedGivesTheSameSample()
      throws Exception {
    Scenario s =
        ScenarioFiles.parse(
            "many.scenario",
            ScenarioFilesTest.HEAD
                + "@param a = 0x0 0x1 0x2 0x3 0x4 0x5 0x6 0x7\n@param b = 0x0 0x1 0x2 0x3 0x4 0x5 0x6 0x7\n"
                + "write RDTR {a}\nwrite RADV {b}\nwrite RCTL 0x2\nrx\nmsix on\nwait 1ms\n");
    ScenarioSearch.Options o = new ScenarioSearch.Options(10, 10, 42);
    List<Map<String, String>> one = ScenarioSearch.choices(s, o);
    assertEquals(10, one.size());
    assertEquals(s.defaults(), one.get(0));
    assertEquals(one, ScenarioSearch.choices(s, o));
    assertEquals(10, one.stream().distinct().count());
    ScenarioSearch.Result r = ScenarioSearch.search(s, Variant.QEMU_7_2_0, o);
    assertEquals(64, r.allChoices());
    assertTrue(!r.exhaustive());
    // Without a window a choice is one run: RDTR 0 never parks, any other value does.
    for (ScenarioSearch.ChoiceResult c : r.choices()) {
      boolean parks = !c.choice().get("a").equals("0x0");
      assertEquals(
          parks ? "assert:collect-delayed-causes" : "ok",
          c.segments().get(0).result(),
          c.choice()::toString);
    }
  }
}
