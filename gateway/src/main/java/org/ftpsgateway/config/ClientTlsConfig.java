package org.ftpsgateway.config;

/**
 * TLS towards the clients of one listener (used when {@code tls} is explicit or implicit).
 *
 * @param certFile PEM certificate chain (with {@code keyFile})
 * @param keyFile PEM private key
 * @param keystore PKCS#12 file holding key and chain (alternative to the PEM pair)
 * @param password the PKCS#12 password
 * @param generatedCertDir where a generated certificate is kept, so it survives restarts (none: new at each start)
 * @param requireTls explicit: refuse USER/PASS before AUTH TLS ({@code 530})
 * @param requireProtectedData refuse clear data connections ({@code 521}) even when the client did not ask
 * @param requireSessionReuse refuse a protected data connection whose TLS session does not resume the control
 *     connection's (like vsftpd's require_ssl_reuse)
 * @param allowAuthSsl accept the deprecated {@code AUTH SSL}
 * @param allowCcc accept {@code CCC} (clear the control channel after login)
 * @param certReloadSeconds how often the certificate files are checked for changes (0 = never); new handshakes use
 *     the new certificate, sessions in flight keep theirs
 */
public record ClientTlsConfig(String certFile, String keyFile, String keystore, String password,
                              String generatedCertDir, boolean requireTls, boolean requireProtectedData,
                              boolean requireSessionReuse, boolean allowAuthSsl, boolean allowCcc,
                              int certReloadSeconds) {

  public static final int DEFAULT_CERT_RELOAD_SECONDS = 10;

  public ClientTlsConfig(String certFile, String keyFile, String keystore, String password, String generatedCertDir,
                         boolean requireTls, boolean requireProtectedData, boolean requireSessionReuse,
                         boolean allowAuthSsl, boolean allowCcc) {
    this(certFile, keyFile, keystore, password, generatedCertDir, requireTls, requireProtectedData,
        requireSessionReuse, allowAuthSsl, allowCcc, DEFAULT_CERT_RELOAD_SECONDS);
  }

  public static ClientTlsConfig defaults() {
    return new ClientTlsConfig(null, null, null, null, null, false, false, true, false, false);
  }

  /** Masked for printing. */
  @Override
  public String toString() {
    return "ClientTlsConfig[certFile=" + certFile + ", keyFile=" + keyFile + ", keystore=" + keystore
        + ", password=" + (password == null ? "null" : "****") + ", generatedCertDir=" + generatedCertDir + "]";
  }
}
