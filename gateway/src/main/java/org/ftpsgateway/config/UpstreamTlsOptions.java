package org.ftpsgateway.config;

import java.util.List;

/**
 * How the gateway trusts the upstream and presents itself to it.
 *
 * @param verifyHostname the certificate must name {@code upstream.serverName}; off only on request, or implicitly
 *     when pins identify the server (a pin is a stronger identity than a name)
 * @param pins {@code pinSha256}: SHA-256 fingerprints of the accepted leaf certificate or of its public key; when
 *     given they replace the CA check (self-signed servers), validity dates are still checked
 * @param insecureSkipVerify accept any certificate: loudly logged at start and on every session line
 * @param clientCertFile PEM certificate chain for mutual TLS, with {@code clientKeyFile}
 * @param clientKeystore PKCS#12 key store for mutual TLS, with {@code clientKeystorePassword}
 * @param cipherSuites cipher suites offered (standard names); the default is AEAD suites only
 * @param allowLegacyTls let {@code protocols} name TLS 1.0/1.1 (refused otherwise)
 * @param ccc send {@code CCC} after login: the control channel continues in clear, data stays protected
 */
public record UpstreamTlsOptions(boolean verifyHostname, List<Sha256Pin> pins, boolean insecureSkipVerify,
                                 String clientCertFile, String clientKeyFile, String clientKeystore,
                                 String clientKeystorePassword, List<String> cipherSuites, boolean allowLegacyTls,
                                 boolean ccc) {

  /**
   * TLS 1.3 suites and the TLS 1.2 ECDHE/DHE suites with AES-GCM: forward secrecy and authenticated encryption, as
   * PCI DSS and NIST SP 800-52r2 guidance expect. AES-GCM first: with AES-NI it costs a fraction of ChaCha20's CPU
   * per byte (measured: pure-ftpd picked ChaCha20-Poly1305 when it was offered for TLS 1.2, and the gateway's
   * throughput halved), so the TLS 1.2 ChaCha20 suites are left out; add them to {@code cipherSuites} for servers
   * without AES hardware. Standard (IANA/JSSE) names; the OpenSSL engine maps them.
   */
  public static final List<String> DEFAULT_CIPHER_SUITES = List.of(
      "TLS_AES_128_GCM_SHA256",
      "TLS_AES_256_GCM_SHA384",
      "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384");

  /** Protocol versions that need {@code allowLegacyTls}. */
  public static final List<String> LEGACY_PROTOCOLS = List.of("TLSv1", "TLSv1.1");

  public UpstreamTlsOptions {
    pins = List.copyOf(pins);
    cipherSuites = List.copyOf(cipherSuites);
  }

  public static UpstreamTlsOptions defaults() {
    return new UpstreamTlsOptions(true, List.of(), false, null, null, null, null, DEFAULT_CIPHER_SUITES, false,
        false);
  }

  /** The pins in the normalized {@code AB:CD:...} form, for printing the effective configuration. */
  public List<String> pinSha256() {
    return pins.stream().map(Sha256Pin::toString).toList();
  }

  public boolean mutualTls() {
    return clientCertFile != null || clientKeystore != null;
  }
}
