package org.ftpsgateway.control;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import org.ftpsgateway.metrics.MeasuredEngineOptions;

/**
 * One event loop's share of a listener. Several instances bind the same host and port; Vert.x spreads accepted
 * connections over them, so sessions use every core while each session stays on one event loop.
 */
public final class ListenerVerticle extends VerticleBase {

  private final ListenerContext listener;
  private NetServer server;
  private NetClient upstreamClient;

  public ListenerVerticle(ListenerContext listener) {
    this.listener = listener;
  }

  @Override
  public Future<?> start() {
    upstreamClient = vertx.createNetClient(upstreamClientOptions(listener));
    server = vertx.createNetServer(new NetServerOptions().setTcpNoDelay(true).setReuseAddress(true));
    server.connectHandler(socket -> new ControlSession(listener, upstreamClient, socket).start());
    return server.listen(listener.listener().port(), listener.listener().host());
  }

  /** Options of the NetClient that carries a session's upstream control and data connections. */
  static NetClientOptions upstreamClientOptions(ListenerContext listener) {
    NetClientOptions options = new NetClientOptions().setTcpNoDelay(true)
        .setConnectTimeout(listener.timeouts().connectSeconds() * 1000);
    if (listener.metrics().enabled()) {
      options.setSslEngineOptions(new MeasuredEngineOptions(listener.metrics().upstreamTlsCpu()));
    }
    return options;
  }

  /** The bound port (differs from the configured one when that is 0). */
  public int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> stop() {
    return server.close().eventually(() -> upstreamClient.close());
  }
}
