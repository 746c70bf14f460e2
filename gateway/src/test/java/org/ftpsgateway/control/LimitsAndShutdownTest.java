package org.ftpsgateway.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.commons.net.ftp.FTPClient;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.LimitsConfig;
import org.ftpsgateway.config.TimeoutsConfig;
import org.ftpsgateway.support.GatewayFixture;
import org.ftpsgateway.support.Poll;
import org.junit.jupiter.api.Test;

/** Session limits, login timeout and failures, graceful drain. */
class LimitsAndShutdownTest {

  @Test
  void sessionLimitsAnswer421AndFreeUp() throws Exception {
    try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS,
        c -> c.withLimits(new LimitsConfig(3, 2, 0, 300)), null)) {
      FTPClient a = fx.login();
      FTPClient b = fx.login();
      assertThat(GatewayFixture.greeting(fx.port())).startsWith("421 ").contains("from your address");
      a.logout();
      a.disconnect();
      FTPClient c = awaitLogin(fx);
      assertThat(c.sendNoOp()).isTrue();
      b.disconnect();
      c.disconnect();
    }
  }

  @Test
  void loginTimeoutAndLoginFailureCooldown() throws Exception {
    try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS,
        c -> new GatewayConfig(c.listeners(), c.upstream(), new TimeoutsConfig(5, 60, 5, 2), c.metrics(),
            c.logging(), new LimitsConfig(100, 0, 3, 60), 5), null)) {
      try (Socket silent = new Socket("127.0.0.1", fx.port())) {
        silent.setSoTimeout(10_000);
        var in = new java.io.BufferedReader(new java.io.InputStreamReader(silent.getInputStream()));
        assertThat(in.readLine()).startsWith("220");
        long t0 = System.nanoTime();
        assertThat(in.readLine()).startsWith("421").contains("Login timeout");
        assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(1000L, 6000L);
        assertThat(in.readLine()).as("closed after 421").isNull();
      }
      FTPClient ftp = fx.connect();
      assertThat(ftp.login(GatewayFixture.USER, "bad1")).isFalse();
      assertThat(ftp.login(GatewayFixture.USER, "bad2")).isFalse();
      assertThat(ftp.login(GatewayFixture.USER, "bad3")).isFalse();
      ftp.disconnect();
      assertThat(GatewayFixture.greeting(fx.port())).startsWith("421 ").contains("failed logins");
    }
  }

  @Test
  void drainLetsTheTransferInFlightFinish() throws Exception {
    try (GatewayFixture fx = GatewayFixture.start()) {
      byte[] content = GatewayFixture.randomBytes(8 << 20, 3);
      Files.write(fx.root().resolve("drain.bin"), content);
      FTPClient idle = fx.login();
      FTPClient busy = fx.login();
      InputStream in = busy.retrieveFileStream("drain.bin");
      byte[] first = in.readNBytes(1 << 20);
      CompletableFuture<Void> drained = fx.gateway().drain(20).toCompletionStage().toCompletableFuture();
      // the idle session is told at once (on its own event loop: wait for it, or a NOOP sent meanwhile is relayed
      // and answered first, as it should be); new sessions are refused
      Poll.until(Duration.ofSeconds(5), () -> fx.gateway().openSessions() <= 1);
      assertThat(fx.gateway().openSessions()).as("only the busy session is left").isEqualTo(1);
      org.assertj.core.api.Assertions.assertThatThrownBy(idle::sendNoOp)
          .isInstanceOf(org.apache.commons.net.ftp.FTPConnectionClosedException.class).hasMessageContaining("421");
      assertThat(GatewayFixture.greeting(fx.port())).startsWith("421 ").contains("shutting down");
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      all.write(first);
      in.transferTo(all);
      in.close();
      assertThat(busy.completePendingCommand()).as(busy.getReplyString()).isTrue();
      assertThat(GatewayFixture.sha256(all.toByteArray())).isEqualTo(GatewayFixture.sha256(content));
      drained.get(10, TimeUnit.SECONDS);
      assertThat(fx.gateway().openSessions()).isZero();
    }
  }

  private static FTPClient awaitLogin(GatewayFixture fx) throws Exception {
    long deadline = System.currentTimeMillis() + 5000;
    while (true) {
      try {
        return fx.login();
      } catch (Exception e) {
        if (System.currentTimeMillis() > deadline) {
          throw e;
        }
        Thread.sleep(50);
      }
    }
  }
}
