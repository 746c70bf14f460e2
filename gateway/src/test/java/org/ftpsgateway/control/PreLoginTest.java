package org.ftpsgateway.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ftpsgateway.support.GatewayFixture.randomBytes;
import static org.ftpsgateway.support.GatewayFixture.sha256;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.ftpsgateway.protocol.FtpReply;
import org.ftpsgateway.protocol.Verbs;
import org.ftpsgateway.support.RawFtpClient;
import org.ftpsgateway.support.ScriptedFtpsServer;
import org.ftpsgateway.support.ScriptedGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue #16: before login, a verb the gateway would handle itself (open a data port, dial the upstream's, start a
 * transfer) gets 530 as the upstream would answer (RFC 959 §5.4), never a data-connection error of the gateway's
 * own making ("425 ... upstream refused EPSV: Please login"); the verbs of {@code SessionState.NON_AUTHENTICATED}
 * keep working; every other verb is the upstream's to answer. After all that, login and a transfer work. The
 * upstream is scripted to answer before login as vsftpd does (FEAT, SYST, HELP, OPTS, NOOP yes; CWD, PWD no), and
 * records what reached it: an intercepted verb never does before login.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PreLoginTest {

  private static final String USER = "alice";
  private static final String PASSWORD = "secret";
  /** What the upstream may see before login: the allow-list and the pass-through verbs of the table. */
  private static final Set<String> UPSTREAM_BEFORE_LOGIN = Set.of("AUTH", "PBSZ", "PROT", "USER", "PASS", "FEAT",
      "SYST", "NOOP", "HELP", "OPTS", "CWD", "PWD", "SIZE", "TYPE", "QUIT");

  private ScriptedFtpsServer server;
  private ScriptedGateway gateway;
  private final byte[] content = randomBytes(100_000, 7);

  @BeforeAll
  void start(@TempDir Path tmp) throws Exception {
    server = ScriptedFtpsServer.start().file("f.bin", content)
        .on("HELP", (s, arg) -> s.reply(214, "Help OK."))
        .on("OPTS", (s, arg) -> s.reply(200, "Always in UTF8 mode."));
    for (String verb : List.of("CWD", "PWD", "SIZE")) {
      server.on(verb, (s, arg) -> s.reply(530, "Please login with USER and PASS."));
    }
    gateway = ScriptedGateway.start(server, tmp);
  }

  @AfterAll
  void stop() throws Exception {
    gateway.close();
    server.close();
  }

  static Stream<Arguments> table() {
    return Stream.of(
        // intercepted by the gateway: its own 530
        Arguments.of("PASV", 530),
        Arguments.of("EPSV", 530),
        Arguments.of("EPSV ALL", 530),
        Arguments.of("EPSV 1", 530),
        Arguments.of("PORT 127,0,0,1,200,10", 530),
        Arguments.of("PORT 10,1,2,3,200,10", 530),
        Arguments.of("EPRT |1|127.0.0.1|51200|", 530),
        Arguments.of("RETR f.bin", 530),
        Arguments.of("STOR x.bin", 530),
        Arguments.of("APPE x.bin", 530),
        Arguments.of("STOU", 530),
        Arguments.of("LIST", 530),
        Arguments.of("NLST", 530),
        Arguments.of("MLSD", 530),
        Arguments.of("ABOR", 530),
        // the pre-login allow-list: answered as usual (the listener speaks plain FTP: RFC 4217 verbs get 502)
        Arguments.of("AUTH TLS", 502),
        Arguments.of("PBSZ 0", 502),
        Arguments.of("PROT P", 502),
        Arguments.of("CCC", 502),
        Arguments.of("REIN", 502),
        Arguments.of("FEAT", 211),
        Arguments.of("SYST", 215),
        Arguments.of("NOOP", 200),
        Arguments.of("HELP", 214),
        Arguments.of("OPTS UTF8 ON", 200),
        // passed through: the upstream's answer
        Arguments.of("CWD /", 530),
        Arguments.of("PWD", 530),
        Arguments.of("SIZE f.bin", 530),
        Arguments.of("TYPE I", 200));
  }

  @ParameterizedTest(name = "{0} before login: {1}")
  @MethodSource("table")
  void beforeLogin(String line, int code) throws Exception {
    try (RawFtpClient c = RawFtpClient.connect(gateway.port())) {
      FtpReply r = c.command(line, code);
      if (code == 530) {
        assertThat(r.text()).as("not a network error").doesNotContainIgnoringCase("data connection");
      }
      // the session goes on: login, then a download with the right checksum
      c.command("USER " + USER, 331);
      c.command("PASS " + PASSWORD, 230);
      c.command("TYPE I", 200);
      assertThat(sha256(c.retr("f.bin"))).isEqualTo(sha256(content));
    }
  }

  /** Logged in at the gateway but not (any more) at the upstream: its 530 to the EPSV/PASV sent for PASV arrives. */
  @Test
  void upstreamRefusalOfTheDataPortReachesTheClientAsItIs(@TempDir Path tmp) throws Exception {
    try (ScriptedFtpsServer loggedOut = ScriptedFtpsServer.start();
         ScriptedGateway gw = ScriptedGateway.start(loggedOut.on("EPSV", (s, arg) -> s.reply(530, "Not logged in."))
             .on("PASV", (s, arg) -> s.reply(530, "Not logged in.")), tmp);
         RawFtpClient c = RawFtpClient.login(gw.port(), USER, PASSWORD)) {
      assertThat(c.command("PASV", 530).text()).isEqualTo("Not logged in.");
      assertThat(c.command("EPSV", 530).text()).isEqualTo("Not logged in.");
      c.command("NOOP", 200);
    }
  }

  @Test
  void allInterceptedVerbsInOneBurstEachGetOneReply() throws Exception {
    int before = server.events().size();
    try (RawFtpClient c = RawFtpClient.connect(gateway.port())) {
      c.clearLog();
      table().forEach(a -> {
        try {
          c.send((String) a.get()[0]);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      c.send("QUIT");
      int[] expected = table().mapToInt(a -> (Integer) a.get()[1]).toArray();
      for (int code : expected) {
        assertThat(c.next().code()).as("replies so far %s", c.codes()).isEqualTo(code);
      }
      c.expect(221);
    }
    for (String e : server.events().subList(before, server.events().size())) {
      int at = e.indexOf(" > ");
      if (at > 0) {
        String verb = e.substring(at + 3).split(" ")[0];
        assertThat(UPSTREAM_BEFORE_LOGIN).as("reached the upstream before login: %s", e).contains(verb);
        assertThat(Verbs.DATA).doesNotContain(verb);
      }
    }
  }
}
