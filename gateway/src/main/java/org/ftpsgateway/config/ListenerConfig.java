package org.ftpsgateway.config;

/**
 * One address the gateway accepts FTP clients on.
 *
 * @param passiveAddress the IPv4 address announced in {@code 227} replies; null means the local address the
 *     client's control connection reached; {@value #PASSIVE_FROM_PROXY_HEADER} the destination address of the
 *     control connection's PROXY header (the balancer address the client reached)
 * @param allowForeignActive whether PORT/EPRT may name a host other than the client (RFC 2577 §3: no, the
 *     default)
 * @param access who may connect (allowClients)
 * @param activeSourcePort the local port active-mode data connections to clients come from (RFC 959's default
 *     data port is 20); 0 = any
 * @param upstream the name of the upstream this listener's sessions start on; null = the first upstream
 */
public record ListenerConfig(String name, String host, int port, TlsMode tls, PortRange passivePorts,
                             String passiveAddress, boolean allowForeignActive, ClientTlsConfig clientTls,
                             ListenerAccess access, int activeSourcePort, String upstream) {

  public ListenerConfig(String name, String host, int port, TlsMode tls, PortRange passivePorts,
                        String passiveAddress, boolean allowForeignActive, ClientTlsConfig clientTls,
                        ListenerAccess access, int activeSourcePort) {
    this(name, host, port, tls, passivePorts, passiveAddress, allowForeignActive, clientTls, access,
        activeSourcePort, null);
  }

  public ListenerConfig(String name, String host, int port, TlsMode tls, PortRange passivePorts,
                        String passiveAddress, boolean allowForeignActive, ClientTlsConfig clientTls) {
    this(name, host, port, tls, passivePorts, passiveAddress, allowForeignActive, clientTls,
        ListenerAccess.defaults(), 0);
  }

  public ListenerConfig(String name, String host, int port, TlsMode tls, PortRange passivePorts,
                        String passiveAddress, boolean allowForeignActive, ClientTlsConfig clientTls,
                        ListenerAccess access) {
    this(name, host, port, tls, passivePorts, passiveAddress, allowForeignActive, clientTls, access, 0);
  }

  public ListenerConfig(String name, String host, int port, TlsMode tls, PortRange passivePorts,
                        String passiveAddress, boolean allowForeignActive, ClientTlsConfig clientTls,
                        int activeSourcePort) {
    this(name, host, port, tls, passivePorts, passiveAddress, allowForeignActive, clientTls,
        ListenerAccess.defaults(), activeSourcePort);
  }

  public ListenerConfig(String name, String host, int port, TlsMode tls, PortRange passivePorts,
                        String passiveAddress, boolean allowForeignActive) {
    this(name, host, port, tls, passivePorts, passiveAddress, allowForeignActive, ClientTlsConfig.defaults());
  }

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 21;
  public static final String DEFAULT_PASSIVE_PORTS = "30000-30099";
  /** {@code passiveAddress} value: announce the address the client reached, as the PROXY header names it. */
  public static final String PASSIVE_FROM_PROXY_HEADER = "fromProxyHeader";

  /**
   * The address a {@code 227} reply names for a session whose control connection reached {@code local} (the
   * gateway's own address) and, by the PROXY header, {@code destination} (the balancer's); null when that is no
   * IPv4 address (PASV cannot name it: EPSV can).
   */
  public String pasvAddress(String local, String destination) {
    String chosen = PASSIVE_FROM_PROXY_HEADER.equals(passiveAddress) ? destination
        : passiveAddress != null ? passiveAddress : local;
    return org.ftpsgateway.protocol.Addresses.ipv4(chosen);
  }

  public ListenerConfig withPort(int newPort) {
    return new ListenerConfig(name, host, newPort, tls, passivePorts, passiveAddress, allowForeignActive, clientTls,
        access, activeSourcePort, upstream);
  }

  public ListenerConfig withAccess(ListenerAccess newAccess) {
    return new ListenerConfig(name, host, port, tls, passivePorts, passiveAddress, allowForeignActive, clientTls,
        newAccess, activeSourcePort, upstream);
  }

  public ListenerConfig withActiveSourcePort(int newActiveSourcePort) {
    return new ListenerConfig(name, host, port, tls, passivePorts, passiveAddress, allowForeignActive, clientTls,
        access, newActiveSourcePort, upstream);
  }

  public ListenerConfig withUpstream(String upstreamName) {
    return new ListenerConfig(name, host, port, tls, passivePorts, passiveAddress, allowForeignActive, clientTls,
        access, activeSourcePort, upstreamName);
  }
}
