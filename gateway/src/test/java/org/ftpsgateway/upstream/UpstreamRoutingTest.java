package org.ftpsgateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.ftpsgateway.ConfigFiles;
import org.ftpsgateway.Gateway;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.PortRange;
import org.ftpsgateway.demo.DemoFtpsServer;
import org.ftpsgateway.metrics.GatewayMetrics;
import org.ftpsgateway.support.FreePorts;
import org.ftpsgateway.support.GatewayFixture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real FTPS servers (MINA) behind one gateway configured through the real loader: routing by listener, by user
 * (routes with rewriteUser, USER name@host), failover between the servers of one upstream, round-robin. Which
 * server a session reached is read from where its upload landed, checked by checksum.
 */
class UpstreamRoutingTest {

  private static final String PASSWORD = GatewayFixture.PASSWORD;

  @TempDir
  Path tmp;

  private DemoFtpsServer a;
  private DemoFtpsServer b;
  private Path caFile;
  private Vertx vertx;
  private Gateway gateway;

  @BeforeEach
  void startServers() throws Exception {
    a = DemoFtpsServer.start("127.0.0.1", 0, ranges.get(0).toString(), Map.of("alice", PASSWORD, "bob", PASSWORD),
        Files.createDirectories(tmp.resolve("a")), GatewayFixture.SERVER_PROTOCOLS);
    b = DemoFtpsServer.start("127.0.0.1", 0, ranges.get(1).toString(), Map.of("alice", PASSWORD),
        Files.createDirectories(tmp.resolve("b")), GatewayFixture.SERVER_PROTOCOLS);
    // one bundle trusting both servers' self-signed certificates
    caFile = Files.writeString(tmp.resolve("ca.pem"), Files.readString(a.certificatePem())
        + Files.readString(b.certificatePem()));
  }

  @AfterEach
  void stop() throws Exception {
    GatewayFixture.stop(gateway, vertx);
    a.close();
    b.close();
  }

  private JsonObject upstream(String name, DemoFtpsServer... servers) {
    JsonObject u = new JsonObject().put("name", name).put("caFile", caFile.toString());
    if (servers.length == 1) {
      return u.put("host", "127.0.0.1").put("port", servers[0].port());
    }
    JsonArray list = new JsonArray();
    for (DemoFtpsServer s : servers) {
      list.add(new JsonObject().put("host", "127.0.0.1").put("port", s.port()));
    }
    return u.put("servers", list);
  }

  /**
   * The passive ranges of this test, disjoint: the two servers', then each listener's (the same in every document
   * of a test: a reload must not see it change).
   */
  private final List<PortRange> ranges = FreePorts.ranges(50, 50, 50, 50);
  private final Map<String, PortRange> passiveRanges = new java.util.HashMap<>();

  private JsonObject listener(String name, String upstream) {
    JsonObject l = new JsonObject().put("name", name).put("host", "127.0.0.1").put("port", 0)
        .put("passivePorts", passiveRanges.computeIfAbsent(name, n -> ranges.get(2 + passiveRanges.size())).toString());
    return upstream == null ? l : l.put("upstream", upstream);
  }

  private void startGateway(JsonObject doc) throws Exception {
    startGateway(doc, GatewayMetrics.disabled());
  }

  private void startGateway(JsonObject doc, GatewayMetrics metrics) throws Exception {
    doc.put("timeouts", new JsonObject().put("connectSeconds", 5).put("dataConnectSeconds", 5))
        .put("metrics", new JsonObject().put("enabled", false));
    GatewayConfig config = new ConfigFiles(Map.of()).fromJson(doc);
    vertx = Vertx.vertx();
    gateway = Gateway.start(vertx, config, metrics).toCompletionStage().toCompletableFuture()
        .get(20, TimeUnit.SECONDS);
  }

