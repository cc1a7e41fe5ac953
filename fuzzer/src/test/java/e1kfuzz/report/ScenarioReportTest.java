package e1kfuzz.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import e1kfuzz.model.Outcome;
import e1kfuzz.model.Variant;
import e1kfuzz.scenario.Scenario;
import e1kfuzz.scenario.ScenarioFiles;
import e1kfuzz.scenario.ScenarioFinding;
import e1kfuzz.scenario.ScenarioSearch;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScenarioReportTest {
  /** A cell's mark: ✗ only when QEMU disagreed somewhere, not when it could not run an offset. */
  @Test
  void aCellIsCrossedOnlyWhenQemuDisagreed() throws Exception {
    Scenario s =
        ScenarioFiles.parse(
            "t.scenario",
            "@scenario t\n@title t\n@driver d\n@source s\n@window g = 0ns..1us\nwait {g}\n");
    ScenarioSearch.Segment all = new ScenarioSearch.Segment(0, 999, "ok", new Outcome.Passed(1, 0));
    ScenarioSearch.Result r =
        new ScenarioSearch.Result(
            s,
            Variant.QEMU_10_2,
            List.of(new ScenarioSearch.ChoiceResult(Map.of(), List.of(all))),
            1,
            1,
            1);
    ScenarioFinding.Check yes = new ScenarioFinding.Check(0, "ok", true, true, false, "confirmed");
    ScenarioFinding.Check unsure = new ScenarioFinding.Check(0, "ok", true, true, true, "≈");
    ScenarioFinding.Check none = new ScenarioFinding.Check(999, "ok", true, null, false, "not run");
    ScenarioFinding.Check no = new ScenarioFinding.Check(999, "ok", true, false, false, "NOT");
    assertEquals("safe ✓", cell(r, List.of(yes, yes)));
    assertEquals("safe ≈", cell(r, List.of(yes, unsure)));
    assertEquals("safe (not replayed on an exact build: see below)", cell(r, List.of(yes, none)));
    assertEquals("safe ✗", cell(r, List.of(none, no)));
    assertEquals("safe", cell(r, List.of()));
  }

  private static String cell(ScenarioSearch.Result r, List<ScenarioFinding.Check> checks) {
    ScenarioFinding f =
        new ScenarioFinding(
            "ok", Map.of(), r.atDefaults().segments(), 0, List.of(), null, null, checks);
    return ScenarioReport.cell(new ScenarioReport.VariantRun(r, List.of(f), Map.of()));
  }
}
