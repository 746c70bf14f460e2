package org.ftpsgateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class FtpCommandTest {

  /** UTF-8 bytes of a path, as the decoder hands them over: one ISO-8859-1 char per byte. */
  private static final String UTF8_PATH =
      new String("/données/日本.txt".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);

  static Stream<Arguments> commands() {
    return Stream.of(
        arguments("USER anna", "USER", "anna"),
        arguments("user anna", "USER", "anna"),
        arguments("rEtR file", "RETR", "file"),
        arguments("NOOP", "NOOP", ""),
        arguments("CWD", "CWD", ""),
        arguments("pwd", "PWD", ""),
        arguments("STOR my file  with   spaces ", "STOR", "my file  with   spaces "),
        arguments("LIST  -la", "LIST", " -la"),
        arguments("PASS ", "PASS", ""),
        arguments("RETR Caf\u00e9", "RETR", "Caf\u00e9"),
        arguments("STOR " + UTF8_PATH, "STOR", UTF8_PATH),
        arguments("SITE CHMOD 644 x", "SITE", "CHMOD 644 x"));
  }

  @ParameterizedTest(name = "\"{0}\" -> {1} \"{2}\"")
  @MethodSource("commands")
  void parsesVerbAndArgument(String line, String verb, String argument) {
    FtpCommand command = FtpCommand.parse(line);
    assertThat(command).isEqualTo(new FtpCommand(verb, argument));
    assertThat(command.hasArgument()).isEqualTo(!argument.isEmpty());
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"", " ", "  USER anna", " USER anna", "US", "US anna", "USERS anna", "US3R anna", "123 a",
      "RET1", "1234", "US-R", "USER\tanna", "\u00c9TAT x", "US\u00c9R", "PASS\0x", "NOOP\r", "ABOR\u00ff"})
  void refusesWhatIsNotACommand(String line) {
    assertThat(FtpCommand.parse(line)).isNull();
  }

  static Stream<Arguments> logForms() {
    return Stream.of(
        arguments("PASS secret", "PASS ****"),
        arguments("pass secret", "PASS ****"),
        arguments("PASS", "PASS ****"),
        arguments("PASS  with spaces", "PASS ****"),
        arguments("ACCT secret", "ACCT ****"),
        arguments("acct secret", "ACCT ****"),
        arguments("USER anna", "USER anna"),
        arguments("noop", "NOOP"),
        arguments("RETR " + "x".repeat(300), "RETR " + "x".repeat(195) + "..."));
  }

  @ParameterizedTest(name = "\"{0}\" logged as \"{1}\"")
  @MethodSource("logForms")
  void forLogHidesSecrets(String line, String logged) {
    FtpCommand command = FtpCommand.parse(line);
    assertThat(command.forLog()).isEqualTo(logged);
    assertThat(command.toString()).isEqualTo(logged);
    assertThat(command.forLog()).doesNotContain("secret");
  }

  static Stream<Arguments> wireForms() {
    return Stream.of(
        arguments("user anna", "USER anna\r\n"),
        arguments("noop", "NOOP\r\n"),
        arguments("PASS ", "PASS\r\n"),
        arguments("PASS secret", "PASS secret\r\n"),
        arguments("stor a  b ", "STOR a  b \r\n"),
        arguments("STOR " + UTF8_PATH, "STOR " + UTF8_PATH + "\r\n"));
  }

  @ParameterizedTest(name = "\"{0}\"")
  @MethodSource("wireForms")
  void toBytesNormalisesTheVerbAndKeepsTheArgumentBytes(String line, String wire) {
    assertThat(FtpCommand.parse(line).toBytes()).isEqualTo(wire.getBytes(StandardCharsets.ISO_8859_1));
  }

  @ParameterizedTest(name = "\"{0}\"")
  @MethodSource("commands")
  void toBytesParsesBackToTheSameCommand(String line, String verb, String argument) {
    FtpCommand command = FtpCommand.parse(line);
    String wire = new String(command.toBytes(), StandardCharsets.ISO_8859_1);
    assertThat(wire).endsWith("\r\n");
    assertThat(FtpCommand.parse(wire.substring(0, wire.length() - 2))).isEqualTo(command);
  }
}
