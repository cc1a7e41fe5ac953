package e1kfuzz.qemu;

import e1kfuzz.model.Step;
import e1kfuzz.observe.ObservedRun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Replays traces on a real QEMU over qtest, one after another. With {@code reuse}, traces share one
 * process (see {@link QemuProcess}), reset between them; after a trace that ends QEMU (an abort),
 * fails, leaves frames it cannot drain, or leaves state a device reset keeps (7.2's pending flags,
 * known from the shadow model), the next one gets a new process. Never throws for what QEMU does: a
 * QEMU that dies, hangs, resets a socket or cannot start gives an {@link ObservedRun} that ended in
 * {@link ObservedRun.BackendFailed}.
 */
public final class QemuBackend implements AutoCloseable {
  private static final ExecutorService PRESTARTER =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "e1kfuzz-qemu-prestart");
            t.setDaemon(true);
            return t;
          });

  private final QemuBuild build;
  private final boolean reuse;
  private QemuProcess process;
  private CompletableFuture<QemuProcess> next;
  private boolean prestartAhead;
  private int starts;

  /**
   * @param reuse keep one process while it can stand in for a fresh one; otherwise every trace gets
   *     a fresh process
   */
  public QemuBackend(QemuBuild build, boolean reuse) {
    this.build = build;
    this.reuse = reuse;
  }

  /** Runs one trace on a freshly started QEMU, which is stopped afterwards. */
  public static ObservedRun runOnce(QemuBuild build, List<Step> steps) {
    try (QemuBackend backend = new QemuBackend(build, false)) {
      return backend.run(steps);
    }
  }

  /**
   * Keep a spare QEMU started ahead of need (campaigns; not for a single trace): one more process
   * per backend, idle until a trace retires the current one.
   */
  public QemuBackend prestarting() {
    prestartAhead = true;
    return this;
  }

  /** Whether traces really share one process. */
  public boolean reusing() {
    return reuse;
  }

  public QemuBuild build() {
    return build;
  }

  /** QEMU processes started so far. */
  public int starts() {
    return starts;
  }

  /** Runs one trace; see the class comment for what happens when QEMU fails. */
  public ObservedRun run(List<Step> steps) {
    String why = Qtest.firstUnsupported(steps);
    if (why != null) {
      throw new IllegalArgumentException("not replayable on QEMU: " + why);
    }
    if (process != null && (!reuse || !process.readyForNext())) {
      closeProcess();
    }
    // A spare is always starting or ready, so that a trace that ends QEMU (an abort) does not make
    // the next one wait for a start (~25 ms of QEMU initialisation, 50 on a busy machine).
    prestart();
    ObservedRun run = null;
    // The UDP port handed to QEMU is probed free, then bound by QEMU: another process can take
    // it in between, so a failed start is retried with a new port.
    for (int attempt = 0; attempt < 3; attempt++) {
      try {
        if (process == null) {
          process = take();
        }
        run = process.run(steps);
      } catch (IOException | RuntimeException e) {
        closeProcess();
        return ObservedRun.failed("backend: " + e);
      }
      if (run.failure() == null || !run.failure().startsWith(QemuProcess.START_FAILED)) {
        break;
      }
      closeProcess();
    }
    if (!(run.ending() instanceof ObservedRun.Completed) || !reuse || !process.readyForNext()) {
      closeProcess();
      prestart();
    }
    return run;
  }

  /** The QEMU started ahead of need, or a new one. */
  private QemuProcess take() throws IOException {
    CompletableFuture<QemuProcess> n = next;
    next = null;
    if (n == null) {
      starts++;
      return new QemuProcess(build);
    }
    try {
      return n.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof UncheckedIOException u) {
        throw u.getCause();
      }
      throw e;
    }
  }

  /** Starts the spare QEMU, if there is none yet, while the caller runs or compares a trace. */
  private void prestart() {
    if (next == null && prestartAhead) {
      starts++;
      next =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return new QemuProcess(build);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              },
              PRESTARTER);
    }
  }

  private void closeProcess() {
    if (process != null) {
      process.close();
      process = null;
    }
  }

  @Override
  public void close() {
    closeProcess();
    CompletableFuture<QemuProcess> n = next;
    next = null;
    if (n != null) {
      try {
        n.join().close();
      } catch (RuntimeException e) {
        // it did not start: nothing to close
      }
    }
  }
}
