package org.ftpsgateway.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.util.List;
import org.apache.commons.net.ftp.FTPClient;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.LimitsConfig;
import org.ftpsgateway.config.ListenerAccess;
import org.ftpsgateway.metrics.GatewayMetrics;
import org.ftpsgateway.protocol.CidrBlock;
import org.ftpsgateway.support.GatewayFixture;
import org.junit.jupiter.api.Test;

/** allowClients and the per-client connection rate, through the gateway to a real FTPS server. */
class AccessAndRateTest {

  /** Block of 200 ports for the fixture (server and gateway passive ranges); the tests run one after another. */
  private static final int PORTS = 47400;

  @Test
  void clientOutsideAllowClientsGets421AndIsCounted() throws Exception {
    MeterRegistry registry = new SimpleMeterRegistry();
    try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", PORTS, GatewayFixture.SERVER_PROTOCOLS,
        c -> withAccess(c, List.of(CidrBlock.parse("10.0.0.0/8"), CidrBlock.parse("::1/128"))), null,
        GatewayMetrics.create(registry))) {
      assertThat(GatewayFixture.greeting(fx.port())).startsWith("421 ").contains("not allowed");
      assertThat(GatewayFixture.greeting(fx.port())).startsWith("421 ");
      assertThat(rejected(registry, "not_allowed")).isEqualTo(2);
      assertThat(fx.gateway().openSessions()).isZero();
    }
  }

  @Test
  void clientInsideAllowClientsTransfers() throws Exception {
    MeterRegistry registry = new SimpleMeterRegistry();
    try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", PORTS, GatewayFixture.SERVER_PROTOCOLS,
        c -> withAccess(c, List.of(CidrBlock.parse("10.0.0.0/8"), CidrBlock.parse("127.0.0.0/8"))), null,
        GatewayMetrics.create(registry))) {
      byte[] content = GatewayFixture.randomBytes(300_000, 7);
      Files.write(fx.root().resolve("a.bin"), content);
      FTPClient ftp = fx.login();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThat(ftp.retrieveFile("a.bin", out)).as(ftp.getReplyString()).isTrue();
      assertThat(GatewayFixture.sha256(out.toByteArray())).isEqualTo(GatewayFixture.sha256(content));
      ftp.logout();
      ftp.disconnect();
      assertThat(rejected(registry, "not_allowed")).isZero();
    }
  }

  @Test
  void connectionRatePerClientAnswers421() throws Exception {
    MeterRegistry registry = new SimpleMeterRegistry();
    try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", PORTS, GatewayFixture.SERVER_PROTOCOLS,
        c -> c.withLimits(new LimitsConfig(100, 0, 0, 300, 0, 3)), null, GatewayMetrics.create(registry))) {
      for (int i = 0; i < 3; i++) {
        assertThat(GatewayFixture.greeting(fx.port())).as("connection " + (i + 1)).startsWith("220");
      }
      assertThat(GatewayFixture.greeting(fx.port())).startsWith("421 ").contains("Too many connections");
      assertThat(GatewayFixture.greeting(fx.port())).startsWith("421 ");
      assertThat(rejected(registry, "rate")).isEqualTo(2);
      // one connection every 20 s is allowed again; the refusals did not push that back
      Thread.sleep(20_500);
      FTPClient ftp = fx.login();
      assertThat(ftp.sendNoOp()).isTrue();
      ftp.disconnect();
      assertThat(GatewayFixture.greeting(fx.port())).startsWith("421 ");
    }
  }

  static GatewayConfig withAccess(GatewayConfig c, List<CidrBlock> allow) {
    return new GatewayConfig(List.of(c.listeners().get(0).withAccess(ListenerAccess.defaults().withAllowClients(allow))), c.upstream(),
        c.timeouts(), c.metrics(), c.logging(), c.limits(), c.shutdownGraceSeconds());
  }

  static double rejected(MeterRegistry registry, String reason) {
    Counter c = registry.find("ftpgw.rejected.connections").tag("reason", reason).counter();
    return c == null ? 0 : c.count();
  }
}
