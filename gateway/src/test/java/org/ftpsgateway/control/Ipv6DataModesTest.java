package org.ftpsgateway.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ftpsgateway.support.GatewayFixture.randomBytes;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.List;
import org.apache.commons.net.ProtocolCommandEvent;
import org.apache.commons.net.ProtocolCommandListener;
import org.apache.commons.net.ftp.FTPClient;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.ListenerConfig;
import org.ftpsgateway.metrics.GatewayMetrics;
import org.ftpsgateway.support.ActiveMode;
import org.ftpsgateway.support.GatewayFixture;
import org.ftpsgateway.support.Transfers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * IPv6 end to end on {@code ::1}: listener and upstream (MINA) on IPv6, the client in EPSV and in EPRT {@code |2|}
 * mode (from {@code activeSourcePort}), the gateway active upstream with EPRT {@code |2|}. Skipped where the
 * loopback has no IPv6.
 */
class Ipv6DataModesTest {

  @BeforeAll
  static void needsIpv6Loopback() {
    boolean usable;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
      usable = s.getLocalPort() > 0;
    } catch (Exception e) {
      usable = false;
    }
    assumeTrue(usable, "no IPv6 on the loopback interface");
  }

  /** Active upstream (any free port) and the client-side source port on the same listener. */
  private final int sourcePort = ActiveMode.freeSourcePort();

  private GatewayConfig activeBothWays(GatewayConfig c) {
    GatewayConfig active = ActiveMode.activeUpstream(c, null);
    ListenerConfig l = active.listeners().get(0);
    return new GatewayConfig(List.of(l.withActiveSourcePort(sourcePort)), active.upstream(), active.timeouts(),
        active.metrics());
  }

  @Test
  void extendedCommandsBothSidesWithActiveUpstream() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (GatewayFixture fx = GatewayFixture.start("::1", GatewayFixture.SERVER_PROTOCOLS,
        this::activeBothWays, null, GatewayMetrics.create(registry))) {
      byte[] content = randomBytes(1 << 20, 61);
      Files.write(fx.root().resolve("v6.bin"), content);
      FTPClient ftp = fx.login();
      List<String> sent = new java.util.concurrent.CopyOnWriteArrayList<>();
      ftp.addProtocolCommandListener(new ProtocolCommandListener() {
        @Override
        public void protocolCommandSent(ProtocolCommandEvent event) {
          sent.add(event.getCommand());
        }

        @Override
        public void protocolReplyReceived(ProtocolCommandEvent event) {
        }
      });
      ActiveMode.RecordingServerSockets sockets = new ActiveMode.RecordingServerSockets();
      ftp.setServerSocketFactory(sockets);
      for (boolean clientActive : new boolean[] {false, true}) {
        if (clientActive) {
          ftp.enterLocalActiveMode();
        } else {
          ftp.enterLocalPassiveMode();
        }
        Transfers.roundTrip(fx, ftp, "v6.bin", content, clientActive ? "v6-active.bin" : "v6-passive.bin");
      }
      ftp.logout();
      ftp.disconnect();
      assertThat(sent).as("the client used EPSV, then EPRT |2|").contains("EPSV", "EPRT");
      assertThat(sockets.remotePorts).as("client data connections from the source port").hasSize(4)
          .containsOnly(sourcePort);
      var resumed = registry.find("ftpgw.tls.handshakes").tags("side", "upstream", "channel", "data",
          "resumed", "true", "outcome", "ok").counter();
      assertThat(resumed).isNotNull().extracting(c -> c.count()).isEqualTo(8.0);
    }
  }
}
