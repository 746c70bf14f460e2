package org.ftpsgateway.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ftpsgateway.support.GatewayFixture.randomBytes;
import static org.ftpsgateway.support.GatewayFixture.sha256;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPConnectionClosedException;
import org.ftpsgateway.Gateway;
import org.ftpsgateway.config.DataMode;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.ListenerConfig;
import org.ftpsgateway.config.MetricsConfig;
import org.ftpsgateway.config.PortRange;
import org.ftpsgateway.config.TimeoutsConfig;
import org.ftpsgateway.config.TlsMode;
import org.ftpsgateway.config.UpstreamConfig;
import org.ftpsgateway.metrics.GatewayMetrics;
import org.ftpsgateway.support.FreePorts;
import org.ftpsgateway.support.GatewayFixture;
import org.ftpsgateway.support.LogCapture;
import org.ftpsgateway.support.Poll;
import org.ftpsgateway.support.ScriptedFtpsServer;
import org.ftpsgateway.support.ScriptedFtpsServer.Data;
import org.ftpsgateway.tls.GeneratedCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #8, "Faults": an upstream that misbehaves mid-transfer (scripted with {@link ScriptedFtpsServer}), and
 * clients that vanish. For every case: the exact reply the client gets, what the upstream saw, and that the gateway
 * let go of the session and the passive port. Timeouts are configured small (2 s) so each case ends quickly.
 */
class UpstreamFaultTest {

  /** The gateway's passive ports: free ones, found per test. */
  private final PortRange passive = FreePorts.range(GatewayFixture.PASSIVE_PORTS);
  private static final int TIMEOUT_SECONDS = 2;
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir
  Path tmp;

  private ScriptedFtpsServer server;
  private Vertx vertx;
  private Gateway gateway;
  private SimpleMeterRegistry registry;
  private final List<FTPClient> clients = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startServer() throws IOException {
    server = ScriptedFtpsServer.start();
  }

  @AfterEach
  void stopAll() throws Exception {
    for (FTPClient c : clients) {
      try {
        c.disconnect();
      } catch (IOException e) {
        // already gone
      }
    }
    GatewayFixture.stop(gateway, vertx);
    server.close();
  }

