package org.ftpsgateway.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ftpsgateway.support.GatewayFixture.randomBytes;
import static org.ftpsgateway.support.GatewayFixture.sha256;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.ftpsgateway.support.GatewayFixture;
import org.ftpsgateway.support.RawFtpClient;
import org.ftpsgateway.support.RawFtpClient.AborStyle;
import org.ftpsgateway.support.RawFtpClient.DataEnd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue #16: every command gets exactly one final reply, whatever the order in which the client closes its data
 * connection, sends ABOR, or the upstream ends the transfer (RFC 959 §4.1.3: the transfer command gets 426, or 226
 * when it had already completed, then ABOR gets 226; §5.4). For RETR and STOR, passive and active, and ABOR sent
 * plain, after Telnet IP/Synch, and as urgent data the way Python's ftplib sends it (whose LF never arrives in the
 * stream). Each case asserts the exact sequence of replies, then that the session goes on: NOOP gets 200 (a stray
 * reply would be read in its place) and a next download arrives with the right checksum.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AbortOrderingTest {

  /** The orderings of issue #16. */
  enum Ordering {
    /** (a) the client closes its data connection, then sends ABOR. */
    CLOSE_THEN_ABOR,
    /** (b) ABOR, then the client closes its data connection. */
    ABOR_THEN_CLOSE,
    /** (c) ABOR while the data connection is open and data flows; the client closes only after the replies. */
    ABOR_WHILE_FLOWING,
    /** (d) the transfer ends (all data moved, the upstream's 226 on its way) just as ABOR arrives. */
    ABOR_AS_TRANSFER_ENDS
  }

  private static final int BIG = 16 << 20;
  private static final int SMALL = 20_000;
  private static final int CHUNK = 64 * 1024;

  private GatewayFixture fx;
  private final byte[] big = randomBytes(BIG, 16);
  private final byte[] small = randomBytes(SMALL, 17);
  private final byte[] check = randomBytes(300_000, 18);
  private int uploads;

  @BeforeAll
  void start() throws Exception {
    fx = GatewayFixture.start();
    Files.write(fx.root().resolve("big.bin"), big);
    Files.write(fx.root().resolve("small.bin"), small);
    Files.write(fx.root().resolve("check.bin"), check);
  }

  @AfterAll
  void stop() throws Exception {
    fx.close();
  }

  static Stream<Arguments> cases() {
    List<Arguments> all = new ArrayList<>();
    AborStyle[] styles = AborStyle.values();
    int i = 0;
    for (Ordering o : Ordering.values()) {
      for (String verb : List.of("RETR", "STOR")) {
        for (boolean passive : List.of(true, false)) {
          // every style meets every ordering and both directions across the matrix
          all.add(Arguments.of(o, verb, passive ? "PASV" : "PORT", styles[i++ % styles.length]));
        }
      }
    }
    // the reported case (ftplib against pure-ftpd), in every style
    for (AborStyle s : styles) {
      all.add(Arguments.of(Ordering.CLOSE_THEN_ABOR, "RETR", "PASV", s));
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0} {1} {2} ABOR {3}")
  @MethodSource("cases")
  void everyCommandGetsOneFinalReply(Ordering ordering, String verb, String mode, AborStyle style)
      throws Exception {
    try (RawFtpClient c = RawFtpClient.login(fx.port(), GatewayFixture.USER, GatewayFixture.PASSWORD)) {
      DataEnd data = mode.equals("PASV") ? c.passive() : c.active();
      c.clearLog();
      try (data) {
        if (verb.equals("RETR")) {
          download(c, data, ordering, style);
        } else {
          upload(c, data, ordering, style);
        }
      }
      List<Integer> codes = c.codes();
      assertThat(codes).as("replies to %s then ABOR: %s", verb, c.replies()).hasSize(3);
      assertThat(codes.get(0)).as("preliminary reply: %s", c.replies()).isEqualTo(150);
      assertThat(codes.get(1)).as("the transfer's final reply: %s", c.replies())
          .isIn(transferFinals(verb, ordering));
      assertThat(codes.get(2)).as("ABOR's final reply: %s", c.replies()).isEqualTo(226);
      sessionGoesOn(c);
    }
  }

  /** (e) ABOR with no transfer: the upstream's 226 (MINA), relayed; the session goes on. */
  @ParameterizedTest(name = "ABOR {0} without a transfer")
  @EnumSource(AborStyle.class)
  void aborWithoutATransfer(AborStyle style) throws Exception {
    try (RawFtpClient c = RawFtpClient.login(fx.port(), GatewayFixture.USER, GatewayFixture.PASSWORD)) {
      c.clearLog();
      c.abor(style);
      assertThat(c.next().code()).isIn(225, 226);
      // after a prepared (unused) data connection too: it is dropped, ABOR answered once
      try (DataEnd unused = c.passive()) {
        c.clearLog();
        c.abor(style);
        assertThat(c.next().code()).isIn(225, 226);
      }
      assertThat(c.codes()).hasSize(1);
      sessionGoesOn(c);
    }
  }

  /**
   * RFC 959 §4.1.3: 426 when the transfer was cut short; 226 only when every byte had already moved (in (d), and for
   * an upload whose data connection the client closed itself: to the server that is the end of the file).
   */
  private static Set<Integer> transferFinals(String verb, Ordering ordering) {
    if (ordering == Ordering.ABOR_AS_TRANSFER_ENDS) {
      return Set.of(226, 426);
    }
    if (verb.equals("STOR")) {
      // an upload cut short may also end with the server's own error on the file, relayed as it is: MINA answers
      // 551 "Error on output file" when its read of the data connection fails before the ABOR (timing), pure-ftpd 451
      return Set.of(226, 426, 451, 551);
    }
    return Set.of(426);
  }

  private void download(RawFtpClient c, DataEnd data, Ordering ordering, AborStyle style) throws Exception {
    String file = ordering == Ordering.ABOR_AS_TRANSFER_ENDS ? "small.bin" : "big.bin";
    Socket s = c.start("RETR " + file, data);
    InputStream in = s.getInputStream();
    switch (ordering) {
      case CLOSE_THEN_ABOR -> {
        in.readNBytes(CHUNK);
        s.close();
        c.abor(style);
      }
      case ABOR_THEN_CLOSE -> {
        in.readNBytes(CHUNK);
        c.abor(style);
        s.close();
      }
      case ABOR_WHILE_FLOWING -> {
        in.readNBytes(CHUNK);
        c.abor(style);
        // keep reading: the gateway ends the data connection, the client does not
        drainQuietly(in);
      }
      case ABOR_AS_TRANSFER_ENDS -> {
        byte[] got = in.readAllBytes();
        assertThat(sha256(got)).isEqualTo(sha256(small));
        c.abor(style);
      }
    }
    c.nextFinal();
    c.nextFinal();
    s.close();
  }

  private void upload(RawFtpClient c, DataEnd data, Ordering ordering, AborStyle style) throws Exception {
    String name = "up-" + ordering + "-" + (uploads++) + ".bin";
    Socket s = c.start("STOR " + name, data);
    OutputStream out = s.getOutputStream();
    switch (ordering) {
      case CLOSE_THEN_ABOR -> {
        out.write(big, 0, 4 * CHUNK);
        s.close();
        c.abor(style);
      }
      case ABOR_THEN_CLOSE -> {
        out.write(big, 0, 4 * CHUNK);
        c.abor(style);
        s.close();
      }
      case ABOR_WHILE_FLOWING -> {
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
          try {
            for (int off = 0; !stop.get(); off = (off + CHUNK) % (BIG - CHUNK)) {
              out.write(big, off, CHUNK);
            }
          } catch (IOException e) {
            // the gateway ended the data connection: what ABOR asks for
          }
        });
        out.write(big, 0, CHUNK);
        c.abor(style);
        c.nextFinal();
        c.nextFinal();
        stop.set(true);
        s.close();
        writer.get(10, TimeUnit.SECONDS);
        return;
      }
      case ABOR_AS_TRANSFER_ENDS -> {
        out.write(small);
        s.close();
        c.abor(style);
      }
    }
    c.nextFinal();
    c.nextFinal();
  }

  private static void drainQuietly(InputStream in) {
    byte[] buf = new byte[CHUNK];
    try {
      while (in.read(buf) >= 0) {
        // until the gateway closes it
      }
    } catch (IOException e) {
      // reset: ended as well
    }
  }

  /** NOOP gets 200 (so no reply was left over), then a whole download compares checksums. */
  private void sessionGoesOn(RawFtpClient c) throws IOException {
    c.command("NOOP", 200);
    assertThat(sha256(c.retr("check.bin"))).isEqualTo(sha256(check));
    c.command("NOOP", 200);
  }
}
