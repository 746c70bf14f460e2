package org.ftpsgateway.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.apache.commons.net.ftp.FTPClient;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.LimitsConfig;
import org.ftpsgateway.config.ListenerAccess;
import org.ftpsgateway.metrics.GatewayMetrics;
import org.ftpsgateway.protocol.CidrBlock;
import org.ftpsgateway.support.GatewayFixture;
import org.ftpsgateway.support.Poll;
import org.ftpsgateway.support.Rejections;
import org.junit.jupiter.api.Test;

/** allowClients and the per-client connection rate, through the gateway to a real FTPS server. */
class AccessAndRateTest {

  @Test
  void clientOutsideAllowClientsGets421AndIsCounted() throws Exception {
    MeterRegistry registry = new SimpleMeterRegistry();
    try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS,
        c -> withAccess(c, List.of(CidrBlock.parse("10.0.0.0/8"), CidrBlock.parse("::1/128"))), null,
        GatewayMetrics.create(registry))) {
      assertThat(GatewayFixture.greeting(fx.port())).startsWith("421 ").contains("not allowed");
      assertThat(GatewayFixture.greeting(fx.port())).startsWith("421 ");
      assertThat(Rejections.count(registry, "not_allowed")).isEqualTo(2);
      assertThat(fx.gateway().openSessions()).isZero();
    }
  }

  @Test
  void clientInsideAllowClientsTransfers() throws Exception {
    MeterRegistry registry = new SimpleMeterRegistry();
    try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS,
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
      assertThat(Rejections.count(registry, "not_allowed")).isZero();
    }
  }

  /** Connections per minute in the rate test: a burst of that many, then one every 60/N = 3 s. */
  private static final int PER_MINUTE = 20;

  @Test
  void connectionRatePerClientAnswers421() throws Exception {
    MeterRegistry registry = new SimpleMeterRegistry();
    try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS,
        c -> c.withLimits(new LimitsConfig(100, 0, 0, 300, 0, PER_MINUTE)), null, GatewayMetrics.create(registry))) {
      // the burst: at least PER_MINUTE connections are admitted (more only if the bucket refilled meanwhile)
      int admitted = 0;
      String greeting;
      while ((greeting = GatewayFixture.greeting(fx.port())).startsWith("220")) {
        admitted++;
        assertThat(admitted).as("admitted without limit").isLessThan(2 * PER_MINUTE);
      }
      assertThat(admitted).isGreaterThanOrEqualTo(PER_MINUTE);
      assertThat(greeting).startsWith("421 ").contains("Too many connections");
      assertThat(GatewayFixture.greeting(fx.port())).startsWith("421 ");
      assertThat(Rejections.count(registry, "rate")).isEqualTo(2);
      // one connection every 3 s is allowed again, and the refusals (one every 100 ms while we wait) do not push
      // that back: a refusal that consumed the refill would keep this refused to the deadline
      long start = System.nanoTime();
      assertThat(Poll.until(Duration.ofSeconds(10), () -> {
        Thread.sleep(100);
        return GatewayFixture.greeting(fx.port()).startsWith("220");
      })).as("admitted again after the refill").isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(60 / PER_MINUTE + 2));
      assertThat(GatewayFixture.greeting(fx.port())).as("the refill was used").startsWith("421 ");
    }
  }

  private static GatewayConfig withAccess(GatewayConfig c, List<CidrBlock> allow) {
    return new GatewayConfig(List.of(c.listeners().get(0).withAccess(ListenerAccess.defaults().withAllowClients(allow))), c.upstream(),
        c.timeouts(), c.metrics(), c.logging(), c.limits(), c.shutdownGraceSeconds());
  }
}
