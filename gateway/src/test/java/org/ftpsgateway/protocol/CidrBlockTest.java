package org.ftpsgateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CidrBlockTest {

  static Stream<Arguments> membership() {
    return Stream.of(
        arguments("10.0.0.0/8", "10.0.0.0", true),
        arguments("10.0.0.0/8", "10.255.255.255", true),
        arguments("10.0.0.0/8", "11.0.0.0", false),
        arguments("10.0.0.0/8", "9.255.255.255", false),
        arguments("192.168.1.128/25", "192.168.1.128", true),
        arguments("192.168.1.128/25", "192.168.1.127", false),
        arguments("172.16.0.0/12", "172.31.1.1", true),
        arguments("172.16.0.0/12", "172.32.0.1", false),
        arguments("127.0.0.1", "127.0.0.1", true),
        arguments("127.0.0.1", "127.0.0.2", false),
        arguments("127.0.0.1/32", "127.0.0.1", true),
        arguments("0.0.0.0/0", "203.0.113.9", true),
        arguments("0.0.0.0/0", "2001:db8::1", false),
        // IPv4-mapped IPv6 clients are their IPv4 address
        arguments("10.0.0.0/8", "::ffff:10.1.2.3", true),
        arguments("10.0.0.0/8", "::ffff:11.1.2.3", false),
        arguments("::ffff:10.0.0.0/104", "10.9.9.9", true),
        arguments("::ffff:0:0/96", "198.51.100.7", true),
        arguments("::ffff:10.0.0.0/104", "11.9.9.9", false),
        arguments("::1/128", "::1", true),
        arguments("::1/128", "0:0:0:0:0:0:0:1", true),
        arguments("::1/128", "[::1]", true),
        arguments("::1/128", "::2", false),
        arguments("::1/128", "127.0.0.1", false),
        arguments("::/0", "2001:db8::1", true),
        arguments("::/0", "127.0.0.1", false),
        arguments("2001:db8::/32", "2001:DB8:ffff::1", true),
        arguments("2001:db8::/32", "2001:db9::1", false),
        arguments("fe80::/10", "febf::1", true),
        arguments("fe80::/10", "fec0::1", false),
        // names are never resolved
        arguments("127.0.0.0/8", "localhost", false),
        arguments("127.0.0.0/8", "", false),
        arguments("127.0.0.0/8", null, false));
  }

  @ParameterizedTest(name = "{1} in {0} -> {2}")
  @MethodSource("membership")
  void contains(String block, String host, boolean expected) {
    assertThat(CidrBlock.parse(block).contains(host)).isEqualTo(expected);
    assertThat(CidrBlock.anyContains(List.of(CidrBlock.parse(block)), host)).isEqualTo(expected);
  }

  static Stream<Arguments> canonical() {
    return Stream.of(
        arguments("10.0.0.0/8", "10.0.0.0/8"),
        arguments(" 127.0.0.1 ", "127.0.0.1/32"),
        arguments("::1", "0:0:0:0:0:0:0:1/128"),
        arguments("::/0", "0:0:0:0:0:0:0:0/0"),
        arguments("::ffff:10.0.0.0/104", "10.0.0.0/8"),
        arguments("2001:DB8::/32", "2001:db8:0:0:0:0:0:0/32"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("canonical")
  void canonicalFormAndEquality(String text, String expected) {
    CidrBlock b = CidrBlock.parse(text);
    assertThat(b).hasToString(expected);
    assertThat(CidrBlock.parse(expected)).isEqualTo(b).hasSameHashCodeAs(b);
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        arguments("", "empty"),
        arguments("   ", "empty"),
        arguments("10.0.0.0/33", "exceeds 32"),
        arguments("::/129", "exceeds 128"),
        arguments("10.0.0.0/-1", "no valid prefix"),
        arguments("10.0.0.0/", "no valid prefix"),
        arguments("10.0.0.0/8/8", "no valid prefix"),
        arguments("10.0.0.0/ 8", "no valid prefix"),
        arguments("10.0.0.0/abc", "no valid prefix"),
        arguments("10.0.0/8", "not an IP address"),
        arguments("256.0.0.0/8", "not an IP address"),
        arguments("localhost/32", "not an IP address"),
        arguments("example.com", "not an IP address"),
        arguments("[::1]/128", "not an IP address"),
        arguments("fe80::1%eth0/64", "not an IP address"),
        arguments("10.1.2.3/8", "did you mean 10.0.0.0/8"),
        arguments("2001:db8::1/32", "host bits set"),
        arguments("::ffff:10.0.0.0/64", "at least 96"));
  }

  @ParameterizedTest(name = "[{0}] -> {1}")
  @MethodSource("invalid")
  void refusesWithASentence(String text, String message) {
    assertThatThrownBy(() -> CidrBlock.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message).hasMessageNotContaining("\n");
  }
}
