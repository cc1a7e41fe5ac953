package e1kfuzz.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.GeneralCodingRules;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layout is the architecture: the model is pure (no I/O, no wall clock, no randomness of its
 * own), only the CLI prints or exits, and imports run down the layers, never back up.
 */
class ArchitectureTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("e1kfuzz");
  }

  @Test
  void theModelDoesNoIoAndUsesOnlyVirtualTime() {
    noClasses()
        .that()
        .resideInAPackage("e1kfuzz.model..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("java.io..", "java.nio.file..", "java.net..", "java.nio.channels..")
        .orShould()
        .callMethod(System.class, "nanoTime")
        .orShould()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.util.Random")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("java.lang.ProcessBuilder")
        .because("the model mirrors QEMU in virtual time; the CLI and the backends do the I/O")
        .check(classes);
  }

  @Test
  void onlyTheCliPrintsOrExits() {
    noClasses()
        .that()
        .resideOutsideOfPackage("e1kfuzz.cli..")
        .should(GeneralCodingRules.ACCESS_STANDARD_STREAMS)
        .orShould()
        .callMethod(System.class, "exit", int.class)
        .because("the CLI is the only place that prints or exits")
        .check(classes);
  }

  @Test
  void everyPackageIsALayer() {
    classes()
        .should()
        .resideInAnyPackage(LAYERS)
        .because("a new package must take its place in the layers below")
        .check(classes);
  }

  @Test
  void theDocsNameEveryLayer() throws Exception {
    String tour = Files.readString(Path.of("../docs/architecture.md"));
    String readme = Files.readString(Path.of("../README.md"));
    for (String layer : LAYERS) {
      String name = layer.substring("e1kfuzz.".length());
      assertTrue(
          tour.lines().anyMatch(l -> l.startsWith(name + " ") || l.contains(" " + name + " ")),
          "docs/architecture.md does not place " + name + " in the layers");
      assertTrue(
          readme.contains(layer + " ") || readme.contains(layer + ":"),
          "README.md's Layout does not list " + layer);
    }
  }

  /** From the top (the CLI) down to the model. */
  private static final String[] LAYERS = {
    "e1kfuzz.cli",
    "e1kfuzz.report",
    "e1kfuzz.junit",
    "e1kfuzz.scenario",
    "e1kfuzz.diff",
    "e1kfuzz.export",
    "e1kfuzz.qemu",
    "e1kfuzz.observe",
    "e1kfuzz.corpus",
    "e1kfuzz.engine",
    "e1kfuzz.timing",
    "e1kfuzz.model"
  };

  @Test
  void importsRunDownTheLayers() {
    layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .layer("cli")
        .definedBy("e1kfuzz.cli..")
        .layer("report")
        .definedBy("e1kfuzz.report..")
        .layer("junit")
        .definedBy("e1kfuzz.junit..")
        .layer("scenario")
        .definedBy("e1kfuzz.scenario..")
        .layer("diff")
        .definedBy("e1kfuzz.diff..")
        .layer("export")
        .definedBy("e1kfuzz.export..")
        .layer("qemu")
        .definedBy("e1kfuzz.qemu..")
        .layer("observe")
        .definedBy("e1kfuzz.observe..")
        .layer("corpus")
        .definedBy("e1kfuzz.corpus..")
        .layer("engine")
        .definedBy("e1kfuzz.engine..")
        .layer("timing")
        .definedBy("e1kfuzz.timing..")
        .layer("model")
        .definedBy("e1kfuzz.model..")
        .whereLayer("cli")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("report")
        .mayOnlyBeAccessedByLayers("cli")
        .whereLayer("junit")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("scenario")
        .mayOnlyBeAccessedByLayers("cli", "report")
        .whereLayer("diff")
        .mayOnlyBeAccessedByLayers("cli", "scenario")
        .whereLayer("export")
        .mayOnlyBeAccessedByLayers("cli")
        .whereLayer("qemu")
        .mayOnlyBeAccessedByLayers("cli", "diff", "export")
        .whereLayer("observe")
        .mayOnlyBeAccessedByLayers("cli", "diff", "export", "qemu")
        .whereLayer("corpus")
        .mayOnlyBeAccessedByLayers("cli", "report", "scenario")
        .whereLayer("engine")
        .mayOnlyBeAccessedByLayers("cli", "report", "junit", "scenario", "diff", "corpus")
        .whereLayer("timing")
        .mayOnlyBeAccessedByLayers("cli", "scenario", "engine", "diff", "export", "qemu")
        .whereLayer("model")
        .mayOnlyBeAccessedByLayers(
            "cli",
            "report",
            "junit",
            "scenario",
            "diff",
            "export",
            "qemu",
            "observe",
            "corpus",
            "engine",
            "timing")
        .check(classes);
  }
}
