package org.ftpsgateway.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.commons.net.ftp.FTPClient;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.LimitsConfig;
import org.ftpsgateway.config.ListenerAccess;
import org.ftpsgateway.support.GatewayFixture;
import org.junit.jupiter.api.Test;

/** limits.bytesPerSecond (per session) and listeners[].bytesPerSecond (whole listener) on real transfers. */
class BandwidthTest {

  private static final int MB = 1 << 20;

  @Test
  void sessionLimitSlowsDownloadsAndUploadsWithoutChangingABit() throws Exception {
    try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS,
        c -> c.withLimits(new LimitsConfig(100, 0, 0, 300, MB, 0)), null)) {
      byte[] content = GatewayFixture.randomBytes(4 * MB, 11);
      Files.write(fx.root().resolve("down.bin"), content);
      FTPClient ftp = fx.login();

      long t0 = System.nanoTime();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThat(ftp.retrieveFile("down.bin", out)).as(ftp.getReplyString()).isTrue();
      double down = (System.nanoTime() - t0) / 1e9;
      assertThat(GatewayFixture.sha256(out.toByteArray())).isEqualTo(GatewayFixture.sha256(content));

      t0 = System.nanoTime();
      assertThat(ftp.storeFile("up.bin", new ByteArrayInputStream(content))).as(ftp.getReplyString()).isTrue();
      double up = (System.nanoTime() - t0) / 1e9;
      assertThat(GatewayFixture.sha256(fx.root().resolve("up.bin"))).isEqualTo(GatewayFixture.sha256(content));
      ftp.logout();
      ftp.disconnect();
      System.out.printf("4 MiB at 1 MiB/s: download %.2f s, upload %.2f s%n", down, up);
      // 4 MiB less the eighth of a second saved up: ~3.9 s; the upper bound catches a relay that stalls
      assertThat(down).isBetween(3.0, 8.0);
      assertThat(up).isBetween(3.0, 8.0);
    }
  }

  @Test
  void listenerLimitIsSharedByItsSessions() throws Exception {
    try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS,
        c -> new GatewayConfig(List.of(c.listeners().get(0).withAccess(
            ListenerAccess.defaults().withBytesPerSecond(MB))), c.upstream(), c.timeouts(), c.metrics()), null)) {
      byte[] a = GatewayFixture.randomBytes(2 * MB, 21);
      byte[] b = GatewayFixture.randomBytes(2 * MB, 22);
      Files.write(fx.root().resolve("a.bin"), a);
      Files.write(fx.root().resolve("b.bin"), b);
      FTPClient first = fx.login();
      FTPClient second = fx.login();
      long t0 = System.nanoTime();
      CompletableFuture<byte[]> x = CompletableFuture.supplyAsync(() -> fetch(first, "a.bin"));
      CompletableFuture<byte[]> y = CompletableFuture.supplyAsync(() -> fetch(second, "b.bin"));
      assertThat(GatewayFixture.sha256(x.get())).isEqualTo(GatewayFixture.sha256(a));
      assertThat(GatewayFixture.sha256(y.get())).isEqualTo(GatewayFixture.sha256(b));
      double both = (System.nanoTime() - t0) / 1e9;
      System.out.printf("2 x 2 MiB in parallel, listener at 1 MiB/s: %.2f s%n", both);
      assertThat(both).isBetween(3.0, 8.0);
      first.disconnect();
      second.disconnect();
    }
  }

  private static byte[] fetch(FTPClient ftp, String name) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      if (!ftp.retrieveFile(name, out)) {
        throw new IllegalStateException(ftp.getReplyString());
      }
      return out.toByteArray();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
