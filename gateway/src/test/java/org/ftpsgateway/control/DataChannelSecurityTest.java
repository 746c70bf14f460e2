package org.ftpsgateway.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ftpsgateway.support.GatewayFixture.randomBytes;
import static org.ftpsgateway.support.GatewayFixture.sha256;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.apache.commons.net.ftp.FTPClient;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.ListenerConfig;
import org.ftpsgateway.config.PortRange;
import org.ftpsgateway.config.TimeoutsConfig;
import org.ftpsgateway.support.Descriptors;
import org.ftpsgateway.support.FreePorts;
import org.ftpsgateway.support.GatewayFixture;
import org.ftpsgateway.support.Poll;
import org.ftpsgateway.support.SessionEndings;
import org.junit.jupiter.api.Test;

/** Passive port exhaustion, passive timeouts, EPSV ALL, IPv6, and no leaked descriptors. */
class DataChannelSecurityTest {

  private static GatewayConfig withPassive(GatewayConfig c, PortRange range, int dataConnectSeconds) {
    ListenerConfig l = c.listeners().get(0);
    return new GatewayConfig(List.of(new ListenerConfig(l.name(), l.host(), l.port(), l.tls(), range,
        l.passiveAddress(), l.allowForeignActive())), c.upstream(),
        new TimeoutsConfig(c.timeouts().connectSeconds(), c.timeouts().idleSeconds(), dataConnectSeconds), c.metrics());
  }

  @Test
  void passivePortExhaustionGives425AndRecovers() throws Exception {
    try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS,
        c -> withPassive(c, FreePorts.range(2), 30), null)) {
      FTPClient a = fx.login();
      FTPClient b = fx.login();
      FTPClient c = fx.login();
      assertThat(a.sendCommand("PASV")).isEqualTo(227);
      assertThat(b.sendCommand("EPSV")).isEqualTo(229);
      assertThat(c.sendCommand("PASV")).isEqualTo(425);
      assertThat(c.getReplyString()).contains("no passive port available");
      assertThat(c.sendNoOp()).as("session stays usable").isTrue();
      // a second PASV replaces the first: still one port for a
      assertThat(a.sendCommand("PASV")).isEqualTo(227);
      assertThat(c.sendCommand("PASV")).isEqualTo(425);
      a.logout();
      a.disconnect();
      byte[] content = randomBytes(100_000, 1);
      Files.write(fx.root().resolve("x.bin"), content);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      boolean ok = Poll.until(Duration.ofSeconds(5), () -> {
        out.reset();
        c.enterLocalPassiveMode();
        return c.retrieveFile("x.bin", out);
      });
      assertThat(ok).as("port released when a's session ended: " + c.getReplyString()).isTrue();
      assertThat(sha256(out.toByteArray())).isEqualTo(sha256(content));
      b.disconnect();
      c.disconnect();
    }
  }

  @Test
  void passiveListenerClosesWhenNobodyConnects() throws Exception {
    PortRange onePort = FreePorts.range(1);
    try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS,
        c -> withPassive(c, onePort, 1), null)) {
      Files.write(fx.root().resolve("y.bin"), new byte[10]);
      FTPClient ftp = fx.login();
      assertThat(ftp.sendCommand("PASV")).isEqualTo(227);
      // timeouts.dataConnectSeconds is 1: soon after, the listener must be gone (its port bindable again). Probing
      // by connecting would be the awaited data connection itself, so the probe binds instead.
      assertThat(Poll.until(Duration.ofSeconds(10), () -> bindable(onePort.first())))
          .as("passive listener closed after dataConnectSeconds").isTrue();
      assertThat(ftp.sendCommand("RETR y.bin")).isEqualTo(425);
      // the single port was given back: PASV works again
      assertThat(ftp.sendCommand("PASV")).isEqualTo(227);
      ftp.disconnect();
    }
  }

  @Test
  void epsvAllRefusesOtherDataCommands() throws Exception {
    try (GatewayFixture fx = GatewayFixture.start()) {
      FTPClient ftp = fx.login();
      assertThat(ftp.sendCommand("EPSV ALL")).isEqualTo(200);
      assertThat(ftp.sendCommand("PASV")).isEqualTo(504);
      assertThat(ftp.sendCommand("PORT 127,0,0,1,200,10")).isEqualTo(504);
      assertThat(ftp.sendCommand("EPRT |1|127.0.0.1|50000|")).isEqualTo(504);
      assertThat(ftp.sendCommand("EPSV 2")).isEqualTo(522);
      assertThat(ftp.sendCommand("EPSV")).isEqualTo(229);
      ftp.disconnect();
    }
  }

  @Test
  void ipv6EndToEndWithExtendedPassiveAndActive() throws Exception {
    try (GatewayFixture fx = GatewayFixture.start("::1", GatewayFixture.SERVER_PROTOCOLS, c -> c, null)) {
      byte[] content = randomBytes(1 << 20, 6);
      Files.write(fx.root().resolve("v6.bin"), content);
      FTPClient ftp = fx.login();
      assertThat(ftp.sendCommand("PASV")).as("PASV cannot name an IPv6 address").isEqualTo(425);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThat(ftp.retrieveFile("v6.bin", out)).as(ftp.getReplyString()).isTrue(); // EPSV on IPv6
      assertThat(sha256(out.toByteArray())).isEqualTo(sha256(content));
      ftp.enterLocalActiveMode(); // EPRT |2|::1|port|
      assertThat(ftp.storeFile("v6-up.bin", new ByteArrayInputStream(content))).as(ftp.getReplyString()).isTrue();
      assertThat(sha256(fx.root().resolve("v6-up.bin"))).isEqualTo(sha256(content));
      assertThat(ftp.listNames()).contains("v6.bin", "v6-up.bin");
      ftp.logout();
      ftp.disconnect();
    }
  }

  @Test
  void sessionsEndingEveryWayLeaveNoDescriptorBehind() throws Exception {
    try (GatewayFixture fx = GatewayFixture.start()) {
      byte[] content = randomBytes(2 << 20, 8);
      Files.write(fx.root().resolve("fd.bin"), content);
      SessionEndings.mixed(fx, "fd.bin", 20); // warm up pools and caches
      long before = Descriptors.open();
      SessionEndings.mixed(fx, "fd.bin", 100);
      long after = Descriptors.settleTo(before + 5, Duration.ofSeconds(5));
      assertThat(after).as("open descriptors before %d, after %d", before, after).isLessThanOrEqualTo(before + 5);
    }
  }

  /** True when nothing listens on {@code port} of 127.0.0.1: a socket can bind it. */
  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new java.net.InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (java.io.IOException held) {
      return false;
    }
  }
}
