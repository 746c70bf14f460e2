package org.ftpsgateway.data;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import java.util.logging.Logger;
import org.ftpsgateway.protocol.HostPort;

/**
 * Active mode ({@code PORT}/{@code EPRT}) on the client side: once the upstream announced the transfer, the
 * gateway connects to the address the client gave, from the address the client reached the gateway on (clients
 * and firewalls expect the data connection from the server's address), and from the listener's
 * {@code activeSourcePort} when one is set (port 20 for clients that expect RFC 959's default data port).
 */
public final class ClientActiveChannel implements ClientDataChannel {

  private static final Logger LOG = Logger.getLogger(ClientActiveChannel.class.getName());

  private final Vertx vertx;
  private final HostPort target;
  private final String localAddress;
  private final int timeoutMillis;
  private final int sourcePort;
  private final Promise<NetSocket> connection = Promise.promise();
  private NetClient client;
  private boolean started;
  private boolean closed;

  public ClientActiveChannel(Vertx vertx, HostPort target, String localAddress, int timeoutMillis) {
    this(vertx, target, localAddress, 0, timeoutMillis);
  }

  /** @param sourcePort the local port to connect from; 0 = any */
  public ClientActiveChannel(Vertx vertx, HostPort target, String localAddress, int sourcePort, int timeoutMillis) {
    this.sourcePort = sourcePort;
    this.vertx = vertx;
    this.target = target;
    this.localAddress = localAddress;
    this.timeoutMillis = timeoutMillis;
  }

  public HostPort target() {
    return target;
  }

  @Override
  public void begin() {
    if (started || closed) {
      return;
    }
    started = true;
    if (sourcePort != 0) {
      SourcePortConnector.connect(vertx, localAddress, sourcePort, target, timeoutMillis).onComplete(ar -> {
        if (ar.succeeded()) {
          if (closed || !connection.tryComplete(ar.result())) {
            ar.result().close();
          }
        } else if (ar.cause() instanceof SourcePortConnector.BindFailure) {
          // a configuration problem, not the client's: say so where the operator looks
          LOG.warning(() -> "active data connection to " + target + ": " + ar.cause().getMessage());
          connection.tryFail(ar.cause().getMessage());
        } else {
          connection.tryFail("cannot connect to the client at " + target + " from port " + sourcePort + ": "
              + ar.cause().getMessage());
        }
      });
      return;
    }
    client = vertx.createNetClient(new NetClientOptions().setLocalAddress(localAddress)
        .setConnectTimeout(timeoutMillis));
    client.connect(target.port(), target.host()).onComplete(ar -> {
      if (ar.succeeded()) {
        NetSocket socket = ar.result();
        ReadGate.stop(socket);
        if (!connection.tryComplete(socket)) {
          socket.close();
        }
      } else {
        connection.tryFail("cannot connect to the client at " + target + ": " + ar.cause().getMessage());
      }
    });
  }

  @Override
  public Future<NetSocket> connection() {
    return connection.future();
  }

  @Override
  public Future<Void> close() {
    if (closed) {
      return Future.succeededFuture();
    }
    closed = true;
    connection.tryFail("active data channel closed");
    return client != null ? client.close() : Future.succeededFuture();
  }
}
