package org.ftpsgateway.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ftpsgateway.support.GatewayFixture.randomBytes;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.List;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPSClient;
import org.apache.commons.net.util.TrustManagerUtils;
import org.ftpsgateway.config.ClientTlsConfig;
import org.ftpsgateway.config.TlsMode;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.ListenerConfig;
import org.ftpsgateway.support.ActiveMode;
import org.ftpsgateway.support.GatewayFixture;
import org.ftpsgateway.support.Transfers;
import org.junit.jupiter.api.Test;

/**
 * {@code listeners[].activeSourcePort}: active-mode data connections to the client come from that local port, on
 * every transfer, several in a row (SO_REUSEADDR), and a port that cannot be bound gives the client 425.
 */
class ActiveSourcePortTest {

  private final int sourcePort = ActiveMode.freeSourcePort();

  @Test
  void dataConnectionsComeFromTheConfiguredPortTransferAfterTransfer() throws Exception {
    try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS,
        c -> ActiveMode.withSourcePort(c, sourcePort), null)) {
      byte[] content = randomBytes(1 << 20, 31);
      Files.write(fx.root().resolve("src.bin"), content);
      FTPClient ftp = fx.login();
      ActiveMode.RecordingServerSockets sockets = new ActiveMode.RecordingServerSockets();
      ftp.setServerSocketFactory(sockets);
      ftp.enterLocalActiveMode();
      for (int round = 0; round < 2; round++) {
        Transfers.roundTrip(fx, ftp, "src.bin", content, "up-" + round + ".bin");
        ftp.setUseEPSVwithIPv4(true); // the second round uses EPRT instead of PORT
      }
      assertThat(sockets.remotePorts).as("one data connection per transfer, all from the source port")
          .hasSize(8).containsOnly(sourcePort);
      ftp.logout();
      ftp.disconnect();
    }
  }

  /**
   * An FTPS client (PROT P) in active mode, from the source port, through an active upstream: the gateway
   * connects out, announces 150, then is the TLS server of that connection although it opened it (RFC 4217 §7),
   * while it is the TLS client of the connection the upstream opened to it.
   */
  @Test
  void tlsClientInActiveModeThroughAnActiveUpstream() throws Exception {
    try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS,
        c -> {
          GatewayConfig active = ActiveMode.withSourcePort(ActiveMode.activeUpstream(c, null), sourcePort);
          ListenerConfig l = active.listeners().get(0);
          // Commons Net's FTPSClient does not resume the control session on data connections
          ClientTlsConfig tls = new ClientTlsConfig(null, null, null, null, null, false, true, false, false, false);
          return new GatewayConfig(List.of(new ListenerConfig(l.name(), l.host(), l.port(), TlsMode.EXPLICIT,
              l.passivePorts(), l.passiveAddress(), l.allowForeignActive(), tls, l.activeSourcePort())),
              active.upstream(), active.timeouts(), active.metrics());
        }, null)) {
      byte[] content = randomBytes(2 << 20, 33);
      Files.write(fx.root().resolve("tls-src.bin"), content);
      FTPSClient ftp = new FTPSClient("TLS", false);
      ftp.setTrustManager(TrustManagerUtils.getAcceptAllTrustManager());
      ftp.setDefaultTimeout(20_000);
      ftp.connect("127.0.0.1", fx.port());
      assertThat(ftp.login(GatewayFixture.USER, GatewayFixture.PASSWORD)).as(ftp.getReplyString()).isTrue();
      ftp.execPBSZ(0);
      ftp.execPROT("P");
      ftp.setFileType(FTP.BINARY_FILE_TYPE);
      ftp.enterLocalActiveMode();
      for (int round = 0; round < 2; round++) {
        Transfers.roundTrip(fx, ftp, "tls-src.bin", content, "tls-up-" + round + ".bin");
      }
      ftp.logout();
      ftp.disconnect();
    }
  }

  @Test
  void aSourcePortThatCannotBeBoundGives425AndTheSessionGoesOn() throws Exception {
    try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS,
        c -> ActiveMode.withSourcePort(c, sourcePort), null);
         // Linux refuses to bind a port another socket listens on, SO_REUSEADDR or not
         ServerSocket squatter = new ServerSocket(sourcePort, 1, InetAddress.getByName("127.0.0.1"))) {
      // large enough that the upstream is still sending when the gateway drops the transfer: it answers 426,
      // and the client must still get 425 (its data connection is what failed)
      Files.write(fx.root().resolve("x.bin"), randomBytes(5 << 20, 32));
      FTPClient ftp = fx.login();
      ftp.enterLocalActiveMode();
      assertThat(ftp.retrieveFile("x.bin", new ByteArrayOutputStream())).isFalse();
      assertThat(ftp.getReplyCode()).as(ftp.getReplyString()).isEqualTo(425);
      assertThat(ftp.getReplyString()).contains("cannot bind source port " + sourcePort);
      squatter.close();
      ftp.enterLocalPassiveMode();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThat(ftp.retrieveFile("x.bin", out)).as(ftp.getReplyString()).isTrue();
      assertThat(out.size()).isEqualTo(5 << 20);
      ftp.logout();
      ftp.disconnect();
    }
  }
}
