package org.ftpsgateway.control;

import io.vertx.core.Future;
import io.vertx.core.net.NetClient;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Logger;
import org.ftpsgateway.config.UpstreamConfig;
import org.ftpsgateway.tls.UpstreamTls;
import org.ftpsgateway.upstream.UpstreamPool;
import org.ftpsgateway.upstream.UpstreamServer;

/**
 * Failover at connect time: tries the servers of an upstream in the order its {@code balance} gives, one after the
 * other, until one is connected, greeted and secured. A server that fails is skipped; all of them share one budget,
 * {@code timeouts.connectSeconds}, so a client waits no longer for an upstream of three servers than for one.
 */
final class UpstreamDialer {

  private static final Logger LOG = Logger.getLogger(UpstreamDialer.class.getName());

  /** A secured control connection, the server it reached, and the TLS state its data connections must resume. */
  record Dialed(UpstreamConnector connector, UpstreamTls.SessionTls tls, UpstreamConnector.Connected connected) {
    UpstreamServer server() {
      return connector.server();
    }
  }

  private UpstreamDialer() {
  }

  /**
   * @param proxyHeader the PROXY protocol header for a server (its {@code proxyProtocol}), or null for none
   */
  static Future<Dialed> dial(ListenerContext context, NetClient client, UpstreamPool pool,
                             Function<UpstreamConfig, byte[]> proxyHeader) {
    long deadline = System.nanoTime() + context.timeouts().connectSeconds() * 1_000_000_000L;
    return attempt(context, client, pool, pool.candidates(), 0, deadline, proxyHeader, new ArrayList<>());
  }

  private static Future<Dialed> attempt(ListenerContext context, NetClient client, UpstreamPool pool,
                                        List<UpstreamServer> candidates, int index, long deadline,
                                        Function<UpstreamConfig, byte[]> proxyHeader, List<String> failures) {
    long leftMillis = (deadline - System.nanoTime()) / 1_000_000;
    if (index >= candidates.size() || leftMillis <= 0) {
      if (failures.size() == 1 && candidates.size() == 1) {
        return Future.failedFuture(failures.get(0)); // one server: its own sentence, as before upstreams existed
      }
      int untried = candidates.size() - index;
      return Future.failedFuture("no server of upstream " + pool.name() + " is usable: " + String.join("; ", failures)
          + (untried > 0 ? "; " + untried + " not tried within timeouts.connectSeconds" : ""));
    }
    UpstreamServer server = candidates.get(index);
    UpstreamConnector connector = new UpstreamConnector(context, client, server);
    UpstreamTls.SessionTls tls = server.tls().newSessionContext();
    return connector.connect(tls, proxyHeader.apply(server.config()), leftMillis)
        .map(connected -> new Dialed(connector, tls, connected))
        .recover(e -> {
          failures.add(e.getMessage());
          if (index + 1 < candidates.size()) {
            LOG.warning(() -> "upstream " + pool.name() + ": " + e.getMessage() + "; trying the next server");
          }
          return attempt(context, client, pool, candidates, index + 1, deadline, proxyHeader, failures);
        });
  }
}
