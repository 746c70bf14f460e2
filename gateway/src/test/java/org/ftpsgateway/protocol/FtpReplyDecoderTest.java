package org.ftpsgateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

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

class FtpReplyDecoderTest {

  private static FtpReply reply(int code, String... lines) {
    return new FtpReply(code, List.of(lines));
  }

  private static byte[] bytes(String wire) {
    return wire.getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Wire text (ISO-8859-1, so every char is one byte) and the replies it must decode to. */
  static Stream<Arguments> validStreams() {
    return Stream.of(
        arguments("single line, CRLF", "220 Service ready\r\n", List.of(reply(220, "220 Service ready"))),
        arguments("single line, bare LF", "220 Service ready\n", List.of(reply(220, "220 Service ready"))),
        arguments("bare code", "200\r\n", List.of(reply(200, "200"))),
        arguments("code followed by a space and nothing", "200 \r\n", List.of(reply(200, "200 "))),
        arguments("lowest and highest codes", "100 a\r\n599 b\r\n",
            List.of(reply(100, "100 a"), reply(599, "599 b"))),
        arguments("multi-line FEAT", "211-Features:\r\n EPSV\r\n UTF8\r\n211 End\r\n",
            List.of(reply(211, "211-Features:", " EPSV", " UTF8", "211 End"))),
        arguments("RFC 959 §4.2: inner lines with other codes do not end it",
            "150-first\r\n226 not the end\r\n200 nor this\r\n150-still open\r\n150 done\r\n",
            List.of(reply(150, "150-first", "226 not the end", "200 nor this", "150-still open", "150 done"))),
        arguments("inner lines NNN- of the same code do not end it", "230-Welcome\r\n230-More\r\n230 Done\r\n",
            List.of(reply(230, "230-Welcome", "230-More", "230 Done"))),
        arguments("inner line with the code as a prefix of a longer number", "230-a\r\n2300 no\r\n230 end\r\n",
            List.of(reply(230, "230-a", "2300 no", "230 end"))),
        arguments("inner lines that are not replies at all",
            "220-a\r\n\r\nx\r\n 220 indented\r\n5x9\r\n220 end\r\n",
            List.of(reply(220, "220-a", "", "x", " 220 indented", "5x9", "220 end"))),
        arguments("multi-line closed by a bare code", "211-a\r\n b\r\n211\r\n",
            List.of(reply(211, "211-a", " b", "211"))),
        arguments("several replies in one buffer", "150 Opening\r\n226-Done\r\n x\r\n226 Bye\r\n221 Goodbye\r\n",
            List.of(reply(150, "150 Opening"), reply(226, "226-Done", " x", "226 Bye"),
                reply(221, "221 Goodbye"))),
        arguments("CRLF and LF mixed in one reply", "211-a\n b\r\n211 c\n",
            List.of(reply(211, "211-a", " b", "211 c"))),
        arguments("8-bit text kept byte for byte", "257 \"/caf\u00c3\u00a9\u00ff\" created\r\n",
            List.of(reply(257, "257 \"/caf\u00c3\u00a9\u00ff\" created"))),
        arguments("nothing", "", List.of()),
        arguments("an unfinished reply is not delivered", "220-a\r\n220 b", List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validStreams")
  void decodesInOneBuffer(String name, String wire, List<FtpReply> expected) throws Exception {
    assertThat(decodeInChunks(bytes(wire), new int[] {Integer.MAX_VALUE})).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validStreams")
  void decodesOneByteAtATime(String name, String wire, List<FtpReply> expected) throws Exception {
    assertThat(decodeInChunks(bytes(wire), new int[] {1})).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validStreams")
  void decodesSplitAtEveryPosition(String name, String wire, List<FtpReply> expected) throws Exception {
    byte[] all = bytes(wire);
    for (int split = 0; split <= all.length; split++) {
      FtpReplyDecoder decoder = new FtpReplyDecoder();
      List<FtpReply> out = new ArrayList<>();
      // fed from inside a larger array, so a wrong use of offset/length shows
      byte[] padded = new byte[all.length + 6];
      Arrays.fill(padded, (byte) 'X');
      System.arraycopy(all, 0, padded, 3, all.length);
      decoder.feed(padded, 3, split, out::add);
      decoder.feed(padded, 3 + split, all.length - split, out::add);
      assertThat(out).as("split at %d", split).isEqualTo(expected);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validStreams")
  void decodesInRandomChunks(String name, String wire, List<FtpReply> expected) throws Exception {
    Random random = new Random(wire.hashCode());
    for (int round = 0; round < 50; round++) {
      int[] sizes = random.ints(20, 1, 8).toArray();
      assertThat(decodeInChunks(bytes(wire), sizes)).as("chunks %s", Arrays.toString(sizes)).isEqualTo(expected);
    }
  }

  @Test
  void lineEndingsGiveTheSameReplies() throws Exception {
    String lf = "211-Features:\n EPSV\n211 End\n226 ok\n";
    String crlf = lf.replace("\n", "\r\n");
    assertThat(decodeInChunks(bytes(lf), new int[] {1})).isEqualTo(decodeInChunks(bytes(crlf), new int[] {1}));
  }

  /** Wire text whose last line is not a valid reply line; replies before it are still delivered. */
  static Stream<Arguments> invalidStreams() {
    return Stream.of(
        arguments("letter inside the code (not 499, not 509)", "5x9 bad\r\n", 0),
        arguments("first digit 0", "099 x\r\n", 0),
        arguments("first digit 6", "600 x\r\n", 0),
        arguments("no digits", "abc\r\n", 0),
        arguments("two digits", "20\r\n", 0),
        arguments("one digit", "2\n", 0),
        arguments("empty line", "\r\n", 0),
        arguments("fourth char neither space nor hyphen", "200x ok\r\n", 0),
        arguments("four-digit code", "2000 ok\r\n", 0),
        arguments("tab after the code", "200\tok\r\n", 0),
        arguments("leading space", " 200 ok\r\n", 0),
        arguments("signed code", "-20 ok\r\n", 0),
        arguments("digits beyond ASCII", "2\u00b20 ok\r\n", 0),
        arguments("bad line after a good reply", "200 ok\r\n5x9 no\r\n", 1),
        arguments("bad line after a multi-line reply", "211-a\r\n211 b\r\n 211 c\r\n", 1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidStreams")
  void refusesMalformedLines(String name, String wire, int goodReplies) {
    for (int chunk : new int[] {Integer.MAX_VALUE, 1}) {
      FtpReplyDecoder decoder = new FtpReplyDecoder();
      List<FtpReply> out = new ArrayList<>();
      assertThatThrownBy(() -> feedInChunks(decoder, bytes(wire), new int[] {chunk}, out))
          .isInstanceOf(FtpProtocolException.class)
          .hasMessageStartingWith("malformed reply line")
          .hasMessageNotContaining("\n").hasMessageNotContaining("\r");
      assertThat(out).hasSize(goodReplies);
      // the decoder stays failed: no later byte is ever interpreted
      assertThatThrownBy(() -> decoder.feed(bytes("200 ok\r\n"), out::add))
          .isInstanceOf(FtpProtocolException.class);
      assertThat(out).hasSize(goodReplies);
    }
  }

  @Test
  void parseCodeChecksEveryDigit() {
    assertThat(FtpReplyDecoder.parseCode("100")).isEqualTo(100);
    assertThat(FtpReplyDecoder.parseCode("599")).isEqualTo(599);
    for (String bad : List.of("5x9", "x00", "20x", "099", "600", "/00", ":00", "1/0", "10:")) {
      assertThat(FtpReplyDecoder.parseCode(bad)).as(bad).isEqualTo(-1);
    }
  }

  /** Wire text with a line over a 16-byte cap, and the index of the byte that must raise the error. */
  static Stream<Arguments> overLongLines() {
    String max = "200 " + "a".repeat(12); // 16 bytes
    return Stream.of(
        arguments("one byte too many, no terminator yet", max + "b", 16),
        arguments("one byte too many, then CRLF", max + "b\r\n", 16),
        arguments("endless line", max + "b".repeat(10_000), 16),
        arguments("CR after 16 bytes, then not LF", max + "\rb\r\n", 17),
        arguments("inner line of a multi-line reply", "211-a\r\n" + " " + "b".repeat(16) + "\r\n211 end\r\n", 23),
        arguments("after a good reply", "200 ok\r\n" + max + "bb\r\n", 24));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("overLongLines")
  void refusesOverLongLinesAtTheFirstByteBeyondTheCap(String name, String wire, int failingByte) {
    byte[] all = bytes(wire);
    FtpReplyDecoder decoder = new FtpReplyDecoder(16, 100);
    List<FtpReply> out = new ArrayList<>();
    int[] fed = {0};
    assertThatThrownBy(() -> {
      for (byte b : all) {
        decoder.feed(new byte[] {b}, out::add);
        fed[0]++;
      }
    }).isInstanceOf(FtpProtocolException.class).hasMessage("reply line longer than 16 bytes");
    assertThat(fed[0]).as("bytes accepted before the error").isEqualTo(failingByte);
  }

  /** The line buffer starts small and grows: a line of the default cap arrives whole, one byte more fails. */
  @Test
  void growsItsBufferUpToTheDefaultCap() throws Exception {
    String atCap = "200 " + "r".repeat(FtpReplyDecoder.DEFAULT_MAX_LINE_LENGTH - 4);
    for (int chunk : new int[] {Integer.MAX_VALUE, 1, 300}) {
      FtpReplyDecoder decoder = new FtpReplyDecoder();
      List<FtpReply> out = new ArrayList<>();
      feedInChunks(decoder, bytes(atCap + "\r\n"), new int[] {chunk}, out);
      assertThat(out).as("chunks of %d", chunk).containsExactly(reply(200, atCap));
    }
    FtpReplyDecoder decoder = new FtpReplyDecoder();
    assertThatThrownBy(() -> decoder.feed(bytes(atCap + "r\r\n"), r -> { }))
        .isInstanceOf(FtpProtocolException.class).hasMessageContaining("longer than");
  }

  static Stream<Arguments> linesAtTheCap() {
    String max = "200 " + "a".repeat(12); // exactly 16 bytes
    return Stream.of(
        arguments("bare LF", max + "\n"),
        arguments("CRLF: the terminator does not count", max + "\r\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("linesAtTheCap")
  void acceptsALineOfExactlyTheMaximumLength(String name, String wire) throws Exception {
    FtpReplyDecoder decoder = new FtpReplyDecoder(16, 100);
    List<FtpReply> out = new ArrayList<>();
    feedInChunks(decoder, bytes(wire), new int[] {1}, out);
    assertThat(out).containsExactly(reply(200, "200 " + "a".repeat(12)));
    assertThat(decoder.isIdle()).isTrue();
  }

  @Test
  void capsTheNumberOfLinesOfOneReply() throws Exception {
    FtpReplyDecoder decoder = new FtpReplyDecoder(64, 3);
    List<FtpReply> out = new ArrayList<>();
    decoder.feed(bytes("211-a\r\n b\r\n211 c\r\n"), out::add);
    assertThat(out).containsExactly(reply(211, "211-a", " b", "211 c"));

    assertThatThrownBy(() -> decoder.feed(bytes("211-a\r\n b\r\n c\r\n211 d\r\n"), out::add))
        .isInstanceOf(FtpProtocolException.class)
        .hasMessage("multi-line reply longer than 3 lines");
    assertThat(out).hasSize(1);
  }

  @Test
  void endlessMultiLineReplyFailsWithTheDefaultCap() {
    FtpReplyDecoder decoder = new FtpReplyDecoder();
    byte[] inner = bytes(" x\r\n".repeat(1000));
    assertThatThrownBy(() -> {
      decoder.feed(bytes("211-start\r\n"), r -> { });
      for (int i = 0; i <= FtpReplyDecoder.DEFAULT_MAX_REPLY_LINES / 1000; i++) {
        decoder.feed(inner, r -> { });
      }
    }).isInstanceOf(FtpProtocolException.class).hasMessageContaining("lines");
  }

  /** Bytes fed so far, and whether the decoder holds nothing of an unfinished reply. */
  static Stream<Arguments> idleStates() {
    return Stream.of(
        arguments("", true),
        arguments("2", false),
        arguments("220 ready", false),
        arguments("220 ready\r", false),
        arguments("220 ready\r\n", true),
        arguments("211-Features:\r\n", false),
        arguments("211-Features:\r\n EPSV\r\n", false),
        arguments("211-Features:\r\n EPSV\r\n211 End\r\n", true),
        arguments("211-Features:\r\n EPSV\r\n211 End\r\n200", false));
  }

  @ParameterizedTest(name = "after \"{0}\" idle={1}")
  @MethodSource("idleStates")
  void isIdleOnlyBetweenReplies(String wire, boolean idle) throws Exception {
    FtpReplyDecoder decoder = new FtpReplyDecoder();
    decoder.feed(bytes(wire), r -> { });
    assertThat(decoder.isIdle()).isEqualTo(idle);
  }

  private static List<FtpReply> decodeInChunks(byte[] all, int[] sizes) throws FtpProtocolException {
    List<FtpReply> out = new ArrayList<>();
    feedInChunks(new FtpReplyDecoder(), all, sizes, out);
    return out;
  }

  /** Feeds {@code all} in chunks of the given sizes, cycling through them. */
  private static void feedInChunks(FtpReplyDecoder decoder, byte[] all, int[] sizes, List<FtpReply> out)
      throws FtpProtocolException {
    int pos = 0;
    int i = 0;
    while (pos < all.length) {
      int n = (int) Math.min((long) sizes[i++ % sizes.length], all.length - pos);
      decoder.feed(Arrays.copyOfRange(all, pos, pos + n), out::add);
      pos += n;
    }
  }
}
