package org.ftpsgateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.ftpsgateway.ConfigFiles;
import org.ftpsgateway.ConfigReloader;
import org.ftpsgateway.Gateway;
import org.ftpsgateway.config.PortRange;
import org.ftpsgateway.demo.DemoFtpsServer;
import org.ftpsgateway.metrics.GatewayMetrics;
import org.ftpsgateway.support.FreePorts;
import org.ftpsgateway.support.GatewayFixture;
import org.ftpsgateway.support.Poll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot reload against two real FTPS servers: a change of the config file moves new sessions to another upstream
 * while a download in flight on the old one completes with the right checksum; an invalid file is refused and the
 * running configuration stays; SIGHUP's path ({@link ConfigReloader#reloadNow}) applies a file at once.
 */
class ConfigReloadTest {

  @TempDir
  Path tmp;

  private DemoFtpsServer a;
  private DemoFtpsServer b;
  private Vertx vertx;
  private Gateway gateway;
  private ConfigReloader reloader;

  @AfterEach
  void stop() throws Exception {
    if (reloader != null) {
      reloader.close();
    }
    GatewayFixture.stop(gateway, vertx);
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
  }

  /**
   * Passive ranges, disjoint: server a's, server b's, the listener's (the same in every file of a test: a reload
   * must not see it change).
   */
  private final List<PortRange> ranges = FreePorts.ranges(50, 50, 50);
  private final String passivePorts = ranges.get(2).toString();

  private String yaml(Path ca, String listenerUpstream, String extra) {
    return "listeners:\n"
        + "  - { name: ftp, host: 127.0.0.1, port: 0, passivePorts: " + passivePorts + ", upstream: " + listenerUpstream + " }\n"
        + "upstreams:\n"
        + "  - { name: a, host: 127.0.0.1, port: " + a.port() + ", caFile: " + ca + " }\n"
        + "  - { name: b, host: 127.0.0.1, port: " + b.port() + ", caFile: " + ca + " }\n"
        + "timeouts: { connectSeconds: 5, dataConnectSeconds: 5 }\n"
        + "metrics: { enabled: false }\n"
        + extra;
  }

  private static void await(IntSupplier counter, int atLeast) throws Exception {
    Poll.until(Duration.ofSeconds(15), () -> counter.getAsInt() >= atLeast);
    assertThat(counter.getAsInt()).isGreaterThanOrEqualTo(atLeast);
  }

  private static FTPClient login(int port) throws Exception {
    FTPClient ftp = GatewayFixture.connect(port);
    assertThat(ftp.login("alice", GatewayFixture.PASSWORD)).as(ftp.getReplyString()).isTrue();
    ftp.setFileType(FTP.BINARY_FILE_TYPE);
    ftp.enterLocalPassiveMode();
    return ftp;
  }

  private static String upload(int port, String file, long seed) throws Exception {
    FTPClient ftp = login(port);
    try {
      byte[] data = GatewayFixture.randomBytes(100_000, seed);
      assertThat(ftp.storeFile(file, new ByteArrayInputStream(data))).as(ftp.getReplyString()).isTrue();
      ftp.logout();
      return GatewayFixture.sha256(data);
    } finally {
      ftp.disconnect();
    }
  }

  @Test
  void fileChangeMovesNewSessionsWhileATransferInFlightCompletes() throws Exception {
    a = DemoFtpsServer.start("127.0.0.1", 0, ranges.get(0).toString(), Map.of("alice", GatewayFixture.PASSWORD),
        Files.createDirectories(tmp.resolve("a")), GatewayFixture.SERVER_PROTOCOLS);
    b = DemoFtpsServer.start("127.0.0.1", 0, ranges.get(1).toString(), Map.of("alice", GatewayFixture.PASSWORD),
        Files.createDirectories(tmp.resolve("b")), GatewayFixture.SERVER_PROTOCOLS);
    Path ca = Files.writeString(tmp.resolve("ca.pem"), Files.readString(a.certificatePem())
        + Files.readString(b.certificatePem()));
    // issue #7: a reload during a 100 MB transfer
    byte[] big = GatewayFixture.randomBytes(100_000_000, 42);
    Files.write(a.root().resolve("big.bin"), big);
    Path file = Files.writeString(tmp.resolve("gateway.yaml"),
        yaml(ca, "a", "limits: { bytesPerSecond: 30000000 }\n")); // the download takes ~3.3 s
    vertx = Vertx.vertx();
    gateway = Gateway.start(vertx, new ConfigFiles(Map.of()).load(vertx, file), GatewayMetrics.disabled())
        .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    reloader = new ConfigReloader(vertx, file, Map.of(), gateway, c -> { }).watch(200);
    int port = gateway.port("ftp");

    FTPClient inFlight = login(port);
    try {
      InputStream download = inFlight.retrieveFileStream("big.bin");
      assertThat(download).as(inFlight.getReplyString()).isNotNull();
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      byte[] buf = new byte[65536];
      while (received.size() < 1_000_000) {
        int n = download.read(buf);
        assertThat(n).isPositive();
        received.write(buf, 0, n);
      }

      Files.writeString(file, yaml(ca, "b", ""));
      await(gateway::reloads, 1);
      String moved = upload(port, "after-reload.bin", 1);
      assertThat(GatewayFixture.sha256(b.root().resolve("after-reload.bin"))).isEqualTo(moved);
      assertThat(a.root().resolve("after-reload.bin")).doesNotExist();

      // a file that fails validation is refused; new sessions keep going where the last good one says
      Files.writeString(file, yaml(ca, "b", "routes: [{ user: alice, upstream: nowhere }]\n"));
      await(gateway::refusedReloads, 1);
      assertThat(gateway.reloads()).isEqualTo(1);
      String still = upload(port, "after-refusal.bin", 2);
      assertThat(GatewayFixture.sha256(b.root().resolve("after-refusal.bin"))).isEqualTo(still);

      int n;
      while ((n = download.read(buf)) > 0) {
        received.write(buf, 0, n);
      }
      download.close();
      assertThat(inFlight.completePendingCommand()).as(inFlight.getReplyString()).isTrue();
      assertThat(GatewayFixture.sha256(received.toByteArray())).isEqualTo(GatewayFixture.sha256(big));
    } finally {
      inFlight.disconnect();
    }

    // SIGHUP's path: applied at once, without waiting for the scan
    reloader.close();
    Files.writeString(file, yaml(ca, "b", "routes: [{ user: alice, upstream: a }]\n"));
    assertThat(reloader.reloadNow("SIGHUP")).isTrue();
    String routed = upload(port, "routed-after-sighup.bin", 3);
    assertThat(GatewayFixture.sha256(a.root().resolve("routed-after-sighup.bin"))).isEqualTo(routed);
    Files.writeString(file, "listeners: []\n");
    assertThat(reloader.reloadNow("SIGHUP")).isFalse();
    String unchanged = upload(port, "after-bad-sighup.bin", 4);
    assertThat(GatewayFixture.sha256(a.root().resolve("after-bad-sighup.bin"))).isEqualTo(unchanged);
  }
}
