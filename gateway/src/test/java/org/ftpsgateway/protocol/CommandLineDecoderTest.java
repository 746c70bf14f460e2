package org.ftpsgateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CommandLineDecoderTest {

  private static final int IAC = 255;
  private static final int DONT = 254;
  private static final int DO = 253;
  private static final int WONT = 252;
  private static final int WILL = 251;
  private static final int SB = 250;
  private static final int DM = 242;
  private static final int NOP = 241;
  private static final int SE = 240;
  private static final int IP = 244;

  /** What the sink saw: a line, or "INVALID: reason". */
  private static String line(String text) {
    return "LINE: " + text;
  }

  private static String invalid(String reason) {
    return "INVALID: " + reason;
  }

  private static final String NUL = invalid("NUL byte in command line");
  private static final String BARE_CR = invalid("bare CR in command line");

  /** Builds wire bytes from strings (ISO-8859-1), Integers and chars (single bytes, e.g. Telnet codes). */
  private static byte[] wire(Object... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object p : parts) {
      if (p instanceof Integer b) {
        out.write(b);
      } else if (p instanceof Character c) {
        out.write(c);
      } else {
        out.writeBytes(((String) p).getBytes(StandardCharsets.ISO_8859_1));
      }
    }
    return out.toByteArray();
  }

  static Stream<Arguments> streams() {
    return Stream.of(
        arguments("CRLF", wire("USER anna\r\n"), List.of(line("USER anna"))),
        arguments("bare LF", wire("USER anna\n"), List.of(line("USER anna"))),
        arguments("empty line", wire("\r\n"), List.of(line(""))),
        arguments("pipelined commands", wire("USER a\r\nPASS b\nPWD\r\nQUIT\r\n"),
            List.of(line("USER a"), line("PASS b"), line("PWD"), line("QUIT"))),
        arguments("unfinished line is held back", wire("NOOP\r\nPW"), List.of(line("NOOP"))),
        arguments("RFC 959 §4.1.3: IAC IP IAC DM before ABOR", wire(IAC, IP, IAC, DM, "ABOR\r\n"),
            List.of(line("ABOR"))),
        arguments("IAC IAC is a literal 0xFF", wire("RETR a", IAC, IAC, "b\r\n"), List.of(line("RETR a\u00ffb"))),
        arguments("IAC WILL x dropped", wire(IAC, WILL, 1, "NOOP\r\n"), List.of(line("NOOP"))),
        arguments("IAC WONT/DO/DONT x dropped", wire(IAC, WONT, 1, IAC, DO, 3, IAC, DONT, 24, "NOOP\r\n"),
            List.of(line("NOOP"))),
        arguments("option byte that looks like LF, CR, NUL or IAC", wire(IAC, WILL, '\n', IAC, DO, '\r', IAC, DONT, 0,
            IAC, WONT, IAC, "NOOP\r\n"), List.of(line("NOOP"))),
        arguments("Telnet command inside a verb", wire("NO", IAC, NOP, "OP\r\n"), List.of(line("NOOP"))),
        arguments("subnegotiation dropped", wire(IAC, SB, 24, 0, 'x', 't', IAC, SE, "NOOP\r\n"), List.of(line("NOOP"))),
        arguments("subnegotiation with IAC IAC, LF, CR and NUL inside",
            wire("NO", IAC, SB, 1, IAC, IAC, '\n', '\r', 0, 2, IAC, SE, "OP\r\n"), List.of(line("NOOP"))),
        arguments("IAC command between CR and LF", wire("NOOP\r", IAC, NOP, "\n"), List.of(line("NOOP"))),
        arguments("UTF-8 path as ISO-8859-1 chars", wire("STOR caf\u00c3\u00a9.txt\r\n"),
            List.of(line("STOR caf\u00c3\u00a9.txt"))),
        arguments("NUL inside a line", wire("USER a\0b\r\nNOOP\r\n"), List.of(NUL, line("NOOP"))),
        arguments("NUL at the end of a line", wire("USER a\0\r\n"), List.of(NUL)),
        arguments("NUL alone", wire("\0\n"), List.of(NUL)),
        arguments("bare CR: the rest never becomes a command", wire("USER a\rDELE x\r\nNOOP\r\n"),
            List.of(BARE_CR, line("NOOP"))),
        arguments("bare CR then bare LF", wire("USER a\rDELE x\nNOOP\n"), List.of(BARE_CR, line("NOOP"))),
        arguments("CR CR LF", wire("USER a\r\r\n"), List.of(BARE_CR)),
        arguments("RFC 854 CR NUL", wire("USER a\r\0b\r\n"), List.of(BARE_CR)),
        arguments("bare CR in the middle of a pipeline", wire("USER a\r\nCWD x\rDELE y\r\nPWD\r\n"),
            List.of(line("USER a"), BARE_CR, line("PWD"))),
        arguments("ABOR as urgent data: the LF never arrives (ftplib MSG_OOB)", wire("ABOR\rNOOP\r\n"),
            List.of(line("ABOR"), line("NOOP"))),
        arguments("ABOR CRLF still one line", wire("abor\r\nNOOP\r\n"), List.of(line("abor"), line("NOOP"))),
        arguments("ABOR CR, Telnet command, LF", wire("ABOR\r", IAC, NOP, "\nPWD\n"), List.of(line("ABOR"), line("PWD"))),
        arguments("IAC IP IAC DM ABOR CR", wire(IAC, IP, IAC, DM, "ABOR\r"), List.of(line("ABOR"))),
        arguments("only a bare ABOR ends at CR", wire("ABORT\rDELE x\r\nXABOR\rY\r\n"), List.of(BARE_CR, BARE_CR)),
        arguments("ABOR CR CR LF", wire("ABOR\r\r\n"), List.of(line("ABOR"), line(""))),
        arguments("CR then an escaped 0xFF", wire("RETR a\r", IAC, IAC, "\n"), List.of(BARE_CR)),
        arguments("CR, Telnet command, then data", wire("RETR a\r", IAC, NOP, "DELE b\r\n"), List.of(BARE_CR)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("streams")
  void decodesInOneBuffer(String name, byte[] wire, List<String> expected) {
    assertThat(decode(new CommandLineDecoder(), wire, new int[] {Integer.MAX_VALUE})).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("streams")
  void decodesOneByteAtATime(String name, byte[] wire, List<String> expected) {
    assertThat(decode(new CommandLineDecoder(), wire, new int[] {1})).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("streams")
  void decodesSplitAtEveryPosition(String name, byte[] wire, List<String> expected) {
    for (int split = 0; split <= wire.length; split++) {
      CommandLineDecoder decoder = new CommandLineDecoder();
      Recorder sink = new Recorder();
      byte[] padded = new byte[wire.length + 4];
      Arrays.fill(padded, (byte) '\n'); // a wrong offset or count would show up as extra lines
      System.arraycopy(wire, 0, padded, 2, wire.length);
      decoder.feed(padded, 2, split, sink);
      decoder.feed(padded, 2 + split, wire.length - split, sink);
      assertThat(sink.events).as("split at %d", split).isEqualTo(expected);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("streams")
  void decodesInRandomChunks(String name, byte[] wire, List<String> expected) {
    Random random = new Random(Arrays.hashCode(wire));
    for (int round = 0; round < 50; round++) {
      int[] sizes = random.ints(20, 1, 6).toArray();
      assertThat(decode(new CommandLineDecoder(), wire, sizes)).as("chunks %s", Arrays.toString(sizes))
          .isEqualTo(expected);
    }
  }

  /** Streams for a decoder capped at 8 bytes. */
  static Stream<Arguments> cappedStreams() {
    String tooLong = invalid("command line longer than 8 bytes");
    return Stream.of(
        arguments("exactly the cap", wire("RETR abc\r\n"), List.of(line("RETR abc"))),
        arguments("exactly the cap, bare LF", wire("RETR abc\n"), List.of(line("RETR abc"))),
        arguments("one byte over, then recovery", wire("RETR abcd\r\nNOOP\r\n"), List.of(tooLong, line("NOOP"))),
        arguments("far over: reported once", wire("RETR " + "x".repeat(5000) + "\r\nPWD\r\n"),
            List.of(tooLong, line("PWD"))),
        arguments("over the cap with escaped 0xFF", wire("RETR ", IAC, IAC, IAC, IAC, IAC, IAC, IAC, IAC, "\r\nPWD\n"),
            List.of(tooLong, line("PWD"))),
        arguments("Telnet commands do not count", wire("RETR", IAC, NOP, IAC, WILL, 1, " abc\r\n"),
            List.of(line("RETR abc"))),
        arguments("too long and a bare CR: one report", wire("RETR abcdefgh\rDELE x\r\nPWD\r\n"),
            List.of(tooLong, line("PWD"))),
        arguments("bare CR first, then too long: one report", wire("RETR\rDELE abcdefgh\r\nPWD\r\n"),
            List.of(BARE_CR, line("PWD"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cappedStreams")
  void capsTheLineLength(String name, byte[] wire, List<String> expected) {
    for (int chunk : new int[] {Integer.MAX_VALUE, 1, 3}) {
      CommandLineDecoder decoder = new CommandLineDecoder(8);
      assertThat(decode(decoder, wire, new int[] {chunk})).as("chunks of %d", chunk).isEqualTo(expected);
      assertThat(decoder.pending()).isZero();
    }
  }

  /** The line buffer starts small and grows: lines up to the default cap arrive whole, one byte more does not. */
  @Test
  void growsItsBufferUpToTheDefaultCap() {
    String atCap = "RETR " + "p".repeat(CommandLineDecoder.DEFAULT_MAX_LINE_LENGTH - 5);
    String overCap = atCap + "q";
    for (int chunk : new int[] {Integer.MAX_VALUE, 1, 300}) {
      CommandLineDecoder decoder = new CommandLineDecoder();
      byte[] wire = wire(atCap + "\r\n" + overCap + "\r\nPWD\r\n");
      assertThat(decode(decoder, wire, new int[] {chunk})).as("chunks of %d", chunk).containsExactly(line(atCap),
          invalid("command line longer than " + CommandLineDecoder.DEFAULT_MAX_LINE_LENGTH + " bytes"), line("PWD"));
    }
  }

  @Test
  void neverHoldsMoreThanTheCap() {
    CommandLineDecoder decoder = new CommandLineDecoder(8);
    Recorder sink = new Recorder();
    byte[] chunk = "abcdefghij".getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < 1000; i++) {
      decoder.feed(chunk, sink);
      assertThat(decoder.pending()).isLessThanOrEqualTo(8);
    }
    assertThat(sink.events).isEmpty();
  }

  @Test
  void pendingCountsTheUnfinishedLine() {
    CommandLineDecoder decoder = new CommandLineDecoder();
    Recorder sink = new Recorder();
    decoder.feed(wire("NOOP\r\nRE"), sink);
    assertThat(decoder.pending()).isEqualTo(2);
    decoder.feed(wire("TR\r\n"), sink);
    assertThat(decoder.pending()).isZero();
    assertThat(sink.events).containsExactly(line("NOOP"), line("RETR"));
  }

  @Test
  void everyByteExceptTheFramingOnesRoundTripsThroughIso88591() {
    ByteArrayOutputStream argument = new ByteArrayOutputStream();
    for (int b = 1; b < 255; b++) {
      if (b != '\r' && b != '\n') {
        argument.write(b);
      }
    }
    byte[] arg = argument.toByteArray();
    byte[] wire = wire("STOR ", new String(arg, StandardCharsets.ISO_8859_1), IAC, IAC, "\r\n");
    List<String> events = decode(new CommandLineDecoder(), wire, new int[] {7});
    assertThat(events).hasSize(1);
    byte[] decoded = events.get(0).substring("LINE: ".length()).getBytes(StandardCharsets.ISO_8859_1);
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.writeBytes("STOR ".getBytes(StandardCharsets.US_ASCII));
    expected.writeBytes(arg);
    expected.write(0xFF);
    assertThat(decoded).isEqualTo(expected.toByteArray());
  }

  private static List<String> decode(CommandLineDecoder decoder, byte[] all, int[] sizes) {
    Recorder sink = new Recorder();
    int pos = 0;
    int i = 0;
    while (pos < all.length) {
      int n = (int) Math.min((long) sizes[i++ % sizes.length], all.length - pos);
      decoder.feed(Arrays.copyOfRange(all, pos, pos + n), sink);
      pos += n;
    }
    return sink.events;
  }

  private static final class Recorder implements CommandLineDecoder.Sink {
    final List<String> events = new ArrayList<>();

    @Override
    public void line(String line) {
      events.add(CommandLineDecoderTest.line(line));
    }

    @Override
    public void invalid(String reason) {
      events.add(CommandLineDecoderTest.invalid(reason));
    }
  }
}
