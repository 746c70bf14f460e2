package org.ftpsgateway.data;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.OptionalInt;
import java.util.logging.Logger;
import org.ftpsgateway.protocol.Addresses;

/**
 * The gateway's listening socket for one client data connection after {@code PASV}/{@code EPSV}. Accepts
 * exactly one connection, and only from the address of the client's control connection (a connection from any
 * other host is closed at once: the passive-mode hijack of RFC 2577 §3). The port comes from the listener's
 * {@link PassivePortPool} and goes back to it when this listener is closed, on every path.
 *
 * <p>Vert.x closes a server's accepted connections when the server closes, so the listening socket stays open
 * (refusing further connections) until the transfer that uses its connection is over.
 *
 * <p>Behind a load balancer that sends a PROXY protocol header on every port it forwards
 * (listeners[].acceptProxyProtocol), the {@link ConnectionPrelude} reads that header first, and the client address
 * it carries is the one checked: the balancer's own address is never the client's.
 *
 * <p>The same guard serves the upstream side in {@code upstream.dataMode: active}: there the gateway listens
 * after {@code EPRT}/{@code PORT} and only the upstream server's address may connect.
 */
public final class ClientPassiveListener implements ClientDataChannel {

  private static final Logger LOG = Logger.getLogger(ClientPassiveListener.class.getName());

  private final NetServer server;
  private final PassivePortPool pool;
  private int port;
  private final String allowedPeer;
  private final Promise<NetSocket> connection = Promise.promise();
  private int rejected;
  private Runnable onRejected = () -> { };
  private ConnectionPrelude prelude = ConnectionPrelude.NONE;
  private boolean closed;

  private ClientPassiveListener(NetServer server, PassivePortPool pool, int port, String allowedPeer) {
    this.server = server;
    this.pool = pool;
    this.port = port;
    this.allowedPeer = allowedPeer;
  }

  /**
   * Opens a listener on {@code bindHost} at a free port of {@code pool}, or at any free port when {@code pool}
   * is null. Ports that cannot be bound (taken by another process) are skipped. Fails with a sentence when no port
   * is left.
   */
  public static Future<ClientPassiveListener> open(Vertx vertx, PassivePortPool pool, String bindHost,
                                                   String allowedPeer, long acceptTimeoutMillis,
                                                   Runnable onRejected) {
    return open(vertx, pool, bindHost, allowedPeer, acceptTimeoutMillis, onRejected, ConnectionPrelude.NONE);
  }

  /** Like the other {@code open}, with what each connection must present before its peer is checked. */
  public static Future<ClientPassiveListener> open(Vertx vertx, PassivePortPool pool, String bindHost,
                                                   String allowedPeer, long acceptTimeoutMillis,
                                                   Runnable onRejected, ConnectionPrelude prelude) {
    int attempts = pool == null ? 1 : pool.range().size();
    return tryOpen(vertx, pool, bindHost, allowedPeer, attempts).onSuccess(listener -> {
      listener.onRejected = onRejected;
      listener.prelude = prelude;
      // nobody connected in time: give the port back; the transfer command then gets 425
      long timer = vertx.setTimer(acceptTimeoutMillis, t -> {
        if (!listener.connection.future().isComplete()) {
          LOG.fine(() -> "no data connection to passive port " + listener.port + " within "
              + acceptTimeoutMillis / 1000 + " s");
          listener.close();
        }
      });
      listener.connection.future().onComplete(ar -> vertx.cancelTimer(timer));
    });
  }

  private static Future<ClientPassiveListener> tryOpen(Vertx vertx, PassivePortPool pool, String bindHost,
                                                       String allowedPeer, int attemptsLeft) {
    if (pool == null) {
      NetServer server = vertx.createNetServer(new NetServerOptions().setReuseAddress(true));
      ClientPassiveListener listener = new ClientPassiveListener(server, null, 0, allowedPeer);
      server.connectHandler(listener::accept);
      return server.listen(0, bindHost).map(s -> {
        listener.port = s.actualPort();
        return listener;
      }).recover(err -> {
        server.close();
        return Future.failedFuture("cannot listen on " + bindHost + ": " + err.getMessage());
      });
    }
    OptionalInt port = pool.acquire();
    if (port.isEmpty()) {
      return Future.failedFuture("no passive port available");
    }
    NetServer server = vertx.createNetServer(new NetServerOptions().setReuseAddress(true));
    ClientPassiveListener listener = new ClientPassiveListener(server, pool, port.getAsInt(), allowedPeer);
    server.connectHandler(listener::accept);
    return server.listen(port.getAsInt(), bindHost).map(s -> listener).recover(err -> {
      server.close();
      pool.release(port.getAsInt());
      if (attemptsLeft <= 1) {
        return Future.failedFuture("no passive port could be bound: " + err.getMessage());
      }
      LOG.fine(() -> "passive port " + port.getAsInt() + " not bindable, trying the next: " + err.getMessage());
      return tryOpen(vertx, pool, bindHost, allowedPeer, attemptsLeft - 1);
    });
  }

  public int port() {
    return port;
  }

  /** Completes with the client's data connection (not reading, see {@link ReadGate}), or fails if the listener was closed first. */
  @Override
  public Future<NetSocket> connection() {
    return connection.future();
  }

  /** Connections refused because they came from a host other than the control connection's peer. */
  public int rejected() {
    return rejected;
  }

  private void accept(NetSocket socket) {
    if (closed || connection.future().isComplete()) {
      socket.close();
      return;
    }
    // a failed prelude has closed the socket, counted and logged the refusal
    prelude.read(socket).onSuccess(peer -> check(socket, peer));
  }

  private void check(NetSocket socket, String peer) {
    if (closed || connection.future().isComplete()) {
      socket.close();
      return;
    }
    if (!Addresses.sameHost(peer, allowedPeer)) {
      rejected++;
      onRejected.run();
      LOG.warning(() -> "refused a data connection to listening port " + port + " from " + peer
          + ": the control connection comes from " + allowedPeer);
      socket.close();
      return;
    }
    connection.complete(socket);
  }

  /** Closes the listening socket and any accepted connection, then returns the port to the pool. Idempotent. */
  @Override
  public Future<Void> close() {
    if (closed) {
      return Future.succeededFuture();
    }
    closed = true;
    connection.tryFail("nobody connected to data port " + port + " in time");
    return server.close().eventually(() -> {
      if (pool != null) {
        pool.release(port);
      }
      return Future.succeededFuture();
    });
  }
}
