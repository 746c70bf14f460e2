package org.ftpsgateway.tls;

import java.util.ArrayList;
import java.util.List;

/**
 * What the OpenSSL engine cannot honour in {@code cipherSuites}. netty-tcnative's OpenSSL is BoringSSL, whose TLS 1.3
 * suites are fixed: it offers all three whatever the configured list says (measured: with {@code cipherSuites:
 * [TLS_AES_256_GCM_SHA384]} the gateway negotiated TLS_AES_128_GCM_SHA256 with vsftpd). A list that leaves one of
 * them out while TLS 1.3 is offered can only be kept by the JDK engine.
 */
public final class BoringSslSuites {

  /** BoringSSL's TLS 1.3 suites, always offered when TLS 1.3 is. */
  public static final List<String> TLS13 =
      List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

  private BoringSslSuites() {
  }

  /**
   * The TLS 1.3 suites that {@code cipherSuites} leaves out but BoringSSL would offer anyway, in BoringSSL's order;
   * empty when the OpenSSL engine offers exactly what is configured (TLS 1.3 not among {@code protocols}, or all
   * three suites listed).
   */
  public static List<String> offeredAgainstConfig(List<String> protocols, List<String> cipherSuites) {
    if (!protocols.contains("TLSv1.3")) {
      return List.of();
    }
    List<String> extra = new ArrayList<>();
    for (String suite : TLS13) {
      if (!cipherSuites.contains(suite)) {
        extra.add(suite);
      }
    }
    return List.copyOf(extra);
  }
}
