package e1kfuzz.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import e1kfuzz.corpus.BadInputException;
import e1kfuzz.model.Step;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScenarioFilesTest {
  static final String HEAD = "@scenario t\n@title a test\n@driver none\n@source nowhere, v0\n";

  static Scenario parse(String body) throws BadInputException {
    return ScenarioFiles.parse("x.scenario", HEAD + body);
  }

  static String error(String text) {
    return assertThrows(BadInputException.class, () -> ScenarioFiles.parse("x.scenario", text))
        .getMessage();
  }

  @Test
  void placeholdersAreSubstitutedAndLinesKeepTheirNumbers() throws Exception {
    Scenario s =
        parse(
            "@param rd = 0x20 0x0   # RDTR\n@window gap = 1us..2ms\nwrite RDTR {rd}\nrx\nwait {gap}\nmsix on\n");
    assertEquals(Map.of("rd", "0x20"), s.defaults());
    assertEquals("RDTR", s.params().get(0).why());
    assertEquals(1_000, s.window().loNs());
    assertEquals(2_000_000, s.window().hiNs());
    List<Step> steps = s.steps(Map.of("rd", "0x0"), 1234);
    assertEquals("write RDTR 0x00000000", steps.get(0).format());
    assertEquals(new Step.Wait(1234), steps.get(2));
    assertEquals(4, steps.size());
    Scenario fpd = parse("@param rd = 0x20 0xffff\nwrite RDTR {rd|0x80000000}\n");
    assertEquals("write RDTR 0x8000ffff", fpd.steps(Map.of("rd", "0xffff"), 0).get(0).format());
  }

  @Test
  void badInputNamesFileLineAndText() {
    assertEquals(
        "x.scenario:5:12: undeclared parameter (declare it with @param or @window above): '{rd}'",
        error(HEAD + "write RDTR {rd}\n"));
    assertTrue(
        error(HEAD + "@param rd = 0x20 0xzz\nwrite RDTR {rd}\n")
            .startsWith("x.scenario:6:12: bad number (with rd=0xzz): '0xzz'"),
        () -> error(HEAD + "@param rd = 0x20 0xzz\nwrite RDTR {rd}\n"));
    assertTrue(error(HEAD + "@window g = 5us..1us\nwait {g}\n").contains(":5:"));
    assertTrue(error(HEAD + "@window g = 0ns..1xs\nwait {g}\n").contains("bad duration"));
    assertTrue(error(HEAD + "@param a = 1\nrx\n").contains("declared but never used"));
    assertTrue(error(HEAD + "@expect * ok\nrx\n").contains("no @expect"));
    assertTrue(error(HEAD + "@frobnicate\nrx\n").contains("unknown directive"));
    assertTrue(error("@scenario t\n@title x\n@driver y\nrx\n").contains("missing @source"));
    assertTrue(error(HEAD + "@param a = 1 1\nwrite ICS {a}\n").contains("listed twice"));
    assertTrue(error(HEAD + "@param a =\nwrite ICS {a}\n").contains("no values"));
    assertTrue(error(HEAD + "write ICS {A}\n").contains("bad placeholder"));
    assertTrue(error(HEAD).contains("no steps"));
    assertTrue(error(HEAD + "@window g = 0ns..1us\nwait {g|0x1}\n").contains("takes no |0xMASK"));
    assertTrue(
        error(HEAD + "@param a = 0x1 rx\nwrite RDTR {a|0x80000000}\n")
            .contains(":6:12: a mask needs numbers, but a (line 5) has 'rx': '{a|0x80000000}'"),
        () -> error(HEAD + "@param a = 0x1 rx\nwrite RDTR {a|0x80000000}\n"));
    assertTrue(error(HEAD + "@param a = 0x1\nwrite RDTR {a|0xzz}\n").contains("{name|0xMASK}"));
  }

  @Test
  void theLibraryParsesAndEveryScenarioIsCited() throws Exception {
    List<Scenario> all = ScenarioFiles.readAll(List.of(Path.of("..", "scenarios")));
    assertFalse(all.isEmpty());
    for (Scenario s : all) {
      assertFalse(s.sources().isEmpty(), s.id());
      assertTrue(
          Path.of(s.file()).getFileName().toString().equals(s.id() + ScenarioFiles.SUFFIX),
          () -> s.file() + " should be named after its id " + s.id());
      // The search's fast path parses only the window's lines: the same steps as the whole text.
      for (var c : ScenarioSearch.choices(s, new ScenarioSearch.Options(10, 50, 1))) {
        Scenario.Bound b = s.bind(c);
        for (long t : new long[] {0, 1, 32_767, 123_456_789}) {
          assertEquals(s.instantiate(c, t).steps(), b.at(t), () -> s.id() + " " + c + " at " + t);
        }
      }
    }
  }
}
