package org.ftpsgateway.data;

import io.vertx.core.Future;
import io.vertx.core.net.NetSocket;

/** The client's side of one data connection: a passive listener the client connects to, or (active mode) a connection the gateway makes. */
public interface ClientDataChannel {

  /** Completes with the client's data connection, not reading ({@link ReadGate}); fails if it cannot be had. */
  Future<NetSocket> connection();

  /** The upstream announced the transfer ({@code 1xx}): an active-mode channel connects out now. */
  default void begin() {
  }

  /** Releases everything (sockets, ports). Idempotent. */
  Future<Void> close();
}