  /** Logs in as {@code user}, uploads {@code file}, downloads it back through the gateway; returns its checksum. */
  private static String upload(int port, String user, String file, long seed) throws Exception {
    FTPClient ftp = GatewayFixture.connect(port);
    try {
      assertThat(ftp.login(user, PASSWORD)).as(ftp.getReplyString()).isTrue();
      ftp.setFileType(FTP.BINARY_FILE_TYPE);
      ftp.enterLocalPassiveMode();
      byte[] data = GatewayFixture.randomBytes(200_000, seed);
      assertThat(ftp.storeFile(file, new ByteArrayInputStream(data))).as(ftp.getReplyString()).isTrue();
      ByteArrayOutputStream back = new ByteArrayOutputStream();
      assertThat(ftp.retrieveFile(file, back)).as(ftp.getReplyString()).isTrue();
      assertThat(GatewayFixture.sha256(back.toByteArray())).isEqualTo(GatewayFixture.sha256(data));
      ftp.logout();
      return GatewayFixture.sha256(data);
    } finally {
      ftp.disconnect();
    }
  }

  private void assertLandedOn(DemoFtpsServer on, DemoFtpsServer notOn, String file, String sha256) throws Exception {
    assertThat(GatewayFixture.sha256(on.root().resolve(file))).isEqualTo(sha256);
    assertThat(notOn.root().resolve(file)).doesNotExist();
  }

