package org.ftpsgateway.data;

import io.vertx.core.Future;
import io.vertx.core.net.NetSocket;

/**
 * What an accepted data connection presents before its data: nothing, or (behind a load balancer) a PROXY protocol
 * header that names the real client. {@link ClientPassiveListener} checks the peer this yields.
 */
@FunctionalInterface
public interface ConnectionPrelude {

  /** No prelude: the peer is the connection's own remote address. */
  ConnectionPrelude NONE = socket -> {
    ReadGate.stop(socket);
    return Future.succeededFuture(socket.remoteAddress().host());
  };

  /**
   * Completes with the host of the client behind {@code socket}, the socket no longer reading ({@link ReadGate});
   * or fails with a sentence once the socket is closed (the implementation counts and logs the refusal).
   */
  Future<String> read(NetSocket socket);
}