  private void startGateway(int idleSeconds) throws Exception {
    registry = new SimpleMeterRegistry();
    Path ca = server.writeCaFile(tmp.resolve("upstream-ca.pem"));
    GatewayConfig config = new GatewayConfig(
        List.of(new ListenerConfig("faults", "127.0.0.1", 0, TlsMode.NONE, passive, null, false)),
        new UpstreamConfig("127.0.0.1", server.port(), TlsMode.EXPLICIT, "127.0.0.1", ca.toString(),
            UpstreamConfig.DEFAULT_PROTOCOLS, DataMode.EPSV),
        // connect: room for a cold JVM's first TLS set-up on a busy machine; the timeouts under test stay small
        new TimeoutsConfig(10, idleSeconds, TIMEOUT_SECONDS, 30),
        new MetricsConfig(false, "127.0.0.1", 0));
    vertx = Vertx.vertx();
    gateway = Gateway.start(vertx, config, GatewayMetrics.create(registry)).toCompletionStage()
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private void startGateway() throws Exception {
    startGateway(TIMEOUT_SECONDS);
  }

  private FTPClient login() throws IOException {
    FTPClient ftp = GatewayFixture.connect(gateway.listeners().get(0).port());
    clients.add(ftp);
    ftp.setSoTimeout(15_000);
    ftp.setDataTimeout(Duration.ofSeconds(15));
    assertThat(ftp.login("alice", "secret")).as(ftp.getReplyString()).isTrue();
    ftp.setFileType(FTP.BINARY_FILE_TYPE);
    ftp.enterLocalPassiveMode();
    return ftp;
  }

  // ---- 1. upstream closes the control connection mid-transfer ----

  @Test
  void upstreamDropsControlMidDownload() throws Exception {
    byte[] content = randomBytes(4 << 20, 1);
    server.on("RETR", (s, arg) -> {
      s.reply(150, "Opening data connection.");
      try (Data d = s.acceptData()) {
        d.write(content, 0, 1 << 20);
        s.dropControl();
        recordEnd(d, "RETR");
      }
    });
    startGateway();
    FTPClient ftp = login();
    InputStream in = ftp.retrieveFileStream("big.bin");
    assertThat(in).as(ftp.getReplyString()).isNotNull();
    long got = drain(in);
    assertThat(got).isLessThan(content.length);
    assertThat(completion(ftp)).as(ftp.getReplyString()).isEqualTo(421);
    server.awaitEvent("RETR data ended by the gateway: aborted", WAIT);
    awaitGatewayClean(0);
  }

  @Test
  void upstreamDropsControlMidUpload() throws Exception {
    server.on("STOR", (s, arg) -> {
      s.reply(150, "Ok to send data.");
      try (Data d = s.acceptData()) {
        d.read(256 * 1024);
        s.dropControl();
        recordEnd(d, "STOR");
      }
    });
    startGateway();
    FTPClient ftp = login();
    uploadExpectingFailure(ftp, "up.bin", 8 << 20);
    assertThat(completion(ftp)).as(ftp.getReplyString()).isEqualTo(421);
    server.awaitEvent("STOR data ended by the gateway: aborted", WAIT);
    awaitGatewayClean(0);
  }

  // ---- 2. upstream resets the data connection (and claims 226 anyway) ----

  @Test
  void upstreamResetsDataMidDownloadAndClaims226() throws Exception {
    byte[] content = randomBytes(4 << 20, 2);
    server.on("RETR", (s, arg) -> {
      s.reply(150, "Opening data connection.");
      Data d = s.acceptData();
      d.write(content, 0, 1 << 20);
      d.reset();
      s.reply(226, "Transfer complete (not really).");
    });
    startGateway();
    FTPClient ftp = login();
    InputStream in = ftp.retrieveFileStream("big.bin");
    assertThat(in).isNotNull();
    assertThat(drain(in)).isLessThan(content.length);
    assertThat(completion(ftp)).as(ftp.getReplyString()).isEqualTo(426);
    assertThat(ftp.sendNoOp()).as("the session goes on: " + ftp.getReplyString()).isTrue();
    awaitGatewayClean(1);
    ftp.logout();
    awaitGatewayClean(0);
  }

  @Test
  void upstreamResetsDataMidUploadAndClaims226() throws Exception {
    server.on("STOR", (s, arg) -> {
      s.reply(150, "Ok to send data.");
      Data d = s.acceptData();
      d.read(256 * 1024);
      d.reset();
      s.reply(226, "Transfer complete (not really).");
    });
    startGateway();
    FTPClient ftp = login();
    uploadExpectingFailure(ftp, "up.bin", 8 << 20);
    assertThat(completion(ftp)).as(ftp.getReplyString()).isEqualTo(426);
    assertThat(ftp.sendNoOp()).as(ftp.getReplyString()).isTrue();
    awaitGatewayClean(1);
  }

  // ---- 3. upstream stalls ----

  @Test
  void upstreamStopsWritingMidDownload() throws Exception {
    byte[] content = randomBytes(4 << 20, 3);
    server.on("RETR", (s, arg) -> {
      s.reply(150, "Opening data connection.");
      Data d = s.acceptData();
      d.write(content, 0, 256 * 1024);
      s.awaitControlClosed(WAIT.multipliedBy(2)); // hung: writes nothing, answers nothing
    });
    startGateway();
    FTPClient ftp = login();
    long t0 = System.nanoTime();
    InputStream in = ftp.retrieveFileStream("big.bin");
    assertThat(in).isNotNull();
    assertThat(drain(in)).isEqualTo(256 * 1024);
    assertThat(completion(ftp)).as(ftp.getReplyString()).isEqualTo(426);
    assertThat(elapsedSeconds(t0)).isLessThan(4 * TIMEOUT_SECONDS + 2);
    server.awaitEvent(e -> e.endsWith("control closed by peer"), WAIT);
    awaitGatewayClean(0);
  }

  @Test
  void upstreamStopsReadingMidUpload() throws Exception {
    server.on("STOR", (s, arg) -> {
      s.reply(150, "Ok to send data.");
      Data d = s.acceptData();
      d.read(64 * 1024);
      s.awaitControlClosed(WAIT.multipliedBy(2)); // hung: reads nothing, answers nothing
    });
    startGateway();
    FTPClient ftp = login();
    long t0 = System.nanoTime();
    uploadExpectingFailure(ftp, "up.bin", 64 << 20);
    assertThat(completion(ftp)).as(ftp.getReplyString()).isEqualTo(426);
    assertThat(elapsedSeconds(t0)).isLessThan(4 * TIMEOUT_SECONDS + 2);
    server.awaitEvent(e -> e.endsWith("control closed by peer"), WAIT);
    awaitGatewayClean(0);
  }

  // ---- 4. 150, but the data connection never comes ----

  @Test
  void upstreamAnnouncesTransferButNeverAcceptsTheDataConnection() throws Exception {
    server.on("RETR", (s, arg) -> {
      s.reply(150, "Opening data connection.");
      s.awaitControlClosed(WAIT.multipliedBy(2)); // the passive port listens but is never accepted
    });
    startGateway();
    FTPClient ftp = login();
    long t0 = System.nanoTime();
    InputStream in = ftp.retrieveFileStream("x.bin");
    assertThat(in).isNotNull();
    assertThat(drain(in)).isZero();
    // the client's own data connection was up (Commons Net connects before RETR): 426, then 421 and the end
    assertThat(completion(ftp)).as(ftp.getReplyString()).isEqualTo(426);
    assertThat(elapsedSeconds(t0)).isLessThan(3 * TIMEOUT_SECONDS + 2);
    awaitGatewayClean(0);
  }

  // ---- 5. data, then no 226 ----

  @Test
  void upstreamSendsTheDataButNoCompletionReply() throws Exception {
    byte[] content = randomBytes(1 << 20, 5);
    server.on("RETR", (s, arg) -> {
      s.reply(150, "Opening data connection.");
      try (Data d = s.acceptData()) {
        d.write(content, 0, content.length);
      }
      s.awaitControlClosed(WAIT.multipliedBy(2)); // never says 226
    });
    startGateway();
    FTPClient ftp = login();
    long t0 = System.nanoTime();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    InputStream in = ftp.retrieveFileStream("x.bin");
    in.transferTo(out);
    in.close();
    assertThat(sha256(out.toByteArray())).isEqualTo(sha256(content));
    // every byte arrived, but the upstream never confirmed: no 226
    assertThat(completion(ftp)).as(ftp.getReplyString()).isEqualTo(426);
    assertThat(elapsedSeconds(t0)).isLessThan(2 * TIMEOUT_SECONDS + 2);
    server.awaitEvent(e -> e.endsWith("control closed by peer"), WAIT);
    awaitGatewayClean(0);
    // counted as what it was: a failed RETR, a session ended because the upstream went silent
    assertThat(registry.get("ftpgw.transfers").tags("command", "RETR", "outcome", "failed").counter().count())
        .isEqualTo(1);
    assertThat(registry.get("ftpgw.sessions").tags("outcome", "upstream_timeout").counter().count()).isEqualTo(1);
  }

  // ---- 6. 226 for an upload that did not all arrive ----

  @Test
  void upstreamClosesUploadEarlyAndClaims226() throws Exception {
    server.on("STOR", (s, arg) -> {
      s.reply(150, "Ok to send data.");
      Data d = s.acceptData();
      byte[] head = d.read(100_000);
      d.close(); // close_notify and close, as if the file were complete
      s.server().record("STOR read " + head.length);
      s.reply(226, "Transfer complete (not really).");
    });
    startGateway();
    FTPClient ftp = login();
    // larger than what the upstream's socket buffers take: its early end always comes before ours (when the two
    // close_notify cross, TLS cannot tell a cut-short upload from a complete one). 2 MiB was enough until the
    // relay read 256 KiB at a time with a 512 KiB write queue (issue #6): then a 2 MiB upload could be all in flight
    for (int size : new int[] {4 << 20, 16 << 20}) {
      uploadExpectingFailure(ftp, "up.bin", size);
      assertThat(completion(ftp)).as("upload of %d bytes: %s", size, ftp.getReplyString()).isEqualTo(426);
    }
    assertThat(ftp.sendNoOp()).isTrue();
    awaitGatewayClean(1);
  }

  @Test
  void upstreamEndsUploadWithCloseNotifyButKeepsTheConnectionAndClaims226() throws Exception {
    server.on("STOR", (s, arg) -> {
      s.reply(150, "Ok to send data.");
      Data d = s.acceptData();
      d.read(100_000);
      d.closeNotifyOnly(); // TLS says "end", TCP stays open, nothing more is read
      s.reply(226, "Transfer complete (not really).");
      s.awaitControlClosed(Duration.ofSeconds(3));
      d.closeQuietly();
    });
    startGateway();
    FTPClient ftp = login();
    uploadExpectingFailure(ftp, "up.bin", 16 << 20);
    assertThat(completion(ftp)).as(ftp.getReplyString()).isEqualTo(426);
    assertThat(ftp.getReplyString()).as("refused at the close_notify, not by the stall timeout").contains("close_notify");
  }

  // ---- 7. another certificate on the data connection ----

  @Test
  void dataConnectionWithAnotherCertificateIsRefused() throws Exception {
    GeneratedCertificate other = GeneratedCertificate.generate(List.of("localhost", "127.0.0.1"), Duration.ofDays(1));
    server.dataCertificate(other); // both trusted by the gateway's caFile: only the comparison can catch it
    byte[] content = randomBytes(100_000, 7);
    server.file("x.bin", content);
    try (LogCapture sessionLog = LogCapture.of(ControlSession.class.getName())) {
      startGateway();
      FTPClient ftp = login();
      InputStream in = ftp.retrieveFileStream("x.bin");
      assertThat(in).isNotNull();
      assertThat(drain(in)).isZero();
      // the upstream's own reply once the gateway reset its data connection: 426 (or 425 when the reset came
      // before its side of the handshake ended); never 226
      assertThat(completion(ftp)).as(ftp.getReplyString()).isBetween(425, 426);
      assertThat(ftp.storeFile("y.bin", new java.io.ByteArrayInputStream(content))).isFalse();
      assertThat(ftp.getReplyCode()).isBetween(425, 426);
      assertThat(server.file("y.bin")).isNull();
      assertThat(sessionLog.records()).anySatisfy(r -> {
        assertThat(r.getLevel()).isEqualTo(Level.WARNING);
        assertThat(r.getMessage()).contains("different certificate on the data connection");
      });
      assertThat(ftp.sendNoOp()).isTrue();
      awaitGatewayClean(1);
    }
  }

  // ---- 8. upstream restarts ----

  @Test
  void upstreamRestartEndsTheSessionWith421AndANewSessionWorks() throws Exception {
    byte[] content = randomBytes(2 << 20, 8);
    server.file("x.bin", content);
    startGateway();
    FTPClient before = login();
    assertThat(before.sendNoOp()).isTrue();
    server.restart();
    assertThat(commandReply(before, "NOOP")).as(before.getReplyString()).isEqualTo(421);
    awaitGatewayClean(0);
    FTPClient after = login();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertThat(after.retrieveFile("x.bin", out)).as(after.getReplyString()).isTrue();
    assertThat(sha256(out.toByteArray())).isEqualTo(sha256(content));
    assertThat(after.storeFile("y.bin", new java.io.ByteArrayInputStream(content))).isTrue();
    assertThat(sha256(server.file("y.bin"))).isEqualTo(sha256(content));
    after.logout();
    awaitGatewayClean(0);
  }

  // ---- 9. the client vanishes ----

  @Test
  void clientVanishesMidDownloadAndTheUpstreamTransferIsAborted() throws Exception {
    byte[] block = randomBytes(1 << 20, 9);
    server.on("RETR", (s, arg) -> {
      s.reply(150, "Opening data connection.");
      Data d = s.acceptData();
      boolean all = d.writeRepeated(block, 200L << 20, new AtomicLong());
      s.server().record("RETR " + (all ? "completed" : "aborted"));
      s.awaitControlClosed(WAIT);
    });
    startGateway();
    FTPClient ftp = login();
    InputStream in = ftp.retrieveFileStream("huge.bin");
    in.readNBytes(512 * 1024);
    ftp.setSoLinger(true, 0); // the client process dies: control reset, data closed
    ftp.disconnect();
    in.close();
    server.awaitEvent("RETR aborted", WAIT);
    server.awaitEvent(e -> e.endsWith("control closed by peer"), WAIT);
    awaitGatewayClean(0);
  }

  @Test
  void clientVanishesMidUploadAndTheUpstreamSeesAnAbort() throws Exception {
    server.on("STOR", (s, arg) -> {
      s.reply(150, "Ok to send data.");
      Data d = s.acceptData();
      byte[] head = d.read(256 * 1024);
      s.server().record("STOR " + arg + " receiving");
      Data.Received rest = d.readAll();
      s.server().record("STOR " + arg + (rest.clean() ? " ended after " + (head.length + rest.bytes().length)
          : " aborted: " + rest.failure()));
    });
    startGateway();
    FTPClient ftp = login();
    OutputStream out = ftp.storeFileStream("up.bin");
    assertThat(out).isNotNull();
    byte[] block = randomBytes(64 * 1024, 10);
    for (int i = 0; i < 16; i++) {
      out.write(block);
    }
    out.flush();
    server.awaitEvent("STOR up.bin receiving", WAIT);
    // the control connection goes away while the data connection is still open: an abort, not an end of file
    ftp.setSoLinger(true, 0);
    ftp.disconnect();
    server.awaitEvent("STOR up.bin aborted", WAIT);
    awaitGatewayClean(0);
    out.close();
  }

  // ---- memory: a slow reader does not make the gateway buffer the file ----

  @Test
  void slowReaderKeepsGatewayBufferingBounded() throws Exception {
    byte[] block = randomBytes(64 * 1024, 11);
    long total = 50L << 20;
    AtomicLong written = new AtomicLong();
    AtomicLong upstreamDataPort = new AtomicLong();
    server.on("RETR", (s, arg) -> {
      s.reply(150, "Opening data connection.");
      try (Data d = s.acceptData()) {
        upstreamDataPort.set(d.tcp().getLocalPort());
        // small, fixed buffers at both ends: what stays in flight is then mostly the gateway's
        d.tcp().setSendBufferSize(64 * 1024);
        d.writeRepeated(block, total, written);
      }
      s.reply(226, "Transfer complete.");
    });
    startGateway(30); // the pause below must not count as a stall
    FTPClient ftp = login();
    ftp.setReceiveBufferSize(64 * 1024);
    InputStream in = ftp.retrieveFileStream("huge.bin");
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    byte[] first = in.readNBytes(64 * 1024);
    md.update(first);
    // once every buffer on the way is full the upstream stalls: wait until it has written nothing for 500 ms
    var stalled = Poll.settled(Duration.ofSeconds(20), Duration.ofMillis(500), written::get);
    assertThat(stalled).as("the upstream is held back, not still writing (at %d bytes)", written.get()).isPresent();
    long stillAt = stalled.getAsLong();
    long inFlight = stillAt - first.length;
    // what the kernel holds in the socket queues of both legs (upstream -> gateway -> client): the rest of what is
    // in flight sits in the gateway's own buffers
    long kernel = kernelQueued((int) upstreamDataPort.get(), ftp.getPassivePort());
    long gatewayHeld = inFlight - kernel;
    System.out.printf("slow reader: upstream wrote %d bytes while the client had read %d: in flight %d, of which"
        + " %d in kernel socket queues and %d in the gateway%n", stillAt, first.length, inFlight, kernel, gatewayHeld);
    // far below the 50 MB on offer: socket buffers (sized by the kernel's autotuning) plus the gateway's write queue
    assertThat(inFlight).isLessThan(16L << 20);
    // the gateway itself holds its write queue and what the last reads decoded (measured: 0.3-0.6 MB)
    assertThat(gatewayHeld).isLessThan(2L << 20);
    byte[] buf = new byte[1 << 16];
    long got = first.length;
    int n;
    while ((n = in.read(buf)) > 0) {
      md.update(buf, 0, n);
      got += n;
    }
    in.close();
    assertThat(ftp.completePendingCommand()).as(ftp.getReplyString()).isTrue();
    assertThat(got).isEqualTo(total);
    MessageDigest expected = MessageDigest.getInstance("SHA-256");
    for (long i = 0; i < total / block.length; i++) {
      expected.update(block);
    }
    assertThat(HexFormat.of().formatHex(md.digest())).isEqualTo(HexFormat.of().formatHex(expected.digest()));
    awaitGatewayClean(1);
  }

  // ---- helpers ----

  /**
   * Bytes in the send and receive queues of the established TCP sockets (both ends) that use one of {@code ports}
   * locally, from /proc/net/tcp and tcp6 (tx_queue: not yet acknowledged, rx_queue: not yet read).
   */
  private static long kernelQueued(int... ports) throws IOException {
    long sum = 0;
    for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
      Path file = Path.of(table);
      if (!java.nio.file.Files.exists(file)) {
        continue;
      }
      List<String> lines = java.nio.file.Files.readAllLines(file);
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        int local = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
        int remote = Integer.parseInt(f[2].substring(f[2].indexOf(':') + 1), 16);
        boolean established = f[3].equals("01");
        for (int p : ports) {
          if (established && (local == p || remote == p)) {
            String[] q = f[4].split(":");
            sum += Long.parseLong(q[0], 16) + Long.parseLong(q[1], 16);
            break;
          }
        }
      }
    }
    return sum;
  }

  /** What the upstream saw at the end of a data connection the gateway was expected to end. */
  private static void recordEnd(Data d, String verb) throws IOException {
    d.socket().setSoTimeout(10_000);
    Data.Received r = d.readAll();
    d.server().record(verb + " data ended by the gateway: " + (r.clean() ? "end of stream" : "aborted ("
        + r.failure() + ")"));
  }

  /** Uploads {@code size} bytes; the gateway may cut the data connection on the way (that is the point). */
  private static void uploadExpectingFailure(FTPClient ftp, String name, int size) throws IOException {
    OutputStream out = ftp.storeFileStream(name);
    assertThat(out).as(ftp.getReplyString()).isNotNull();
    byte[] block = randomBytes(64 * 1024, size);
    try {
      for (int left = size; left > 0; left -= block.length) {
        out.write(block, 0, Math.min(block.length, left));
      }
      out.close();
    } catch (IOException e) {
      try {
        out.close();
      } catch (IOException ignored) {
        // already broken
      }
    }
  }

  /** Reads until the end or a failure; the number of bytes read. */
  private static long drain(InputStream in) {
    long n = 0;
    byte[] buf = new byte[1 << 16];
    try {
      int r;
      while ((r = in.read(buf)) > 0) {
        n += r;
      }
    } catch (IOException e) {
      // reset: what arrived counts
    }
    try {
      in.close();
    } catch (IOException e) {
      // already broken
    }
    return n;
  }

  /** The final reply of the transfer in progress; a 421 closes the connection (Commons Net throws). */
  private static int completion(FTPClient ftp) throws IOException {
    try {
      ftp.completePendingCommand();
    } catch (FTPConnectionClosedException e) {
      // 421 (the code is kept), or closed without a reply (the old code stays and the assertion fails)
    }
    return ftp.getReplyCode();
  }

  private static int commandReply(FTPClient ftp, String command) throws IOException {
    try {
      return ftp.sendCommand(command);
    } catch (FTPConnectionClosedException e) {
      return ftp.getReplyCode();
    }
  }

  private static double elapsedSeconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  /** The gateway holds {@code sessions} sessions and no passive port (gauges and its own count agree). */
  private void awaitGatewayClean(int sessions) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    double active = -1;
    double ports = -1;
    while (System.nanoTime() < deadline) {
      active = registry.get("ftpgw.sessions.active").gauge().value();
      ports = registry.get("ftpgw.passive.ports.in.use").gauge().value();
      if (active == sessions && ports == 0 && gateway.openSessions() == sessions) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("gateway not clean: sessions " + active + " (want " + sessions + "), passive ports "
        + ports + ", open sessions " + gateway.openSessions() + "; upstream events: " + server.events());
  }
}
