package org.ftpsgateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.net.ftp.FTPClient;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.MetricsConfig;
import org.ftpsgateway.support.GatewayFixture;
import org.junit.jupiter.api.Test;

/** Transfers of known sizes, then a scrape: the counters must say exactly what happened. */
class MetricsEndpointTest {

  @Test
  void countersMatchWhatHappened() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    GatewayMetrics metrics = GatewayMetrics.create(registry);
    try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS,
        c -> new GatewayConfig(c.listeners(), c.upstream(), c.timeouts(), new MetricsConfig(true, "127.0.0.1", 0)),
        null, metrics)) {
      int port = fx.gateway().metricsPort();
      assertThat(get(port, "/healthz", null).body).isEqualTo("ok\n");

      byte[] down = GatewayFixture.randomBytes(3_000_000, 1);
      byte[] up = GatewayFixture.randomBytes(2_000_001, 2);
      Files.write(fx.root().resolve("m.bin"), down);
      FTPClient ftp = fx.login();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThat(ftp.retrieveFile("m.bin", out)).isTrue();
      assertThat(ftp.storeFile("m-up.bin", new ByteArrayInputStream(up))).isTrue();
      assertThat(ftp.retrieveFile("missing.bin", new ByteArrayOutputStream())).isFalse();
      ftp.logout();
      ftp.disconnect();
      FTPClient intruder = fx.connect();
      assertThat(intruder.login(GatewayFixture.USER, "wrong")).isFalse();
      intruder.disconnect();

      String text = get(port, "/metrics", null).body;
      assertThat(value(text, "ftpgw_data_bytes_total{direction=\"download\",listener=\"test\"}")).isEqualTo(3_000_000);
      assertThat(value(text, "ftpgw_data_bytes_total{direction=\"upload\",listener=\"test\"}")).isEqualTo(2_000_001);
      assertThat(value(text, "ftpgw_transfers_total{command=\"RETR\",listener=\"test\",outcome=\"ok\"}")).isEqualTo(1);
      assertThat(value(text, "ftpgw_transfers_total{command=\"STOR\",listener=\"test\",outcome=\"ok\"}")).isEqualTo(1);
      assertThat(value(text, "ftpgw_transfers_total{command=\"RETR\",listener=\"test\",outcome=\"failed\"}"))
          .isEqualTo(1);
      assertThat(value(text, "ftpgw_logins_total{result=\"ok\"}")).isEqualTo(1);
      assertThat(value(text, "ftpgw_logins_total{result=\"failed\"}")).isEqualTo(1);
      // two data connections, each resuming the control connection's TLS session
      assertThat(value(text,
          "ftpgw_tls_handshakes_total{channel=\"data\",outcome=\"ok\",resumed=\"true\",side=\"upstream\"}"))
          .isEqualTo(2);
      assertThat(value(text, "ftpgw_transfer_size_bytes_sum{command=\"STOR\",listener=\"test\"}"))
          .isEqualTo(2_000_001);
      double tlsCpu = value(text, "ftpgw_tls_cpu_seconds_total{phase=\"handshake\",side=\"upstream\"}")
          + value(text, "ftpgw_tls_cpu_seconds_total{phase=\"record\",side=\"upstream\"}");
      double processCpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
          .getProcessCpuTime() / 1e9;
      assertThat(tlsCpu).isGreaterThan(0).isLessThan(processCpu);
      assertThat(value(text, "ftpgw_passive_ports_in_use{listener=\"test\"}")).isEqualTo(0);

      Response open = get(port, "/metrics", "application/openmetrics-text; version=1.0.0");
      assertThat(open.contentType).startsWith("application/openmetrics-text");
      assertThat(open.body).contains("# EOF");
      assertThat(get(port, "/readyz", null).status).isEqualTo(200);
    }
  }

  /**
   * OpenSSL upstream and an explicit-TLS listener: both sides' TLS CPU is measured, handshakes and records apart
   * (the OpenSSL engine from the pipeline, from the moment its handler is added).
   */
  @Test
  void tlsCpuIsMeasuredOnBothSidesAndBothPhases() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(io.netty.handler.ssl.OpenSsl.isAvailable());
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    GatewayMetrics metrics = GatewayMetrics.create(registry);
    try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS, c -> {
      var l = c.listeners().get(0);
      var tls = new org.ftpsgateway.config.ClientTlsConfig(null, null, null, null, null, false, false, false, false,
          false);
      var u = c.upstream();
      return new GatewayConfig(List.of(new org.ftpsgateway.config.ListenerConfig(l.name(), l.host(), l.port(),
          org.ftpsgateway.config.TlsMode.EXPLICIT, l.passivePorts(), l.passiveAddress(), false, tls)),
          new org.ftpsgateway.config.UpstreamConfig(u.host(), u.port(), u.tls(), u.serverName(), u.caFile(),
              u.protocols(), u.dataMode(), org.ftpsgateway.config.UpstreamConfig.SslEngine.OPENSSL),
          c.timeouts(), new MetricsConfig(true, "127.0.0.1", 0));
    }, null, metrics)) {
      byte[] down = GatewayFixture.randomBytes(4_000_000, 5);
      Files.write(fx.root().resolve("cpu.bin"), down);
      var ftp = GatewayFixture.ftpsLogin(fx.port(), false,
          org.apache.commons.net.util.TrustManagerUtils.getAcceptAllTrustManager());
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThat(ftp.retrieveFile("cpu.bin", out)).as(ftp.getReplyString()).isTrue();
      assertThat(GatewayFixture.sha256(out.toByteArray())).isEqualTo(GatewayFixture.sha256(down));
      ftp.logout();
      ftp.disconnect();
      String text = get(fx.gateway().metricsPort(), "/metrics", null).body;
      for (String side : new String[] {"upstream", "client"}) {
        for (String phase : new String[] {"handshake", "record"}) {
          assertThat(value(text, "ftpgw_tls_cpu_seconds_total{phase=\"" + phase + "\",side=\"" + side + "\"}"))
              .as(side + " " + phase).isGreaterThan(0);
        }
      }
    }
  }

  private record Response(int status, String contentType, String body) {
  }

  private static Response get(int port, String path, String accept) throws Exception {
    HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
    if (accept != null) {
      c.setRequestProperty("Accept", accept);
    }
    int status = c.getResponseCode();
    byte[] body = (status < 400 ? c.getInputStream() : c.getErrorStream()).readAllBytes();
    return new Response(status, c.getContentType(), new String(body, StandardCharsets.UTF_8));
  }

  private static double value(String exposition, String series) {
    for (String line : exposition.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1).trim());
      }
    }
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series.substring(0, series.indexOf('{'))) + ".*$")
        .matcher(exposition);
    List<String> seen = m.results().map(r -> r.group()).toList();
    throw new AssertionError("no series " + series + " in the scrape; have: " + seen);
  }
}
