package org.ftpsgateway.data;

import io.netty.handler.ssl.SslHandler;
import io.vertx.core.net.NetSocket;
import javax.net.ssl.SSLSession;
import org.ftpsgateway.tls.TicketReuse;

/** Watches an upstream TLS session for a newly received session ticket (see {@link DataRelay}). */
final class TicketWatch {

  private TicketWatch() {
  }

  /** Only TLS 1.3 on the OpenSSL engine loses late tickets; the JDK keeps them (measured, see FACTS). */
  static boolean needsWait(NetSocket socket) {
    SslHandler ssl = DataRelay.sslHandler(socket);
    if (ssl == null) {
      return false;
    }
    SSLSession session = ssl.engine().getSession();
    // only the gateway as TLS client (upstream) receives tickets
    return ssl.engine().getUseClientMode() && session != null && "TLSv1.3".equals(session.getProtocol())
        && ssl.engine().getClass().getName().contains("OpenSsl");
  }

  /**
   * How many tickets the socket's TLS session has received so far (all connections of its FTP session count), or -1
   * when that is not known. The tickets land in the session's {@link TicketReuse}, not in Netty's cache.
   */
  static long ticketsReceived(NetSocket socket) {
    SslHandler ssl = DataRelay.sslHandler(socket);
    TicketReuse tickets = ssl == null ? null : TicketReuse.of(ssl.engine().getSession());
    return tickets == null ? -1 : tickets.received();
  }
}
