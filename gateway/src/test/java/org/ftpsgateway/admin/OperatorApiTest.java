package org.ftpsgateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.commons.net.ftp.FTPClient;
import org.ftpsgateway.config.AdminConfig;
import org.ftpsgateway.config.AuditConfig;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.MetricsConfig;
import org.ftpsgateway.metrics.GatewayMetrics;
import org.ftpsgateway.support.AdminHttp;
import org.ftpsgateway.support.LogCapture;
import org.ftpsgateway.support.GatewayFixture;
import org.ftpsgateway.support.Poll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator API and status page on the metrics port, driven by real FTP clients through a real upstream. */
class OperatorApiTest {

  private static final String TOKEN = "op-token-4f1c2e";

  @TempDir
  Path dir;

  private GatewayFixture gateway(String tokenFile, boolean sha256) throws Exception {
    GatewayMetrics metrics = GatewayMetrics.create(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    return GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS,
        c -> new GatewayConfig(c.listeners(), c.upstream(), c.timeouts(), new MetricsConfig(true, "127.0.0.1", 0))
            .withAdmin(new AdminConfig(tokenFile)).withAudit(new AuditConfig(sha256)),
        null, metrics);
  }

  private Path tokenFile(String token) throws IOException {
    return Files.writeString(dir.resolve("token"), token + "\n");
  }

  @Test
  void listsARunningDownloadAndClosingItEndsTheClientsTransfer() throws Exception {
    byte[] content = GatewayFixture.randomBytes(48 * 1024 * 1024, 7);
    try (LogCapture audit = LogCapture.audit();
         GatewayFixture fx = gateway(tokenFile(TOKEN).toString(), false)) {
      Files.write(fx.root().resolve("big.bin"), content);
      AdminHttp api = new AdminHttp(fx.gateway().metricsPort());
      String auth = AdminHttp.bearer(TOKEN);
      FTPClient ftp = fx.login();
      // the client reads a little and then nothing: the relay is held by back-pressure, the transfer stays running
      InputStream data = ftp.retrieveFileStream("big.bin");
      assertThat(data).as("RETR: %s", ftp.getReplyString()).isNotNull();
      assertThat(data.readNBytes(256 * 1024)).hasSize(256 * 1024);

      AtomicReference<JsonObject> seen = new AtomicReference<>();
      assertThat(Poll.until(Duration.ofSeconds(10), () -> {
        JsonArray list = new JsonArray(api.get("/api/v1/sessions", auth).body());
        JsonObject s = list.size() == 1 ? list.getJsonObject(0) : null;
        seen.set(s);
        return s != null && s.getJsonObject("transfer") != null && s.getJsonObject("transfer").getLong("bytes") > 0;
      })).as("a running RETR with bytes in %s", seen.get()).isTrue();
      JsonObject s = seen.get();
      JsonObject transfer = s.getJsonObject("transfer");
      assertThat(transfer.getString("command")).isEqualTo("RETR");
      assertThat(transfer.getString("path")).isEqualTo("big.bin");
      assertThat(transfer.getLong("bytes")).isPositive().isLessThan(content.length);
      assertThat(s.getLong("bytesDown")).isGreaterThanOrEqualTo(transfer.getLong("bytes"));
      assertThat(s.getLong("bytesUp")).isZero();
      assertThat(s.getString("user")).isEqualTo(GatewayFixture.USER);
      assertThat(s.getString("listener")).isEqualTo("test");
      assertThat(s.getString("client")).startsWith("127.0.0.1:");
      assertThat(s.getString("upstream")).isEqualTo("127.0.0.1:" + fx.server().port());
      assertThat(Instant.parse(s.getString("since"))).isBefore(Instant.now());

      String id = s.getString("id");
      assertThat(api.post("/api/v1/sessions/" + id + "/close", auth).statusCode()).isEqualTo(200);

      // the client's data connection ends short of the file, its control connection gets 426 then 421
      long got = 256 * 1024;
      try {
        got += data.transferTo(java.io.OutputStream.nullOutputStream());
      } catch (IOException reset) {
        // a reset is as good an end as a FIN here
      }
      assertThat(got).isLessThan(content.length);
      data.close();
      assertThat(ftp.completePendingCommand()).isFalse();
      assertThat(ftp.getReplyCode()).isIn(421, 426);
      assertThat(Poll.until(Duration.ofSeconds(10),
          () -> new JsonArray(api.get("/api/v1/sessions", auth).body()).isEmpty())).isTrue();
      assertThat(Poll.until(Duration.ofSeconds(10), () -> !audit.events("session").isEmpty())).isTrue();
      assertThat(audit.events("transfer")).singleElement().asString()
          .contains("command=RETR", "path=big.bin", "outcome=failed", "closed by the operator");
      assertThat(audit.events("session")).singleElement().asString().contains("outcome=closed_by_operator");
      assertThat(api.post("/api/v1/sessions/" + id + "/close", auth).statusCode()).isEqualTo(404);
      ftp.disconnect();
    }
  }

