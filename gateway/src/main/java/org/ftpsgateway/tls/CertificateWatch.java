package org.ftpsgateway.tls;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks the listeners' certificate files on a worker thread every {@code certReloadSeconds}; cert-manager and
 * Kubernetes rotate secrets in place, so a changed file is picked up without a restart.
 */
public final class CertificateWatch {

  private final Vertx vertx;
  private final List<Long> timers;

  private CertificateWatch(Vertx vertx, List<Long> timers) {
    this.vertx = vertx;
    this.timers = List.copyOf(timers);
  }

  /** Starts a timer for each of {@code all} that asks for reloading; none for the others. */
  public static CertificateWatch start(Vertx vertx, List<ClientSideTls> all) {
    List<Long> timers = new ArrayList<>();
    for (ClientSideTls tls : all) {
      if (tls.reloadSeconds() > 0) {
        // reloadIfChanged reads files: a worker, never the event loop; unordered, each listener on its own
        timers.add(vertx.setPeriodic(tls.reloadSeconds() * 1000L,
            t -> vertx.executeBlocking(tls::reloadIfChanged, false)));
      }
    }
    return new CertificateWatch(vertx, timers);
  }

  public void stop() {
    timers.forEach(vertx::cancelTimer);
  }
}
