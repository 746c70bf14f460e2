package org.ftpsgateway.data;

import io.netty.handler.ssl.SslHandler;
import io.vertx.core.net.NetSocket;
import java.util.Base64;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Set;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;

/** Watches a TLS client session cache for a newly stored session ticket (see {@link DataRelay}). */
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

  static Set<String> sessionIds(NetSocket socket) {
    Set<String> ids = new HashSet<>();
    SslHandler ssl = DataRelay.sslHandler(socket);
    if (ssl == null) {
      return ids;
    }
    SSLSessionContext context = ssl.engine().getSession().getSessionContext();
    if (context == null) {
      return ids;
    }
    Enumeration<byte[]> e = context.getIds();
    while (e.hasMoreElements()) {
      ids.add(Base64.getEncoder().encodeToString(e.nextElement()));
    }
    return ids;
  }

  static boolean newTicketSince(NetSocket socket, Set<String> before) {
    for (String id : sessionIds(socket)) {
      if (!before.contains(id)) {
        return true;
      }
    }
    return false;
  }
}
