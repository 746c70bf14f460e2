package org.ftpsgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PortRangeTest {

  static Stream<Arguments> valid() {
    return Stream.of(
        arguments("30000-30099", 30000, 30099, 100),
        arguments("30000", 30000, 30000, 1),
        arguments(" 30000 - 30009 ", 30000, 30009, 10),
        arguments("1-65535", 1, 65535, 65535),
        arguments("65535", 65535, 65535, 1));
  }

  @ParameterizedTest(name = "\"{0}\"")
  @MethodSource("valid")
  void parses(String text, int first, int last, int size) {
    PortRange range = PortRange.parse(text);
    assertThat(range).isEqualTo(new PortRange(first, last));
    assertThat(range.size()).isEqualTo(size);
    assertThat(PortRange.parse(range.toString())).isEqualTo(range);
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        arguments("", "expected FIRST-LAST"),
        arguments("abc", "expected FIRST-LAST"),
        arguments("30000-", "expected FIRST-LAST"),
        arguments("-30000", "expected FIRST-LAST"),
        arguments("1-2-3", "expected FIRST-LAST"),
        arguments("30000:30099", "expected FIRST-LAST"),
        arguments("0-10", "within 1-65535"),
        arguments("0", "within 1-65535"),
        arguments("65000-65536", "within 1-65535"),
        arguments("70000", "within 1-65535"),
        arguments("30099-30000", "first port is above the last"));
  }

  @ParameterizedTest(name = "\"{0}\"")
  @MethodSource("invalid")
  void refuses(String text, String message) {
    assertThatThrownBy(() -> PortRange.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message).hasMessageContaining("'" + text + "'");
  }

  static Stream<Arguments> overlaps() {
    return Stream.of(
        arguments("100-199", "200-299", false),
        arguments("100-199", "199-299", true),
        arguments("100-199", "150", true),
        arguments("100-199", "50-100", true),
        arguments("100-199", "50-99", false),
        arguments("100-199", "1-65535", true),
        arguments("100", "100", true));
  }

  @ParameterizedTest(name = "{0} / {1} -> {2}")
  @MethodSource("overlaps")
  void overlapsIsSymmetric(String a, String b, boolean overlap) {
    assertThat(PortRange.parse(a).overlaps(PortRange.parse(b))).isEqualTo(overlap);
    assertThat(PortRange.parse(b).overlaps(PortRange.parse(a))).isEqualTo(overlap);
  }

  @ParameterizedTest(name = "{0}-{1}")
  @MethodSource("badBounds")
  void constructorRefusesBadBounds(int first, int last) {
    assertThatThrownBy(() -> new PortRange(first, last)).isInstanceOf(IllegalArgumentException.class);
  }

  static Stream<Arguments> badBounds() {
    return Stream.of(arguments(0, 10), arguments(-1, 10), arguments(10, 65536), arguments(20, 10));
  }
}