  @Test
  void withATokenFileEveryRequestNeedsTheToken() throws Exception {
    Path file = tokenFile(TOKEN);
    try (GatewayFixture fx = gateway(file.toString(), false)) {
      AdminHttp api = new AdminHttp(fx.gateway().metricsPort());
      for (String path : new String[] {"/api/v1/sessions", "/status"}) {
        var none = api.get(path, null);
        assertThat(none.statusCode()).as(path).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"ftps-gateway\"");
        assertThat(api.get(path, AdminHttp.bearer("wrong")).statusCode()).as(path).isEqualTo(401);
        assertThat(api.get(path, AdminHttp.basic("ops", "wrong")).statusCode()).as(path).isEqualTo(401);
        assertThat(api.get(path, AdminHttp.bearer(TOKEN)).statusCode()).as(path).isEqualTo(200);
        assertThat(api.get(path, AdminHttp.basic("ops", TOKEN)).statusCode()).as(path).isEqualTo(200);
      }
      String page = api.get("/status", AdminHttp.basic("ops", TOKEN)).body();
      // everything inline: no script, style or font from elsewhere (no CDN)
      assertThat(page).contains("name=\"viewport\"", "/api/v1/sessions", "data-writes=\"true\"")
          .doesNotContain("http://", "https://");
      assertThat(api.post("/api/v1/sessions/nope-1/close", AdminHttp.bearer(TOKEN)).statusCode()).isEqualTo(404);
      assertThat(api.get("/api/v1/sessions/nope-1/close", AdminHttp.bearer(TOKEN)).statusCode()).isEqualTo(405);
      assertThat(api.post("/api/v1/sessions", AdminHttp.bearer(TOKEN)).statusCode()).isEqualTo(405);
      // what a browser would send by itself (basic auth) cannot write without the page's own header
      assertThat(api.post("/api/v1/sessions/nope-1/close", AdminHttp.basic("ops", TOKEN)).statusCode())
          .isEqualTo(403);
      assertThat(api.send("POST", "/api/v1/sessions/nope-1/close", AdminHttp.basic("ops", TOKEN),
          "X-Ftpgw-Request", "test").statusCode()).isEqualTo(404);
      // /metrics stays open: Prometheus scrapes it without the token
      assertThat(api.get("/metrics", null).statusCode()).isEqualTo(200);

      // a rotated Secret: the new token is in use without a restart, the old one no longer is
      Files.writeString(file, "rotated-token\n");
      assertThat(Poll.until(Duration.ofSeconds(15),
          () -> api.get("/api/v1/sessions", AdminHttp.bearer("rotated-token")).statusCode() == 200)).isTrue();
      assertThat(api.get("/api/v1/sessions", AdminHttp.bearer(TOKEN)).statusCode()).isEqualTo(401);
    }
  }

  @Test
  void withoutATokenFileReadsAreOpenAndWritesRefused() throws Exception {
    try (GatewayFixture fx = gateway(null, false)) {
      AdminHttp api = new AdminHttp(fx.gateway().metricsPort());
      FTPClient ftp = fx.login();
      var list = api.get("/api/v1/sessions", null);
      assertThat(list.statusCode()).isEqualTo(200);
      assertThat(list.headers().firstValue("Content-Type")).hasValue("application/json");
      JsonArray sessions = new JsonArray(list.body());
      assertThat(sessions).hasSize(1);
      JsonObject s = sessions.getJsonObject(0);
      assertThat(s.fieldNames()).containsExactlyInAnyOrder("id", "listener", "client", "user", "upstream", "since",
          "bytesDown", "bytesUp", "transfer");
      assertThat(s.getValue("transfer")).isNull();
      assertThat(api.post("/api/v1/sessions/" + s.getString("id") + "/close", null).statusCode()).isEqualTo(403);
      assertThat(api.get("/status", null).body()).contains("data-writes=\"false\"");
      // refused: the session is still there and usable
      assertThat(ftp.sendNoOp()).isTrue();
      ftp.disconnect();
    }
  }

  @Test
  void auditLinesCarryTheSha256OfEachFile() throws Exception {
    byte[] down = GatewayFixture.randomBytes(3_000_001, 11);
    byte[] up = GatewayFixture.randomBytes(1_500_007, 12);
    try (LogCapture audit = LogCapture.audit(); GatewayFixture fx = gateway(null, true)) {
      Files.write(fx.root().resolve("d.bin"), down);
      FTPClient ftp = fx.login();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThat(ftp.retrieveFile("d.bin", out)).isTrue();
      assertThat(ftp.storeFile("u.bin", new ByteArrayInputStream(up))).isTrue();
      assertThat(ftp.listNames()).contains("d.bin", "u.bin");
      ftp.logout();
      ftp.disconnect();
      assertThat(Poll.until(Duration.ofSeconds(10), () -> audit.events("transfer").size() == 3)).isTrue();
      assertThat(audit.events("transfer").get(0)).contains("command=RETR", "sha256=" + GatewayFixture.sha256(down));
      assertThat(audit.events("transfer").get(1)).contains("command=STOR", "sha256=" + GatewayFixture.sha256(up),
          "sha256=" + GatewayFixture.sha256(fx.root().resolve("u.bin")));
      // a listing is not a file: no digest
      assertThat(audit.events("transfer").get(2)).contains("command=NLST").doesNotContain("sha256=");
    }
  }
}
