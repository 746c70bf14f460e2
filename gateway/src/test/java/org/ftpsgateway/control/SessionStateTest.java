package org.ftpsgateway.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SessionStateTest {

  static Stream<Arguments> table() {
    return Stream.of(
        // state, verb, allowed
        Arguments.of(SessionState.CONNECTING, "USER", false),
        Arguments.of(SessionState.CONNECTING, "QUIT", false),
        Arguments.of(SessionState.AWAITING_LOGIN, "USER", true),
        Arguments.of(SessionState.AWAITING_LOGIN, "PASS", true),
        Arguments.of(SessionState.AWAITING_LOGIN, "AUTH", true),
        Arguments.of(SessionState.AWAITING_LOGIN, "PBSZ", true),
        Arguments.of(SessionState.AWAITING_LOGIN, "PROT", true),
        Arguments.of(SessionState.AWAITING_LOGIN, "FEAT", true),
        Arguments.of(SessionState.AWAITING_LOGIN, "QUIT", true),
        Arguments.of(SessionState.AWAITING_LOGIN, "PASV", false),
        Arguments.of(SessionState.AWAITING_LOGIN, "EPSV", false),
        Arguments.of(SessionState.AWAITING_LOGIN, "RETR", false),
        Arguments.of(SessionState.AWAITING_LOGIN, "LIST", false),
        Arguments.of(SessionState.AWAITING_LOGIN, "CWD", false),
        Arguments.of(SessionState.AWAITING_LOGIN, "SYST", true),
        Arguments.of(SessionState.AWAITING_LOGIN, "NOOP", true),
        Arguments.of(SessionState.AWAITING_LOGIN, "HELP", true),
        Arguments.of(SessionState.AWAITING_LOGIN, "OPTS", true),
        Arguments.of(SessionState.AWAITING_LOGIN, "HOST", true),
        Arguments.of(SessionState.AWAITING_LOGIN, "CCC", true),
        Arguments.of(SessionState.AWAITING_LOGIN, "PORT", false),
        Arguments.of(SessionState.AWAITING_LOGIN, "EPRT", false),
        Arguments.of(SessionState.AWAITING_LOGIN, "STOR", false),
        Arguments.of(SessionState.AWAITING_LOGIN, "ABOR", false),
        Arguments.of(SessionState.LOGGED_IN, "RETR", true),
        Arguments.of(SessionState.LOGGED_IN, "PASV", true),
        Arguments.of(SessionState.LOGGED_IN, "SITE", true),
        Arguments.of(SessionState.TRANSFERRING, "ABOR", true),
        Arguments.of(SessionState.TRANSFERRING, "RETR", false),
        Arguments.of(SessionState.TRANSFERRING, "NOOP", false),
        Arguments.of(SessionState.CLOSED, "QUIT", false),
        Arguments.of(SessionState.CLOSED, "ABOR", false));
  }

  @ParameterizedTest(name = "{0} allows {1}: {2}")
  @MethodSource("table")
  void allowedVerbs(SessionState state, String verb, boolean allowed) {
    assertThat(state.allows(verb)).isEqualTo(allowed);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("states")
  void onlyTheGreetedStatesTakeQueuedCommands(SessionState state, boolean takes) {
    assertThat(state.takesCommands()).isEqualTo(takes);
  }

  static Stream<Arguments> states() {
    return Stream.of(
        Arguments.of(SessionState.CONNECTING, false),
        Arguments.of(SessionState.AWAITING_LOGIN, true),
        Arguments.of(SessionState.LOGGED_IN, true),
        Arguments.of(SessionState.TRANSFERRING, false),
        Arguments.of(SessionState.CLOSED, false));
  }
}
