package org.ftpsgateway.control;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.Set;
import java.util.logging.Logger;
import javax.net.ssl.SSLHandshakeException;
import org.ftpsgateway.config.TlsMode;
import org.ftpsgateway.config.UpstreamConfig;
import org.ftpsgateway.metrics.GatewayMetrics;
import org.ftpsgateway.protocol.FtpReply;
import org.ftpsgateway.protocol.ProxyProtocol;
import org.ftpsgateway.tls.Fingerprints;
import org.ftpsgateway.tls.ServerIdentity;
import org.ftpsgateway.tls.UpstreamTls;
import org.ftpsgateway.upstream.UpstreamServer;

/**
 * Opens a secured control connection to the upstream: connect, greeting, {@code AUTH TLS} and the TLS upgrade
 * with certificate and host name verification (RFC 4217 §4), then {@code PBSZ 0} and {@code PROT P} (RFC 4217
 * §8-9). Any failure fails the future with a sentence for the client's {@code 421}; there is no fallback to
 * plain FTP.
 */
final class UpstreamConnector {

  /** What the caller needs from a ready connection. */
  record Connected(UpstreamControl control, FtpReply greeting, boolean protectionPending, long connectNanos) {
  }

  /** Start of the client's reply text when the upstream certificate is the problem (a contract for operators). */
  static final String CERTIFICATE_REJECTED = "upstream certificate rejected: ";

  private final Vertx vertx;
  private final NetClient client;
  private final UpstreamServer server;
  private final UpstreamConfig upstream;
  private final UpstreamTls tls;
  private final ListenerContext context;
  private UpstreamTls.SessionTls sessionContext;

  UpstreamConnector(ListenerContext context, NetClient client, UpstreamServer server) {
    this.context = context;
    this.vertx = context.vertx();
    this.client = client;
    this.server = server;
    this.upstream = server.config();
    this.tls = server.tls();
  }

  UpstreamServer server() {
    return server;
  }

  UpstreamConfig upstream() {
    return upstream;
  }

  UpstreamTls tls() {
    return tls;
  }

  NetClient client() {
    return client;
  }

  /**
   * Connects and secures a control connection whose TLS sessions live in {@code sessionContext}, on the gateway's
   * own behalf (the probe): with {@code upstream.proxyProtocol} a header without a client (LOCAL / UNKNOWN).
   */
  Future<Connected> connect(UpstreamTls.SessionTls sessionContext) {
    return connect(sessionContext, upstream.proxyProtocol() == null ? null
        : ProxyProtocol.local(upstream.proxyProtocol()),
        context.timeouts().connectSeconds() * 1000L);
  }

