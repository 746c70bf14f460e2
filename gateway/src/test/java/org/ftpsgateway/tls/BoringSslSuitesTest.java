package org.ftpsgateway.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BoringSslSuitesTest {

  static Stream<Arguments> cases() {
    List<String> both = List.of("TLSv1.2", "TLSv1.3");
    return Stream.of(
        arguments(both, List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), List.of()),
        arguments(both, List.of("TLS_AES_256_GCM_SHA384"),
            List.of("TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256")),
        arguments(List.of("TLSv1.3"), List.of("TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256"),
            List.of("TLS_AES_256_GCM_SHA384")),
        // no TLS 1.3 suite listed at all: the JDK would not speak TLS 1.3, BoringSSL would, with all three
        arguments(both, List.of("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"), BoringSslSuites.TLS13),
        // TLS 1.3 not offered: the list is BoringSSL's to keep (TLS 1.2 suites are configurable)
        arguments(List.of("TLSv1.2"), List.of("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"), List.of()));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void tls13SuitesBoringSslWouldOfferAgainstTheList(List<String> protocols, List<String> suites, List<String> extra) {
    assertThat(BoringSslSuites.offeredAgainstConfig(protocols, suites)).isEqualTo(extra);
  }
}
