package org.ftpsgateway.config;

import java.util.List;

/**
 * The FTPS server behind the gateway.
 *
 * @param serverName name checked against the server certificate and sent as SNI (default: host)
 * @param caFile PEM bundle of trusted CAs; null means the JVM trust store
 * @param activePorts with {@code dataMode: active}, the ports the gateway listens on for the upstream's data
 *     connections; null means any free port
 */
public record UpstreamConfig(String host, int port, TlsMode tls, String serverName, String caFile,
                             List<String> protocols, DataMode dataMode, SslEngine sslEngine, PortRange activePorts) {

  public UpstreamConfig(String host, int port, TlsMode tls, String serverName, String caFile, List<String> protocols,
                        DataMode dataMode, SslEngine sslEngine) {
    this(host, port, tls, serverName, caFile, protocols, dataMode, sslEngine, null);
  }

  /** Which TLS implementation speaks to the upstream. */
  public enum SslEngine {
    /** OpenSSL (BoringSSL from netty-tcnative) when it loads on this machine, else the JDK's. */
    AUTO,
    JDK,
    OPENSSL
  }

  public UpstreamConfig(String host, int port, TlsMode tls, String serverName, String caFile, List<String> protocols,
                        DataMode dataMode) {
    this(host, port, tls, serverName, caFile, protocols, dataMode, SslEngine.AUTO);
  }

  public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.2", "TLSv1.3");
  public static final List<String> SUPPORTED_PROTOCOLS = List.of("TLSv1.2", "TLSv1.3");

  public UpstreamConfig {
    protocols = List.copyOf(protocols);
  }
}
