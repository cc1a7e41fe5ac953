package e1kfuzz.qemu;

import e1kfuzz.model.Step;
import e1kfuzz.model.Variant;
import e1kfuzz.timing.ExactTiming;
import e1kfuzz.timing.Robustness;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real {@code qemu-system-x86_64} (or a launcher script for one), its version line and the model
 * variant it corresponds to. {@code executable} is what is started: {@code path} itself, or the
 * binary an e1kfuzz launcher would exec (see {@link #executable(Path)}).
 */
public record QemuBuild(
    Path path,
    Path executable,
    String versionLine,
    String version,
    Variant variant,
    Path moduleDir,
    boolean qtestAccel) {

  /**
   * Why a trace cannot be compared step by step on this build, or null: with the qtest accelerator
   * only 0-ns windows (see {@link ExactTiming}); otherwise every timer must keep {@code marginNs}
   * from every step (see {@link Robustness}).
   */
  public String timingProblem(Variant variant, List<Step> steps, long marginNs) {
    return qtestAccel
        ? ExactTiming.problem(variant, steps)
        : Robustness.check(variant, steps, marginNs);
  }

  private static final Pattern VERSION =
      Pattern.compile("QEMU emulator version (\\d+)\\.(\\d+)\\.(\\d+)");

  /** The cache folder {@code make qemu} fills: $E1KFUZZ_QEMU_DIR, else ~/.cache/e1kfuzz/qemu. */
  public static Path cacheDir() {
    String env = System.getenv("E1KFUZZ_QEMU_DIR");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "e1kfuzz", "qemu");
  }

  /** The four Debian builds, as {@code make qemu} names their launchers in the cache folder. */
  public static final List<String> DEBIAN_LAUNCHERS =
      List.of("qemu-7.2.18", "qemu-7.2.22", "qemu-10.0.2", "qemu-10.0.13");

  /** Runs {@code PATH --version} and maps the release to a variant. */
  public static QemuBuild probe(Path path) throws QemuUnavailableException {
    if (!Files.isExecutable(path)) {
      throw new QemuUnavailableException(path + ": not found or not executable");
    }
    String out;
    try {
      Process p =
          new ProcessBuilder(path.toString(), "--version").redirectErrorStream(true).start();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new QemuUnavailableException(path + " --version did not answer in 20 s");
      }
      out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new QemuUnavailableException(path + ": cannot run: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QemuUnavailableException(path + ": interrupted");
    }
    String line = out.lines().findFirst().orElse("").strip();
    Matcher m = VERSION.matcher(line);
    if (!m.find()) {
      throw new QemuUnavailableException(path + ": not a QEMU (--version printed '" + line + "')");
    }
    int major = Integer.parseInt(m.group(1));
    int minor = Integer.parseInt(m.group(2));
    int micro = Integer.parseInt(m.group(3));
    Variant variant = variantFor(major, minor, micro);
    Optional<Marker> marker = marker(path);
    if (marker.isPresent()) {
      variant = marker.get().variant();
      line = line + " [exact build of " + variant.id() + ": " + marker.get().describe() + "]";
    }
    return new QemuBuild(
        path,
        executable(path),
        line,
        major + "." + minor + "." + micro,
        variant,
        null,
        hasQtestAccel(path));
  }

  /** The launcher name {@code make qemu-src} gives the exact build of a variant. */
  public static String exactLauncher(Variant v) {
    return "exact-" + v.id();
  }

  /** The exact build of {@code v} in the cache folder, if {@code make qemu-src} made it. */
  public static Optional<Path> exact(Variant v) {
    return cached(exactLauncher(v));
  }

  /**
   * What {@code scripts/build-qemu-src.sh} wrote into a build folder (file {@code e1kfuzz-build}):
   * the variant the build realises, Debian's source version and the patch with its hash. Patched
   * builds print the same version as the unpatched one, so only this tells them apart.
   */
  public record Marker(Variant variant, String source, String patch, String hash) {
    String describe() {
      return "Debian source "
          + source
          + (patch.isEmpty() ? ", unpatched" : ", " + patch + " (" + hash + ")");
    }
  }

  /** Name of the marker file in an exact build's folder. */
  public static final String MARKER = "e1kfuzz-build";

  private static final Pattern LAUNCHER_LINE =
      Pattern.compile("^# e1kfuzz-build: (\\S+)$", Pattern.MULTILINE);

  /**
   * The folder of an exact build: the binary's own, or the one a launcher names in its line {@code
   * # e1kfuzz-build: FOLDER} (relative to the launcher's own folder); empty for anything else.
   */
  private static Optional<Path> buildDir(Path path) throws IOException {
    Path real = path.toRealPath();
    Path dir = real.getParent();
    if (Files.exists(dir.resolve(MARKER))) {
      return Optional.of(dir);
    }
    byte[] head;
    try (var in = Files.newInputStream(real)) {
      head = in.readNBytes(4096);
    }
    String text = new String(head, StandardCharsets.ISO_8859_1);
    Matcher m = LAUNCHER_LINE.matcher(text);
    if (!text.startsWith("#!") || !m.find()) {
      return Optional.empty();
    }
    return Optional.of(dir.resolve(m.group(1)));
  }

  /**
   * What to start for {@code path}: the binary itself, or for a launcher that {@code make qemu-src}
   * wrote (its only command execs {@code FOLDER/qemu-system-x86_64} with the arguments it got) that
   * binary. Starting it directly saves a shell, readlink and dirname per QEMU start: about 9 of 47
   * ms of CPU, and campaigns on the 7.2 builds start a QEMU for every fourth trace (their aborts).
   */
  static Path executable(Path path) {
    try {
      Optional<Path> dir = buildDir(path);
      if (dir.isPresent() && !dir.get().equals(path.toRealPath().getParent())) {
        Path binary = dir.get().resolve("qemu-system-x86_64");
        if (Files.isExecutable(binary)) {
          return binary;
        }
      }
    } catch (IOException e) {
      // not readable: start what the user named
    }
    return path;
  }

  /**
   * The marker of an exact build: next to the binary itself, or in the folder a launcher names (see
   * {@link #buildDir}).
   */
  public static Optional<Marker> marker(Path path) throws QemuUnavailableException {
    try {
      Optional<Path> dir = buildDir(path);
      if (dir.isEmpty()) {
        return Optional.empty();
      }
      Path file = dir.get().resolve(MARKER);
      if (!Files.isRegularFile(file)) {
        return Optional.empty();
      }
      java.util.Properties props = new java.util.Properties();
      try (var r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        props.load(r);
      }
      String id = props.getProperty("variant", "");
      Variant v =
          java.util.Arrays.stream(Variant.values())
              .filter(x -> x.id().equals(id))
              .findFirst()
              .orElse(null);
      if (v == null) {
        throw new QemuUnavailableException(
            file + ": unknown variant '" + id + "' (re-run make qemu-src)");
      }
      return Optional.of(
          new Marker(
              v,
              props.getProperty("source", "?"),
              props.getProperty("patch", ""),
              props.getProperty("hash", "")));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * The variant a release corresponds to: 7.2.18 ↔ qemu-7.2.0, 7.2.22 ↔ qemu-7.2.20, 10.0.2 ↔
   * qemu-8.1, 10.0.13 ↔ qemu-10.2, and the ranges of the variant registry for other versions.
   */
  public static Variant variantFor(int major, int minor, int micro) {
    int v = major * 10_000 + minor * 100 + micro;
    if (v < 70_220) {
      return Variant.QEMU_7_2_0;
    }
    if (v < 80_000) {
      return Variant.QEMU_7_2_20;
    }
    if (v < 100_004) {
      return Variant.QEMU_8_1; // 8.0 sits between; the model's nearest is 8.1
    }
    if (v < 100_100) {
      return Variant.QEMU_10_2; // 10.0.4+
    }
    if (v < 100_101) {
      return Variant.QEMU_8_1; // 10.1.0
    }
    return Variant.QEMU_10_2; // 10.1.1+, 10.2+
  }

  /** The same build started with QEMU_MODULE_DIR (for an unpacked, not installed build). */
  public QemuBuild withModuleDir(Path dir) {
    return new QemuBuild(path, executable, versionLine, version, variant, dir, qtestAccel);
  }

  /**
   * Whether the build has the qtest accelerator, with which the virtual clock only moves on qtest's
   * {@code clock_step} (waits are exact and take no real time). {@code -accel help} does not list
   * it, so this starts the build with {@code -accel qtest} and asks for a clock step.
   */
  static boolean hasQtestAccel(Path path) {
    Process p = null;
    try {
      p =
          new ProcessBuilder(
                  path.toString(),
                  "-machine",
                  "none",
                  "-accel",
                  "qtest",
                  "-display",
                  "none",
                  "-nodefaults",
                  "-qtest",
                  "stdio",
                  "-qtest-log",
                  "none")
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      p.getOutputStream().write("clock_step 1\n".getBytes(StandardCharsets.UTF_8));
      p.getOutputStream().flush();
      java.io.BufferedReader r =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      java.util.concurrent.CompletableFuture<String> line =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> {
                try {
                  return r.readLine();
                } catch (IOException e) {
                  return null;
                }
              });
      String first = line.get(10, TimeUnit.SECONDS);
      return first != null && first.startsWith("OK");
    } catch (IOException
        | java.util.concurrent.ExecutionException
        | java.util.concurrent.TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      if (p != null) {
        p.destroyForcibly();
        try {
          p.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  public static Optional<Path> cached(String launcher) {
    Path p = cacheDir().resolve(launcher);
    return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
  }
}
