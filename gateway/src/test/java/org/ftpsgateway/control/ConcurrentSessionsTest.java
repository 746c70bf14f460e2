package org.ftpsgateway.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.commons.net.ftp.FTPClient;
import org.ftpsgateway.Gateway;
import org.ftpsgateway.config.ClientTlsConfig;
import org.ftpsgateway.config.DataMode;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.ListenerConfig;
import org.ftpsgateway.config.TlsMode;
import org.ftpsgateway.config.UpstreamConfig;
import org.ftpsgateway.support.FreePorts;
import org.ftpsgateway.support.GatewayFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many sessions at once against an upstream that, like vsftpd's require_ssl_reuse, refuses a data connection
 * whose TLS session is not its own control connection's. The strict upstream is a second gateway with an explicit
 * TLS listener ({@code requireSessionReuse}) in front of MINA: client -> gateway A -> gateway B -> MINA.
 */
class ConcurrentSessionsTest {

  @TempDir
  Path tmp;

  @Test
  void concurrentSessionsEachResumeTheirOwnTlsSession() throws Exception {
    Path certDir = tmp.resolve("b-cert");
    try (GatewayFixture strict = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS, c -> {
      ListenerConfig l = c.listeners().get(0);
      ClientTlsConfig tls = new ClientTlsConfig(null, null, null, null, certDir.toString(), true, true, true,
          false, false);
      return new GatewayConfig(List.of(new ListenerConfig(l.name(), "127.0.0.1", 0, TlsMode.EXPLICIT,
          l.passivePorts(), null, false, tls)), c.upstream(), c.timeouts(), c.metrics(), c.logging(), c.limits(),
          c.shutdownGraceSeconds());
    }, null)) {
      byte[] content = GatewayFixture.randomBytes(512 * 1024, 77);
      Files.write(strict.root().resolve("par.bin"), content);
      GatewayConfig front = GatewayFixture.config(strict.port(), FreePorts.range(GatewayFixture.PASSIVE_PORTS), UpstreamConfig.DEFAULT_PROTOCOLS,
          certDir.resolve("gateway-cert.pem"), "127.0.0.1", DataMode.EPSV);
      Vertx vertx = Vertx.vertx();
      ExecutorService pool = Executors.newFixedThreadPool(20);
      try {
        Gateway a = Gateway.start(vertx, front).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        int port = a.listeners().get(0).port();
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          results.add(pool.submit(() -> {
            FTPClient ftp = GatewayFixture.connect(port);
            if (!ftp.login(GatewayFixture.USER, GatewayFixture.PASSWORD)) {
              return "login: " + ftp.getReplyString();
            }
            ftp.setFileType(org.apache.commons.net.ftp.FTP.BINARY_FILE_TYPE);
            ftp.enterLocalPassiveMode();
            for (int k = 0; k < 3; k++) {
              ByteArrayOutputStream out = new ByteArrayOutputStream();
              if (!ftp.retrieveFile("par.bin", out)) {
                return "RETR " + k + ": " + ftp.getReplyString().trim();
              }
              if (!GatewayFixture.sha256(out.toByteArray()).equals(GatewayFixture.sha256(content))) {
                return "checksum mismatch";
              }
            }
            ftp.logout();
            ftp.disconnect();
            return "ok";
          }));
        }
        for (Future<String> r : results) {
          assertThat(r.get(120, TimeUnit.SECONDS)).isEqualTo("ok");
        }
      } finally {
        pool.shutdownNow();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
  }
}
