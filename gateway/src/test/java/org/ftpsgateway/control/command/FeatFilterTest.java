package org.ftpsgateway.control.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.List;
import java.util.stream.Stream;
import org.ftpsgateway.protocol.FtpReply;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FeatFilterTest {

  /** Lines of an upstream 211 FEAT reply and the lines the client must get. */
  static Stream<Arguments> featReplies() {
    return Stream.of(
        arguments("vsftpd with TLS",
            List.of("211-Features:", " AUTH TLS", " AUTH SSL", " EPRT", " EPSV", " MDTM", " PASV", " PBSZ", " PROT",
                " REST STREAM", " SIZE", " TVFS", " UTF8", "211 End"),
            List.of("211-Features:", " EPRT", " EPSV", " MDTM", " PASV", " REST STREAM", " SIZE", " TVFS", " UTF8",
                "211 End")),
        arguments("CCC and lower case removed, order kept",
            List.of("211-Extensions supported:", " UTF8", " ccc", " auth tls;tls-c;ssl", " Pbsz", " prot c;p", " SIZE",
                " MLST type*;size*;modify*;", "211 END"),
            List.of("211-Extensions supported:", " UTF8", " SIZE", " MLST type*;size*;modify*;", " EPSV", "211 END")),
        arguments("EPSV added before the last line when missing",
            List.of("211-Features:", " MDTM", " AUTH TLS", "211 End"),
            List.of("211-Features:", " MDTM", " EPSV", "211 End")),
        arguments("only security features",
            List.of("211-Features:", " AUTH TLS", " PBSZ", " PROT", "211 End"),
            List.of("211-Features:", " EPSV", "211 End")),
        arguments("no inner lines",
            List.of("211-Features:", "211 End"),
            List.of("211-Features:", " EPSV", "211 End")),
        arguments("epsv in lower case is not added twice",
            List.of("211-Features:", " epsv", "211 End"),
            List.of("211-Features:", " epsv", "211 End")),
        arguments("words that merely start like a hidden feature are kept",
            List.of("211-Features:", " AUTHX", " PROTOCOLS", " EPSV", "211 End"),
            List.of("211-Features:", " AUTHX", " PROTOCOLS", " EPSV", "211 End")),
        arguments("first and last lines are never filtered",
            List.of("211-AUTH TLS", " SIZE", " EPSV", "211 AUTH TLS"),
            List.of("211-AUTH TLS", " SIZE", " EPSV", "211 AUTH TLS")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("featReplies")
  void filtersFeatReplies(String name, List<String> upstream, List<String> expected) {
    assertThat(FeatFilter.filter(new FtpReply(211, upstream))).isEqualTo(new FtpReply(211, expected));
  }

  static Stream<Arguments> otherReplies() {
    return Stream.of(
        arguments(new FtpReply(500, List.of("500 FEAT not understood"))),
        arguments(new FtpReply(502, List.of("502 Command not implemented"))),
        arguments(new FtpReply(214, List.of("214-The following commands are recognized:", " AUTH PBSZ PROT CCC",
            "214 Help OK"))),
        arguments(new FtpReply(212, List.of("212-Directory status:", " AUTH TLS", "212 End"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("otherReplies")
  void leavesOtherRepliesUnchanged(FtpReply reply) {
    assertThat(FeatFilter.filter(reply)).isEqualTo(reply);
  }
}
