package org.ftpsgateway.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.commons.net.ftp.FTPClient;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.LimitsConfig;
import org.ftpsgateway.config.TimeoutsConfig;
import org.ftpsgateway.config.UpstreamConfig;
import org.ftpsgateway.metrics.GatewayMetrics;
import org.ftpsgateway.support.GatewayFixture;
import org.ftpsgateway.support.Poll;
import org.junit.jupiter.api.Test;

/**
 * {@code limits.maxConcurrentSetups}: upstream setups beyond the bound wait in a FIFO queue, their clients get the
 * greeting later; a client that leaves the queue leaves nothing behind; the wait is bounded by the login timeout.
 * Real MINA FTPS server behind the gateway, Commons Net and raw sockets in front.
 */
class SetupQueueTest {

  @Test
  void thirtySessionsAtOnceThroughTwoSetupSlotsAllSucceed() throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS,
        c -> c.withLimits(LimitsConfig.defaults().withMaxConcurrentSetups(2)), null,
        GatewayMetrics.create(registry))) {
      byte[] content = GatewayFixture.randomBytes(256 * 1024, 30);
      Files.write(fx.root().resolve("q.bin"), content);
      String expected = GatewayFixture.sha256(content);

      // watch the gauges the whole time: in flight must never exceed the bound, and sessions must have queued
      AtomicBoolean sampling = new AtomicBoolean(true);
      AtomicInteger maxInFlight = new AtomicInteger();
      AtomicInteger maxQueued = new AtomicInteger();
      Thread sampler = new Thread(() -> {
        while (sampling.get()) {
          maxInFlight.accumulateAndGet((int) gauge(registry, "ftpgw_upstream_setups_in_flight"), Math::max);
          maxQueued.accumulateAndGet((int) gauge(registry, "ftpgw_upstream_setups_queued"), Math::max);
          java.util.concurrent.locks.LockSupport.parkNanos(100_000);
        }
      });
      sampler.start();

      int sessions = 30;
      CyclicBarrier start = new CyclicBarrier(sessions);
      List<String> failures = new CopyOnWriteArrayList<>();
      List<Thread> clients = new ArrayList<>();
      for (int i = 0; i < sessions; i++) {
        Thread t = new Thread(() -> {
          try {
            start.await(10, TimeUnit.SECONDS);
            FTPClient ftp = fx.login();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            if (!ftp.retrieveFile("q.bin", got)) {
              failures.add("RETR: " + ftp.getReplyString());
            } else if (!GatewayFixture.sha256(got.toByteArray()).equals(expected)) {
              failures.add("checksum differs (" + got.size() + " bytes)");
            }
            ftp.logout();
            ftp.disconnect();
          } catch (Exception e) {
            failures.add(e.toString());
          }
        });
        t.start();
        clients.add(t);
      }
      for (Thread t : clients) {
        t.join(120_000);
      }
      sampling.set(false);
      sampler.join();

      assertThat(failures).isEmpty();
      assertThat(maxInFlight.get()).as("setups in flight at once").isEqualTo(2);
      assertThat(maxQueued.get()).as("setups that had to wait").isPositive();
      await(() -> fx.gateway().openSessions() == 0, "every session ended");
      assertThat(gauge(registry, "ftpgw_upstream_setups_in_flight")).isZero();
      assertThat(gauge(registry, "ftpgw_upstream_setups_queued")).isZero();
      assertThat(registry.scrape()).contains("ftpgw_upstream_setups_queued ")
          .contains("ftpgw_upstream_setups_in_flight ");
    }
  }

  @Test
  void queuedClientThatDisconnectsLeavesNoTraceAndTheNextOneIsServed() throws Exception {
    try (HoldingForwarder upstream = new HoldingForwarder();
         GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS,
             c -> upstream.inFrontOf(c).withLimits(LimitsConfig.defaults().withMaxConcurrentSetups(1)), null)) {
      SetupQueue setups = fx.gateway().setups();
      byte[] content = GatewayFixture.randomBytes(512 * 1024, 31);
      Files.write(fx.root().resolve("next.bin"), content);

      // A takes the only slot: the forwarder holds its upstream connection silent (a slow server)
      int before = upstream.holdNext();
      try (Socket a = new Socket("127.0.0.1", fx.port())) {
        a.setSoTimeout(20_000);
        await(() -> setups.inFlight() == 1 && upstream.accepted() == before + 1, "A's setup running");

        // B waits in the queue: no greeting while it waits
        Socket b = new Socket("127.0.0.1", fx.port());
        b.setSoTimeout(500);
        await(() -> setups.queued() == 1, "B queued");
        assertThatThrownBy(() -> b.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);

        // C queues behind B
        CompletableFuture<FTPClient> c = CompletableFuture.supplyAsync(() -> {
          try {
            return fx.login();
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
        await(() -> setups.queued() == 2, "C queued behind B");
        assertThat(fx.gateway().openSessions()).isEqualTo(3);

        // B gives up: it leaves the queue and the session count, and never reaches the upstream
        b.close();
        await(() -> setups.queued() == 1 && fx.gateway().openSessions() == 2, "B gone");
        assertThat(setups.inFlight()).isEqualTo(1);

        // the slow setup fails: A hears why, and the slot goes to C (B's place is not served)
        upstream.releaseHeld();
        String aReply = new BufferedReader(new InputStreamReader(a.getInputStream(), StandardCharsets.ISO_8859_1))
            .readLine();
        assertThat(aReply).startsWith("421 ");
        FTPClient ftp = c.get(30, TimeUnit.SECONDS);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        assertThat(ftp.retrieveFile("next.bin", got)).as(ftp.getReplyString()).isTrue();
        assertThat(GatewayFixture.sha256(got.toByteArray())).isEqualTo(GatewayFixture.sha256(content));
        assertThat(setups.queued()).isZero();
        assertThat(setups.inFlight()).isZero();
        ftp.logout();
        ftp.disconnect();
      }
      await(() -> fx.gateway().openSessions() == 0, "every session ended");
      assertThat(upstream.accepted() - before).as("upstream connections: A and C, none for B").isEqualTo(2);
      assertThat(setups.queued()).isZero();
      assertThat(setups.inFlight()).isZero();
    }
  }

  @Test
  void queueWaitIsBoundedByTheLoginTimeout() throws Exception {
    try (HoldingForwarder upstream = new HoldingForwarder();
         GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS,
             c -> {
               GatewayConfig forwarded = upstream.inFrontOf(c);
               return new GatewayConfig(forwarded.listeners(), forwarded.upstream(), new TimeoutsConfig(30, 60, 5, 2),
                   forwarded.metrics(), forwarded.logging(), LimitsConfig.defaults().withMaxConcurrentSetups(1), 5);
             }, null)) {
      SetupQueue setups = fx.gateway().setups();
      int before = upstream.holdNext();
      try (Socket a = new Socket("127.0.0.1", fx.port()); Socket b = new Socket("127.0.0.1", fx.port())) {
        a.setSoTimeout(20_000);
        b.setSoTimeout(20_000);
        await(() -> setups.inFlight() == 1 && setups.queued() == 1, "A running, B queued");
        long t0 = System.nanoTime();
        String bReply = new BufferedReader(new InputStreamReader(b.getInputStream(), StandardCharsets.ISO_8859_1))
            .readLine();
        long waitedMillis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(bReply).startsWith("421 ").contains("too many sessions starting");
        assertThat(waitedMillis).isBetween(1000L, 6000L);
        assertThat(b.getInputStream().read()).as("closed after 421").isEqualTo(-1);
        assertThat(setups.queued()).isZero();
        // A's setup keeps its slot while it runs (a login timeout does not free CPU a handshake still uses)
        String aReply = new BufferedReader(new InputStreamReader(a.getInputStream(), StandardCharsets.ISO_8859_1))
            .readLine();
        assertThat(aReply).startsWith("421 ").contains("Login timeout");
        assertThat(setups.inFlight()).isEqualTo(1);
        upstream.releaseHeld();
        await(() -> setups.inFlight() == 0, "slot freed when the setup ended");
      }
      await(() -> fx.gateway().openSessions() == 0, "every session ended");
      assertThat(upstream.accepted() - before).as("only A reached the upstream, B never did").isEqualTo(1);
    }
  }

  private static double gauge(PrometheusMeterRegistry registry, String prometheusName) {
    String micrometerName = prometheusName.substring("ftpgw_".length()).replace('_', '.');
    return registry.get("ftpgw." + micrometerName).gauge().value();
  }

  private static void await(BooleanSupplier condition, String what) throws Exception {
    if (!Poll.until(Duration.ofSeconds(20), condition::getAsBoolean)) {
      throw new AssertionError("timed out waiting for: " + what);
    }
  }

  /**
   * A TCP forwarder in front of the real server: relays byte for byte, except the next connection after
   * {@link #holdNext()}, which it holds silent (a server too slow to greet) until {@link #releaseHeld()} closes it.
   */
  private static final class HoldingForwarder implements AutoCloseable {
    private final ServerSocket listener;
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final AtomicBoolean holdNext = new AtomicBoolean();
    private volatile Socket held;
    private volatile int targetPort;

    HoldingForwarder() throws IOException {
      listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread acceptor = new Thread(this::acceptLoop, "forwarder-accept");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    /** The gateway's config with the upstream port pointing here, and this forwarding to the real server. */
    GatewayConfig inFrontOf(GatewayConfig c) {
      UpstreamConfig u = c.upstream();
      targetPort = u.port();
      UpstreamConfig via = new UpstreamConfig(u.host(), listener.getLocalPort(), u.tls(), u.serverName(), u.caFile(),
          u.protocols(), u.dataMode(), u.sslEngine());
      return new GatewayConfig(c.listeners(), via, c.timeouts(), c.metrics(), c.logging(), c.limits(),
          c.shutdownGraceSeconds());
    }

    /**
     * Waits until the gateway's start-up probe (one connection, not queued) is through, then holds the next
     * connection; returns the connections accepted so far.
     */
    int holdNext() throws Exception {
      await(() -> accepted.get() >= 1, "the gateway's upstream probe");
      holdNext.set(true);
      return accepted.get();
    }

    int accepted() {
      return accepted.get();
    }

    void releaseHeld() throws IOException {
      held.close();
    }

    private void acceptLoop() {
      try {
        while (true) {
          Socket in = listener.accept();
          open.add(in);
          accepted.incrementAndGet();
          if (holdNext.compareAndSet(true, false)) {
            held = in;
            continue;
          }
          Socket out = new Socket("127.0.0.1", targetPort);
          open.add(out);
          pump(in, out);
          pump(out, in);
        }
      } catch (IOException e) {
        // listener closed
      }
    }

    private static void pump(Socket from, Socket to) {
      Thread t = new Thread(() -> {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
          in.transferTo(out);
        } catch (IOException e) {
          // either side closed
        } finally {
          try {
            from.close();
            to.close();
          } catch (IOException e) {
            // closing anyway
          }
        }
      }, "forwarder-pump");
      t.setDaemon(true);
      t.start();
    }

    @Override
    public void close() throws IOException {
      listener.close();
      for (Socket s : open) {
        s.close();
      }
    }
  }
}
