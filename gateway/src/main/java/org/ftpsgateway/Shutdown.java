package org.ftpsgateway;

import io.vertx.core.Vertx;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import sun.misc.Signal;

/**
 * SIGTERM/SIGINT (systemd, Kubernetes, Ctrl+C): drain first, so transfers in flight complete, then stop the gateway
 * and Vert.x, and let {@code main} return 0. The signals are handled here rather than by a shutdown hook: the JVM
 * ends a process stopped through its hooks with 143 (128 + SIGTERM), and a graceful stop is a success. A shutdown
 * hook remains for every other way the JVM may end (-Xrs, System.exit elsewhere): it drains the same way.
 */
final class Shutdown {

  private static final Logger LOG = Logger.getLogger(Shutdown.class.getName());

  private final Gateway gateway;
  private final Vertx vertx;
  private final int graceSeconds;
  private final CountDownLatch requested = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);

  private Shutdown(Gateway gateway, Vertx vertx, int graceSeconds) {
    this.gateway = gateway;
    this.vertx = vertx;
    this.graceSeconds = graceSeconds;
  }

  /** Handles SIGTERM and SIGINT, and registers the shutdown hook. */
  static Shutdown onSignal(Gateway gateway, Vertx vertx, int graceSeconds) {
    Shutdown shutdown = new Shutdown(gateway, vertx, graceSeconds);
    for (String name : new String[] {"TERM", "INT"}) {
      try {
        Signal.handle(new Signal(name), signal -> shutdown.requested.countDown());
      } catch (IllegalArgumentException e) {
        // the JVM keeps this signal (-Xrs): it then ends through the hook below, with its own exit status
        LOG.fine(() -> "SIG" + name + " stays with the JVM: " + e.getMessage());
      }
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      shutdown.requested.countDown();
      awaitQuietly(shutdown.stopped, (graceSeconds + 20L) * 1000);
    }, "ftps-gateway-shutdown"));
    return shutdown;
  }

  /** Blocks the calling thread until a stop is asked for, then drains and stops; returns when all is closed. */
  void awaitStopped() {
    try {
      requested.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      LOG.info(() -> "shutting down: draining " + gateway.openSessions() + " session(s) for up to "
          + graceSeconds + " s");
      gateway.drain(graceSeconds).toCompletionStage().toCompletableFuture().get(graceSeconds + 5L, TimeUnit.SECONDS);
      gateway.stop().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      LOG.info("stopped");
    } catch (Exception e) {
      LOG.warning("shutdown did not complete in time: " + e);
    } finally {
      stopped.countDown();
    }
  }

  private static void awaitQuietly(CountDownLatch latch, long millis) {
    try {
      latch.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
