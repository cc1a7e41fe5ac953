package e1kfuzz.cli;

import e1kfuzz.model.Variant;
import e1kfuzz.qemu.QemuBuild;
import e1kfuzz.qemu.QemuUnavailableException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which real QEMU build each model variant is held against by {@code diff} and {@code fuzz
 * --backend diff}: the build named by {@code --qemu}, or, with {@code --qemu all} or without {@code
 * --qemu}, each variant's exact build from {@code make qemu-src} (qtest accelerator), falling back
 * to the Debian binary build of a release variant from {@code make qemu}.
 */
final class QemuTargets {
  private QemuTargets() {}

  /** A variant and the build it is compared with. */
  record Target(Variant variant, QemuBuild build) {}

  /**
   * How a build is named in reports: its launcher name when it is in the cache folder, else its
   * path.
   */
  static String displayName(QemuBuild build) {
    Path p = build.path();
    if (p.getParent() != null
        && p.toAbsolutePath().getParent().equals(QemuBuild.cacheDir().toAbsolutePath())) {
      return p.getFileName().toString();
    }
    return p.toString();
  }

  /** Debian's binary build of each release variant ({@code make qemu}); none for fix candidates. */
  static Optional<String> debianLauncher(Variant v) {
    return switch (v) {
      case QEMU_7_2_0 -> Optional.of("qemu-7.2.18");
      case QEMU_7_2_20 -> Optional.of("qemu-7.2.22");
      case QEMU_8_1 -> Optional.of("qemu-10.0.2");
      case QEMU_10_2 -> Optional.of("qemu-10.0.13");
      default -> Optional.empty();
    };
  }

  /**
   * @param qemu the --qemu option (null, "all", or one build)
   * @param variants the variants asked for (null: the one the build maps to, or all)
   * @return the targets, or null when there is no QEMU at all (the reason is printed)
   */
  static List<Target> resolve(
      String qemu, Path moduleDir, List<Variant> variants, PrintWriter out, PrintWriter err) {
    List<Variant> wanted = variants != null ? variants : List.of(Variant.values());
    boolean anyExact = wanted.stream().anyMatch(v -> QemuBuild.exact(v).isPresent());
    if (qemu == null && !anyExact) {
      // No exact build at all: the old default, qemu-system-x86_64 on PATH.
      out.println(
          "note: no exact builds in "
              + QemuBuild.cacheDir()
              + " ('make qemu-src' builds them); using qemu-system-x86_64 on PATH");
    }
    if ((qemu != null && !qemu.equals("all")) || (qemu == null && !anyExact)) {
      QemuBuild b = CliSupport.qemuBuild(qemu, moduleDir, err);
      if (b == null) {
        return null;
      }
      Variant v = variants != null && variants.size() == 1 ? variants.get(0) : b.variant();
      return List.of(new Target(v, b));
    }
    List<Target> targets = new ArrayList<>();
    for (Variant v : wanted) {
      Optional<Path> exact = QemuBuild.exact(v);
      Optional<Path> debian = debianLauncher(v).flatMap(QemuBuild::cached);
      Path p = exact.or(() -> debian).orElse(null);
      if (p == null) {
        out.println(
            "note: "
                + v.id()
                + ": no build (no "
                + QemuBuild.exactLauncher(v)
                + " in "
                + QemuBuild.cacheDir()
                + "; 'make qemu-src' builds it); skipped");
        continue;
      }
      if (exact.isEmpty()) {
        out.println(
            "note: "
                + v.id()
                + ": no exact build (make qemu-src); falling back to Debian's binary build "
                + p.getFileName()
                + " (real-time waits)");
      }
      try {
        QemuBuild b = QemuBuild.probe(p);
        targets.add(new Target(v, moduleDir == null ? b : b.withModuleDir(moduleDir)));
      } catch (QemuUnavailableException e) {
        out.println("note: " + v.id() + ": " + e.getMessage() + "; skipped");
      }
    }
    if (targets.isEmpty()) {
      err.println(
          "e1kfuzz: QEMU not available: no build for "
              + (variants == null ? "any variant" : "the selected variants")
              + "; 'make qemu-src' builds the exact ones, "
              + DiffCommand.INSTALL);
      return null;
    }
    return targets;
  }
}
