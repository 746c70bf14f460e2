package org.ftpsgateway.config;

import java.util.List;
import org.ftpsgateway.protocol.CidrBlock;

/**
 * Who may use one listener, and how much of the bandwidth.
 *
 * @param allowClients client addresses admitted; anyone else gets {@code 421} at accept
 * @param bytesPerSecond data bytes per second of the whole listener (all its sessions); 0 = unlimited
 * @param acceptProxyProtocol every accepted connection, control and passive data alike, starts with a PROXY protocol
 *     header (v1 or v2) from a load balancer; the client address it carries is the one checked and logged
 * @param proxyProtocolFrom the addresses that may send those headers (the balancer's); a connection from anywhere
 *     else is closed before a byte is read, since whoever may send a header may claim any client address
 */
public record ListenerAccess(List<CidrBlock> allowClients, long bytesPerSecond, boolean acceptProxyProtocol,
                             List<CidrBlock> proxyProtocolFrom) {

  /** Everybody: existing deployments keep working; narrow it per listener. */
  public static final List<CidrBlock> ALLOW_ALL = List.of(CidrBlock.ALL_IPV4, CidrBlock.ALL_IPV6);

  public ListenerAccess {
    allowClients = List.copyOf(allowClients);
    proxyProtocolFrom = List.copyOf(proxyProtocolFrom);
  }

  public ListenerAccess(List<CidrBlock> allowClients, long bytesPerSecond, boolean acceptProxyProtocol) {
    this(allowClients, bytesPerSecond, acceptProxyProtocol, ALLOW_ALL);
  }

  public static ListenerAccess defaults() {
    return new ListenerAccess(ALLOW_ALL, 0, false);
  }

  public ListenerAccess withAllowClients(List<CidrBlock> blocks) {
    return new ListenerAccess(blocks, bytesPerSecond, acceptProxyProtocol, proxyProtocolFrom);
  }

  public ListenerAccess withBytesPerSecond(long rate) {
    return new ListenerAccess(allowClients, rate, acceptProxyProtocol, proxyProtocolFrom);
  }

  public ListenerAccess withAcceptProxyProtocol(boolean accept) {
    return new ListenerAccess(allowClients, bytesPerSecond, accept, proxyProtocolFrom);
  }

  public ListenerAccess withProxyProtocolFrom(List<CidrBlock> blocks) {
    return new ListenerAccess(allowClients, bytesPerSecond, acceptProxyProtocol, blocks);
  }

  /** Whether the connection's own peer {@code host} may send a PROXY protocol header (proxyProtocolFrom). */
  public boolean mayProxyFrom(String host) {
    return CidrBlock.anyContains(proxyProtocolFrom, host);
  }

  /** Whether a client at {@code host} may connect. */
  public boolean allows(String host) {
    return CidrBlock.anyContains(allowClients, host);
  }
}
