package org.ftpsgateway.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ftpsgateway.support.GatewayFixture.randomBytes;
import static org.ftpsgateway.support.GatewayFixture.sha256;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import io.vertx.core.Vertx;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.ftpsgateway.Gateway;
import org.ftpsgateway.demo.DemoFtpsServer;
import org.apache.commons.net.ftp.FTPClient;
import org.ftpsgateway.config.DataMode;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.PortRange;
import org.ftpsgateway.config.UpstreamConfig;
import org.ftpsgateway.metrics.GatewayMetrics;
import org.ftpsgateway.support.ActiveMode;
import org.ftpsgateway.support.Descriptors;
import org.ftpsgateway.support.FreePorts;
import org.ftpsgateway.support.GatewayFixture;
import org.ftpsgateway.support.SessionEndings;
import org.ftpsgateway.support.Transfers;
import org.junit.jupiter.api.Test;

/**
 * {@code upstream.dataMode: active} against MINA FtpServer (TLS required on data): the gateway listens, sends EPRT,
 * MINA connects to it and is the TLS server of that connection while the gateway is the TLS client resuming the
 * control session (RFC 4217 §7); with clients in passive and in active mode.
 */
class UpstreamActiveModeTest {

  private static double handshakes(SimpleMeterRegistry registry, boolean resumed) {
    var counter = registry.find("ftpgw.tls.handshakes").tags("side", "upstream", "channel", "data",
        "resumed", Boolean.toString(resumed), "outcome", "ok").counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void downloadsUploadsAndListingsWithClientsInPassiveAndActiveMode() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS,
        c -> ActiveMode.activeUpstream(c, null), null, GatewayMetrics.create(registry))) {
      byte[] content = randomBytes(3 << 20, 41);
      Files.write(fx.root().resolve("down.bin"), content);
      FTPClient ftp = fx.login();
      for (boolean clientActive : new boolean[] {false, true}) {
        if (clientActive) {
          ftp.enterLocalActiveMode();
        } else {
          ftp.enterLocalPassiveMode();
        }
        String name = clientActive ? "up-active.bin" : "up-passive.bin";
        Transfers.roundTrip(fx, ftp, "down.bin", content, name);
      }
      ftp.logout();
      ftp.disconnect();
      // every upstream data connection (8) resumed the control connection's TLS session
      assertThat(handshakes(registry, true)).isEqualTo(8);
      assertThat(handshakes(registry, false)).isZero();
    }
  }

  @Test
  void sessionsEndingEveryWayLeaveNoDescriptorBehind() throws Exception {
    try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS,
        c -> ActiveMode.activeUpstream(c, null), null)) {
      Files.write(fx.root().resolve("fd.bin"), randomBytes(2 << 20, 44));
      // download, client RST mid-download, ABOR, PASV and leave, silent connection: each opens (and must close)
      // an upstream data listener
      SessionEndings.mixed(fx, "fd.bin", 20);
      long before = Descriptors.open();
      SessionEndings.mixed(fx, "fd.bin", 60);
      long after = Descriptors.settleTo(before + 5, Duration.ofSeconds(5));
      assertThat(after).as("open descriptors before %d, after %d", before, after).isLessThanOrEqualTo(before + 5);
    }
  }

  /** Answers EPRT with 502, as a server without RFC 2428 does, and notes the data commands it saw. */
  private static final class NoEprt extends DefaultFtplet {
    final List<String> seen = new CopyOnWriteArrayList<>();

    @Override
    public FtpletResult beforeCommand(FtpSession session, FtpRequest request) throws FtpException, IOException {
      String verb = request.getCommand().toUpperCase(java.util.Locale.ROOT);
      if (verb.equals("EPRT") || verb.equals("PORT") || verb.equals("EPSV") || verb.equals("PASV")) {
        seen.add(verb);
      }
      if (verb.equals("EPRT")) {
        // a server without RFC 2428 support, on purpose: the gateway must fall back to PORT
        session.write(new DefaultFtpReply(502, "Command EPRT not implemented."));
        return FtpletResult.SKIP;
      }
      return FtpletResult.DEFAULT;
    }
  }

  @Test
  void fallsBackToPortWhenTheServerRefusesEprt() throws Exception {
    Path root = Files.createTempDirectory("ftpgw-test-root");
    NoEprt noEprt = new NoEprt();
    List<PortRange> passive = FreePorts.ranges(GatewayFixture.PASSIVE_PORTS, GatewayFixture.PASSIVE_PORTS);
    DemoFtpsServer server = DemoFtpsServer.start("127.0.0.1", 0, passive.get(0).toString(),
        Map.of(GatewayFixture.USER, GatewayFixture.PASSWORD), root, GatewayFixture.SERVER_PROTOCOLS,
        Map.of("no-eprt", noEprt));
    Vertx vertx = Vertx.vertx();
    try {
      GatewayConfig config = ActiveMode.activeUpstream(GatewayFixture.config(server.port(), passive.get(1),
          UpstreamConfig.DEFAULT_PROTOCOLS, server.certificatePem(), "127.0.0.1", DataMode.EPSV), null);
      Gateway gateway = Gateway.start(vertx, config).toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      byte[] content = randomBytes(500_000, 43);
      Files.write(root.resolve("p.bin"), content);
      FTPClient ftp = GatewayFixture.connect(gateway.listeners().get(0).port());
      assertThat(ftp.login(GatewayFixture.USER, GatewayFixture.PASSWORD)).isTrue();
      ftp.setFileType(org.apache.commons.net.ftp.FTP.BINARY_FILE_TYPE);
      ftp.enterLocalPassiveMode();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThat(ftp.retrieveFile("p.bin", out)).as(ftp.getReplyString()).isTrue();
      assertThat(sha256(out.toByteArray())).isEqualTo(sha256(content));
      assertThat(ftp.listNames()).as(ftp.getReplyString()).contains("p.bin");
      ftp.logout();
      ftp.disconnect();
      // EPRT once, refused; from then on PORT only (the refusal is remembered for the session)
      assertThat(noEprt.seen).containsExactly("EPRT", "PORT", "PORT");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      server.close();
    }
  }

  @Test
  void aDataConnectionFromAnotherAddressIsRefusedAndTheTransferStillWorks() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    PortRange activePorts = FreePorts.range(2);
    int first = activePorts.first();
    try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS,
        c -> ActiveMode.activeUpstream(c, activePorts), null, GatewayMetrics.create(registry))) {
      byte[] content = randomBytes(100_000, 42);
      Files.write(fx.root().resolve("x.bin"), content);
      FTPClient ftp = fx.login();
      // the gateway now listens on a port of upstream.activePorts for the upstream: the first, or the second when
      // the first was taken since FreePorts found it free
      assertThat(ftp.sendCommand("PASV")).as(ftp.getReplyString()).isEqualTo(227);
      try (Socket thief = connectFromAnotherHost(first, first + 1)) {
        thief.setSoTimeout(5000);
        int read;
        try {
          read = thief.getInputStream().read();
        } catch (java.net.SocketException reset) {
          read = -1;
        }
        assertThat(read).as("the gateway closes a stranger's connection at once").isEqualTo(-1);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThat(ftp.retrieveFile("x.bin", out)).as(ftp.getReplyString()).isTrue();
      assertThat(sha256(out.toByteArray())).isEqualTo(sha256(content));
      assertThat(registry.find("ftpgw.rejected.connections").tags("reason", "upstream_hijack").counter())
          .isNotNull().extracting(c -> c.count()).isEqualTo(1.0);
      ftp.logout();
      ftp.disconnect();
    }
  }

  /** Connects from 127.0.0.2 (another host as far as the gateway can tell: Linux accepts any 127/8 source). */
  private static Socket connectFromAnotherHost(int... ports) throws java.io.IOException {
    java.io.IOException last = null;
    for (int port : ports) {
      Socket socket = new Socket();
      socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
      try {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return socket;
      } catch (java.io.IOException e) {
        socket.close();
        last = e;
      }
    }
    throw last;
  }
}
