package org.ftpsgateway.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.ftpsgateway.support.GatewayFixture.randomBytes;
import static org.ftpsgateway.support.GatewayFixture.sha256;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntPredicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.TimeoutsConfig;
import org.ftpsgateway.metrics.GatewayMetrics;
import org.ftpsgateway.protocol.CommandLineDecoder;
import org.ftpsgateway.protocol.FtpCommand;
import org.ftpsgateway.protocol.FtpProtocolException;
import org.ftpsgateway.protocol.FtpReply;
import org.ftpsgateway.protocol.FtpReplyDecoder;
import org.ftpsgateway.protocol.Verbs;
import org.ftpsgateway.support.Descriptors;
import org.ftpsgateway.support.GatewayFixture;
import org.ftpsgateway.support.Poll;
import org.ftpsgateway.support.Transfers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue #8: a fuzz run of the control channel against a running gateway in front of a real upstream (MINA).
 * Seeded random sequences from a grammar of FTP verbs with good, wrong and hostile arguments, mixed with raw junk
 * (NUL, bare CR, bare LF, over-long lines, non-UTF-8 bytes, lone and misplaced Telnet IAC, pipelined bursts, lines
 * split across writes), go over raw sockets; data connections are opened when a 227/229 says so, sometimes.
 *
 * <p>Checked in every run: each complete command line (as RFC 959/854 frame it) gets exactly one final reply, in
 * order (where the gateway's reply is certain, its code is checked); every reply code is valid (RFC 959 §4.2:
 * first digit 1-5, second 0-5); every reply line ends with CRLF; no read waits longer than a few seconds; a 421
 * only when MINA itself closed the session; downloads and uploads whose settings are plain arrive intact (SHA-256).
 * Afterwards: MINA saw only well-formed lines and none of the bytes that follow a NUL, a bare CR or a line
 * overflow (no CRLF injection); no unhandled exception was logged; no session, passive port or descriptor is left;
 * a fresh session logs in and transfers with matching checksums.
 *
 * <p>Seeds: a fixed list plus one fresh seed per run, printed; {@code -Dftpgw.fuzz.seed=N} runs seed N alone
 * (with {@code mvn test -Dtest=ControlFuzzTest -Dftpgw.fuzz.seed=N}); a failure names its seed and that flag.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ControlFuzzTest {

  private static final long[] SEEDS = {1, 2, 3, 42, 1337, 20261125};
  private static final int STEPS = 80;
  /** Seeds run side by side (different event loops, a shared passive pool and upstream). */
  private static final int PARALLEL = 3;
  /** The bound of every read: a reply or a data connection that takes longer is a hang. */
  private static final int READ_TIMEOUT_MS = 8000;
  /**
   * Issue #16: the longest a command may wait for its final reply (counted from when its line was sent, whatever
   * preliminary replies or other traffic came meanwhile). Every transfer here is small and a data connection that
   * never comes costs 1 s (timeouts.dataConnectSeconds), so a command still unanswered after this was forgotten.
   */
  private static final long NO_FINAL_REPLY_MS = 5000;
  /** How long "no reply" is watched for where none may come (see {@code assertQuiet}). */
  private static final int QUIET_MS = 20;
  /**
   * Written only after a byte that makes the whole line invalid (NUL, bare CR, line overflow): the gateway must
   * refuse such a line as a whole, so this text must never reach the upstream.
   */
  private static final String MARK = "zqinj";
  /** MINA's TextLineDecoder cap: a longer line makes it close the session (the gateway then sends 421). */
  private static final int MINA_MAX_LINE = 1024;
  /** MINA's maxLoginFailures: the 3rd failed login of a session closes it. */
  private static final int MINA_MAX_LOGIN_FAILURES = 3;
  private static final int IAC = 0xFF;
  private static final int IP = 244;
  private static final int DM = 242;

  private static final List<String> DOWNLOADS = List.of("/small.bin", "/mid.bin", "/empty.bin");

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<String> upstreamLines = new CopyOnWriteArrayList<>();
  private final List<String> unhandled = new CopyOnWriteArrayList<>();
  private final Handler logWatch = new Handler() {
    @Override
    public void publish(LogRecord r) {
      String name = String.valueOf(r.getLoggerName());
      boolean ours = name.startsWith("io.vertx") || name.startsWith("io.netty") || name.startsWith("org.ftpsgateway");
      // a client connecting to a passive port while the gateway closes it (PASV again, ABOR, QUIT): Netty
      // force-closes the connection (right) and logs a warning with a stack trace; a Vert.x race fixed after 5.0.7
      // (eclipse-vertx/vert.x#6087, PR #6366)
      boolean knownRace = r.getThrown() instanceof IllegalStateException
          && String.valueOf(r.getMessage()).startsWith("Failed to register an accepted channel");
      if (ours && !knownRace && r.getThrown() != null && r.getLevel().intValue() >= Level.WARNING.intValue()) {
        unhandled.add(name + ": " + r.getMessage() + ": " + r.getThrown());
      }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };
  private final Map<String, byte[]> files = new java.util.HashMap<>();
  private GatewayFixture fx;

  /** Records every command line MINA receives, before it acts on it. */
  private final class Recorder extends DefaultFtplet {
    @Override
    public FtpletResult beforeCommand(FtpSession session, FtpRequest request) {
      upstreamLines.add(request.getRequestLine());
      return FtpletResult.DEFAULT;
    }
  }

  @BeforeAll
  void start() throws Exception {
    // data connections that never come cost timeouts.dataConnectSeconds each: 1 s keeps the run short
    fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS,
        c -> new GatewayConfig(c.listeners(), c.upstream(), new TimeoutsConfig(5, 60, 1), c.metrics()), null,
        GatewayMetrics.create(registry), Map.of("recorder", new Recorder()));
    files.put("/small.bin", randomBytes(10_000, 1));
    files.put("/mid.bin", randomBytes(300_000, 2));
    files.put("/empty.bin", new byte[0]);
    files.put("/big.bin", randomBytes(16 << 20, 3));
    for (var e : files.entrySet()) {
      Files.write(fx.root().resolve(e.getKey().substring(1)), e.getValue());
    }
    Files.createDirectories(fx.root().resolve("dir"));
    Files.write(fx.root().resolve("dir/a.txt"), "a\n".getBytes(StandardCharsets.US_ASCII));
    Logger.getLogger("").addHandler(logWatch);
  }

  @AfterAll
  void stop() throws Exception {
    Logger.getLogger("").removeHandler(logWatch);
    fx.close();
  }

  @Test
  void randomCommandSequencesAgainstARunningGateway() throws Exception {
    List<Long> seeds = new ArrayList<>();
    String only = System.getProperty("ftpgw.fuzz.seed");
    if (only != null && !only.isBlank()) {
      seeds.add(Long.decode(only.strip()));
    } else {
      for (long s : SEEDS) {
        seeds.add(s);
      }
      seeds.add(new SecureRandom().nextLong());
    }
    System.out.println("ControlFuzzTest seeds " + seeds + " (run one alone: -Dftpgw.fuzz.seed=<seed>)");

    // warm up every path once (pools, TLS contexts, classes and jars opened lazily), then take the baseline
    System.out.println("  warm-up: " + new Fuzzer(0).run(40));
    healthCheck("warm");
    long descriptorsBefore = settle(-1);

    ExecutorService pool = Executors.newFixedThreadPool(PARALLEL);
    try {
      List<Future<String>> runs = new ArrayList<>();
      for (long seed : seeds) {
        runs.add(pool.submit(() -> new Fuzzer(seed).run(STEPS)));
      }
      for (int i = 0; i < runs.size(); i++) {
        System.out.println("  seed " + seeds.get(i) + ": " + runs.get(i).get(120, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }

    healthCheck("after");
    long descriptorsAfter = settle(descriptorsBefore);
    System.out.println("  descriptors before " + descriptorsBefore + ", after " + descriptorsAfter
        + "; upstream saw " + upstreamLines.size() + " command lines");
    assertThat(fx.gateway().openSessions()).as("gateway sessions left open").isZero();
    assertThat(passivePortsInUse()).as("passive ports left held").isZero();
    assertThat(descriptorsAfter).as("open descriptors of the JVM (gateway and MINA in-process): before %d, after %d",
        descriptorsBefore, descriptorsAfter).isLessThanOrEqualTo(descriptorsBefore + 10);

    for (String line : upstreamLines) {
      assertThat(line).as("a command line that reached MINA").doesNotContain("\r", "\n", "\0", MARK);
      assertThat(line.length()).isLessThanOrEqualTo(CommandLineDecoder.DEFAULT_MAX_LINE_LENGTH);
    }
    try (var walk = Files.walk(fx.root())) {
      assertThat(walk.map(p -> p.getFileName().toString()).filter(n -> n.contains(MARK)))
          .as("files or directories made from injected text").isEmpty();
    }
    assertThat(unhandled).as("exceptions logged by the gateway, Vert.x or Netty").isEmpty();
  }

  /** A fresh session logs in, downloads, uploads and lists, each checked. */
  private void healthCheck(String tag) throws Exception {
    byte[] content = randomBytes(1 << 20, tag.hashCode());
    Files.write(fx.root().resolve("health-" + tag + ".bin"), content);
    FTPClient ftp = fx.login();
    try {
      Transfers.roundTrip(fx, ftp, "health-" + tag + ".bin", content, "health-" + tag + "-up.bin");
      ftp.logout();
    } finally {
      ftp.disconnect();
    }
  }

  /**
   * Waits until no session and no passive port is left and (given a baseline) the descriptors are back near it;
   * returns the descriptor count.
   */
  private long settle(long baseline) throws Exception {
    long[] fds = {Descriptors.open()};
    Poll.until(Duration.ofSeconds(15), () -> {
      fds[0] = Descriptors.open();
      boolean idle = fx.gateway().openSessions() == 0 && passivePortsInUse() == 0;
      return idle && (baseline < 0 || fds[0] <= baseline + 2);
    });
    if (baseline < 0) {
      // MINA closes the health check's sockets on its own threads: the baseline is the count once it stops
      // changing, not the first idle reading
      fds[0] = Poll.settled(Duration.ofSeconds(5), Duration.ofMillis(250), Descriptors::open).orElse(fds[0]);
    }
    return fds[0];
  }

  private int passivePortsInUse() {
    return (int) registry.get("ftpgw.passive.ports.in.use").gauge().value();
  }

  // ---------------------------------------------------------------- the client side of one seed

  /** What the reply to one command line must be, checked when it arrives (replies come in order). */
  private record Expect(String verb, String argument, IntPredicate ok, ServerSocket active, long sentNanos) {
    Expect(String verb, String argument, IntPredicate ok, ServerSocket active) {
      this(verb, argument, ok, active, System.nanoTime());
    }

    long waitedMillis() {
      return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentNanos);
    }
  }

  /** The client's end of a prepared data connection: connected to a passive port, or listening (PORT/EPRT). */
  private record DataSide(Socket passive, ServerSocket active) {
    void close() {
      closeQuietly(passive);
      closeQuietly(active);
    }
  }

  /** One data transfer on the client side, on its own thread; every wait in it is bounded. */
  private static final class DataTask {
    final CountDownLatch go = new CountDownLatch(1);
    final DataSide side;
    volatile boolean cancelled;
    final CompletableFuture<byte[]> result = new CompletableFuture<>();

    DataTask(DataSide side, boolean upload, byte[] payload) {
      this.side = side;
      Thread t = new Thread(() -> {
        try {
          Socket s = side.passive() != null ? side.passive() : accept(side.active());
          try (s) {
            s.setSoTimeout(READ_TIMEOUT_MS);
            if (upload) {
              if (go.await(READ_TIMEOUT_MS, TimeUnit.MILLISECONDS) && !cancelled) {
                s.getOutputStream().write(payload);
                s.shutdownOutput();
              }
              s.getInputStream().readAllBytes(); // the gateway closes when it is done
              result.complete(new byte[0]);
            } else {
              result.complete(s.getInputStream().readAllBytes());
            }
          }
        } catch (SocketTimeoutException e) {
          result.completeExceptionally(new AssertionError("data connection: nothing for " + READ_TIMEOUT_MS
              + " ms (hang)"));
        } catch (Exception e) {
          result.completeExceptionally(e); // reset or refused: a failed transfer, not a hang
        } finally {
          side.close();
        }
      }, "fuzz-data");
      t.setDaemon(true);
      t.start();
    }

    private static Socket accept(ServerSocket server) throws IOException {
      server.setSoTimeout(READ_TIMEOUT_MS);
      return server.accept();
    }

    void cancel() {
      cancelled = true;
      go.countDown();
      side.close();
    }

    /** The downloaded bytes, null when the transfer failed; fails when the data connection hung. */
    byte[] finish() throws Exception {
      try {
        return result.get(READ_TIMEOUT_MS + 2000L, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new AssertionError("data connection still open " + (READ_TIMEOUT_MS + 2000) + " ms after its command");
      } catch (java.util.concurrent.ExecutionException e) {
        if (e.getCause() instanceof AssertionError a) {
          throw a;
        }
        return null;
      }
    }
  }

  /** One control connection with its model: replies owed, login, data settings, prepared data connection. */
  private final class Conn {
    final Socket socket;
    final InputStream in;
    final OutputStream out;
    final FtpReplyDecoder replies = new FtpReplyDecoder();
    /** The gateway's framing applied to everything sent: tells how many complete lines (replies owed) there are. */
    final CommandLineDecoder oracle = new CommandLineDecoder();
    final ArrayDeque<Expect> owed = new ArrayDeque<>();
    final Fuzzer fuzzer;
    boolean quitSent;
    /**
     * Replies being read belong to a pipelined burst: a later command of the same burst (PASV, EPSV, ABOR, PORT…)
     * may already have closed the passive port an earlier reply announced, as it should.
     */
    boolean inBurst;
    boolean closing;
    boolean eof;
    boolean lastWasCr;
    /** PASS answered 530: MINA counts these and closes the session at its maxLoginFailures. */
    int failedLogins;
    /** MINA answered USER with neither 230 nor 331: it closes the session right after. */
    boolean userRefused;
    boolean longLineSent;
    boolean loggedIn;
    boolean binary;
    boolean stream = true;
    boolean fileStructure = true;
    boolean restPending;
    boolean epsvAll;
    DataSide data;
    /** Set when a reply carrying a data address arrives; the step decides whether to connect. */
    FtpReply lastFinal;
    boolean sawPreliminary;

    Conn(Fuzzer fuzzer) throws Exception {
      this.fuzzer = fuzzer;
      socket = new Socket();
      socket.connect(new InetSocketAddress("127.0.0.1", fx.port()), READ_TIMEOUT_MS);
      socket.setSoTimeout(READ_TIMEOUT_MS);
      in = socket.getInputStream();
      out = socket.getOutputStream();
      owed.add(new Expect("(greeting)", "", c -> c == 220, null));
      await(() -> false, null);
    }

    /** MINA has a reason to close its session: a refused USER, too many failed logins, a line over its cap. */
    boolean minaClosing() {
      return userRefused || failedLogins >= MINA_MAX_LOGIN_FAILURES || longLineSent;
    }

    /** Writes bytes; every line the gateway's framing completes with them is owed a reply checked by {@code ok}. */
    int send(byte[] bytes, IntPredicate ok, ServerSocket active) throws IOException {
      return send(bytes, ok == null ? List.of() : List.of(ok), active);
    }

    /** Like the above, the k-th line completed by these bytes checked by {@code oks[k]} (any code if absent). */
    int send(byte[] bytes, List<IntPredicate> oks, ServerSocket active) throws IOException {
      List<String> lines = new ArrayList<>();
      oracle.feed(bytes, 0, bytes.length, new CommandLineDecoder.Sink() {
        @Override
        public void line(String line) {
          lines.add(line);
        }

        @Override
        public void invalid(String reason) {
          lines.add(null);
        }
      });
      int owedNow = 0;
      for (String line : lines) {
        if (quitSent) {
          continue; // nothing after QUIT is answered
        }
        FtpCommand c = line == null ? null : FtpCommand.parse(line);
        if (c == null) {
          owed.add(new Expect("(invalid)", "", code -> code == 500, null));
        } else {
          IntPredicate ok = owedNow < oks.size() ? oks.get(owedNow) : code -> true;
          owed.add(new Expect(c.verb(), c.argument(), ok, active));
          if (c.verb().equals("QUIT")) {
            quitSent = true;
          }
        }
        if (line != null && line.length() + 2 > MINA_MAX_LINE) {
          longLineSent = true;
        }
        owedNow++;
      }
      fuzzer.trace(">> " + printable(bytes));
      out.write(bytes);
      out.flush();
      return owedNow;
    }

    int send(String line, IntPredicate ok) throws IOException {
      return send((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1), ok, null);
    }

    /** Reads until every owed reply came (or {@code stop} says so), then, after a QUIT or a 421, until EOF. */
    void await(BooleanSupplier stop, DataTask task) throws IOException {
      byte[] buf = new byte[16384];
      while (!eof && (!owed.isEmpty() || closing || quitSent) && !stop.getAsBoolean()) {
        assertAnsweredInTime();
        int n;
        try {
          // the read ends in time to tell a forgotten command from a slow one
          socket.setSoTimeout((int) Math.max(1, Math.min(READ_TIMEOUT_MS,
              owed.isEmpty() ? READ_TIMEOUT_MS : NO_FINAL_REPLY_MS - owed.peek().waitedMillis() + 1)));
          n = in.read(buf);
        } catch (SocketTimeoutException e) {
          assertAnsweredInTime();
          if (!owed.isEmpty()) {
            continue;
          }
          throw new AssertionError("no reply within " + READ_TIMEOUT_MS + " ms; still owed: " + owed.size()
              + " (next: EOF)");
        } catch (java.net.SocketException e) {
          n = -1; // reset by the gateway after its 421
        }
        if (n < 0) {
          eof = true;
          break;
        }
        for (int i = 0; i < n; i++) {
          // RFC 959 §4.2: reply lines end with CRLF, never a bare LF
          assertThat(buf[i] != '\n' || (i > 0 ? buf[i - 1] == '\r' : lastWasCr))
              .as("reply line ended by a bare LF").isTrue();
        }
        lastWasCr = buf[n - 1] == '\r';
        try {
          List<FtpReply> got = new ArrayList<>();
          replies.feed(buf, 0, n, got::add);
          for (FtpReply r : got) {
            onReply(r, task);
          }
        } catch (FtpProtocolException e) {
          throw new AssertionError("malformed reply from the gateway: " + e.getMessage());
        }
      }
      if (eof) {
        assertThat(closing || (quitSent && owed.isEmpty()))
            .as("the gateway closed the control connection without 421 (owed %d replies)", owed.size()).isTrue();
        assertThat(replies.isIdle()).as("connection closed inside a reply").isTrue();
      }
    }

    /** Issue #16: the oldest command still owed a final reply has not waited longer than NO_FINAL_REPLY_MS. */
    private void assertAnsweredInTime() {
      Expect oldest = owed.peek();
      if (oldest != null && oldest.waitedMillis() > NO_FINAL_REPLY_MS) {
        throw new AssertionError("command " + oldest.verb() + " " + printable(oldest.argument()
            .getBytes(StandardCharsets.ISO_8859_1)) + " left without a final reply for " + oldest.waitedMillis()
            + " ms (more than " + NO_FINAL_REPLY_MS + " ms); " + owed.size() + " owed");
      }
    }

    private void onReply(FtpReply r, DataTask task) {
      fuzzer.trace("<< " + printable(String.join(" | ", r.lines()).getBytes(StandardCharsets.ISO_8859_1)));
      int code = r.code();
      assertThat(code / 10 % 10).as("second digit of reply code %d (RFC 959 §4.2.1)", code).isBetween(0, 5);
      if (r.isPreliminary()) {
        assertThat(owed).as("a preliminary reply %d with no command outstanding", code).isNotEmpty();
        sawPreliminary = true;
        if (task != null) {
          task.go.countDown();
        }
        return;
      }
      if (code == 421) {
        // the gateway ends a session only when MINA ended its own (a refused USER, 3 failed logins, a line over
        // its cap)
        assertThat(minaClosing())
            .as("421 without a reason on the upstream side: %s", r.lines()).isTrue();
        closing = true;
        fuzzer.closes421++;
        if (owed.isEmpty()) {
          return; // the 421 after the final reply of the command that made MINA close
        }
      }
      assertThat(owed).as("final reply %s with no command outstanding (one reply too many)", r.lines())
          .isNotEmpty();
      Expect e = owed.poll();
      assertThat(code == 421 || e.ok().test(code))
          .as("reply %s to %s %s", r.lines(), e.verb(), printable(e.argument().getBytes(StandardCharsets.ISO_8859_1)))
          .isTrue();
      lastFinal = r;
      model(e, r);
    }

    /** Follows the state the gateway and MINA keep, as far as the tests below depend on it. */
    private void model(Expect e, FtpReply r) {
      int code = r.code();
      String arg = e.argument().strip().toUpperCase(Locale.ROOT);
      switch (e.verb()) {
        case "PASS" -> {
          // MINA logs the session out on any PASS that does not log in (even its 202 "already logged-in")
          loggedIn = code == 230;
          failedLogins += code == 530 ? 1 : 0;
        }
        case "USER" -> userRefused |= code != 230 && code != 331; // MINA then closes its session
        case "ABOR" -> replaceData(null); // the gateway drops a prepared data connection on ABOR
        case "TYPE" -> binary = code == 200 ? arg.startsWith("I") || arg.equals("L 8") : binary;
        case "MODE" -> stream = code == 200 ? arg.equals("S") : stream;
        case "STRU" -> fileStructure = code == 200 ? arg.equals("F") : fileStructure;
        case "REST" -> restPending |= code == 350 && !arg.equals("0");
        case "RETR", "STOR", "APPE", "STOU" -> restPending = false;
        case "PASV", "EPSV" -> {
          if (arg.equals("ALL") && code == 200) {
            epsvAll = true;
            replaceData(null);
          } else if (code == 227 || code == 229) {
            // connect to the announced port, most of the time; a transfer then finds the client there
            replaceData(fuzzer.rnd.nextInt(5) > 0 ? connectPassive(r) : new DataSide(null, null));
          } else if (code == 425) {
            replaceData(null);
          }
        }
        case "PORT", "EPRT" -> {
          if (code == 200) {
            replaceData(new DataSide(null, e.active()));
          } else {
            closeQuietly(e.active());
            if (code == 425) {
              replaceData(null);
            }
          }
        }
        default -> {
        }
      }
    }

    private void replaceData(DataSide next) {
      if (data != null) {
        data.close();
      }
      data = next;
    }

    private DataSide connectPassive(FtpReply r) {
      String text = r.text();
      int port;
      if (r.code() == 229) {
        String inner = text.substring(text.indexOf('(') + 1, text.indexOf(')'));
        port = Integer.parseInt(inner.split("\\|")[3]);
      } else {
        String[] n = text.substring(text.indexOf('(') + 1, text.indexOf(')')).split(",");
        port = Integer.parseInt(n[4].trim()) * 256 + Integer.parseInt(n[5].trim());
      }
      try {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), READ_TIMEOUT_MS);
        return new DataSide(s, null);
      } catch (java.net.ConnectException ex) {
        if (inBurst) {
          return new DataSide(null, null);
        }
        throw new AssertionError("cannot connect to the announced passive port " + port + ": " + ex);
      } catch (IOException ex) {
        throw new AssertionError("cannot connect to the announced passive port " + port + ": " + ex);
      }
    }

    void close() {
      if (data != null) {
        data.close();
      }
      closeQuietly(socket);
    }
  }

  /** One seed: a sequence of steps over as many control connections as QUIT and 421 make necessary. */
  private final class Fuzzer {
    final long seed;
    final Random rnd;
    final ArrayDeque<String> trace = new ArrayDeque<>();
    int connections;
    int lines;
    int transfers;
    int checked;
    int completed;
    int closes421;
    int names;
    final List<String> ownFiles = new ArrayList<>();
    final List<String> ownDirs = new ArrayList<>();
    Conn conn;

    Fuzzer(long seed) {
      this.seed = seed;
      this.rnd = new Random(seed);
    }

    void trace(String line) {
      if (trace.size() == 60) {
        trace.poll();
      }
      trace.add(line.length() > 300 ? line.substring(0, 300) + "..." : line);
    }

    String run(int steps) throws Exception {
      try {
        for (int i = 0; i < steps; i++) {
          if (conn == null) {
            connect();
          }
          step();
          if (conn.eof) {
            conn.close();
            conn = null;
          }
        }
        if (conn == null) {
          connect();
        }
        // the end: exactly one more reply for one more command (nothing left over, nothing extra)
        if (conn.oracle.pending() == 0) {
          conn.send("NOOP", c -> c == 200 || c == 530);
          conn.await(() -> false, null);
          if (!conn.minaClosing()) {
            assertQuiet("bytes after the last reply");
          }
        }
        if (rnd.nextBoolean()) {
          conn.send("QUIT", c -> c == 221);
          conn.await(() -> false, null);
        }
        conn.close();
        return connections + " connections, " + lines + " command lines, " + transfers + " transfers ("
            + completed + " completed, " + checked + " checksums compared), " + closes421 + " sessions closed by MINA";
      } catch (Throwable t) {
        if (conn != null) {
          conn.close();
        }
        throw new AssertionError("seed " + seed + " (replay: -Dftpgw.fuzz.seed=" + seed + "): " + t.getMessage()
            + "\nlast exchanges:\n  "
            + String.join("\n  ", trace), t);
      }
    }

    private void connect() throws Exception {
      conn = new Conn(this);
      connections++;
      if (rnd.nextInt(10) < 8) {
        command("USER " + GatewayFixture.USER, c -> c == 331);
        command("PASS " + GatewayFixture.PASSWORD, c -> c == 230);
        if (rnd.nextInt(8) > 0) {
          command("TYPE I", c -> c == 200);
        }
      }
    }

    /** One line, sent whole; waits for its reply. */
    private void command(String line, IntPredicate ok) throws Exception {
      lines += conn.send(line, ok);
      conn.await(() -> false, null);
    }

    private String newName() {
      return "/fz-" + Long.toHexString(seed) + "-" + names++ + ".bin";
    }

    private IntPredicate loggedInOr530(int code) {
      boolean in = conn.loggedIn;
      return c -> c == code || (!in && c == 530);
    }

    private void step() throws Exception {
      int p = rnd.nextInt(100);
      if (p < 22) {
        transferStep();
      } else if (p < 34) {
        dataSetupStep();
      } else if (p < 58) {
        IntPredicate[] ok = new IntPredicate[1];
        String line = simpleCommand(ok);
        command(line, ok[0]);
      } else if (p < 72) {
        junkStep();
      } else if (p < 82) {
        burstStep();
      } else if (p < 90) {
        splitStep();
      } else if (p < 93) {
        abortStep();
      } else if (p < 95) {
        busyStep();
      } else if (p < 97) {
        loginStep();
      } else {
        command(rnd.nextBoolean() ? "QUIT" : "quit", c -> c == 221);
      }
    }

    /** A command that needs no data connection, with its expected reply where the code is certain. */
    private String simpleCommand(IntPredicate[] ok) {
      ok[0] = c -> true;
      switch (rnd.nextInt(26)) {
        case 0 -> {
          ok[0] = loggedInOr530(200);
          return "NOOP";
        }
        case 1 -> {
          ok[0] = loggedInOr530(211);
          return "FEAT";
        }
        case 2 -> {
          ok[0] = loggedInOr530(215);
          return "SYST";
        }
        case 3 -> {
          ok[0] = loggedInOr530(257);
          return "PWD";
        }
        case 4 -> {
          return "CWD " + pick("/", "/dir", "dir", "..", "/missing-" + seed, ownDirs.isEmpty() ? "/" : ownDirs.get(0));
        }
        case 5 -> {
          return "CDUP";
        }
        case 6 -> {
          String d = "/fzd-" + Long.toHexString(seed) + "-" + names++;
          ownDirs.add(d);
          return "MKD " + d;
        }
        case 7 -> {
          return "DELE " + (ownFiles.isEmpty() ? "/missing.bin" : ownFiles.remove(rnd.nextInt(ownFiles.size())));
        }
        case 8 -> {
          return "RMD " + (ownDirs.isEmpty() ? "/missing-dir" : ownDirs.remove(ownDirs.size() - 1));
        }
        case 9 -> {
          return "RNFR " + (ownFiles.isEmpty() ? "/missing.bin" : ownFiles.get(0));
        }
        case 10 -> {
          String to = newName();
          if (!ownFiles.isEmpty()) {
            ownFiles.set(0, to); // if RNFR came first; if not, a later DELE of it just gets 550
          }
          return "RNTO " + to;
        }
        case 11 -> {
          return "TYPE " + pick("I", "A", "E", "L 8", "X", "", "i", "A N");
        }
        case 12 -> {
          return "MODE " + pick("S", "B", "C", "Z", "X", "");
        }
        case 13 -> {
          return "STRU " + pick("F", "R", "P", "X", "");
        }
        case 14 -> {
          return "REST " + pick("0", "-1", "-9223372036854775808", "9223372036854775807",
              "99999999999999999999999", "123", "abc", "", "1e3", " 7");
        }
        case 15 -> {
          return "SITE " + pick("", "HELP", "WHO", "ZONE", "STAT", "CHMOD 777 /small.bin", "bogus arg");
        }
        case 16 -> {
          ok[0] = c -> c == 502; // the listener speaks plain FTP (RFC 4217 is the upstream's business)
          return pick("AUTH TLS", "AUTH SSL", "PBSZ 0", "PROT P", "PROT C", "CCC", "AUTH");
        }
        case 17 -> {
          ok[0] = c -> c == 502;
          return pick("REIN", "rein");
        }
        case 18 -> {
          return pick("XYZZ", "FOO bar", "HELO", "OPTS UTF8 ON", "ALLO 100", "ACCT x", "SMNT /", "STAT", "HELP",
              "SIZE /small.bin", "MDTM /mid.bin", "SIZE /nope", "MLST /small.bin", "LANG EN");
        }
        case 19 -> {
          ok[0] = c -> c == 500; // not a verb: 3-4 letters (RFC 959 §5.3)
          return pick("A", "TOOLONGVERB x", "12 3", "NO-OP", "!!!!", " NOOP", "\tNOOP", "NÖÖP");
        }
        case 20 -> {
          boolean in = conn.loggedIn;
          // RFC 2577 §3: no bounce to a third host, no privileged port; before login the gateway's 530 (issue #16)
          ok[0] = c -> c == 504 || (!in && c == 530);
          return pick("PORT 10,1,2,3,200,10", "PORT 192,0,2,7,195,80", "EPRT |1|192.0.2.7|50000|",
              "EPRT |2|2001:db8::1|50000|", "PORT 127,0,0,1,0,21", "PORT 127,0,0,1,3,255", "EPRT |1|127.0.0.1|22|",
              "EPRT |1|127.0.0.1|1|");
        }
        case 21 -> {
          boolean all = conn.epsvAll;
          boolean in = conn.loggedIn;
          ok[0] = c -> c == 501 || c == 522 || (all && c == 504) || (!in && c == 530);
          return pick("PORT 1,2,3", "PORT 127,0,0,1,999,1", "PORT a,b,c,d,e,f", "PORT", "PORT 127,0,0,1,-1,5",
              "PORT 256,0,0,1,10,10", "EPRT", "EPRT |1|127.0.0.1|", "EPRT |3|127.0.0.1|5000|",
              "EPRT |1|127.0.0.1|99999|", "EPRT xx", "EPRT |1|not-an-ip|5000|", "PORT 127,0,0,1,10,10,10");
        }
        case 22 -> {
          boolean in = conn.loggedIn;
          ok[0] = c -> c == 225 || c == 226 || (!in && c == 530);
          return "ABOR"; // nothing in flight: relayed
        }
        case 23 -> {
          boolean all = conn.epsvAll;
          boolean in = conn.loggedIn;
          ok[0] = c -> in ? (all ? c == 504 : c == 227 || c == 425) : c == 530 || (all && c == 504);
          return "PASV"; // not connected: the next transfer finds nobody (425 after dataConnectSeconds)
        }
        case 24 -> {
          return "STAT " + pick("/", "/dir", "/small.bin", "/missing");
        }
        default -> {
          return "USER " + pick(GatewayFixture.USER, "anonymous", "nobody", "");
        }
      }
    }

    private String pick(String... options) {
      return options[rnd.nextInt(options.length)];
    }

    private void loginStep() throws Exception {
      if (conn.loggedIn && rnd.nextInt(3) > 0) {
        // MINA logs a session out on a second PASS: mostly leave a logged-in session alone
        command("USER " + GatewayFixture.USER, c -> c == 230);
        return;
      }
      if (rnd.nextInt(4) == 0 && conn.failedLogins < MINA_MAX_LOGIN_FAILURES) {
        command("USER " + GatewayFixture.USER, c -> true);
        command("PASS wrong-" + rnd.nextInt(100), c -> c == 530 || c == 230 || c == 202 || c == 503);
      } else {
        command("USER " + GatewayFixture.USER, c -> c == 331 || c == 230 || c == 530);
        command("PASS " + GatewayFixture.PASSWORD, c -> c == 230 || c == 202 || c == 503 || c == 530);
      }
    }

    /** PASV, EPSV (also bad arguments and ALL), PORT or EPRT to a socket this client listens on. */
    private void dataSetupStep() throws Exception {
      boolean all = conn.epsvAll;
      // issue #16: before login the gateway answers 530 itself (or relays the upstream's), never a 425 of its own
      boolean in = conn.loggedIn;
      switch (rnd.nextInt(9)) {
        case 0, 1 -> command("PASV",
            c -> in ? (all ? c == 504 : c == 227 || c == 425) : c == 530 || (all && c == 504));
        case 2, 3 -> command("EPSV", c -> c == 229 || (in ? c == 425 : c == 530));
        case 4 -> command("EPSV " + pick("1", "2", "3", "x", "ALLX", "1 1"),
            c -> c == 229 || c == 522 || (in ? c == 425 : c == 530));
        case 5 -> {
          if (rnd.nextInt(3) == 0) {
            command("EPSV ALL", c -> c == 200 || (!in && c == 530));
          } else {
            command("EPSV", c -> c == 229 || (in ? c == 425 : c == 530));
          }
        }
        default -> {
          ServerSocket server = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"));
          int port = server.getLocalPort();
          if (rnd.nextInt(5) == 0) {
            server.close(); // nobody listens: the transfer gets a prompt 425
          }
          String line = rnd.nextBoolean()
              ? "PORT 127,0,0,1," + (port >> 8) + "," + (port & 0xFF)
              : "EPRT |1|127.0.0.1|" + port + "|";
          lines += conn.send((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1),
              c -> in ? (all ? c == 504 : c == 200 || c == 425) : c == 530 || (all && c == 504), server);
          conn.await(() -> false, null);
        }
      }
    }

    /** RETR, STOR, APPE, STOU, LIST, NLST or MLSD, with the data connection prepared before (or none). */
    private void transferStep() throws Exception {
      if (rnd.nextInt(5) > 0 && conn.data == null) {
        dataSetupStep();
        if (conn.eof) {
          return;
        }
      }
      // every data-opening verb the gateway knows (Verbs.DATA), RETR and STOR more often
      String verb = rnd.nextInt(3) == 0 ? pick("RETR", "STOR") : pick(Verbs.DATA.toArray(String[]::new));
      boolean upload = Verbs.uploads(verb);
      String path;
      switch (verb) {
        case "RETR" -> path = rnd.nextInt(6) == 0 ? "/missing-" + rnd.nextInt(1000) + ".bin"
            : DOWNLOADS.get(rnd.nextInt(DOWNLOADS.size()));
        case "STOR" -> path = newName();
        case "APPE" -> path = ownFiles.isEmpty() ? newName() : ownFiles.get(rnd.nextInt(ownFiles.size()));
        case "STOU" -> path = "";
        default -> path = pick("", "/", "/dir", "/missing-dir", "-la");
      }
      byte[] payload = upload ? randomBytes(rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(200_000), rnd.nextLong())
          : null;
      DataSide side = conn.data;
      conn.data = null; // the gateway uses up the prepared connection with this command
      boolean plain = conn.binary && conn.stream && conn.fileStructure && !conn.restPending;
      DataTask task = side != null && (side.passive() != null || side.active() != null)
          ? new DataTask(side, upload, payload) : null;
      if (side != null && task == null) {
        side.close();
      }
      boolean in = conn.loggedIn;
      IntPredicate ok = side == null ? c -> c == 425 || (!in && c == 530) : c -> true;
      conn.sawPreliminary = false;
      lines += conn.send(path.isEmpty() ? verb : verb + " " + path, ok);
      transfers++;
      conn.await(() -> false, task);
      if (task == null) {
        return;
      }
      int code = conn.lastFinal == null ? 0 : conn.lastFinal.code();
      if (!conn.sawPreliminary) {
        task.cancel();
      }
      byte[] got = task.finish();
      if (code != 226 && code != 250) {
        return;
      }
      completed++;
      if (verb.equals("RETR") && plain && files.containsKey(path)) {
        assertThat(got).as("RETR %s answered %d: the data connection ended cleanly", path, code).isNotNull();
        assertThat(sha256(got)).as("RETR %s through the gateway", path).isEqualTo(sha256(files.get(path)));
        checked++;
      } else if (verb.equals("STOR") && plain) {
        assertThat(sha256(fx.root().resolve(path.substring(1)))).as("STOR %s through the gateway", path)
            .isEqualTo(sha256(payload));
        checked++;
      }
      if (verb.equals("STOR")) {
        ownFiles.add(path);
      }
    }

    /** Raw bytes the gateway must refuse, frame or pass in a way no strict upstream misreads. */
    private void junkStep() throws Exception {
      byte[] bytes = switch (rnd.nextInt(12)) {
        // NUL or bare CR inside the verb or the argument: the whole line refused (a server that splits lines at
        // a bare CR, or ends a C string at NUL, must not see a second command)
        case 0 -> cat(pick("NOOP", "CWD /dir", "SIZE /small.bin"), "\0", "MKD /" + MARK + "-nul\r\n");
        case 1 -> cat(pick("NOOP", "CWD /dir", "STAT /dir"), "\r", "MKD /" + MARK + "-cr\r\n");
        case 2 -> cat(pick("\rDELE /small.bin", "CWD /\r\rMKD /", "CWD /\r\0MKD /"), MARK + "\r\n");
        case 3 -> cat("NOOP\nPWD\nSYST\n"); // bare LF ends lines (legacy clients)
        case 4 -> cat("MKD /" + "a".repeat(4200 + rnd.nextInt(3000)), MARK + "\r\n"); // over 4 KiB
        case 5 -> bytes("CWD /", new byte[] {(byte) 0xC3, 0x28, (byte) 0xA0, (byte) 0xFF, (byte) 0xFF}, "\r\n");
        case 6 -> bytes("NOOP", new byte[] {(byte) IAC}, "\r\n"); // lone IAC: eats the CR (a Telnet command)
        case 7 -> bytes("NO", new byte[] {(byte) IAC, (byte) 251, 1, (byte) IAC, (byte) 250, 1, 2, (byte) IAC,
            (byte) 240}, "OP\r\n"); // IAC WILL x and a subnegotiation inside a verb: removed
        case 8 -> cat("\r\n", "   \r\n", "\n");
        case 9 -> bytes("", new byte[] {(byte) IAC, (byte) IP, (byte) IAC, (byte) DM}, "ABOR\r\n");
        case 10 -> { // a line MINA would not take (over its 1024-byte cap), rarely
          if (rnd.nextInt(4) == 0) {
            yield cat("SIZE /" + "b".repeat(1100 + rnd.nextInt(2000)) + "\r\n");
          }
          yield cat("NOOP \r\0\r\n");
        }
        default -> {
          byte[] b = new byte[1 + rnd.nextInt(200)];
          rnd.nextBytes(b);
          for (int i = 0; i < b.length; i++) {
            if ((b[i] & 0xFF) == IAC) {
              b[i] = 'y'; // Telnet sequences have their own cases; a random IAC SB would swallow all that follows
            } else if (b[i] == '\n' && rnd.nextBoolean()) {
              b[i] = 'x';
            }
          }
          yield cat(new String(b, StandardCharsets.ISO_8859_1), "\r\n");
        }
      };
      int owedNow = conn.send(bytes, List.of(), null);
      lines += owedNow;
      // what the gateway decides alone is checked in Conn.send (500 for refused lines); the rest is MINA's
      conn.await(() -> false, null);
      if (owedNow == 0) {
        assertNoReplyPending("a partial line (" + conn.oracle.pending() + " bytes held)");
      }
    }

    /** Several commands in one write, before any reply (pipelining). */
    private void burstStep() throws Exception {
      ByteArrayOutputStream burst = new ByteArrayOutputStream();
      int n = 2 + rnd.nextInt(8);
      List<IntPredicate> checks = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        IntPredicate[] ok = new IntPredicate[1];
        String line = rnd.nextInt(10) == 0 ? "QUIT" : simpleCommand(ok);
        // within a burst the login state may change mid-way: only the gateway's own answers are certain
        if (line.startsWith("AUTH") || line.startsWith("PBSZ") || line.startsWith("PROT") || line.equals("CCC")
            || line.equalsIgnoreCase("REIN")) {
          checks.add(c -> c == 502);
        } else {
          checks.add(c -> true);
        }
        burst.writeBytes((line + (rnd.nextInt(5) == 0 ? "\n" : "\r\n")).getBytes(StandardCharsets.ISO_8859_1));
      }
      conn.inBurst = true;
      try {
        lines += conn.send(burst.toByteArray(), checks, null);
        conn.await(() -> false, null);
      } finally {
        conn.inBurst = false;
      }
    }

    /** One command split over several writes: no reply before its line is complete. */
    private void splitStep() throws Exception {
      IntPredicate[] ok = new IntPredicate[1];
      String line = simpleCommand(ok);
      byte[] bytes = (line + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
      int cuts = 1 + rnd.nextInt(3);
      int from = 0;
      for (int i = 0; i < cuts && from < bytes.length - 1; i++) {
        int to = from + 1 + rnd.nextInt(bytes.length - 1 - from);
        int owedNow = conn.send(java.util.Arrays.copyOfRange(bytes, from, to), ok[0], null);
        lines += owedNow;
        if (owedNow == 0) {
          assertNoReplyPending("part of a line");
        }
        from = to;
      }
      lines += conn.send(java.util.Arrays.copyOfRange(bytes, from, bytes.length), ok[0], null);
      conn.await(() -> false, null);
    }

    /** A download of a big file aborted mid-way, ABOR with or without Telnet IAC IP IAC DM (RFC 959 §4.1.3). */
    private void abortStep() throws Exception {
      if (conn.epsvAll || !conn.loggedIn) {
        boolean in = conn.loggedIn;
        command("EPSV", c -> c == 229 || (in ? c == 425 : c == 530));
      } else {
        command(rnd.nextBoolean() ? "PASV" : "EPSV", c -> c == 227 || c == 229 || c == 425);
      }
      Socket data = retrOverPassive("/big.bin", c -> true);
      if (data == null) {
        return;
      }
      try {
        data.getInputStream().readNBytes(16_384 + rnd.nextInt(200_000));
        if (rnd.nextInt(4) == 0) {
          data.close(); // issue #16 (a): the client closes its data connection first, as ftplib does
        }
        int style = rnd.nextInt(3);
        byte[] abor = switch (style) {
          case 0 -> bytes("", new byte[] {(byte) IAC, (byte) IP, (byte) IAC, (byte) DM}, "ABOR\r\n");
          case 1 -> cat("ABOR\r\n");
          // Python's ftplib: ABOR CRLF with MSG_OOB; the LF is the urgent byte, which the gateway's stream lacks
          default -> cat("ABOR\r");
        };
        lines += conn.send(abor, c -> c == 225 || c == 226, null);
        if (style == 2) {
          conn.socket.sendUrgentData('\n');
        }
        transfers++;
        if (rnd.nextBoolean()) {
          // issue #16: a command right behind the ABOR gets its reply after the ABOR's, even one the gateway
          // answers itself
          IntPredicate[] ok = new IntPredicate[1];
          lines += conn.send(interceptedVerb(ok), ok[0]);
        }
        conn.await(() -> false, null);
      } finally {
        closeQuietly(data);
      }
    }

    /**
     * Issue #16: a transfer runs and a command the gateway handles itself comes behind it (pipelined): it waits for
     * the transfer's final reply and gets exactly one of its own, whether the download is read to the end or cut.
     */
    private void busyStep() throws Exception {
      if (conn.epsvAll || !conn.loggedIn) {
        return;
      }
      command("EPSV", c -> c == 229 || c == 425);
      boolean whole = rnd.nextBoolean();
      Socket data = retrOverPassive("/mid.bin", whole ? c -> c == 226 : c -> c == 226 || c == 426);
      if (data == null) {
        return;
      }
      try {
        IntPredicate[] ok = new IntPredicate[1];
        lines += conn.send(interceptedVerb(ok), ok[0]);
        transfers++;
        if (whole) {
          data.getInputStream().readAllBytes();
        } else {
          data.getInputStream().readNBytes(1000);
          data.close();
        }
        conn.await(() -> false, null);
      } finally {
        closeQuietly(data);
      }
    }

    /**
     * RETR over the passive connection just prepared, until its preliminary reply: the data socket (the caller
     * closes it), or null when there is no such connection or no 150 came.
     */
    private Socket retrOverPassive(String path, IntPredicate ok) throws Exception {
      if (conn.eof || conn.data == null || conn.data.passive() == null) {
        return null;
      }
      Socket data = conn.data.passive();
      conn.data = null;
      data.setSoTimeout(READ_TIMEOUT_MS);
      conn.sawPreliminary = false;
      lines += conn.send("RETR " + path, ok);
      conn.await(() -> conn.sawPreliminary, null);
      if (conn.eof || !conn.sawPreliminary) {
        closeQuietly(data);
        return null;
      }
      return data;
    }

    /** A verb the gateway intercepts, logged in and not after EPSV ALL, with the reply it must get. */
    private String interceptedVerb(IntPredicate[] ok) {
      switch (rnd.nextInt(7)) {
        case 0 -> {
          ok[0] = c -> c == 502;
          return "REIN";
        }
        case 1 -> {
          ok[0] = c -> c == 502; // the listener speaks plain FTP
          return pick("PBSZ 0", "PROT P", "AUTH TLS");
        }
        case 2 -> {
          ok[0] = c -> c == 211;
          return "FEAT";
        }
        case 3 -> {
          ok[0] = c -> c == 229 || c == 227 || c == 425;
          return conn.epsvAll ? "EPSV" : pick("EPSV", "PASV");
        }
        case 4 -> {
          ok[0] = c -> c == 425; // nothing prepared: the ABOR or the transfer used it up
          return "RETR /small.bin";
        }
        case 5 -> {
          ok[0] = c -> c == 504;
          return "PORT 10,1,2,3,200,10";
        }
        default -> {
          ok[0] = c -> c == 200;
          return "NOOP";
        }
      }
    }

    private void assertNoReplyPending(String what) throws Exception {
      if (conn.minaClosing()) {
        return; // the gateway's 421 may be on its way
      }
      assertQuiet("a reply before the line was complete: " + what);
    }

    /**
     * Nothing arrives on the control connection within {@link #QUIET_MS}. An absence cannot be polled for, so the
     * wait is bounded: on loopback the gateway answers in well under a millisecond, so a stray reply is nearly
     * always caught here; one that came later would still fail the run, as the oracle matches every reply in order
     * to exactly one command line.
     */
    private void assertQuiet(String what) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(QUIET_MS);
      while (System.nanoTime() < deadline && conn.in.available() == 0) {
        Thread.sleep(1);
      }
      assertThat(conn.in.available()).as(what).isZero();
    }
  }

  // ---------------------------------------------------------------- helpers

  private static byte[] cat(String... parts) {
    return String.join("", parts).getBytes(StandardCharsets.ISO_8859_1);
  }

  private static byte[] bytes(String head, byte[] middle, String tail) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
    out.writeBytes(middle);
    out.writeBytes(tail.getBytes(StandardCharsets.ISO_8859_1));
    return out.toByteArray();
  }

  private static String printable(byte[] bytes) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < bytes.length && i < 200; i++) {
      int b = bytes[i] & 0xFF;
      if (b == '\r') {
        sb.append("\\r");
      } else if (b == '\n') {
        sb.append("\\n");
      } else if (b < 0x20 || b >= 0x7F) {
        sb.append(String.format("\\x%02x", b));
      } else {
        sb.append((char) b);
      }
    }
    return bytes.length > 200 ? sb + "...(" + bytes.length + " bytes)" : sb.toString();
  }

  private static void closeQuietly(java.io.Closeable c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException e) {
        // closing is all that is left to do
      }
    }
  }
}
