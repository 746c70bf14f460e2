package org.ftpsgateway.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.net.ftp.FTPClient;
import org.ftpsgateway.Gateway;
import org.ftpsgateway.config.DataMode;
import org.ftpsgateway.config.UpstreamConfig;
import org.ftpsgateway.support.FreePorts;
import org.ftpsgateway.support.GatewayFixture;
import org.ftpsgateway.tls.GeneratedCertificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An upstream that is down or cannot be trusted: the client gets 421 and nothing else. */
class UpstreamFailureTest {

  @TempDir
  Path tmp;

  @Test
  void upstreamDownGives421() throws Exception {
    int closedPort = FreePorts.one(); // nothing listens there
    Path ca = tmp.resolve("ca.pem");
    Files.writeString(ca, GeneratedCertificate.generate(List.of("localhost"), Duration.ofDays(1)).certificatePem());
    Vertx vertx = Vertx.vertx();
    try {
      Gateway gw = Gateway.start(vertx, GatewayFixture.config(closedPort, FreePorts.range(GatewayFixture.PASSIVE_PORTS), UpstreamConfig.DEFAULT_PROTOCOLS,
          ca, "127.0.0.1", DataMode.EPSV)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(GatewayFixture.greeting(gw.listeners().get(0).port()))
          .startsWith("421 ").contains("cannot connect to upstream");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void untrustedCertificateGives421BeforeAnyLogin() throws Exception {
    Path rogue = tmp.resolve("rogue.pem");
    Files.writeString(rogue, GeneratedCertificate.generate(List.of("localhost", "127.0.0.1"), Duration.ofDays(1))
        .certificatePem());
    try (GatewayFixture fx = GatewayFixture.start(UpstreamConfig.DEFAULT_PROTOCOLS, rogue, "127.0.0.1",
        DataMode.EPSV)) {
      assertThat(GatewayFixture.greeting(fx.port())).startsWith("421 ").contains("not trusted");
    }
  }

  @Test
  void certificateForAnotherNameGives421() throws Exception {
    try (GatewayFixture fx = GatewayFixture.start(UpstreamConfig.DEFAULT_PROTOCOLS, null,
        "ftp.example.org", DataMode.EPSV)) {
      assertThat(GatewayFixture.greeting(fx.port())).startsWith("421 ").contains("does not match");
    }
  }

  @Test
  void tls13DownloadsResumeTheControlSessionOnEveryDataConnection() throws Exception {
    try (GatewayFixture fx = GatewayFixture.start(List.of("TLSv1.3"), List.of("TLSv1.3"), null, "localhost",
        DataMode.EPSV)) {
      FTPClient ftp = fx.login();
      for (int i = 0; i < 30; i++) {
        byte[] content = GatewayFixture.randomBytes(50_000 + i, i);
        Files.write(fx.root().resolve("t13-" + i + ".bin"), content);
        var out = new java.io.ByteArrayOutputStream();
        assertThat(ftp.retrieveFile("t13-" + i + ".bin", out)).as("RETR %d: %s", i, ftp.getReplyString()).isTrue();
        assertThat(GatewayFixture.sha256(out.toByteArray())).isEqualTo(GatewayFixture.sha256(content));
      }
      ftp.logout();
      ftp.disconnect();
    }
  }

  @Test
  void tls12OnlyAndPasvOnlyUpstreamWorks() throws Exception {
    try (GatewayFixture fx = GatewayFixture.start(List.of("TLSv1.2"), null, "localhost", DataMode.PASV)) {
      byte[] content = GatewayFixture.randomBytes(3 << 20, 5);
      Files.write(fx.root().resolve("t12.bin"), content);
      FTPClient ftp = fx.login();
      var out = new java.io.ByteArrayOutputStream();
      assertThat(ftp.retrieveFile("t12.bin", out)).as(ftp.getReplyString()).isTrue();
      assertThat(GatewayFixture.sha256(out.toByteArray())).isEqualTo(GatewayFixture.sha256(content));
      assertThat(ftp.storeFile("t12-up.bin", new java.io.ByteArrayInputStream(content))).isTrue();
      assertThat(GatewayFixture.sha256(fx.root().resolve("t12-up.bin"))).isEqualTo(GatewayFixture.sha256(content));
      ftp.logout();
      ftp.disconnect();
    }
  }
}
