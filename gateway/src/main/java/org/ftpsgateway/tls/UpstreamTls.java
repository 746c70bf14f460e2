package org.ftpsgateway.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;
import org.ftpsgateway.config.TimeoutsConfig;
import org.ftpsgateway.config.UpstreamConfig;
import org.ftpsgateway.metrics.TlsCpuMeter;
import org.ftpsgateway.protocol.DataAddresses;

/**
 * The gateway as a TLS client of the upstream.
 *
 * <p>Every client session gets its own TLS context, and so its own session cache, shared by its control
 * connection and its data connections. FTPS servers demand that each data connection resumes the session of its
 * own control connection (vsftpd require_ssl_reuse, ProFTPD); TLS client caches are keyed by host and port, so with
 * one shared cache concurrent sessions to the same server would take (TLS 1.3 tickets are single-use) or resume
 * each other's sessions, and be refused. The trust material is loaded once and shared.
 */
public final class UpstreamTls {

  private final UpstreamConfig upstream;
  private final TrustManagerFactory trust;
  private final String sniName;
  private final long handshakeTimeoutMillis;
  private final boolean openSsl;
  private final TlsCpuMeter cpu;

  public UpstreamTls(UpstreamConfig upstream, TimeoutsConfig timeouts, boolean openSsl, TlsCpuMeter cpu) {
    this.upstream = upstream;
    this.trust = trustManagers(upstream.caFile());
    this.sniName = sniName(upstream.serverName());
    this.handshakeTimeoutMillis = timeouts.connectSeconds() * 1000L;
    this.openSsl = openSsl && OpenSsl.isAvailable();
    this.cpu = cpu;
  }

  private static TrustManagerFactory trustManagers(String caFile) {
    try {
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      if (caFile == null) {
        tmf.init((KeyStore) null); // the JVM's trust store
        return tmf;
      }
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      try (InputStream in = Files.newInputStream(Path.of(caFile))) {
        int i = 0;
        for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
          ks.setCertificateEntry("ca-" + i++, c);
        }
      }
      tmf.init(ks);
      return tmf;
    } catch (Exception e) {
      throw new IllegalStateException("cannot load upstream trust from " + caFile + ": " + e.getMessage(), e);
    }
  }

  public boolean openSsl() {
    return openSsl;
  }

  /** A fresh context for one client session: its control and data connections resume from its cache only. */
  public SslContext newSessionContext() {
    try {
      SslContext context = SslContextBuilder.forClient()
          .sslProvider(openSsl ? SslProvider.OPENSSL : SslProvider.JDK)
          .trustManager(trust)
          .protocols(upstream.protocols())
          .build();
      // the JDK engine is measured by wrapping it; OpenSSL stays unwrapped (measured from the pipeline)
      return openSsl ? context : cpu.wrap(context);
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build the upstream TLS context: " + e.getMessage(), e);
    }
  }

  /**
   * Starts TLS (client role) on a connected socket and completes with the session once the handshake is done.
   * The engine's peer is the upstream's configured host and port for every connection of the session, so data
   * connections find the control connection's session in the session's cache.
   */
  public Future<SSLSession> secure(NetSocket socket, SslContext context) {
    NetSocketInternal internal = (NetSocketInternal) socket;
    SslHandler handler = context.newHandler(internal.channelHandlerContext().alloc(), upstream.host(),
        upstream.port());
    SSLEngine engine = handler.engine();
    SSLParameters params = engine.getSSLParameters();
    // RFC 4217 §10.2 / RFC 6125: chain and name checked in the handshake (ServerIdentity checks the name again,
    // strictly, afterwards)
    params.setEndpointIdentificationAlgorithm("HTTPS");
    if (sniName != null) {
      params.setServerNames(List.of(new SNIHostName(sniName)));
    }
    engine.setSSLParameters(params);
    handler.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
    Promise<SSLSession> done = Promise.promise();
    handler.handshakeFuture().addListener(f -> {
      if (f.isSuccess()) {
        done.tryComplete(engine.getSession());
      } else {
        done.tryFail(f.cause());
      }
    });
    internal.channelHandlerContext().pipeline().addFirst("ssl", handler);
    return done.future();
  }

  /**
   * The SNI name to send, or null when the server name is an IP literal (RFC 6066 §3 forbids literals in SNI).
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
