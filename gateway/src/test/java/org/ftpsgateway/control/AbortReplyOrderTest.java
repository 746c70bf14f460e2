package org.ftpsgateway.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ftpsgateway.support.GatewayFixture.randomBytes;
import static org.ftpsgateway.support.GatewayFixture.sha256;

import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.ftpsgateway.support.RawFtpClient;
import org.ftpsgateway.support.RawFtpClient.AborStyle;
import org.ftpsgateway.support.RawFtpClient.DataEnd;
import org.ftpsgateway.support.ScriptedFtpsServer;
import org.ftpsgateway.support.ScriptedFtpsServer.Data;
import org.ftpsgateway.support.ScriptedGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue #16 with upstreams scripted to answer in the orders real servers use, which MINA does not produce: the
 * client still reads exactly "150, the transfer's final reply, ABOR's 226", and the session goes on.
 * <ul>
 *   <li>the upstream finished the transfer but holds its 226 until ABOR arrives, then sends 226 twice (RFC 959
 *       §4.1.3, first case: the command had completed);
 *   <li>the upstream sends 426 as soon as its data connection fails (pure-ftpd, vsftpd), and answers the ABOR that
 *       comes later with 226;
 *   <li>the upstream reads ABOR while it is still sending, stops, and answers 426 then 226 (second case);
 *   <li>ProFTPD's order: ABOR's 226 first, then the transfer's 426;
 *   <li>pure-ftpd's: one final reply (226) for the transfer and ABOR together.
 * </ul>
 */
class AbortReplyOrderTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private final byte[] small = randomBytes(50_000, 21);
  private final byte[] chunk = randomBytes(64 * 1024, 22);

  private ScriptedFtpsServer server;
  private ScriptedGateway gateway;

  @BeforeEach
  void start(@TempDir Path tmp) throws Exception {
    server = ScriptedFtpsServer.start().file("small.bin", small)
        .on("RETR", (s, arg) -> {
          switch (arg) {
            case "hold.bin" -> holdUntilAbor(s);
            case "fail.bin" -> failThenAnswerAbor(s);
            case "flow.bin" -> readAborWhileSending(s);
            case "proftpd.bin" -> aborAnsweredFirst(s);
            case "pure.bin" -> oneReplyForBoth(s);
            default -> s.retr(arg);
          }
        });
    gateway = ScriptedGateway.start(server, tmp);
  }

  @AfterEach
  void stop() throws Exception {
    gateway.close();
    server.close();
  }

  /** Sends the whole file, then waits for ABOR before answering: 226 (RETR), 226 (ABOR). */
  private void holdUntilAbor(ScriptedFtpsServer.Session s) throws Exception {
    s.reply(150, "Opening data connection.");
    try (Data d = s.acceptData()) {
      d.write(small, 0, small.length);
    }
    String next = s.nextCommand();
    s.reply(226, "Transfer complete.");
    if ("ABOR".equals(next)) {
      s.reply(226, "ABOR successful.");
    }
  }

  /** Sends until the data connection fails, answers 426 at once; the ABOR read afterwards gets 226. */
  private void failThenAnswerAbor(ScriptedFtpsServer.Session s) throws Exception {
    s.reply(150, "Opening data connection.");
    try (Data d = s.acceptData()) {
      while (d.write(chunk, 0, chunk.length)) {
        // until the gateway ends the data connection
      }
    }
    s.reply(426, "Transfer aborted. Data connection closed.");
    if ("ABOR".equals(s.nextCommand())) {
      s.reply(226, "Since you see this ABOR must've succeeded.");
    }
  }

  /** Keeps sending on another thread while it waits for ABOR; then stops, 426 and 226. */
  private void readAborWhileSending(ScriptedFtpsServer.Session s) throws Exception {
    s.reply(150, "Opening data connection.");
    String next = sendUntilNextCommand(s);
    s.reply(426, "Transfer aborted.");
    if ("ABOR".equals(next)) {
      s.reply(226, "ABOR successful.");
    }
  }

  /**
   * Accepts the data connection and keeps sending on another thread while it waits for the next command (ABOR);
   * then stops and closes the data connection. Returns that command.
   */
  private String sendUntilNextCommand(ScriptedFtpsServer.Session s) throws Exception {
    Data d = s.acceptData();
    AtomicBoolean stop = new AtomicBoolean();
    Thread writer = new Thread(() -> {
      while (!stop.get() && d.write(chunk, 0, chunk.length)) {
        // data flows until ABOR
      }
    }, "scripted-writer");
    writer.start();
    String next = s.nextCommand();
    stop.set(true);
    d.closeQuietly();
    writer.join(WAIT.toMillis());
    return next;
  }

  /** ProFTPD 1.3.8 (measured): an ABOR read during the transfer is answered at once, the transfer's 426 after. */
  private void aborAnsweredFirst(ScriptedFtpsServer.Session s) throws Exception {
    s.reply(150, "Opening data connection.");
    String next = sendUntilNextCommand(s);
    if ("ABOR".equals(next)) {
      s.reply(226, "Abort successful");
    }
    s.reply(426, "Transfer aborted. Data connection closed");
  }

  /**
   * pure-ftpd 1.0.50 (measured): when the data connection failed before ABOR came, the transfer gets no final reply
   * (its statistics line carries code 150) and ABOR gets 226: one final reply for two commands.
   */
  private void oneReplyForBoth(ScriptedFtpsServer.Session s) throws Exception {
    s.reply(150, "Accepted data connection");
    try (Data d = s.acceptData()) {
      while (d.write(chunk, 0, chunk.length)) {
        // until the gateway ends the data connection
      }
    }
    if ("ABOR".equals(s.nextCommand())) {
      s.reply(150, "0.002 seconds (measured here), 331.36 Mbytes per second");
      s.reply(226, "Since you see this ABOR must've succeeded");
    }
  }

  @ParameterizedTest(name = "ABOR {0}")
  @EnumSource(AborStyle.class)
  void upstreamAnswersAborBeforeTheTransfer(AborStyle style) throws Exception {
    try (RawFtpClient c = login(); DataEnd data = c.passive()) {
      c.clearLog();
      Socket s = c.start("RETR proftpd.bin", data);
      s.getInputStream().readNBytes(100_000);
      c.abor(style);
      assertThat(finals(c)).as("%s", c.replies()).containsExactly(426, 226);
      s.close();
      sessionGoesOn(c);
    }
  }

  @ParameterizedTest(name = "ABOR {0}")
  @EnumSource(AborStyle.class)
  void upstreamGivesOneFinalReplyForTransferAndAbor(AborStyle style) throws Exception {
    try (RawFtpClient c = login(); DataEnd data = c.passive()) {
      c.clearLog();
      Socket s = c.start("RETR pure.bin", data);
      s.getInputStream().readNBytes(100_000);
      s.close();
      c.abor(style);
      assertThat(finals(c)).as("%s", c.replies()).containsExactly(426, 226);
      assertThat(c.codes()).as("no 150 after ABOR: %s", c.replies()).containsExactly(150, 426, 226);
      sessionGoesOn(c);
    }
  }

  @ParameterizedTest(name = "ABOR {0}")
  @EnumSource(AborStyle.class)
  void upstreamHoldsItsCompletionUntilAbor(AborStyle style) throws Exception {
    try (RawFtpClient c = login(); DataEnd data = c.passive()) {
      c.clearLog();
      Socket s = c.start("RETR hold.bin", data);
      assertThat(sha256(s.getInputStream().readAllBytes())).isEqualTo(sha256(small));
      c.abor(style);
      assertThat(finals(c)).as("%s", c.replies()).containsExactly(226, 226);
      server.awaitEvent(e -> e.endsWith("> ABOR"), WAIT);
      sessionGoesOn(c);
    }
  }

  @ParameterizedTest(name = "ABOR {0}")
  @EnumSource(AborStyle.class)
  void upstreamAnswers426FirstThenAbor(AborStyle style) throws Exception {
    try (RawFtpClient c = login(); DataEnd data = c.passive()) {
      c.clearLog();
      Socket s = c.start("RETR fail.bin", data);
      s.getInputStream().readNBytes(100_000);
      s.close();
      c.abor(style);
      assertThat(finals(c)).as("%s", c.replies()).containsExactly(426, 226);
      sessionGoesOn(c);
    }
  }

  @ParameterizedTest(name = "ABOR {0}")
  @EnumSource(AborStyle.class)
  void upstreamReadsAborWhileSending(AborStyle style) throws Exception {
    try (RawFtpClient c = login(); DataEnd data = c.passive()) {
      c.clearLog();
      Socket s = c.start("RETR flow.bin", data);
      InputStream in = s.getInputStream();
      in.readNBytes(100_000);
      c.abor(style);
      assertThat(finals(c)).as("%s", c.replies()).containsExactly(426, 226);
      s.close();
      sessionGoesOn(c);
    }
  }

  private RawFtpClient login() throws Exception {
    return RawFtpClient.login(gateway.port(), "alice", "secret");
  }

  /** The two final replies after the 150: the transfer's and ABOR's. */
  private static List<Integer> finals(RawFtpClient c) throws Exception {
    return List.of(c.nextFinal().code(), c.nextFinal().code());
  }

  private void sessionGoesOn(RawFtpClient c) throws Exception {
    c.command("NOOP", 200);
    assertThat(sha256(c.retr("small.bin"))).isEqualTo(sha256(small));
    c.command("NOOP", 200);
  }
}
