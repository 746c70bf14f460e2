package org.ftpsgateway.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.net.ftp.FTPClient;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.TimeoutsConfig;
import org.ftpsgateway.support.Descriptors;
import org.ftpsgateway.support.GatewayFixture;
import org.ftpsgateway.support.Poll;
import org.ftpsgateway.support.SessionEndings;
import org.junit.jupiter.api.Test;

/**
 * Issue #3: after 1,000 sessions that each end a different way (QUIT after a transfer, client RST mid-download, ABOR,
 * PASV then gone, upload cut by RST, silent until the login timeout), the gateway holds no session, no passive port
 * and no more descriptors than before. Upstream drops are covered the same way in UpstreamFaultTest.
 */
class DescriptorLeakTest {

  private static final int SESSIONS = 1_000;

  @Test
  void thousandSessionsEndingEveryWayLeaveNothingBehind() throws Exception {
    try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS,
        c -> new GatewayConfig(c.listeners(), c.upstream(), new TimeoutsConfig(5, 60, 5, 2), c.metrics(),
            c.logging(), c.limits(), c.shutdownGraceSeconds()), null)) {
      byte[] content = GatewayFixture.randomBytes(256 * 1024, 11);
      Files.write(fx.root().resolve("fd.bin"), content);
      runSessions(fx, 30, content); // warm up pools, caches and threads
      awaitIdle(fx);
      long before = Descriptors.open();

      AtomicInteger completed = runSessions(fx, SESSIONS, content);
      assertThat(completed.get()).isEqualTo(SESSIONS);
      awaitIdle(fx);
      long after = Descriptors.settleTo(before + 5, Duration.ofSeconds(10));
      assertThat(after).as("open descriptors before %d, after %d sessions: %d", before, SESSIONS, after)
          .isLessThanOrEqualTo(before + 5);
      // and the gateway still works
      FTPClient ftp = fx.login();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      assertThat(ftp.retrieveFile("fd.bin", out)).isTrue();
      assertThat(GatewayFixture.sha256(out.toByteArray())).isEqualTo(GatewayFixture.sha256(content));
      ftp.logout();
      ftp.disconnect();
    }
  }

  private static void awaitIdle(GatewayFixture fx) throws Exception {
    Poll.until(Duration.ofSeconds(10), () -> fx.gateway().openSessions() == 0);
    assertThat(fx.gateway().openSessions()).as("sessions still open").isZero();
  }

  private static AtomicInteger runSessions(GatewayFixture fx, int count, byte[] content) throws Exception {
    AtomicInteger completed = new AtomicInteger();
    List<Socket> silent = java.util.Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> all = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        int way = i % 6;
        all.add(pool.submit(() -> {
          endOneWay(fx, way, content, silent);
          completed.incrementAndGet();
          return null;
        }));
      }
      for (Future<?> f : all) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    // the silent ones were closed by the gateway's login timeout: reading gives end of stream (after a 421)
    for (Socket s : silent) {
      s.setSoTimeout(10_000);
      var in = s.getInputStream();
      while (in.read() >= 0) {
        // drain the greeting and the 421
      }
      s.close();
    }
    return completed;
  }

  private static void endOneWay(GatewayFixture fx, int way, byte[] content, List<Socket> silent) throws Exception {
    if (way == 5) { // connects, never logs in: the login timeout closes it
      Socket s = new Socket("127.0.0.1", fx.port());
      silent.add(s);
      return;
    }
    FTPClient ftp = fx.login();
    switch (way) {
      case 0 -> assertThat(SessionEndings.downloadThenQuit(ftp, "fd.bin")).isEqualTo(content.length);
      case 1 -> SessionEndings.vanishMidDownload(ftp, "fd.bin");
      case 2 -> SessionEndings.abortThenQuit(ftp, "fd.bin");
      case 3 -> SessionEndings.pasvAndGone(ftp);
      default -> { // upload cut short by a client RST
        OutputStream out = ftp.storeFileStream("fd-up-" + Thread.currentThread().getId() + ".bin");
        if (out != null) {
          new ByteArrayInputStream(content, 0, 10_000).transferTo(out);
          out.flush();
        }
        ftp.setSoLinger(true, 0);
        ftp.disconnect();
        if (out != null) {
          try {
            out.close();
          } catch (java.io.IOException e) {
            // the control connection is gone already
          }
        }
      }
    }
  }
}
