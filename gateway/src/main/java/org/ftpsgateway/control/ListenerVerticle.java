package org.ftpsgateway.control;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import org.ftpsgateway.config.UpstreamConfig;
import org.ftpsgateway.data.ReadGate;
import org.ftpsgateway.upstream.UpstreamPool;

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
    server.connectHandler(socket -> {
      if (!listener.listener().access().acceptProxyProtocol()) {
        new ControlSession(listener, upstreamClient, socket).start();
        return;
      }
      // behind a load balancer: the client's address comes in a PROXY protocol header before anything else
      ProxyHeaderReader.accept(listener, socket, "control connection").onSuccess(r -> {
        new ControlSession(listener, upstreamClient, socket, r.peer(), r.destination()).start();
        // the session's handlers (and for implicit TLS its TLS handler) are in place: what followed the header
        // reaches them now
        ReadGate.start(socket);
      });
    });
    return server.listen(listener.listener().port(), listener.listener().host());
  }

  /** Options of the NetClient that carries a session's upstream control and data connections. */
  static NetClientOptions upstreamClientOptions(ListenerContext listener) {
    NetClientOptions options = new NetClientOptions().setTcpNoDelay(true)
        .setConnectTimeout(listener.timeouts().connectSeconds() * 1000);
    // TLS is added by UpstreamTls per session (own session cache), not by the NetClient
    return options;
  }

  public static boolean useOpenSsl(UpstreamConfig.SslEngine choice) {
    return UpstreamPool.useOpenSsl(choice);
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
