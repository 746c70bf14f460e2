package org.ftpsgateway.config;

import java.util.List;
import org.ftpsgateway.protocol.ProxyProtocol;

/**
 * The FTPS server behind the gateway.
 *
 * @param serverName name checked against the server certificate and sent as SNI (default: host)
 * @param caFile PEM bundle of trusted CAs; null means the JVM trust store
 * @param tlsOptions trust (pins, host name check), client certificate, cipher suites, CCC
 * @param proxyProtocol PROXY protocol header sent first on each upstream control connection, or null
 * @param activePorts with {@code dataMode: active}, the ports the gateway listens on for the upstream's data
 *     connections; null means any free port
 */
public record UpstreamConfig(String host, int port, TlsMode tls, String serverName, String caFile,
                             List<String> protocols, DataMode dataMode, SslEngine sslEngine,
                             UpstreamTlsOptions tlsOptions, ProxyProtocol.Version proxyProtocol,
                             PortRange activePorts) {

  /** Default trust options, no PROXY protocol header upstream, any port for active data. */
  public UpstreamConfig(String host, int port, TlsMode tls, String serverName, String caFile, List<String> protocols,
                        DataMode dataMode, SslEngine sslEngine) {
    this(host, port, tls, serverName, caFile, protocols, dataMode, sslEngine, UpstreamTlsOptions.defaults(), null,
        null);
  }

  public UpstreamConfig(String host, int port, TlsMode tls, String serverName, String caFile, List<String> protocols,
                        DataMode dataMode, SslEngine sslEngine, UpstreamTlsOptions tlsOptions) {
    this(host, port, tls, serverName, caFile, protocols, dataMode, sslEngine, tlsOptions, null, null);
  }

  public UpstreamConfig(String host, int port, TlsMode tls, String serverName, String caFile, List<String> protocols,
                        DataMode dataMode, SslEngine sslEngine, UpstreamTlsOptions tlsOptions,
                        ProxyProtocol.Version proxyProtocol) {
    this(host, port, tls, serverName, caFile, protocols, dataMode, sslEngine, tlsOptions, proxyProtocol, null);
  }

  public UpstreamConfig(String host, int port, TlsMode tls, String serverName, String caFile, List<String> protocols,
                        DataMode dataMode, SslEngine sslEngine, PortRange activePorts) {
    this(host, port, tls, serverName, caFile, protocols, dataMode, sslEngine, UpstreamTlsOptions.defaults(), null,
        activePorts);
  }

  /** {@code proxyProtocol}: the header sent first on each upstream control connection, or null (none). */
  public UpstreamConfig withProxyProtocol(ProxyProtocol.Version version) {
    return new UpstreamConfig(host, port, tls, serverName, caFile, protocols, dataMode, sslEngine, tlsOptions,
        version, activePorts);
  }

  /** The same settings for another server of the same upstream ({@code servers:}). */
  public UpstreamConfig withServer(String newHost, int newPort, String newServerName) {
    return new UpstreamConfig(newHost, newPort, tls, newServerName, caFile, protocols, dataMode, sslEngine, tlsOptions,
        proxyProtocol, activePorts);
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
  /** What {@code protocols} may name; TLS 1.0/1.1 only with {@code allowLegacyTls}, SSLv3 never. */
  public static final List<String> SUPPORTED_PROTOCOLS = List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

  public UpstreamConfig {
    protocols = List.copyOf(protocols);
  }
}
