package org.ftpsgateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Generated input for the codecs: framing never depends on how bytes are split, and nothing forges a line. */
class CodecProperties {

  @Provide
  Arbitrary<FtpReply> replies() {
    Arbitrary<Integer> codes = Arbitraries.integers().between(100, 559);
    Arbitrary<String> text = Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(60);
    Arbitrary<List<String>> inner = text.list().ofMaxSize(5);
    return Combinators.combine(codes, text, inner, text).as((code, first, lines, last) ->
        lines.isEmpty() ? FtpReply.of(code, first) : FtpReply.multiLine(code, first, lines, last));
  }

  @Provide
  Arbitrary<List<FtpReply>> replyLists() {
    return replies().list().ofMinSize(1).ofMaxSize(8);
  }

  @Property(tries = 300)
  void repliesSurviveAnySplit(@ForAll("replyLists") List<FtpReply> replies,
                              @ForAll @IntRange(min = 1, max = 64) int chunk) throws Exception {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    for (FtpReply r : replies) {
      wire.write(r.toBytes());
    }
    byte[] bytes = wire.toByteArray();
    FtpReplyDecoder decoder = new FtpReplyDecoder();
    List<FtpReply> out = new ArrayList<>();
    for (int i = 0; i < bytes.length; i += chunk) {
      decoder.feed(bytes, i, Math.min(chunk, bytes.length - i), out::add);
    }
    assertThat(out).isEqualTo(replies);
    assertThat(decoder.isIdle()).isTrue();
  }

  @Property(tries = 500)
  void commandLinesNeverCarryLineBreaksOrNul(@ForAll byte[] input,
                                             @ForAll @IntRange(min = 1, max = 16) int chunk) {
    List<String> whole = decodeLines(input, input.length == 0 ? 1 : input.length);
    List<String> split = decodeLines(input, chunk);
    assertThat(split).isEqualTo(whole);
    for (String line : whole) {
      assertThat(line).doesNotContain("\r").doesNotContain("\n").doesNotContain("\0");
    }
  }

  private static List<String> decodeLines(byte[] input, int chunk) {
    CommandLineDecoder decoder = new CommandLineDecoder(256);
    List<String> out = new ArrayList<>();
    CommandLineDecoder.Sink sink = new CommandLineDecoder.Sink() {
      @Override
      public void line(String line) {
        out.add("L:" + line);
      }

      @Override
      public void invalid(String reason) {
        out.add("I:" + reason);
      }
    };
    for (int i = 0; i < input.length; i += chunk) {
      decoder.feed(input, i, Math.min(chunk, input.length - i), sink);
    }
    return out;
  }

  @Property(tries = 300)
  void parsedCommandsReencodeToOneLine(@ForAll @Size(max = 300) String line) {
    FtpCommand command = FtpCommand.parse(line.replace('\r', ' ').replace('\n', ' '));
    if (command != null) {
      String wire = new String(command.toBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
      assertThat(wire.indexOf("\r\n")).isEqualTo(wire.length() - 2);
    }
  }
}
