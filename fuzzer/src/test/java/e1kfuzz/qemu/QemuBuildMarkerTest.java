package e1kfuzz.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import e1kfuzz.model.Variant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An exact build is mapped to its variant by the marker scripts/build-qemu-src.sh writes. */
class QemuBuildMarkerTest {
  @TempDir Path dir;

  private Path build(String folder, String variant) throws Exception {
    Path d = Files.createDirectories(dir.resolve(folder));
    Files.writeString(
        d.resolve(QemuBuild.MARKER),
        "# e1kfuzz exact build\nvariant="
            + variant
            + "\nsource=10.0.13+ds-0+deb13u1\nsuite=trixie\npatch=qemu-patches/fix-v1.patch\nhash=0123456789ab\n");
    Files.writeString(d.resolve("qemu-system-x86_64"), "not a real binary");
    Path launcher = dir.resolve("exact-" + variant);
    Files.writeString(
        launcher,
        "#!/bin/bash\n# e1kfuzz (scripts/build-qemu-src.sh): exact build\n# e1kfuzz-build: "
            + folder
            + "\nexec \"$R/qemu-system-x86_64\" \"$@\"\n");
    return launcher;
  }

  @Test
  void aLauncherNamesItsFolderAndTheMarkerItsVariant() throws Exception {
    Path launcher = build("10.0.13+ds-0+deb13u1-0123456789ab", "fix-v1");
    Optional<QemuBuild.Marker> m = QemuBuild.marker(launcher);
    assertTrue(m.isPresent());
    assertEquals(Variant.FIX_V1, m.get().variant());
    assertEquals("10.0.13+ds-0+deb13u1", m.get().source());
    assertEquals("qemu-patches/fix-v1.patch", m.get().patch());
    // The binary itself, next to its marker, maps the same way.
    assertEquals(
        Variant.FIX_V1,
        QemuBuild.marker(dir.resolve("10.0.13+ds-0+deb13u1-0123456789ab/qemu-system-x86_64"))
            .orElseThrow()
            .variant());
  }

  @Test
  void aLauncherIsStartedAsTheBinaryItExecs() throws Exception {
    Path launcher = build("10.0.13+ds-0+deb13u1-0123456789ab", "fix-v1");
    Path binary = dir.resolve("10.0.13+ds-0+deb13u1-0123456789ab/qemu-system-x86_64");
    // Not executable: nothing to start directly, so the launcher is kept.
    assertEquals(launcher, QemuBuild.executable(launcher));
    assertTrue(binary.toFile().setExecutable(true));
    assertEquals(binary, QemuBuild.executable(launcher));
    assertEquals(binary, QemuBuild.executable(binary));
    Path plain = dir.resolve("qemu-plain");
    Files.writeString(plain, "#!/bin/bash\nexec /usr/bin/qemu-system-x86_64 \"$@\"\n");
    assertEquals(plain, QemuBuild.executable(plain));
  }

  @Test
  void aBuildWithoutMarkerHasNone() throws Exception {
    Path plain = dir.resolve("qemu-plain");
    Files.writeString(plain, "#!/bin/bash\nexec /usr/bin/qemu-system-x86_64 \"$@\"\n");
    assertEquals(Optional.empty(), QemuBuild.marker(plain));
  }

  @Test
  void anUnknownVariantInTheMarkerIsRefusedWithTheFile() throws Exception {
    Path launcher = build("x-1", "qemu-9.9");
    QemuUnavailableException e =
        assertThrows(QemuUnavailableException.class, () -> QemuBuild.marker(launcher));
    assertTrue(
        e.getMessage().contains("unknown variant 'qemu-9.9'")
            && e.getMessage().contains(QemuBuild.MARKER),
        e.getMessage());
  }
}
