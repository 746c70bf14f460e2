package org.ftpsgateway.control;

import io.netty.handler.ssl.SslContext;
import io.vertx.core.Future;
import io.vertx.core.net.NetSocket;
import javax.net.ssl.SSLSession;
import org.ftpsgateway.data.EarlyData;
import org.ftpsgateway.data.ReadGate;
import org.ftpsgateway.data.Transfer;
import org.ftpsgateway.tls.ClientSideTls;

/**
 * The client side's TLS (RFC 4217) for one session: whether the control connection runs TLS (implicit listener, or
 * after AUTH TLS), whether data connections do (PROT P), and the TLS context they all use.
 *
 * <p>Threading: used only on the session's event loop.
 */
final class ClientSecurity {

  private final ListenerContext context;
  private final NetSocket client;
  private boolean controlTls;
  private SSLSession controlSession;
  /**
   * The client-side TLS context of this session, fixed at its first handshake: a certificate reload must not
   * change it under the session, whose data connections resume the control connection's session.
   */
  private SslContext tlsContext;
  /** PROT P in force: client data connections are TLS too. */
  private boolean protectData;

  ClientSecurity(ListenerContext context, NetSocket client) {
    this.context = context;
    this.client = client;
  }

  /** Whether the listener offers TLS to its clients (listeners[].clientTls). */
  boolean offered() {
    return context.clientTls() != null;
  }

  boolean controlTls() {
    return controlTls;
  }

  boolean protectData() {
    return protectData;
  }

  void protectData(boolean protect) {
    this.protectData = protect;
  }

  private SslContext tlsContext() {
    if (tlsContext == null) {
      tlsContext = context.clientTls().current();
    }
    return tlsContext;
  }

  /** The TLS handshake on the control connection, the gateway in the server role. */
  Future<Void> handshake() {
    return context.clientTls().secure(client, tlsContext()).map(session -> {
      controlTls = true;
      controlSession = session;
      return null;
    });
  }

  /**
   * The client's data connection as the relay gets it. With PROT P it gets TLS, the gateway in the server role
   * (RFC 4217 §7: the FTP client is the TLS client, whichever side connected). With requireSessionReuse the session
   * must resume the control connection's, as vsftpd's require_ssl_reuse demands, so a data connection cannot be
   * taken over by a third party that merely reached the port.
   */
  Future<Transfer.ClientData> secureData(NetSocket socket) {
    if (!protectData) {
      return Future.succeededFuture(new Transfer.ClientData(socket, EarlyData.capture(socket)));
    }
    EarlyData early = EarlyData.capture(socket);
    ReadGate.start(socket);
    return context.clientTls().secure(socket, tlsContext()).transform(h -> {
      ReadGate.stop(socket);
      if (h.failed()) {
        early.release();
        socket.close();
        return Future.failedFuture("425 TLS handshake on the data connection failed: " + h.cause().getMessage());
      }
      if (context.listener().clientTls().requireSessionReuse() && !ClientSideTls.resumed(socket, controlSession)) {
        early.release();
        socket.close();
        context.metrics().rejected("tls_session_not_reused");
        return Future.failedFuture("522 SSL connection failed: session reuse required");
      }
      return Future.succeededFuture(new Transfer.ClientData(socket, early));
    });
  }
}