  /**
   * As {@link #connect(UpstreamTls.SessionTls)}, sending {@code proxyHeader} (null: none) as the very first
   * bytes: before the greeting is read and, for implicit TLS, before the handshake, since the server reads the
   * header off the raw TCP stream (proxy-protocol.txt §2: "the header ... must be the first bytes"). The whole
   * set-up must complete within {@code timeoutMillis} (what is left of the session's connect budget).
   */
  Future<Connected> connect(UpstreamTls.SessionTls sessionContext, byte[] proxyHeader, long timeoutMillis) {
    this.sessionContext = sessionContext;
    long start = System.nanoTime();
    Promise<Connected> result = Promise.promise();
    boolean implicit = upstream.tls() == TlsMode.IMPLICIT;
    ConnectOptions options = new ConnectOptions()
        .setHost(upstream.host())
        .setPort(upstream.port())
        .setTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMillis));
    long timer = vertx.setTimer(Math.max(1, timeoutMillis), t -> result.tryFail("upstream " + where()
        + " did not complete the TLS setup within " + timeoutMillis / 1000.0 + " s"));
    client.connect(options)
        .recover(e -> Future.failedFuture(describeConnectFailure(e)))
        .compose(socket -> {
          UpstreamControl control = new UpstreamControl(socket, context.listenerMetrics().controlIn(),
              context.listenerMetrics().controlOut());
          result.future().onFailure(e -> control.close());
          // the write completes once the header left the pipeline: only then may the SslHandler go in front
          Future<Void> header = proxyHeader == null ? Future.succeededFuture()
              : socket.write(Buffer.buffer(proxyHeader));
          return header.compose(v -> secure(control, implicit))
              .map(setup -> new Connected(control, setup.greeting, setup.protectionPending, System.nanoTime() - start));
        })
        .onComplete(ar -> {
          vertx.cancelTimer(timer);
          if (ar.succeeded()) {
            context.metrics().upstreamConnect(server.upstreamName(), ar.result().connectNanos());
            server.health().succeeded();
          } else {
            server.health().failed(ar.cause().getMessage());
          }
          context.metrics().upstreamUp(server.upstreamName(), server.where(), ar.succeeded());
          context.metrics().upstreamCertificate(server.upstreamName(), server.where(), sessionContext.presented());
          if (ar.succeeded()) {
            if (!result.tryComplete(ar.result())) {
              ar.result().control().close();
            }
          } else {
            result.tryFail(ar.cause());
          }
        });
    return result.future();
  }

  private record Setup(FtpReply greeting, boolean protectionPending) {
  }

  private Future<Setup> secure(UpstreamControl control, boolean implicit) {
    // implicit FTPS: TLS from the first byte, the greeting comes encrypted
    Future<Void> implicitTls = implicit ? handshake(control) : Future.succeededFuture();
    return implicitTls.compose(v -> control.expectReply()).compose(greeting -> {
      if (!greeting.isPositiveCompletion()) {
        return Future.failedFuture("upstream " + where() + " refused the session: " + greeting.text());
      }
      Future<Void> tlsUp = implicit ? Future.succeededFuture() : authTls(control);
      return tlsUp.compose(v -> protect(control)).map(pending -> new Setup(greeting, pending));
    });
  }

  private Future<Void> authTls(UpstreamControl control) {
    return control.send("AUTH TLS").compose(reply -> {
      if (reply.code() != 234) {
        return Future.failedFuture("upstream " + where() + " refused AUTH TLS: " + reply.text());
      }
      return handshake(control);
    });
  }

  /** The TLS handshake on the control connection, then the strict name check. */
  private Future<Void> handshake(UpstreamControl control) {
    NetSocket socket = control.socket();
    long started = System.nanoTime();
    long startedMillis = System.currentTimeMillis();
    return tls.secure(socket, sessionContext)
        .onComplete(ar -> context.metrics().tlsHandshake(GatewayMetrics.SIDE_UPSTREAM, "control",
            ar.succeeded() && UpstreamTls.resumed(socket, startedMillis), ar.succeeded() ? "ok" : "failed",
            System.nanoTime() - started))
        .<Void>mapEmpty()
        .recover(e -> {
          String why = describeTls(e);
          X509Certificate presented = sessionContext.presented();
          if (why.startsWith("server certificate")) {
            return Future.failedFuture(CERTIFICATE_REJECTED + why.substring("server ".length()) + " (" + where()
                + (presented != null ? ", " + Fingerprints.describe(presented) : "") + ")");
          }
          return Future.failedFuture("TLS handshake with upstream " + where() + " failed: " + why);
        })
        .compose(v -> verifyIdentity(control))
        .onSuccess(v -> context.measureUpstreamTls(socket, tls.openSsl()));
  }

  /** The server certificate must name {@code upstream.serverName}; remembered to check every data connection. */
  private Future<Void> verifyIdentity(UpstreamControl control) {
    X509Certificate leaf;
    try {
      leaf = (X509Certificate) control.socket().peerCertificates().get(0);
    } catch (Exception e) {
      return Future.failedFuture(CERTIFICATE_REJECTED + "no certificate from " + where() + " (" + message(e) + ")");
    }
    try {
      if (tls.checksHostname()) {
        ServerIdentity.verify(leaf, upstream.serverName());
      }
      control.serverCertificate(leaf);
      return Future.succeededFuture();
    } catch (Exception e) {
      return Future.failedFuture(CERTIFICATE_REJECTED + "certificate of " + where() + " does not match the server"
          + " name " + upstream.serverName() + " (" + message(e) + "; " + Fingerprints.describe(leaf) + ")");
    }
  }

  /**
   * {@code PBSZ 0} + {@code PROT P}. Some servers accept them only after login ({@code 530}); then the session sends
   * them right after the login succeeded, before the client sees {@code 230} (true = still to do).
   */
  private Future<Boolean> protect(UpstreamControl control) {
    return control.send("PBSZ 0").compose(pbsz -> {
      if (pbsz.code() == 530) {
        return Future.succeededFuture(true);
      }
      if (!pbsz.isPositiveCompletion()) {
        return Future.failedFuture("upstream " + where() + " refused PBSZ 0: " + pbsz.text());
      }
      return control.send("PROT P").compose(prot -> {
        if (prot.code() == 530) {
          return Future.succeededFuture(true);
        }
        if (!prot.isPositiveCompletion()) {
          return Future.failedFuture("upstream " + where() + " refused PROT P: " + prot.text());
        }
        return Future.succeededFuture(false);
      });
    });
  }

  /** After login: the PBSZ/PROT that the server did not accept before it. */
  static Future<Void> protectAfterLogin(UpstreamControl control) {
    return control.send("PBSZ 0").compose(pbsz -> {
      if (!pbsz.isPositiveCompletion()) {
        return Future.failedFuture("upstream refused PBSZ 0 after login: " + pbsz.text());
      }
      return control.send("PROT P").compose(prot -> prot.isPositiveCompletion()
          ? Future.succeededFuture()
          : Future.failedFuture("upstream refused PROT P after login: " + prot.text()));
    });
  }

  /**
   * {@code upstream.ccc}: after login, {@code CCC} (RFC 4217 §6) so that firewalls and NAT devices on the path can
   * read the control channel; data connections stay {@code PROT P}. Completes with true once TLS is shut down on the
   * control connection (close_notify both ways, then plain text), false when the server refused CCC: the session
   * then simply stays encrypted, the safe side.
   */
  static Future<Boolean> clearControlChannel(UpstreamControl control) {
    return control.send("CCC").compose(reply -> {
      if (reply.code() != 200) {
        Logger.getLogger(UpstreamConnector.class.getName())
            .warning("upstream refused CCC (" + reply.code() + " " + reply.text()
                + "): the control channel stays encrypted");
        return Future.succeededFuture(false);
      }
      return control.dropTls().map(true);
    });
  }

  String where() {
    return server.where();
  }

  private String describeConnectFailure(Throwable e) {
    return "cannot connect to upstream " + where() + ": " + message(e);
  }

  /** A sentence for a failed handshake: the whole cause chain is searched, engines word their errors differently. */
  static String describeTls(Throwable e) {
    StringBuilder all = new StringBuilder();
    String deepest = message(e);
    Set<Throwable> seen = new HashSet<>();
    for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
      String m = message(t);
      all.append(m).append(' ');
      if (!m.startsWith("General OpenSslEngine problem")) {
        deepest = m;
      }
    }
    String text = all.toString();
    if (text.contains("CertificateExpired") || text.contains("validity check failed")
        || text.contains("CERTIFICATE_EXPIRED") || text.contains("certificate expired")) {
      return "server certificate expired (" + deepest + ")";
    }
    if (text.contains("PKIX") || text.contains("unable to find valid certification path")
        || text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("certificate_unknown")) {
      return "server certificate not trusted (" + deepest + ")";
    }
    if (text.contains("CERTIFICATE_REQUIRED") || text.contains("certificate_required")
        || text.contains("Empty client certificate chain")) {
      return "the upstream requires a client certificate (set upstream.clientCertFile/clientKeyFile or"
          + " clientKeystore)";
    }
    if (text.contains("ALERT_BAD_CERTIFICATE") || text.contains("bad_certificate")
        || text.contains("ALERT_UNKNOWN_CA") || text.contains("unknown_ca")) {
      return "the upstream refused the gateway's client certificate (" + deepest + ")";
    }
    if (text.contains("pin mismatch")) {
      return "server certificate pin mismatch (" + deepest + ")";
    }
    if (text.contains("No subject alternative") || text.contains("doesn't match") || text.contains("No name matching")) {
      return "server certificate does not match the server name (" + deepest + ")";
    }
    return deepest;
  }

  static String message(Throwable e) {
    String m = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    return m.replace('\r', ' ').replace('\n', ' ');
  }
}
