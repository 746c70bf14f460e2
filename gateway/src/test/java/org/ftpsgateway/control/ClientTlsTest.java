package org.ftpsgateway.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.util.List;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPSClient;
import org.apache.commons.net.util.TrustManagerUtils;
import org.ftpsgateway.config.ClientTlsConfig;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.ListenerConfig;
import org.ftpsgateway.config.TlsMode;
import org.ftpsgateway.support.GatewayFixture;
import org.junit.jupiter.api.Test;

/** FTPS clients in front (explicit and implicit), FTPS upstream: the gateway terminates TLS on both sides. */
class ClientTlsTest {

  private static GatewayConfig withClientTls(GatewayConfig c, TlsMode mode, boolean requireReuse,
                                             boolean requireTls) {
    ListenerConfig l = c.listeners().get(0);
    ClientTlsConfig tls = new ClientTlsConfig(null, null, null, null, null, requireTls, false, requireReuse,
        false, false);
    return new GatewayConfig(List.of(new ListenerConfig(l.name(), l.host(), l.port(), mode, l.passivePorts(),
        l.passiveAddress(), l.allowForeignActive(), tls)), c.upstream(), c.timeouts(), c.metrics(), c.logging(),
        c.limits(), c.shutdownGraceSeconds());
  }

  private static FTPSClient ftps(boolean implicit, int port) throws Exception {
    // the gateway's generated certificate is self-signed: this test checks the protocol, not the trust chain
    return GatewayFixture.ftpsLogin(port, implicit, TrustManagerUtils.getAcceptAllTrustManager());
  }

  @Test
  void explicitAndImplicitClientsTransferThroughTlsOnBothSides() throws Exception {
    for (TlsMode mode : new TlsMode[] {TlsMode.EXPLICIT, TlsMode.IMPLICIT}) {
      try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS,
          c -> withClientTls(c, mode, false, false), null)) {
        byte[] content = GatewayFixture.randomBytes(3 << 20, 9);
        Files.write(fx.root().resolve("tls.bin"), content);
        FTPSClient ftp = ftps(mode == TlsMode.IMPLICIT, fx.port());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ftp.retrieveFile("tls.bin", out)).as(mode + ": " + ftp.getReplyString()).isTrue();
        assertThat(GatewayFixture.sha256(out.toByteArray())).isEqualTo(GatewayFixture.sha256(content));
        assertThat(ftp.storeFile("tls-up.bin", new ByteArrayInputStream(content))).as(ftp.getReplyString()).isTrue();
        assertThat(GatewayFixture.sha256(fx.root().resolve("tls-up.bin"))).isEqualTo(GatewayFixture.sha256(content));
        assertThat(ftp.listNames()).contains("tls.bin", "tls-up.bin");
        ftp.logout();
        ftp.disconnect();
      }
    }
  }

  @Test
  void dataConnectionWithoutSessionReuseIsRefusedWhenRequired() throws Exception {
    try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS,
        c -> withClientTls(c, TlsMode.EXPLICIT, true, true), null)) {
      Files.write(fx.root().resolve("r.bin"), new byte[1000]);
      // Commons Net's FTPSClient, like Python's ftplib, does not resume the control session on data connections
      FTPSClient ftp = ftps(false, fx.port());
      assertThat(ftp.retrieveFile("r.bin", new ByteArrayOutputStream())).isFalse();
      assertThat(ftp.getReplyCode()).isEqualTo(522);
      assertThat(ftp.sendNoOp()).isTrue();
      ftp.disconnect();
      // requireTls: a plain client may not log in
      FTPClient plain = fx.connect();
      assertThat(plain.login(GatewayFixture.USER, GatewayFixture.PASSWORD)).isFalse();
      assertThat(plain.getReplyCode()).isEqualTo(530);
      plain.disconnect();
    }
  }
}
