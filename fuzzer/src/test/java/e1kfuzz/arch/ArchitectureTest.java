package e1kfuzz.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.GeneralCodingRules;
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
    classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("e1kfuzz");
  }

  @Test
  void theModelDoesNoIoAndUsesOnlyVirtualTime() {
    noClasses().that().resideInAPackage("e1kfuzz.model..")
        .should().dependOnClassesThat().resideInAnyPackage("java.io..", "java.nio.file..", "java.net..", "java.nio.channels..")
        .orShould().callMethod(System.class, "nanoTime")
        .orShould().callMethod(System.class, "currentTimeMillis")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.util.Random")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.lang.ProcessBuilder")
        .because("the model mirrors QEMU in virtual time; the CLI and the backends do the I/O")
        .check(classes);
  }

  @Test
  void onlyTheCliPrintsOrExits() {
    noClasses().that().resideOutsideOfPackage("e1kfuzz.cli..")
        .should(GeneralCodingRules.ACCESS_STANDARD_STREAMS)
        .orShould().callMethod(System.class, "exit", int.class)
        .because("the CLI is the only place that prints or exits")
        .check(classes);
  }

  @Test
  void importsRunDownTheLayers() {
    layeredArchitecture().consideringOnlyDependenciesInLayers()
        .layer("cli").definedBy("e1kfuzz.cli..")
        .layer("report").definedBy("e1kfuzz.report..")
        .layer("junit").definedBy("e1kfuzz.junit..")
        .layer("qemu").definedBy("e1kfuzz.qemu..")
        .layer("corpus").definedBy("e1kfuzz.corpus..")
        .layer("engine").definedBy("e1kfuzz.engine..")
        .layer("timing").definedBy("e1kfuzz.timing..")
        .layer("model").definedBy("e1kfuzz.model..")
        .whereLayer("cli").mayNotBeAccessedByAnyLayer()
        .whereLayer("report").mayOnlyBeAccessedByLayers("cli")
        .whereLayer("junit").mayNotBeAccessedByAnyLayer()
        .whereLayer("qemu").mayOnlyBeAccessedByLayers("cli")
        .whereLayer("corpus").mayOnlyBeAccessedByLayers("cli", "report")
        .whereLayer("engine").mayOnlyBeAccessedByLayers("cli", "report", "junit", "qemu", "corpus")
        .whereLayer("timing").mayOnlyBeAccessedByLayers("cli", "engine", "qemu")
        .whereLayer("model").mayOnlyBeAccessedByLayers("cli", "report", "junit", "qemu", "corpus", "engine", "timing")
        .check(classes);
  }
}
