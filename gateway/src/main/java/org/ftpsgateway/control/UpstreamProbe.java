package org.ftpsgateway.control;

import io.vertx.core.Future;
import io.vertx.core.net.NetClient;
import java.util.logging.Logger;
import org.ftpsgateway.upstream.UpstreamServer;

/**
 * Checks one upstream server the way a session would (connect, greeting, AUTH TLS with full verification, PBSZ,
 * PROT, QUIT) at start and then periodically, so readiness and the failover order reflect a server that is down or
 * untrusted even when no client is connected.
 */
public final class UpstreamProbe {

  private static final Logger LOG = Logger.getLogger(UpstreamProbe.class.getName());

  private final ListenerContext context;
  private final UpstreamServer server;
  private final NetClient client;
  private long timer = -1;
  private boolean lastOk = true;

  /** {@code context}: any listener's (for Vert.x, the timeouts and the metrics); the probe has no client. */
  public UpstreamProbe(ListenerContext context, UpstreamServer server) {
    this.context = context;
    this.server = server;
    this.client = context.vertx().createNetClient(ListenerVerticle.upstreamClientOptions(context));
  }

  /** Probes now and every {@code periodSeconds}. */
  public void start(int periodSeconds) {
    probe();
    timer = context.vertx().setPeriodic(periodSeconds * 1000L, t -> probe());
  }

  public Future<Void> stop() {
    context.vertx().cancelTimer(timer);
    return client.close();
  }

  private void probe() {
    new UpstreamConnector(context, client, server).connect(server.tls().newSessionContext()).onComplete(ar -> {
      if (ar.succeeded()) {
        UpstreamControl control = ar.result().control();
        control.send("QUIT").eventually(control::close);
        if (!lastOk) {
          LOG.info("upstream " + server + " probe succeeded again");
        }
        lastOk = true;
      } else {
        if (lastOk) {
          LOG.warning("upstream " + server + " probe failed: " + ar.cause().getMessage());
        }
        lastOk = false;
      }
    });
  }
}
