package org.ftpsgateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.DoublePredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.net.ftp.FTPClient;
import org.ftpsgateway.config.ClientTlsConfig;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.ListenerConfig;
import org.ftpsgateway.config.MetricsConfig;
import org.ftpsgateway.config.PortRange;
import org.ftpsgateway.config.TimeoutsConfig;
import org.ftpsgateway.config.TlsMode;
import org.ftpsgateway.support.GatewayFixture;
import org.ftpsgateway.support.Promtool;
import org.ftpsgateway.tls.GeneratedCertificate;
import org.junit.jupiter.api.Test;

/**
 * What an operator alerts on (issue 18): upstream health without sessions, certificate expiry on both sides, the
 * build, the passive pool's size, and every labelled counter at 0 from the start, in an exposition that
 * {@code promtool check metrics} accepts. Ports 42000-42219.
 */
class OperatorMetricsTest {

  private static final Path SOURCES = Path.of("src/main/java").toAbsolutePath();

  @Test
  void freshGatewayThenTrafficThenUpstreamDown() throws Exception {
    Path dir = Files.createTempDirectory("ftpgw-listener-cert");
    Instant firstNotAfter = Instant.now().plus(20, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
    writeCertificate(dir, firstNotAfter);
    ClientTlsConfig tls = new ClientTlsConfig(dir.resolve("cert.pem").toString(), dir.resolve("key.pem").toString(),
        null, null, null, false, false, false, false, false, 1);
    PrometheusMeterRegistry registry = PrometheusRegistry.create();
    try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS, c -> {
      ListenerConfig plain = c.listeners().get(0);
      ListenerConfig secure = new ListenerConfig("secure", "127.0.0.1", 0, TlsMode.EXPLICIT,
          new PortRange(42200, 42219), null, false, tls);
      // a cold JVM on a loaded machine may take seconds for its first TLS handshake: the start-up probe must not
      // time out before it (the next probe would come only after upstream.probeSeconds)
      TimeoutsConfig t = c.timeouts();
      return new GatewayConfig(List.of(plain, secure), c.upstream(),
          new TimeoutsConfig(30, t.idleSeconds(), t.dataConnectSeconds(), t.loginSeconds()),
          new MetricsConfig(true, "127.0.0.1", 0));
    }, null, GatewayMetrics.create(registry))) {
      int port = fx.gateway().metricsPort();
      String server = "127.0.0.1:" + fx.server().port();
      String up = "ftpgw_upstream_up{server=\"" + server + "\",upstream=\"default\"}";

      // fresh: the start-up probe reports the upstream without any client
      String fresh = waitFor(port, up, v -> v == 1, 40);
      assertThat(value(fresh, "ftpgw_build_info{version=\"" + BuildInfo.version() + "\"}")).isEqualTo(1);
      assertThat(value(fresh, "ftpgw_passive_ports_capacity{listener=\"test\"}")).isEqualTo(100);
      assertThat(value(fresh, "ftpgw_passive_ports_capacity{listener=\"secure\"}")).isEqualTo(20);
      assertThat(value(fresh, "ftpgw_certificate_expiry_timestamp_seconds{name=\"default/" + server
          + "\",side=\"upstream\"}")).isEqualTo(notAfter(fx.server().certificatePem()));
      assertThat(value(fresh, "ftpgw_certificate_expiry_timestamp_seconds{name=\"secure\",side=\"listener\"}"))
          .isEqualTo(firstNotAfter.getEpochSecond());
      for (String reason : GatewayMetrics.REJECTION_REASONS) {
        assertThat(value(fresh, "ftpgw_rejected_connections_total{reason=\"" + reason + "\"}")).as(reason)
            .isEqualTo(0);
      }
      assertThat(value(fresh, "ftpgw_sessions_total{listener=\"test\",outcome=\"upstream_failed\"}")).isEqualTo(0);
      assertThat(value(fresh, "ftpgw_transfers_total{command=\"RETR\",listener=\"secure\",outcome=\"failed\"}"))
          .isEqualTo(0);
      assertThat(value(fresh, "ftpgw_logins_total{result=\"failed\"}")).isEqualTo(0);
      assertThat(fresh).doesNotContain("system_cpu_count").contains("system_cpu_cores");
      promtoolAccepts(fresh);

      // a transfer: counters move, the exposition stays clean
      byte[] data = GatewayFixture.randomBytes(200_000, 18);
      Files.write(fx.root().resolve("ops.bin"), data);
      FTPClient ftp = fx.login();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThat(ftp.retrieveFile("ops.bin", out)).isTrue();
      assertThat(GatewayFixture.sha256(out.toByteArray())).isEqualTo(GatewayFixture.sha256(data));
      ftp.logout();
      ftp.disconnect();
      String after = waitFor(port, "ftpgw_sessions_total{listener=\"test\",outcome=\"quit\"}", v -> v == 1);
      assertThat(value(after, "ftpgw_transfers_total{command=\"RETR\",listener=\"test\",outcome=\"ok\"}"))
          .isEqualTo(1);
      assertThat(value(after, up)).isEqualTo(1);
      promtoolAccepts(after);

      // the listener certificate is replaced in place (as cert-manager does): the gauge follows the reload
      Instant secondNotAfter = firstNotAfter.plus(60, ChronoUnit.DAYS);
      writeCertificate(dir, secondNotAfter);
      waitFor(port, "ftpgw_certificate_expiry_timestamp_seconds{name=\"secure\",side=\"listener\"}",
          v -> v == secondNotAfter.getEpochSecond());

      // the upstream goes away: the next session setup reports it
      fx.server().close();
      assertThatThrownBy(() -> GatewayFixture.connect(fx.port()))
          .isInstanceOf(org.apache.commons.net.ftp.FTPConnectionClosedException.class).hasMessageContaining("421");
      String down = waitFor(port, up, v -> v == 0);
      promtoolAccepts(down);
      System.out.println("exposition lines of the operator metrics:");
      down.lines().filter(l -> l.matches("^(ftpgw_upstream_up|ftpgw_certificate_expiry|ftpgw_build_info"
          + "|ftpgw_passive_ports_capacity|ftpgw_rejected_connections_total\\{reason=\"max_sessions\").*"))
          .forEach(l -> System.out.println("  " + l));
    }
  }

  /** A reload that drops a server drops its series: no alert for a server nobody uses any more. */
  @Test
  void aServerTakenOutOfTheConfigurationLeavesNoSeries() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(io.micrometer.prometheusmetrics.PrometheusConfig
        .DEFAULT);
    GatewayMetrics metrics = GatewayMetrics.create(registry);
    X509Certificate leaf = GeneratedCertificate.generate(List.of("localhost"), Duration.ofDays(30)).certificate();
    metrics.upstreamUp("files", "10.0.0.1:21", true);
    metrics.upstreamUp("files", "10.0.0.2:21", false);
    metrics.upstreamCertificate("files", "10.0.0.1:21", leaf);
    metrics.upstreamCertificate("files", "10.0.0.2:21", leaf);
    String before = registry.scrape();
    assertThat(value(before, "ftpgw_upstream_up{server=\"10.0.0.2:21\",upstream=\"files\"}")).isEqualTo(0);
    assertThat(value(before, "ftpgw_certificate_expiry_timestamp_seconds{name=\"files/10.0.0.2:21\","
        + "side=\"upstream\"}")).isEqualTo(leaf.getNotAfter().toInstant().getEpochSecond());

    metrics.retainUpstreams(Set.of(new GatewayMetrics.UpstreamKey("files", "10.0.0.1:21")));
    String after = registry.scrape();
    assertThat(after).doesNotContain("10.0.0.2:21");
    assertThat(value(after, "ftpgw_upstream_up{server=\"10.0.0.1:21\",upstream=\"files\"}")).isEqualTo(1);
    assertThat(has(after, "ftpgw_certificate_expiry_timestamp_seconds{name=\"files/10.0.0.1:21\","
        + "side=\"upstream\"}")).isTrue();

    // configured again later: the series comes back with the next attempt
    metrics.upstreamUp("files", "10.0.0.2:21", true);
    assertThat(value(registry.scrape(), "ftpgw_upstream_up{server=\"10.0.0.2:21\",upstream=\"files\"}"))
        .isEqualTo(1);
  }

  /** Every reason and outcome the sources pass as a label is listed, so it starts at 0 with the others. */
  @Test
  void everyLabelValueTheCodeGivesIsRegisteredAtStart() throws IOException {
    Set<String> reasons = literals(Pattern.compile("(?:rejected\\(|new Refusal\\()\"([a-z_]+)\""));
    assertThat(reasons).hasSizeGreaterThan(8);
    assertThat(GatewayMetrics.REJECTION_REASONS).containsAll(reasons);
    Set<String> outcomes = literals(Pattern.compile("\\bclose\\(\"([a-z_]+)\","));
    assertThat(outcomes).hasSizeGreaterThan(6);
    assertThat(GatewayMetrics.SESSION_OUTCOMES).containsAll(outcomes);
  }

  private static Set<String> literals(Pattern pattern) throws IOException {
    Set<String> found = new TreeSet<>();
    try (Stream<Path> files = Files.walk(SOURCES)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        Matcher m = pattern.matcher(Files.readString(f));
        while (m.find()) {
          found.add(m.group(1));
        }
      }
    }
    return found;
  }

  private static void writeCertificate(Path dir, Instant notAfter) throws IOException {
    GeneratedCertificate cert = GeneratedCertificate.generate(List.of("localhost"),
        Instant.now().minus(1, ChronoUnit.DAYS), notAfter);
    // key first: the reload reads both, and a new certificate with the old key would not load
    Files.writeString(dir.resolve("key.pem"), cert.privateKeyPem());
    Files.writeString(dir.resolve("cert.pem"), cert.certificatePem());
  }

  private static long notAfter(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
      return c.getNotAfter().toInstant().getEpochSecond();
    }
  }

  private static String waitFor(int port, String series, DoublePredicate ok) throws Exception {
    return waitFor(port, series, ok, 10);
  }

  /** Scrapes until {@code series} has a value that {@code ok} accepts, and returns that scrape. */
  private static String waitFor(int port, String series, DoublePredicate ok, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    String text = scrape(port);
    while (!(has(text, series) && ok.test(value(text, series))) && System.nanoTime() < deadline) {
      Thread.sleep(50);
      text = scrape(port);
    }
    assertThat(has(text, series) ? value(text, series) : Double.NaN).as(series).matches(ok::test);
    return text;
  }

  private static String scrape(int port) throws Exception {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(5))
            .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  private static boolean has(String exposition, String series) {
    return exposition.lines().anyMatch(l -> l.startsWith(series + " "));
  }

  private static double value(String exposition, String series) {
    return exposition.lines().filter(l -> l.startsWith(series + " ")).findFirst()
        .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim()))
        .orElseThrow(() -> new AssertionError("no series " + series + " in the scrape"));
  }

  /** {@code promtool check metrics} prints nothing for a clean exposition; skipped (said so) without promtool. */
  private static void promtoolAccepts(String exposition) throws Exception {
    Path promtool = Promtool.find();
    if (promtool == null) {
      System.out.println("SKIPPED promtool check metrics: " + Promtool.MISSING);
      return;
    }
    Process p = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
    try (var stdin = p.getOutputStream()) {
      stdin.write(exposition.getBytes(StandardCharsets.UTF_8));
    }
    String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(said).as("promtool check metrics").isEmpty();
    assertThat(p.exitValue()).isZero();
  }
}
