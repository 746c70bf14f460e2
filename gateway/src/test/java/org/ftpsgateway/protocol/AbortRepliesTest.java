package org.ftpsgateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AbortRepliesTest {

  static Stream<Arguments> table() {
    return Stream.of(
        // upstream's final replies before NOOP's 200 -> transfer's code, ABOR's code
        Arguments.of("RFC 959 / vsftpd: 426 then 225", List.of(426, 225), 426, 225),
        Arguments.of("RFC 959: completed, 226 then 226", List.of(226, 226), 226, 226),
        Arguments.of("ProFTPD: ABOR answered first", List.of(226, 426), 426, 226),
        Arguments.of("pure-ftpd after a failed data connection: one reply", List.of(226), 426, 226),
        Arguments.of("pure-ftpd upload: 426 then 451", List.of(426, 451), 426, 226),
        Arguments.of("only the transfer's failure", List.of(426), 426, 226),
        Arguments.of("nothing at all", List.of(), 426, 226),
        Arguments.of("a 5xx and a 2xx", List.of(550, 226), 550, 226));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void sortsThePair(String name, List<Integer> finals, int transfer, int abor) {
    AbortReplies.Sorted s = AbortReplies.sort(finals.stream().map(c -> FtpReply.of(c, "x")).toList());
    assertThat(Arrays.asList(s.transfer().code(), s.abor().code())).containsExactly(transfer, abor);
  }
}
