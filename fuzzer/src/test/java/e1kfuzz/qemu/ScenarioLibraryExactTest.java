package e1kfuzz.qemu;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import e1kfuzz.model.Variant;
import e1kfuzz.scenario.Scenario;
import e1kfuzz.scenario.ScenarioFiles;
import e1kfuzz.scenario.ScenarioFinding;
import e1kfuzz.scenario.ScenarioSearch;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every outcome of every library scenario, on every variant, replayed on its exact build at both
 * edges of each window and one nanosecond outside them: QEMU must do what the model says there, and
 * show a delivery finding in its own observations. Skipped, visibly, without the builds.
 */
class ScenarioLibraryExactTest {
  @TestFactory
  Stream<DynamicNode> everyWindowEdgeOfTheLibraryReplaysOnTheExactBuilds() throws Exception {
    List<Scenario> library = ScenarioFiles.readAll(List.of(Path.of("..", "scenarios")));
    return library.stream()
        .map(
            s ->
                DynamicContainer.dynamicContainer(
                    s.id(),
                    Stream.of(Variant.values())
                        .map(
                            v ->
                                DynamicTest.dynamicTest(
                                    v.id(),
                                    () -> {
                                      ExactQemuTest.exact(v);
                                      check(s, v);
                                    }))));
  }

  private static void check(Scenario s, Variant v) {
    ScenarioSearch.Result r = ScenarioSearch.search(s, v, new ScenarioSearch.Options(100, 4096, 1));
    Map<Map<String, String>, Map<Long, e1kfuzz.diff.Confirmation.Verdict>> verdicts =
        new LinkedHashMap<>();
    for (ScenarioFinding f : ScenarioFinding.of(r)) {
      ScenarioFinding checked =
          f.checked(r, 4, verdicts.computeIfAbsent(f.choice(), c -> new LinkedHashMap<>()));
      assertFalse(checked.checks().isEmpty());
      for (ScenarioFinding.Check c : checked.checks()) {
        assertTrue(
            Boolean.TRUE.equals(c.confirmed()),
            () ->
                s.id()
                    + " on "
                    + v.id()
                    + " ("
                    + f.result()
                    + ") at "
                    + c.offsetNs()
                    + " ns, "
                    + s.describe(f.choice())
                    + ": "
                    + c.verdict());
      }
    }
  }
}
