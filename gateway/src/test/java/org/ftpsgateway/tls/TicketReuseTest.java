package org.ftpsgateway.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.ftpsgateway.config.DataMode;
import org.ftpsgateway.config.TimeoutsConfig;
import org.ftpsgateway.config.TlsMode;
import org.ftpsgateway.config.UpstreamConfig;
import org.ftpsgateway.metrics.TlsCpuMeter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The ProFTPD case without ProFTPD: a TLS 1.3 server that sends tickets on the first connection of a session (the
 * control connection) and none after it, as ProFTPD 1.3.8 does on upload data connections, but accepts its tickets
 * as often as they come. Every later connection of the gateway's session must still resume. Both engines use a
 * ticket once on their own (the JDK keeps one, BoringSSL two), so without {@link TicketReuse} the third connection at
 * the latest does a full handshake (ProFTPD: "client did not reuse TLS session", 425).
 *
 * <p>The server is the JDK's: it sends no ticket while its session timeout exceeds the TLS 1.3 maximum of 7 days
 * (RFC 8446 §4.6.1; {@code NewSessionTicket}: "No session ticket produced: session timeout"), and its stateless
 * tickets stay valid however often they are used.
 */
class TicketReuseTest {

  private static final char[] STORE_PASSWORD = "changeit".toCharArray();
  private static final int MORE_THAN_SEVEN_DAYS = 604_801;

  @TempDir
  Path dir;

  private SSLServerSocket server;
  private Thread acceptor;
  private Vertx vertx;

  @AfterEach
  void stop() throws Exception {
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close();
      acceptor.join(10_000);
    }
  }

  @ParameterizedTest
  @EnumSource(value = UpstreamConfig.SslEngine.class, names = {"JDK", "OPENSSL"})
  void everyConnectionResumesAlthoughTheServerSendsNoMoreTickets(UpstreamConfig.SslEngine engine) throws Exception {
    GeneratedCertificate cert = GeneratedCertificate.generate(List.of("localhost", "127.0.0.1"), Duration.ofDays(1));
    Path ca = Files.writeString(dir.resolve("ca.pem"), cert.certificatePem());
    SSLContext serverTls = serverContext(cert);
    int port = startServer(serverTls);

    UpstreamConfig upstream = new UpstreamConfig("127.0.0.1", port, TlsMode.EXPLICIT, "localhost", ca.toString(),
        List.of("TLSv1.3"), DataMode.EPSV, engine);
    UpstreamTls tls = new UpstreamTls(upstream, TimeoutsConfig.defaults(),
        engine == UpstreamConfig.SslEngine.OPENSSL, new TlsCpuMeter(false));
    assertThat(tls.openSsl()).isEqualTo(engine == UpstreamConfig.SslEngine.OPENSSL);
    UpstreamTls.SessionTls session = tls.newSessionContext();
    vertx = Vertx.vertx();
    NetClient client = vertx.createNetClient();

    long started = System.currentTimeMillis();
    NetSocket control = connect(client, port, tls, session);
    assertThat(UpstreamTls.resumed(control, started)).as("first connection: a full handshake").isFalse();
    // tickets follow the handshake: keep the first connection until they are in the session's hands
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!session.holdsTicket() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(session.holdsTicket()).as("tickets of the first connection").isTrue();
    close(control);
    // from now on the server sends no ticket (ProFTPD on STOR/APPE/STOU data connections)
    serverTls.getServerSessionContext().setSessionTimeout(MORE_THAN_SEVEN_DAYS);
    for (int i = 1; i <= 5; i++) {
      started = System.currentTimeMillis();
      NetSocket data = connect(client, port, tls, session);
      assertThat(UpstreamTls.resumed(data, started)).as(engine + " connection " + i + " resumed").isTrue();
      close(data);
    }
  }

  private static SSLContext serverContext(GeneratedCertificate cert) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(new ByteArrayInputStream(cert.pkcs12("server", STORE_PASSWORD)), STORE_PASSWORD);
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, STORE_PASSWORD);
    SSLContext ctx = SSLContext.getInstance("TLSv1.3");
    ctx.init(kmf.getKeyManagers(), null, null);
    return ctx;
  }

  /** Accepts connections one at a time: handshake, then read until the client closes. */
  private int startServer(SSLContext tls) throws Exception {
    server = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket(0, 10, InetAddress.getLoopbackAddress());
    server.setEnabledProtocols(new String[] {"TLSv1.3"});
    acceptor = new Thread(() -> {
      while (!server.isClosed()) {
        try (Socket s = server.accept()) {
          ((SSLSocket) s).startHandshake();
          InputStream in = s.getInputStream();
          while (in.read() >= 0) {
            // nothing is sent; reading consumes the client's close_notify
          }
        } catch (java.io.IOException e) {
          // the client went away or the test ends: next connection
        }
      }
    }, "ticket-reuse-test-server");
    acceptor.setDaemon(true);
    acceptor.start();
    return server.getLocalPort();
  }

  /** One connection of the session, with TLS as the gateway does it. */
  private static NetSocket connect(NetClient client, int port, UpstreamTls tls, UpstreamTls.SessionTls session)
      throws Exception {
    return client.connect(port, "127.0.0.1")
        .compose(s -> tls.secure(s, session).map(s))
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static void close(NetSocket socket) throws Exception {
    socket.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