  @Test
  void eachListenerGoesToItsUpstream() throws Exception {
    var registry = new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
        io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT);
    startGateway(new JsonObject()
        .put("listeners", new JsonArray().add(listener("to-a", null)).add(listener("to-b", "b")))
        .put("upstreams", new JsonArray().add(upstream("a", a)).add(upstream("b", b))),
        GatewayMetrics.create(registry));
    String one = upload(gateway.port("to-a"), "alice", "one.bin", 1);
    String two = upload(gateway.port("to-b"), "alice", "two.bin", 2);
    assertLandedOn(a, b, "one.bin", one);
    assertLandedOn(b, a, "two.bin", two);
    // one series per configured upstream (sessions and probes): the label never carries client input
    String scrape = registry.scrape();
    assertThat(scrape).contains("ftpgw_upstream_connect_seconds_count{upstream=\"a\"}")
        .contains("ftpgw_upstream_connect_seconds_count{upstream=\"b\"}");
  }

  @Test
  void aUserRoutedToAnUpstreamThatIsDownGets421() throws Exception {
    startGateway(new JsonObject()
        .put("listeners", new JsonArray().add(listener("ftp", null)))
        .put("upstreams", new JsonArray().add(upstream("a", a)).add(upstream("b", b)))
        .put("routes", new JsonArray().add(new JsonObject().put("user", "b-*").put("upstream", "b")
            .put("rewriteUser", "alice"))));
    b.close();
    FTPClient ftp = GatewayFixture.connect(gateway.port("ftp"));
    try {
      assertThat(ftp.getReplyCode()).isEqualTo(220); // greeted by a, the listener's upstream
      // Commons Net reports a 421 as the end of the connection, which it is
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> ftp.user("b-alice"))
          .isInstanceOf(org.apache.commons.net.ftp.FTPConnectionClosedException.class);
      assertThat(ftp.getReplyCode()).isEqualTo(421);
      assertThat(ftp.getReplyString()).contains("cannot connect to upstream 127.0.0.1:" + b.port());
    } finally {
      ftp.disconnect();
    }
    // the listener's own upstream still serves everyone else
    assertLandedOn(a, b, "still.bin", upload(gateway.port("ftp"), "alice", "still.bin", 24));
  }

  @Test
  void routesByUserWithRewriteAndUserAtHost() throws Exception {
    startGateway(new JsonObject()
        .put("listeners", new JsonArray().add(listener("ftp", null)))
        .put("upstreams", new JsonArray().add(upstream("a", a)).add(upstream("b", b)))
        .put("allowUserAtHost", true)
        .put("routes", new JsonArray()
            .add(new JsonObject().put("user", "b-*").put("upstream", "b").put("rewriteUser", "alice"))));
    int port = gateway.port("ftp");
    String plain = upload(port, "alice", "plain.bin", 3);
    String routed = upload(port, "b-alice", "routed.bin", 4);
    String atHost = upload(port, "alice@b", "at-host.bin", 5);
    String atServer = upload(port, "alice@127.0.0.1:" + b.port(), "at-server.bin", 6);
    assertLandedOn(a, b, "plain.bin", plain);
    assertLandedOn(b, a, "routed.bin", routed);
    assertLandedOn(b, a, "at-host.bin", atHost);
    assertLandedOn(b, a, "at-server.bin", atServer);

    // a host that is not configured is no relay: the whole name goes to the listener's upstream, which refuses it
    FTPClient ftp = GatewayFixture.connect(port);
    try {
      assertThat(ftp.login("alice@evil.example", PASSWORD)).isFalse();
      assertThat(ftp.getReplyCode()).isEqualTo(530);
    } finally {
      ftp.disconnect();
    }
  }

  @Test
  void userAtHostIsAPlainNameUnlessAllowed() throws Exception {
    startGateway(new JsonObject()
        .put("listeners", new JsonArray().add(listener("ftp", null)))
        .put("upstreams", new JsonArray().add(upstream("a", a)).add(upstream("b", b))));
    FTPClient ftp = GatewayFixture.connect(gateway.port("ftp"));
    try {
      // server a knows no user "alice@b": the name reached it unchanged
      assertThat(ftp.login("alice@b", PASSWORD)).isFalse();
      assertThat(ftp.getReplyCode()).isEqualTo(530);
    } finally {
      ftp.disconnect();
    }
    assertThat(b.root()).isEmptyDirectory();
  }

  @Test
  void failsOverToTheNextServerAndAnswers421WhenAllAreDown() throws Exception {
    startGateway(new JsonObject()
        .put("listeners", new JsonArray().add(listener("ftp", null)))
        .put("upstreams", new JsonArray().add(upstream("ab", a, b))));
    int port = gateway.port("ftp");
    String first = upload(port, "alice", "first.bin", 7);
    assertLandedOn(a, b, "first.bin", first);

    a.close();
    String second = upload(port, "alice", "second.bin", 8);
    String third = upload(port, "alice", "third.bin", 9);
    assertLandedOn(b, a, "second.bin", second);
    assertLandedOn(b, a, "third.bin", third);

    b.close();
    assertThat(GatewayFixture.greeting(port)).startsWith("421 ").contains("no server of upstream ab is usable");
  }

  @Test
  void roundRobinSpreadsSessionsOverTheServers() throws Exception {
    startGateway(new JsonObject()
        .put("listeners", new JsonArray().add(listener("ftp", null)))
        .put("upstreams", new JsonArray().add(upstream("ab", a, b).put("balance", "round-robin"))));
    int port = gateway.port("ftp");
    for (int i = 0; i < 4; i++) {
      upload(port, "alice", "rr-" + i + ".bin", 10 + i);
    }
    try (var inA = Files.list(a.root()); var inB = Files.list(b.root())) {
      assertThat(inA.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("rr-0.bin", "rr-2.bin");
      assertThat(inB.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("rr-1.bin", "rr-3.bin");
    }
  }

  @Test
  void leastSessionsPicksTheServerWithFewerOpenSessions() throws Exception {
    startGateway(new JsonObject()
        .put("listeners", new JsonArray().add(listener("ftp", null)))
        .put("upstreams", new JsonArray().add(upstream("ab", a, b).put("balance", "least-sessions"))));
    int port = gateway.port("ftp");
    FTPClient first = GatewayFixture.connect(port);
    FTPClient second = GatewayFixture.connect(port);
    try {
      // the first session holds server a: the second goes to b, which has none
      assertThat(first.login("alice", PASSWORD)).isTrue();
      assertThat(second.login("alice", PASSWORD)).isTrue();
      for (FTPClient ftp : List.of(first, second)) {
        ftp.setFileType(FTP.BINARY_FILE_TYPE);
        ftp.enterLocalPassiveMode();
      }
      byte[] one = GatewayFixture.randomBytes(50_000, 21);
      byte[] two = GatewayFixture.randomBytes(50_000, 22);
      assertThat(first.storeFile("ls-1.bin", new ByteArrayInputStream(one))).isTrue();
      assertThat(second.storeFile("ls-2.bin", new ByteArrayInputStream(two))).isTrue();
      assertLandedOn(a, b, "ls-1.bin", GatewayFixture.sha256(one));
      assertLandedOn(b, a, "ls-2.bin", GatewayFixture.sha256(two));
    } finally {
      first.disconnect();
      second.disconnect();
    }
  }

  @Test
  void aServerThatRefusesTheSessionIsSkipped() throws Exception {
    // a server that accepts and answers 421 at once (overloaded, maintenance) is as unusable as one that is down
    try (java.net.ServerSocket busy = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Thread refuser = new Thread(() -> {
        while (!busy.isClosed()) {
          try (java.net.Socket s = busy.accept()) {
            s.getOutputStream().write("421 Too many users, try later.\r\n".getBytes(
                java.nio.charset.StandardCharsets.US_ASCII));
          } catch (java.io.IOException e) {
            return;
          }
        }
      }, "refusing-server");
      refuser.setDaemon(true);
      refuser.start();
      startGateway(new JsonObject()
          .put("listeners", new JsonArray().add(listener("ftp", null)))
          .put("upstreams", new JsonArray().add(new JsonObject().put("name", "ab").put("caFile", caFile.toString())
              .put("servers", new JsonArray()
                  .add(new JsonObject().put("host", "127.0.0.1").put("port", busy.getLocalPort()))
                  .add(new JsonObject().put("host", "127.0.0.1").put("port", b.port()))))));
      String sha = upload(gateway.port("ftp"), "alice", "skipped.bin", 23);
      assertLandedOn(b, a, "skipped.bin", sha);
    }
  }

  @Test
  void readinessNeedsOneHealthyServerPerUpstream() throws Exception {
    GatewayConfig config = new ConfigFiles(Map.of()).fromJson(new JsonObject()
        .put("listeners", new JsonArray().add(listener("ftp", null)))
        .put("upstreams", new JsonArray().add(upstream("ab", a, b))));
    UpstreamPool pool = UpstreamPool.create(config.upstreams().get(0), config.timeouts(),
        GatewayMetrics.disabled().upstreamTlsCpu());
    UpstreamServer first = pool.servers().get(0);
    UpstreamServer second = pool.servers().get(1);
    assertThat(pool.notReadyReason()).contains("no healthy server").contains("not probed yet");
    first.health().failed("connection refused");
    second.health().succeeded();
    assertThat(pool.notReadyReason()).isNull();
    // a server that failed goes behind the others, whatever the balance
    assertThat(pool.candidates()).containsExactly(second, first);
    second.health().failed("handshake failed");
    assertThat(pool.notReadyReason()).startsWith("upstream ab: no healthy server")
        .contains("connection refused").contains("handshake failed");
  }

  @Test
  void routerPicksByConfiguredNameOrServerOnly() throws Exception {
    // pure decisions, no sessions: the pools are built but never connected
    GatewayConfig config = new ConfigFiles(Map.of()).fromJson(new JsonObject()
        .put("listeners", new JsonArray().add(listener("ftp", null)))
        .put("upstreams", new JsonArray().add(upstream("a", a)).add(upstream("b", b)))
        .put("allowUserAtHost", true)
        .put("routes", new JsonArray()
            .add(new JsonObject().put("user", "acme-*").put("upstream", "b"))
            .add(new JsonObject().put("user", "bob").put("upstream", "b").put("rewriteUser", "robert"))));
    List<UpstreamPool> pools = config.upstreams().stream()
        .map(g -> UpstreamPool.create(g, config.timeouts(), GatewayMetrics.disabled().upstreamTlsCpu())).toList();
    Router router = new Router(pools, config.routes(), config.allowUserAtHost());
    assertThat(router.route("acme-x")).isEqualTo(new Router.Decision(pools.get(1), "acme-x", "route acme-*"));
    assertThat(router.route("bob").user()).isEqualTo("robert");
    assertThat(router.route("carol")).isEqualTo(new Router.Decision(null, "carol", null));
    assertThat(router.route("carol@A").pool()).isSameAs(pools.get(0));
    assertThat(router.route("carol@a:" + a.port()).pool()).isSameAs(pools.get(0));
    assertThat(router.route("carol@a:1").pool()).isNull();
    assertThat(router.route("carol@127.0.0.1:" + b.port())).isEqualTo(
        new Router.Decision(pools.get(1), "carol", "USER name@host"));
    assertThat(router.route("carol@evil.example")).isEqualTo(new Router.Decision(null, "carol@evil.example", null));
    assertThat(router.route("me@corp@b").user()).isEqualTo("me@corp");
    assertThat(router.route("@b").pool()).isNull();
    assertThat(router.route("carol@").pool()).isNull();
    assertThat(new Router(pools, config.routes(), false).route("carol@b").pool()).isNull();
  }
}
