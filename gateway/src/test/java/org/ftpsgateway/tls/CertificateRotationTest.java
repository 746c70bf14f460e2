package org.ftpsgateway.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.X509TrustManager;
import org.apache.commons.net.ftp.FTPSClient;
import org.ftpsgateway.config.ClientTlsConfig;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.ListenerConfig;
import org.ftpsgateway.config.TlsMode;
import org.ftpsgateway.support.GatewayFixture;
import org.ftpsgateway.support.LogCapture;
import org.ftpsgateway.support.Poll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The listener's certificate files are replaced in place (as cert-manager does with a Kubernetes secret): new
 * handshakes present the new certificate, a transfer in flight and its session go on untouched, and a broken file
 * is refused while the last good certificate stays.
 */
class CertificateRotationTest {

  @TempDir
  Path tmp;

  /** Trusts any server and remembers the certificate it presented. */
  private static final class Recording implements X509TrustManager {
    final AtomicReference<X509Certificate> seen = new AtomicReference<>();

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
      seen.set(chain[0]);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  private static FTPSClient ftps(int port, Recording trust) throws Exception {
    return GatewayFixture.ftpsLogin(port, false, trust);
  }

  private static String presentedBy(int port) throws Exception {
    Recording trust = new Recording();
    FTPSClient ftp = ftps(port, trust);
    ftp.logout();
    ftp.disconnect();
    return Fingerprints.format(Fingerprints.certificate(trust.seen.get()));
  }

  private void write(Path cert, Path key, GeneratedCertificate c) throws Exception {
    // replace, never truncate in place: a reader must see the old file or the new one
    Path tmpCert = Files.writeString(tmp.resolve("next.crt"), c.certificatePem());
    Path tmpKey = Files.writeString(tmp.resolve("next.key"), c.privateKeyPem());
    Files.move(tmpKey, key, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    Files.move(tmpCert, cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static String awaitPresented(int port, String expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    String seen;
    do {
      seen = presentedBy(port);
      if (seen.equals(expected)) {
        return seen;
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    return seen;
  }

  @Test
  void rotatedCertificateIsServedToNewSessionsWhileATransferRuns() throws Exception {
    GeneratedCertificate first = GeneratedCertificate.generate(List.of("localhost", "127.0.0.1"), Duration.ofDays(5));
    GeneratedCertificate second = GeneratedCertificate.generate(List.of("localhost", "127.0.0.1"), Duration.ofDays(90));
    Path cert = tmp.resolve("tls.crt");
    Path key = tmp.resolve("tls.key");
    write(cert, key, first);
    try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS, c -> {
      ListenerConfig l = c.listeners().get(0);
      ClientTlsConfig tls = new ClientTlsConfig(cert.toString(), key.toString(), null, null, null, false, false,
          false, false, false, 1);
      return new GatewayConfig(List.of(new ListenerConfig(l.name(), l.host(), l.port(), TlsMode.EXPLICIT,
          l.passivePorts(), l.passiveAddress(), l.allowForeignActive(), tls)), c.upstream(), c.timeouts(),
          c.metrics(), c.logging(), c.limits(), c.shutdownGraceSeconds());
    }, null)) {
      assertThat(presentedBy(fx.port())).isEqualTo(first.sha256Fingerprint());
      byte[] content = GatewayFixture.randomBytes(8 << 20, 3);
      Files.write(fx.root().resolve("big.bin"), content);

      // a session secured with the first certificate starts a download that reads slowly
      FTPSClient running = ftps(fx.port(), new Recording());
      InputStream in = running.retrieveFileStream("big.bin");
      assertThat(in).as(running.getReplyString()).isNotNull();
      CompletableFuture<byte[]> download = CompletableFuture.supplyAsync(() -> {
        try {
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          byte[] buf = new byte[64 * 1024];
          int n;
          while ((n = in.read(buf)) > 0) {
            out.write(buf, 0, n);
            Thread.sleep(20); // ~3 MB/s: the transfer spans the rotation
          }
          in.close();
          return out.toByteArray();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });

      write(cert, key, second);
      assertThat(awaitPresented(fx.port(), second.sha256Fingerprint())).isEqualTo(second.sha256Fingerprint());

      byte[] got = download.get(60, TimeUnit.SECONDS);
      assertThat(running.completePendingCommand()).as(running.getReplyString()).isTrue();
      assertThat(GatewayFixture.sha256(got)).isEqualTo(GatewayFixture.sha256(content));
      // the old session keeps working after the rotation
      assertThat(running.storeFile("after.bin", new ByteArrayInputStream(content, 0, 100_000)))
          .as(running.getReplyString()).isTrue();
      running.logout();
      running.disconnect();

      // a broken replacement is refused; the last good certificate stays in use
      // the watch (every second) says so in a warning: wait for it, then check what new sessions get
      try (LogCapture tlsLog = LogCapture.of(ClientSideTls.class.getName())) {
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");
        assertThat(Poll.until(Duration.ofSeconds(15), () -> tlsLog.messages(java.util.logging.Level.WARNING).stream()
            .anyMatch(w -> w.contains("keeping the current"))))
            .as("broken file refused: %s", tlsLog.messages(java.util.logging.Level.WARNING)).isTrue();
      }
      assertThat(presentedBy(fx.port())).isEqualTo(second.sha256Fingerprint());

      // an expired replacement (a stale secret written back) is refused too: the valid one stays in use
      java.time.Instant now = java.time.Instant.now();
      GeneratedCertificate expired = GeneratedCertificate.generate(List.of("localhost", "127.0.0.1"),
          now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)));
      try (LogCapture tlsLog = LogCapture.of(ClientSideTls.class.getName())) {
        write(cert, key, expired);
        assertThat(Poll.until(Duration.ofSeconds(15), () -> tlsLog.messages(java.util.logging.Level.WARNING).stream()
            .anyMatch(w -> w.contains("expired on") && w.contains("keeping the current one"))))
            .as("expired file refused: %s", tlsLog.messages(java.util.logging.Level.WARNING)).isTrue();
      }
      assertThat(presentedBy(fx.port())).isEqualTo(second.sha256Fingerprint());
    }
  }
}
