package org.ftpsgateway.data;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import org.ftpsgateway.protocol.HostPort;

/**
 * Active mode ({@code PORT}/{@code EPRT}) on the client side: once the upstream announced the transfer, the
 * gateway connects to the address the client gave, from the address the client reached the gateway on (clients
 * and firewalls expect the data connection from the server's address).
 */
public final class ClientActiveChannel implements ClientDataChannel {

  private final Vertx vertx;
  private final HostPort target;
  private final String localAddress;
  private final int timeoutMillis;
  private final Promise<NetSocket> connection = Promise.promise();
  private NetClient client;
  private boolean closed;

  public ClientActiveChannel(Vertx vertx, HostPort target, String localAddress, int timeoutMillis) {
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
    if (client != null || closed) {
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
