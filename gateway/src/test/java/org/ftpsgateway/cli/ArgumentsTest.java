package org.ftpsgateway.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.file.Path;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.ftpsgateway.cli.Arguments.Action;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Command lines, what they ask for and the exit code when nothing runs after parsing. */
class ArgumentsTest {

  private static String[] line(String text) {
    return text.isEmpty() ? new String[0] : text.split(" ");
  }

  static Stream<org.junit.jupiter.params.provider.Arguments> valid() {
    return Stream.of(
        arguments("--help", Action.HELP, null, null),
        arguments("-h", Action.HELP, null, null),
        arguments("--version", Action.VERSION, null, null),
        arguments("-V", Action.VERSION, null, null),
        // read left to right: --help wins over what follows it, even an unknown argument
        arguments("--help --bogus", Action.HELP, null, null),
        arguments("--demo --version", Action.VERSION, null, null),
        arguments("--demo", Action.DEMO, null, null),
        arguments("--demo --log-level debug", Action.DEMO, null, Level.FINE),
        arguments("--demo --check-config", Action.DEMO, null, null),
        arguments("--config g.yaml", Action.RUN, "g.yaml", null),
        arguments("-c g.yaml --log-level warn", Action.RUN, "g.yaml", Level.WARNING),
        arguments("--log-level error --config g.yaml", Action.RUN, "g.yaml", Level.SEVERE),
        arguments("--check-config g.yaml", Action.CHECK_CONFIG, "g.yaml", null),
        arguments("--config g.yaml --check-config", Action.CHECK_CONFIG, "g.yaml", null),
        arguments("--check-config -c g.yaml", Action.CHECK_CONFIG, "g.yaml", null),
        // the last file named wins
        arguments("--config a.yaml --config b.yaml", Action.RUN, "b.yaml", null));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("valid")
  void validCommandLines(String text, Action action, String config, Level level) {
    Arguments a = Arguments.parse(line(text));
    assertThat(a.action()).isEqualTo(action);
    assertThat(a.config()).isEqualTo(config == null ? null : Path.of(config));
    assertThat(a.logLevel()).isEqualTo(level);
    assertThat(a.error()).isNull();
    assertThat(a.exitCode()).isEqualTo(Arguments.EXIT_OK);
  }

  static Stream<org.junit.jupiter.params.provider.Arguments> invalid() {
    return Stream.of(
        arguments("", "give --config FILE or --demo (see --help)"),
        arguments("--bogus", "unknown argument '--bogus' (see --help)"),
        arguments("config.yaml", "unknown argument 'config.yaml' (see --help)"),
        arguments("--check-config", "give --config FILE or --demo (see --help)"),
        arguments("--log-level debug", "give --config FILE or --demo (see --help)"),
        arguments("--config", "--config needs a file name"),
        arguments("--demo -c", "--config needs a file name"),
        arguments("--log-level", "--log-level needs a level"),
        // a usage error before --help wins over it
        arguments("--log-level loud --help", "unknown log level 'loud' (use error, warn, info, debug or trace)"),
        arguments("--bogus --version", "unknown argument '--bogus' (see --help)"),
        arguments("--demo --config x.yaml", "--demo runs its own configuration; do not combine it with --config"),
        arguments("--check-config x.yaml --demo",
            "--demo runs its own configuration; do not combine it with --config"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("invalid")
  void invalidCommandLinesExitWithTwo(String text, String error) {
    Arguments a = Arguments.parse(line(text));
    assertThat(a.action()).isEqualTo(Action.USAGE_ERROR);
    assertThat(a.error()).isEqualTo(error);
    assertThat(a.exitCode()).isEqualTo(Arguments.EXIT_CONFIG).isEqualTo(2);
  }
}
