package org.ftpsgateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class FtpReplyTest {

  /** Texts that must never break the framing of a reply the gateway makes. */
  static Stream<String> hostileTexts() {
    return Stream.of("plain", "", "two\r\nlines", "bare\rcr", "bare\nlf", "nul\0byte", "\r\n226 Transfer complete",
        "ends with\r\n", "\n\n\n", "226-fake\r\n226 end", "caf\u00e9 \u00ff");
  }

  @ParameterizedTest(name = "{index}")
  @MethodSource("hostileTexts")
  void ofMakesOneLine(String text) throws Exception {
    FtpReply reply = FtpReply.of(550, text);
    assertThat(reply.lines()).hasSize(1);
    assertThat(reply.lines().get(0)).startsWith("550 ").doesNotContain("\r", "\n", "\0");
    assertThat(reply.lines().get(0)).hasSize(4 + text.length());
    assertThat(decodeAll(reply.toBytes())).containsExactly(reply);
  }

  @ParameterizedTest(name = "{index}")
  @MethodSource("hostileTexts")
  void multiLineFramingSurvivesAnyText(String text) throws Exception {
    FtpReply reply = FtpReply.multiLine(211, text, List.of(text, "211 " + text, "211-" + text, text), text);
    assertThat(reply.lines()).hasSize(6);
    for (String line : reply.lines()) {
      assertThat(line).doesNotContain("\r", "\n", "\0");
    }
    assertThat(reply.lines().get(0)).startsWith("211-");
    assertThat(reply.lines().subList(1, 5)).allMatch(l -> l.startsWith(" "));
    assertThat(reply.lines().get(5)).startsWith("211 ");
    // the decoder sees exactly this reply: no inner line closes it early, nothing spills into a second reply
    assertThat(decodeAll(reply.toBytes())).containsExactly(reply);
  }

  static Stream<Arguments> wireForms() {
    return Stream.of(
        arguments(FtpReply.of(200, "Command okay."), "200 Command okay.\r\n"),
        arguments(FtpReply.of(500, "bad\r\ninjected"), "500 bad  injected\r\n"),
        arguments(FtpReply.of(257, "\"/caf\u00c3\u00a9\""), "257 \"/caf\u00c3\u00a9\"\r\n"),
        arguments(FtpReply.multiLine(211, "Features:", List.of("EPSV", " UTF8", "  MDTM"), "End"),
            "211-Features:\r\n EPSV\r\n UTF8\r\n MDTM\r\n211 End\r\n"),
        arguments(FtpReply.multiLine(214, "Help", List.of(), "Done"), "214-Help\r\n214 Done\r\n"),
        arguments(new FtpReply(230, List.of("230-a", "230 b")), "230-a\r\n230 b\r\n"),
        arguments(new FtpReply(200, List.of("200")), "200\r\n"));
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("wireForms")
  void toBytesTerminatesEveryLineWithCrlf(FtpReply reply, String wire) {
    assertThat(reply.toBytes()).isEqualTo(wire.getBytes(StandardCharsets.ISO_8859_1));
  }

  static Stream<Arguments> texts() {
    return Stream.of(
        arguments(List.of("226 Transfer complete"), "Transfer complete", "Transfer complete"),
        arguments(List.of("226 "), "", ""),
        arguments(List.of("226"), "", ""),
        arguments(List.of("226-Welcome", "226-More", "226 Done"), "Welcome More Done", "Done"),
        arguments(List.of("226-Features:", " EPSV", "  UTF8 ", "226 End"), "Features: EPSV UTF8 End", "End"),
        arguments(List.of("226-First", "inner without code", "226 Last"), "First inner without code Last", "Last"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("texts")
  void textJoinsTheLinesWithoutCodes(List<String> lines, String text, String lastLineText) {
    FtpReply reply = new FtpReply(226, lines);
    assertThat(reply.text()).isEqualTo(text);
    assertThat(reply.lastLineText()).isEqualTo(lastLineText);
  }

  static Stream<Arguments> classes() {
    return Stream.of(
        arguments(100, true, false, false),
        arguments(150, true, false, false),
        arguments(199, true, false, false),
        arguments(200, false, true, false),
        arguments(299, false, true, false),
        arguments(331, false, false, false),
        arguments(399, false, false, false),
        arguments(400, false, false, true),
        arguments(550, false, false, true),
        arguments(599, false, false, true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("classes")
  void classifiesByFirstDigit(int code, boolean preliminary, boolean positive, boolean negative) {
    FtpReply reply = FtpReply.of(code, "x");
    assertThat(reply.isPreliminary()).isEqualTo(preliminary);
    assertThat(reply.isPositiveCompletion()).isEqualTo(positive);
    assertThat(reply.isNegative()).isEqualTo(negative);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(ints = {-1, 0, 99, 600, 999, 1000})
  void refusesCodesOutOfRange(int code) {
    assertThatThrownBy(() -> new FtpReply(code, List.of(code + " x"))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FtpReply.of(code, "x")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void refusesAReplyWithoutLines() {
    assertThatThrownBy(() -> new FtpReply(200, List.of())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void linesAreAnImmutableCopy() {
    List<String> lines = new ArrayList<>(List.of("211-a", "211 b"));
    FtpReply reply = new FtpReply(211, lines);
    lines.add("211 c");
    assertThat(reply.lines()).containsExactly("211-a", "211 b");
    assertThatThrownBy(() -> reply.lines().add("x")).isInstanceOf(UnsupportedOperationException.class);
  }

  private static List<FtpReply> decodeAll(byte[] wire) throws FtpProtocolException {
    FtpReplyDecoder decoder = new FtpReplyDecoder();
    List<FtpReply> out = new ArrayList<>();
    decoder.feed(wire, out::add);
    assertThat(decoder.isIdle()).isTrue();
    return out;
  }
}
