package org.ftpsgateway.tls;

import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemTrustOptions;
import java.util.LinkedHashSet;
import java.util.concurrent.TimeUnit;
import org.ftpsgateway.config.TimeoutsConfig;
import org.ftpsgateway.config.UpstreamConfig;
import org.ftpsgateway.protocol.DataAddresses;

/**
 * TLS settings of the upstream side. One {@link ClientSSLOptions} instance per upstream, shared by the control
 * connection and every data connection: Vert.x keys its SSL context (and so the client session cache that data
 * connections resume from) by these options and the SNI name.
 */
public final class UpstreamTls {

  private final ClientSSLOptions options;
  private final String sniName;

  public UpstreamTls(UpstreamConfig upstream, TimeoutsConfig timeouts) {
    ClientSSLOptions o = new ClientSSLOptions()
        // RFC 4217 §10.2 / RFC 6125: the certificate must name the server we meant to reach
        .setHostnameVerificationAlgorithm("HTTPS")
        .setEnabledSecureTransportProtocols(new LinkedHashSet<>(upstream.protocols()))
        .setSslHandshakeTimeout(timeouts.connectSeconds())
        .setSslHandshakeTimeoutUnit(TimeUnit.SECONDS);
    if (upstream.caFile() != null) {
      o.setTrustOptions(new PemTrustOptions().addCertPath(upstream.caFile()));
    }
    this.options = o;
    this.sniName = sniName(upstream.serverName());
  }

  public ClientSSLOptions options() {
    return options;
  }

  /**
   * The SNI name to send, or null when the server name is an IP literal (RFC 6066 §3 forbids literals in SNI).
   * The JDK checks the certificate against the SNI name when there is one, otherwise against the peer host.
   */
  public String sniName() {
    return sniName;
  }

  /**
   * Whether the socket's TLS session was resumed rather than negotiated in full. The JDK keeps a resumed session's
   * creation time (the original session's), so a session created before this connection started is a resumed one.
   */
  public static boolean resumed(io.vertx.core.net.NetSocket socket, long connectStartedMillis) {
    javax.net.ssl.SSLSession session = socket.sslSession();
    return session != null && session.getCreationTime() < connectStartedMillis;
  }

  /** "TLSv1.3 TLS_AES_256_GCM_SHA384" of a TLS socket, or null. */
  public static String describe(io.vertx.core.net.NetSocket socket) {
    javax.net.ssl.SSLSession session = socket.sslSession();
    return session == null ? null : session.getProtocol() + " " + session.getCipherSuite();
  }

  static String sniName(String serverName) {
    if (serverName == null || DataAddresses.isIpv4Literal(serverName) || serverName.indexOf(':') >= 0) {
      return null;
    }
    return serverName;
  }
}
