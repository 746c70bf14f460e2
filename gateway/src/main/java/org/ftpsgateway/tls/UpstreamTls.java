package org.ftpsgateway.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.internal.tcnative.SSL;
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
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.logging.Logger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.ftpsgateway.config.TimeoutsConfig;
import org.ftpsgateway.config.UpstreamConfig;
import org.ftpsgateway.config.UpstreamTlsOptions;
import org.ftpsgateway.data.UploadTickets;
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

  private static final Logger LOG = Logger.getLogger(UpstreamTls.class.getName());

  private final UpstreamConfig upstream;
  private final UpstreamTlsOptions options;
  private final X509ExtendedTrustManager trust;
  private final KeyManagerFactory clientKey;
  private final String sniName;
  private final long handshakeTimeoutMillis;
  private final boolean openSsl;
  private final TlsCpuMeter cpu;
  /** Whether this server sends TLS 1.3 tickets on upload data connections, learned from every session's uploads. */
  private final UploadTickets uploadTickets = new UploadTickets();

  public UpstreamTls(UpstreamConfig upstream, TimeoutsConfig timeouts, boolean openSsl, TlsCpuMeter cpu) {
    this.upstream = upstream;
    this.options = upstream.tlsOptions();
    this.trust = trustManager(upstream.caFile());
    this.clientKey = options.mutualTls() ? KeyMaterial.keyManagers(options.clientCertFile(), options.clientKeyFile(),
        options.clientKeystore(), options.clientKeystorePassword()) : null;
    this.sniName = sniName(upstream.serverName());
    this.handshakeTimeoutMillis = timeouts.connectSeconds() * 1000L;
    this.openSsl = openSsl && OpenSsl.isAvailable();
    this.cpu = cpu;
  }

  private static X509ExtendedTrustManager trustManager(String caFile) {
    TrustManagerFactory tmf = trustManagers(caFile);
    for (var tm : tmf.getTrustManagers()) {
      if (tm instanceof X509ExtendedTrustManager x) {
        return x;
      }
    }
    throw new IllegalStateException("the JVM offers no X.509 trust manager");
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

  public UploadTickets uploadTickets() {
    return uploadTickets;
  }

  /**
   * The TLS state of one client session: its own context (so its own session cache) and its own trust manager (which
   * remembers the certificate the upstream presented).
   */
  public static final class SessionTls {
    private final SslContext context;
    private final UpstreamTrust trust;
    private final TicketReuse tickets;

    SessionTls(SslContext context, UpstreamTrust trust, TicketReuse tickets) {
      this.context = context;
      this.trust = trust;
      this.tickets = tickets;
    }

    /** Whether the session holds a TLS 1.3 ticket to resume with. */
    boolean holdsTicket() {
      return tickets.holdsTicket();
    }

    /** The leaf certificate the upstream presented last in this session, or null. */
    public X509Certificate presented() {
      return trust.presented();
    }
  }

  /** Whether certificate checks are off ({@code insecureSkipVerify}): every session log line says so. */
  public boolean insecure() {
    return options.insecureSkipVerify();
  }

  /** Logs at start what an operator must know about the upstream trust settings. */
  public void warnAboutTrust() {
    if (options.insecureSkipVerify()) {
      LOG.warning("INSECURE: upstream.insecureSkipVerify is true: the upstream certificate and name are NOT"
          + " verified; anyone on the path can read and change every file and password. Use caFile or pinSha256.");
    } else if (!options.pins().isEmpty() && !options.verifyHostname()) {
      LOG.info("upstream trust: certificate pinned (" + options.pins().size()
          + " SHA-256 pin(s)), host name not checked");
    } else if (!options.verifyHostname()) {
      LOG.warning("upstream.verifyHostname is false: any certificate from a trusted CA is accepted for "
          + upstream.serverName());
    }
  }

  /** A fresh TLS state for one client session: its control and data connections resume from its cache only. */
  public SessionTls newSessionContext() {
    UpstreamTrust sessionTrust = new UpstreamTrust(trust, options.pins(), options.insecureSkipVerify());
    try {
      SslContextBuilder builder = SslContextBuilder.forClient()
          .sslProvider(openSsl ? SslProvider.OPENSSL : SslProvider.JDK)
          .trustManager(sessionTrust)
          .protocols(upstream.protocols())
          .ciphers(options.cipherSuites(), SupportedCipherSuiteFilter.INSTANCE);
      if (clientKey != null) {
        builder.keyManager(clientKey);
      }
      SslContext context = builder.build();
      TicketReuse tickets = openSsl ? OpenSslTicketReuse.install(context) : JdkTicketReuse.of(context.sessionContext());
      // the JDK engine is measured by wrapping it; OpenSSL stays unwrapped (measured from the pipeline)
      return new SessionTls(openSsl ? context : cpu.wrap(context), sessionTrust, tickets);
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build the upstream TLS context: " + e.getMessage(), e);
    }
  }

  /**
   * Starts TLS (client role) on a connected socket and completes with the session once the handshake is done.
   * The engine's peer is the upstream's configured host and port for every connection of the session, so data
   * connections find the control connection's session in the session's cache.
   */
  public Future<SSLSession> secure(NetSocket socket, SessionTls session) {
    NetSocketInternal internal = (NetSocketInternal) socket;
    SslHandler handler = session.context.newHandler(internal.channelHandlerContext().alloc(), upstream.host(),
        upstream.port());
    SSLEngine engine = handler.engine();
    SSLParameters params = engine.getSSLParameters();
    // RFC 4217 §10.2 / RFC 6125: chain and name checked in the handshake (ServerIdentity checks the name again,
    // strictly, afterwards); pins or insecureSkipVerify replace the CA check, verifyHostname: false the name check
    params.setEndpointIdentificationAlgorithm(checksHostname() && options.pins().isEmpty() ? "HTTPS" : null);
    if (sniName != null) {
      params.setServerNames(List.of(new SNIHostName(sniName)));
    }
    engine.setSSLParameters(params);
    // TLS 1.3: offer the session's newest ticket even when the engine has used it up (see TicketReuse)
    session.tickets.arm(engine);
    handler.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
    Promise<SSLSession> done = Promise.promise();
    handler.handshakeFuture().addListener(f -> {
      if (f.isSuccess()) {
        // the data relay asks it how many tickets arrived (TicketWatch)
        engine.getSession().putValue(TicketReuse.SESSION_KEY, session.tickets);
        done.tryComplete(engine.getSession());
      } else {
        done.tryFail(f.cause());
      }
    });
    var pipeline = internal.channelHandlerContext().pipeline();
    if (openSsl && cpu.enabled()) {
      // OpenSSL engines are measured from the pipeline; adding the handler sends the ClientHello at once
      long started = cpu.now();
      pipeline.addFirst("ssl", handler);
      cpu.addNanos(true, cpu.now() - started);
      org.ftpsgateway.metrics.TlsCpuHandlers.install(pipeline, "ssl", handler, cpu);
    } else {
      pipeline.addFirst("ssl", handler);
    }
    return done.future();
  }

  /** Whether the server certificate must name {@code upstream.serverName}. */
  public boolean checksHostname() {
    return options.verifyHostname() && !options.insecureSkipVerify();
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
    SslHandler ssl = ((NetSocketInternal) socket).channelHandlerContext().pipeline().get(SslHandler.class);
    if (ssl != null && ssl.engine() instanceof ReferenceCountedOpenSslEngine openSsl) {
      // asked directly: the session was set on the engine (TicketReuse), not found in Netty's cache, so Netty
      // does not carry over the creation time
      return SSL.isSessionReused(openSsl.sslPointer());
    }
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
