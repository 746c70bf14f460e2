package org.ftpsgateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AddressesTest {

  static Stream<Arguments> hostPairs() {
    return Stream.of(
        arguments("127.0.0.1", "127.0.0.1", true),
        arguments("127.0.0.1", "::ffff:127.0.0.1", true),
        arguments("::ffff:10.1.2.3", "10.1.2.3", true),
        arguments("::1", "0:0:0:0:0:0:0:1", true),
        arguments("[::1]", "::1", true),
        arguments("2001:DB8::1", "2001:db8:0::1", true),
        arguments("10.0.0.1", "10.0.0.2", false),
        arguments("::1", "127.0.0.1", false),
        arguments("::1", "::2", false),
        // names are never resolved, so a name never matches an address
        arguments("localhost", "127.0.0.1", false),
        arguments("localhost", "localhost", false),
        arguments("", "", false),
        arguments(null, "127.0.0.1", false),
        arguments("127.0.0.1", null, false),
        arguments("10.0.0", "10.0.0.0", false));
  }

  static Stream<Arguments> bindPairs() {
    return Stream.of(
        arguments("127.0.0.1", "127.0.0.1", true),
        arguments("0.0.0.0", "10.1.2.3", true),
        arguments("::", "10.1.2.3", true),
        arguments("0.0.0.0", "::1", false),
        arguments("10.0.0.1", "10.0.0.2", false),
        arguments("gw.example", "gw.example", true),
        arguments("gw.example", "10.0.0.1", false),
        arguments("gw.example", "0.0.0.0", true),
        // localhost is loopback without a lookup (RFC 6761): 127.0.0.1 or ::1, whichever the resolver gives
        arguments("localhost", "127.0.0.1", true),
        arguments("LOCALHOST.", "::1", true),
        arguments("localhost", "::ffff:127.0.0.1", true),
        arguments("localhost", "localhost", true),
        arguments("localhost", "0.0.0.0", true),
        arguments("localhost", "::", true),
        arguments("localhost", "127.0.0.2", false),
        arguments("localhost", "10.0.0.1", false),
        arguments("localhost", "gw.example", false));
  }

  @ParameterizedTest(name = "bind {0} vs {1} -> {2}")
  @MethodSource("bindPairs")
  void bindsClash(String a, String b, boolean clash) {
    assertThat(Addresses.bindsClash(a, b)).isEqualTo(clash);
    assertThat(Addresses.bindsClash(b, a)).isEqualTo(clash);
  }

  @ParameterizedTest(name = "{0} vs {1} -> {2}")
  @MethodSource("hostPairs")
  void sameHost(String a, String b, boolean same) {
    assertThat(Addresses.sameHost(a, b)).isEqualTo(same);
    assertThat(Addresses.sameHost(b, a)).isEqualTo(same);
  }

  static Stream<Arguments> ipv4Forms() {
    return Stream.of(
        arguments("10.1.2.3", "10.1.2.3"),
        arguments("::ffff:10.1.2.3", "10.1.2.3"),
        arguments("[::ffff:10.1.2.3]", "10.1.2.3"),
        arguments("::1", null),
        arguments("2001:db8::1", null),
        arguments("localhost", null),
        arguments("10.1.2", null),
        arguments("300.1.2.3", null),
        arguments("", null),
        arguments(null, null));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("ipv4Forms")
  void ipv4(String host, String expected) {
    assertThat(Addresses.ipv4(host)).isEqualTo(expected);
  }

  static Stream<Arguments> ipv6Hosts() {
    return Stream.of(
        arguments("::1", true),
        arguments("[::1]", true),
        arguments("2001:db8::1", true),
        arguments("fe80::1%1", true),
        arguments("10.0.0.1", false),
        arguments("localhost", false),
        arguments("not:an:address", false),
        arguments("", false));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("ipv6Hosts")
  void isIpv6(String host, boolean expected) {
    assertThat(Addresses.isIpv6(host)).isEqualTo(expected);
  }
}
