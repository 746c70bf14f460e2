package org.ftpsgateway.control;

import io.vertx.core.Future;
import io.vertx.core.net.NetClient;
import java.util.logging.Logger;

/**
 * Checks the upstream the way a session would (connect, greeting, AUTH TLS with full verification, PBSZ, PROT,
 * QUIT) at start and then periodically, so readiness reflects an upstream that is down or untrusted even when no
 * client is connected.
 */
public final class UpstreamProbe {

  private static final Logger LOG = Logger.getLogger(UpstreamProbe.class.getName());

  private final ListenerContext context;
  private final NetClient client;
  private long timer = -1;
  private boolean lastOk = true;

  public UpstreamProbe(ListenerContext context) {
    this.context = context;
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
    new UpstreamConnector(context, client).connect(context.upstreamTls().newSessionContext()).onComplete(ar -> {
      if (ar.succeeded()) {
        UpstreamControl control = ar.result().control();
        control.send("QUIT").eventually(control::close);
        if (!lastOk) {
          LOG.info("upstream probe succeeded again");
        }
        lastOk = true;
      } else {
        if (lastOk) {
          LOG.warning("upstream probe failed: " + ar.cause().getMessage());
        }
        lastOk = false;
      }
    });
  }
}
