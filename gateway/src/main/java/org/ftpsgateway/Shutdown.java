package org.ftpsgateway;

import io.vertx.core.Vertx;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * SIGINT/SIGTERM (Kubernetes, systemd): drain first, so transfers in flight complete, then stop the gateway and
 * Vert.x. The JVM runs the hook; the main thread waits in {@link #awaitStopped} until it is done.
 */
final class Shutdown {

  private static final Logger LOG = Logger.getLogger(Shutdown.class.getName());

  private final Gateway gateway;
  private final Vertx vertx;
  private final int graceSeconds;
  private final CountDownLatch stopped = new CountDownLatch(1);

  private Shutdown(Gateway gateway, Vertx vertx, int graceSeconds) {
    this.gateway = gateway;
    this.vertx = vertx;
    this.graceSeconds = graceSeconds;
  }

  /** Registers the shutdown hook. */
  static Shutdown onSignal(Gateway gateway, Vertx vertx, int graceSeconds) {
    Shutdown shutdown = new Shutdown(gateway, vertx, graceSeconds);
    Runtime.getRuntime().addShutdownHook(new Thread(shutdown::run, "ftps-gateway-shutdown"));
    return shutdown;
  }

  private void run() {
    try {
      LOG.info(() -> "shutting down: draining " + gateway.openSessions() + " session(s) for up to "
          + graceSeconds + " s");
      gateway.drain(graceSeconds).toCompletionStage().toCompletableFuture().get(graceSeconds + 5L, TimeUnit.SECONDS);
      gateway.stop().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception ignored) {
      // shutting down anyway
    }
    stopped.countDown();
  }

  /** Blocks the calling thread until the hook has run. */
  void awaitStopped() {
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
