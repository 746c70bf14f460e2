package org.ftpsgateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class DataAddressesTest {

  private static Optional<HostPort> hp(String host, int port) {
    return Optional.of(new HostPort(host, port));
  }

  static Stream<Arguments> pasvReplies() {
    return Stream.of(
        arguments("Entering Passive Mode (192,168,1,2,19,137).", hp("192.168.1.2", 5001)),
        arguments("Entering Passive Mode (192,168,1,2,19,137)", hp("192.168.1.2", 5001)),
        arguments("Entering Passive Mode 192,168,1,2,19,137", hp("192.168.1.2", 5001)),
        arguments("Entering Passive Mode. =10,0,0,1,0,21", hp("10.0.0.1", 21)),
        arguments("(255,255,255,255,255,255)", hp("255.255.255.255", 65535)),
        arguments("(0,0,0,0,0,1)", hp("0.0.0.0", 1)),
        arguments("(010,000,000,001,000,021)", hp("10.0.0.1", 21)),
        arguments("Entering Passive Mode (256,1,1,1,1,1).", Optional.empty()),
        arguments("Entering Passive Mode (1,1,1,999,1,1).", Optional.empty()),
        arguments("Entering Passive Mode (1,1,1,1,256,1).", Optional.empty()),
        arguments("Entering Passive Mode (1,1,1,1,1,256).", Optional.empty()),
        arguments("Entering Passive Mode (1234,1,1,1,1,1).", Optional.empty()),
        arguments("Entering Passive Mode (1000,1,1,1,1,1).", Optional.empty()),
        arguments("Entering Passive Mode (1,1,1,1,1,1000).", Optional.empty()),
        arguments("Entering Passive Mode (1,1,1,1,1,2560).", Optional.empty()),
        arguments("Entering Passive Mode (1,2,3,4,5,6,7).", Optional.empty()),
        arguments("Entering Passive Mode (1,1,1,1,0,0).", Optional.empty()),
        arguments("Entering Passive Mode (1,1,1,1,1).", Optional.empty()),
        arguments("Entering Passive Mode (1,1,1,1,1,-1).", Optional.empty()),
        arguments("Entering Passive Mode (1, 1, 1, 1, 1, 1).", Optional.empty()),
        arguments("Entering Passive Mode (a,b,c,d,e,f).", Optional.empty()),
        arguments("Entering Passive Mode", Optional.empty()),
        arguments("", Optional.empty()));
  }

  @ParameterizedTest(name = "\"{0}\" -> {1}")
  @MethodSource("pasvReplies")
  void parsesPasvReplies(String text, Optional<HostPort> expected) {
    assertThat(DataAddresses.parsePasvReply(text)).isEqualTo(expected);
  }

  static Stream<Arguments> epsvReplies() {
    return Stream.of(
        arguments("Entering Extended Passive Mode (|||6446|)", Optional.of(6446)),
        arguments("Entering Extended Passive Mode (|||6446|).", Optional.of(6446)),
        arguments("(|||1|)", Optional.of(1)),
        arguments("(|||65535|)", Optional.of(65535)),
        arguments("(!!!6446!)", Optional.of(6446)),
        arguments("(###21#)", Optional.of(21)),
        arguments("(~~~21~)", Optional.of(21)),
        arguments("(|||0|)", Optional.empty()),
        arguments("(|||65536|)", Optional.empty()),
        arguments("(|||123456|)", Optional.empty()),
        arguments("(|||-1|)", Optional.empty()),
        arguments("(|||abc|)", Optional.empty()),
        arguments("(||||)", Optional.empty()),
        arguments("(||6446|)", Optional.empty()),
        arguments("(|||6446)", Optional.empty()),
        arguments("(|||6446!)", Optional.empty()),
        arguments("(|!|6446|)", Optional.empty()),
        arguments("(   6446 )", Optional.empty()),
        arguments("( |||6446|)", Optional.empty()),
        arguments("|||6446|", Optional.empty()),
        arguments("(|1|10.0.0.1|6446|)", Optional.empty()),
        arguments("Entering Passive Mode (10,0,0,1,25,46)", Optional.empty()),
        arguments("", Optional.empty()));
  }

  @ParameterizedTest(name = "\"{0}\" -> {1}")
  @MethodSource("epsvReplies")
  void parsesEpsvReplies(String text, Optional<Integer> expected) {
    assertThat(DataAddresses.parseEpsvReply(text)).isEqualTo(expected);
  }

  static Stream<Arguments> portArguments() {
    return Stream.of(
        arguments("192,168,1,2,19,137", hp("192.168.1.2", 5001)),
        arguments(" 10,0,0,1,0,21 ", hp("10.0.0.1", 21)),
        arguments("127,0,0,1,255,255", hp("127.0.0.1", 65535)),
        arguments("192,168,1,2,19", Optional.empty()),
        arguments("192,168,1,2,19,137,1", Optional.empty()),
        arguments("256,0,0,1,0,21", Optional.empty()),
        arguments("1,2,3,4,256,1", Optional.empty()),
        arguments("1,2,3,4,5,256", Optional.empty()),
        arguments("1,2,3,4,0,0", Optional.empty()),
        arguments("1,2,3,4,5,6x", Optional.empty()),
        arguments("(1,2,3,4,5,6)", Optional.empty()),
        arguments("1, 2,3,4,5,6", Optional.empty()),
        arguments("1.2.3.4,5,6", Optional.empty()),
        arguments("a,b,c,d,e,f", Optional.empty()),
        arguments("1234,2,3,4,5,6", Optional.empty()),
        arguments("", Optional.empty()));
  }

  @ParameterizedTest(name = "PORT \"{0}\" -> {1}")
  @MethodSource("portArguments")
  void parsesPortArguments(String argument, Optional<HostPort> expected) {
    assertThat(DataAddresses.parsePortArgument(argument)).isEqualTo(expected);
  }

  static Stream<Arguments> eprtArguments() {
    return Stream.of(
        arguments("|1|132.235.1.2|6275|", hp("132.235.1.2", 6275)),
        arguments("|2|1080::8:800:200C:417A|5282|", hp("1080::8:800:200C:417A", 5282)),
        arguments("|2|::1|21|", hp("::1", 21)),
        arguments("|2|::ffff:10.0.0.1|21|", hp("::ffff:10.0.0.1", 21)),
        arguments("!1!10.0.0.1!21!", hp("10.0.0.1", 21)),
        arguments(" |1|10.0.0.1|65535| ", hp("10.0.0.1", 65535)),
        arguments("|3|10.0.0.1|21|", Optional.empty()),
        arguments("||10.0.0.1|21|", Optional.empty()),
        arguments("|1|::1|21|", Optional.empty()),
        arguments("|2|10.0.0.1|21|", Optional.empty()),
        arguments("|1|10.0.0.1|0|", Optional.empty()),
        arguments("|1|10.0.0.1|65536|", Optional.empty()),
        arguments("|1|10.0.0.1|-1|", Optional.empty()),
        arguments("|1|10.0.0.1||", Optional.empty()),
        arguments("|1|10.0.0.1|21", Optional.empty()),
        arguments("|1|10.0.0.1|21|x", Optional.empty()),
        arguments("|1|10.0.0.1|21|22|", Optional.empty()),
        arguments("|1|10.0.0|21|", Optional.empty()),
        arguments("|1|256.0.0.1|21|", Optional.empty()),
        arguments("|1|ftp.example.com|21|", Optional.empty()),
        arguments("|2|ftp.example.com|21|", Optional.empty()),
        arguments("|2|[::1]|21|", Optional.empty()),
        arguments("|2|fe80::1%eth0|21|", Optional.empty()),
        arguments("|2|1:2|21|", Optional.empty()),
        arguments("|1|10.0.0.1!21|", Optional.empty()),
        arguments(" 1|10.0.0.1|21|", Optional.empty()),
        arguments("||||", Optional.empty()),
        arguments("", Optional.empty()));
  }

  @ParameterizedTest(name = "EPRT \"{0}\" -> {1}")
  @MethodSource("eprtArguments")
  void parsesEprtArguments(String argument, Optional<HostPort> expected) {
    assertThat(DataAddresses.parseEprtArgument(argument)).isEqualTo(expected);
  }

  static Stream<Arguments> addressesAndPorts() {
    return Stream.of(
        arguments("10.0.0.1", 21),
        arguments("192.168.100.200", 5001),
        arguments("0.0.0.0", 1),
        arguments("255.255.255.255", 65535),
        arguments("127.0.0.1", 256),
        arguments("127.0.0.1", 255));
  }

  @ParameterizedTest(name = "{0}:{1}")
  @MethodSource("addressesAndPorts")
  void formattedRepliesParseBack(String ipv4, int port) {
    String pasv = DataAddresses.formatPasvReplyText(ipv4, port);
    assertThat(pasv).startsWith("Entering Passive Mode (").endsWith(").");
    assertThat(DataAddresses.parsePasvReply(pasv)).isEqualTo(hp(ipv4, port));

    String epsv = DataAddresses.formatEpsvReplyText(port);
    assertThat(epsv).isEqualTo("Entering Extended Passive Mode (|||" + port + "|)");
    assertThat(DataAddresses.parseEpsvReply(epsv)).contains(port);

    String numbers = pasv.substring(pasv.indexOf('(') + 1, pasv.indexOf(')'));
    assertThat(DataAddresses.parsePortArgument(numbers)).isEqualTo(hp(ipv4, port));
    assertThat(DataAddresses.parseEprtArgument("|1|" + ipv4 + "|" + port + "|")).isEqualTo(hp(ipv4, port));

    assertThat(DataAddresses.formatPortArgument(ipv4, port)).isEqualTo(numbers);
    assertThat(DataAddresses.formatEprtArgument(ipv4, port)).isEqualTo("|1|" + ipv4 + "|" + port + "|");
    assertThat(DataAddresses.parseEprtArgument(DataAddresses.formatEprtArgument(ipv4, port)))
        .isEqualTo(hp(ipv4, port));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"::1", "2001:db8::7", "fe80:0:0:0:0:0:0:1"})
  void eprtArgumentsForIpv6ParseBack(String ipv6) {
    assertThat(DataAddresses.formatEprtArgument(ipv6, 50000)).isEqualTo("|2|" + ipv6 + "|50000|");
    assertThat(DataAddresses.parseEprtArgument(DataAddresses.formatEprtArgument(ipv6, 50000)))
        .isEqualTo(hp(ipv6, 50000));
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"0.0.0.0", "10.0.0.1", "255.255.255.255", "001.002.003.004"})
  void ipv4Literals(String host) {
    assertThat(DataAddresses.isIpv4Literal(host)).isTrue();
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"", "10.0.0", "10.0.0.1.", "10.0.0.1.2", "10..0.1", "256.0.0.1", "1000.0.0.1", "a.b.c.d",
      "-1.0.0.1", "+1.0.0.1", " 10.0.0.1", "::1", "localhost"})
  void notIpv4Literals(String host) {
    assertThat(DataAddresses.isIpv4Literal(host)).isFalse();
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"::1", "::", "1080::8:800:200C:417A", "fe80:0:0:0:0:0:0:1", "::ffff:10.0.0.1", "2001:db8::"})
  void ipv6Literals(String host) {
    assertThat(DataAddresses.isIpv6Literal(host)).isTrue();
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {"", "10.0.0.1", "localhost", "1:2", ":::", "[::1]", "fe80::1%eth0", "fe80::1%1", "::g",
      "1:2:3:4:5:6:7:8:9", "ff:ff.example"})
  void notIpv6Literals(String host) {
    assertThat(DataAddresses.isIpv6Literal(host)).isFalse();
  }
}
