package org.ftpsgateway.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.ftpsgateway.protocol.ProxyProtocol.Header;
import org.ftpsgateway.protocol.ProxyProtocol.Version;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ProxyProtocolTest {

  private static final String SIG = "0d0a0d0a000d0a515549540a";

  private static InetSocketAddress at(String literal, int port) {
    return new InetSocketAddress(Addresses.literal(literal), port);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s.replace(" ", ""));
  }

  static Stream<Arguments> encodings() {
    return Stream.of(
        arguments(Version.V1, at("192.0.2.1", 56324), at("10.0.0.5", 21),
            ascii("PROXY TCP4 192.0.2.1 10.0.0.5 56324 21\r\n")),
        arguments(Version.V1, at("2001:db8::1", 1), at("2001:db8::2", 65535),
            ascii("PROXY TCP6 2001:db8:0:0:0:0:0:1 2001:db8:0:0:0:0:0:2 1 65535\r\n")),
        arguments(Version.V1, at("192.0.2.1", 5), at("::1", 21),
            ascii("PROXY TCP6 0:0:0:0:0:ffff:c000:201 0:0:0:0:0:0:0:1 5 21\r\n")),
        arguments(Version.V2, at("192.0.2.1", 56324), at("10.0.0.5", 21),
            hex(SIG + "21 11 000c c0000201 0a000005 dc04 0015")),
        arguments(Version.V2, at("2001:db8::1", 1), at("::1", 21),
            hex(SIG + "21 21 0024 20010db8000000000000000000000001 00000000000000000000000000000001 0001 0015")));
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @MethodSource("encodings")
  void encodesAndParsesBack(Version v, InetSocketAddress src, InetSocketAddress dst, byte[] expected) {
    byte[] encoded = ProxyProtocol.encode(v, src, dst);
    assertThat(encoded).isEqualTo(expected);
    assertThat(encoded.length).isLessThanOrEqualTo(v == Version.V1 ? ProxyProtocol.V1_MAX_LENGTH : 52);
    // followed by application bytes, fed one byte at a time: null until complete, then the header
    byte[] stream = Arrays.copyOf(encoded, encoded.length + 5);
    System.arraycopy(ascii("USER "), 0, stream, encoded.length, 5);
    for (int n = 0; n < encoded.length; n++) {
      assertThat(ProxyProtocol.parse(stream, n)).as("after %d bytes", n).isNull();
    }
    Header h = ProxyProtocol.parse(stream, stream.length);
    assertThat(h.length()).isEqualTo(encoded.length);
    assertThat(Addresses.sameHost(h.source().getAddress().getHostAddress(), src.getAddress().getHostAddress()))
        .isTrue();
    assertThat(h.source().getPort()).isEqualTo(src.getPort());
    assertThat(h.destination().getPort()).isEqualTo(dst.getPort());
  }

  @Test
  void localHeadersCarryNoAddress() {
    assertThat(ProxyProtocol.local(Version.V1)).isEqualTo(ascii("PROXY UNKNOWN\r\n"));
    assertThat(ProxyProtocol.local(Version.V2)).isEqualTo(hex(SIG + "20 00 0000"));
    for (Version v : Version.values()) {
      byte[] b = ProxyProtocol.local(v);
      Header h = ProxyProtocol.parse(b, b.length);
      assertThat(h.hasAddresses()).isFalse();
      assertThat(h.length()).isEqualTo(b.length);
    }
  }

  static Stream<Arguments> accepted() {
    return Stream.of(
        arguments("v1 UNKNOWN with addresses", ascii("PROXY UNKNOWN 1.2.3.4 5.6.7.8 1 2\r\n"), null, -1),
        arguments("v1 port 0", ascii("PROXY TCP4 1.2.3.4 5.6.7.8 0 21\r\n"), "1.2.3.4", 0),
        arguments("v1 longest", ascii("PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
            + "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n"), "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535),
        arguments("v2 with TLVs", hex(SIG + "21 11 0013 01020304 05060708 0050 0015 04 0004 61626364"), "1.2.3.4", 80),
        arguments("v2 UDP keeps the connection's address", hex(SIG + "21 12 000c 01020304 05060708 0050 0015"), null,
            -1),
        arguments("v2 UNSPEC proxy", hex(SIG + "21 00 0000"), null, -1),
        arguments("v2 unix socket", hex(SIG + "21 31 00d8" + "00".repeat(216)), null, -1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("accepted")
  void parses(String name, byte[] header, String source, int port) {
    Header h = ProxyProtocol.parse(header, header.length);
    assertThat(h.length()).isEqualTo(header.length);
    if (source == null) {
      assertThat(h.hasAddresses()).isFalse();
    } else {
      assertThat(Addresses.sameHost(h.source().getAddress().getHostAddress(), source)).isTrue();
      assertThat(h.source().getPort()).isEqualTo(port);
    }
  }

  static Stream<Arguments> malformed() {
    return Stream.of(
        arguments("FTP command first", ascii("USER alice\r\n")),
        arguments("TLS ClientHello", hex("160301")),
        arguments("lower case", ascii("proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n")),
        arguments("v1 protocol UDP4", ascii("PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n")),
        arguments("v1 missing port", ascii("PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n")),
        arguments("v1 double space", ascii("PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n")),
        arguments("v1 IPv6 as TCP4", ascii("PROXY TCP4 ::1 ::1 1 2\r\n")),
        arguments("v1 IPv4 as TCP6", ascii("PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n")),
        arguments("v1 name", ascii("PROXY TCP4 localhost 5.6.7.8 1 2\r\n")),
        arguments("v1 port too big", ascii("PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n")),
        arguments("v1 port leading zero", ascii("PROXY TCP4 1.2.3.4 5.6.7.8 021 2\r\n")),
        arguments("v1 port negative", ascii("PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n")),
        arguments("v1 bare LF", ascii("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n" + "x".repeat(120))),
        arguments("v1 control byte", ascii("PROXY TCP4 1.2.3.4\t5.6.7.8 1 2\r\n")),
        arguments("v1 no CRLF in 107 bytes", ascii("PROXY TCP4 " + "1".repeat(100))),
        arguments("v2 version 1", hex(SIG + "11 11 000c 01020304 05060708 0050 0015")),
        arguments("v2 command 2", hex(SIG + "22 11 000c 01020304 05060708 0050 0015")),
        arguments("v2 IPv4 too short", hex(SIG + "21 11 0008 01020304 05060708")),
        arguments("v2 IPv6 too short", hex(SIG + "21 21 000c 01020304 05060708 0050 0015")),
        arguments("v2 too long", hex(SIG + "21 11 0801")),
        arguments("v2 signature broken", hex("0d0a0d0a000d0a515549540b 21 11 000c")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void refusesMalformedHeaders(String name, byte[] bytes) {
    assertThatThrownBy(() -> ProxyProtocol.parse(bytes, bytes.length)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("\n");
  }

  @Test
  void boundsWhatItWaitsFor() {
    byte[] v2 = hex(SIG + "21 11 0800");
    assertThat(ProxyProtocol.parse(v2, v2.length)).as("2048 bytes announced: wait").isNull();
    assertThat(ProxyProtocol.MAX_HEADER_LENGTH).isEqualTo(16 + 2048);
    byte[] v1 = ascii("PROXY TCP4 " + "1".repeat(95));
    assertThat(ProxyProtocol.parse(v1, v1.length)).as("106 bytes, no CRLF yet").isNull();
  }
}
