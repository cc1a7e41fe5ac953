package e1kfuzz.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ctrl-C / SIGTERM for long commands: the signal asks the work to stop; the command then writes
 * what it has and prints its summary, and the JVM exits with the command's own exit code. The hook
 * waits (bounded) until the command says it has finished.
 */
final class GracefulStop implements AutoCloseable {
  private final CountDownLatch finished = new CountDownLatch(1);
  private final AtomicInteger exitCode = new AtomicInteger(-1);
  private final Thread hook;

  private GracefulStop(Runnable requestStop) {
    hook =
        new Thread(
            () -> {
              requestStop.run();
              try {
                if (finished.await(60, TimeUnit.SECONDS) && exitCode.get() >= 0) {
                  // The signal started the JVM's exit; end it with the command's own exit code.
                  Runtime.getRuntime().halt(exitCode.get());
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "e1kfuzz-stop");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  static GracefulStop install(Runnable requestStop) {
    return new GracefulStop(requestStop);
  }

  /** Records the exit code, releases a waiting hook and removes it. */
  void finish(int code) {
    exitCode.set(code);
    finished.countDown();
    close();
  }

  @Override
  public void close() {
    finished.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the JVM is already exiting: the hook is running and has just been released
    }
  }
}
