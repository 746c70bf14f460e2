package org.ftpsgateway.config;

import java.util.List;
import org.ftpsgateway.protocol.CidrBlock;

/**
 * Who may use one listener, and how much of the bandwidth.
 *
 * @param allowClients client addresses admitted; anyone else gets {@code 421} at accept
 * @param bytesPerSecond data bytes per second of the whole listener (all its sessions); 0 = unlimited
 * @param acceptProxyProtocol every accepted connection starts with a PROXY protocol header (v1 or v2) from a load
 *     balancer; the client address it carries is the one checked and logged
 */
public record ListenerAccess(List<CidrBlock> allowClients, long bytesPerSecond, boolean acceptProxyProtocol) {

  /** Everybody: existing deployments keep working; narrow it per listener. */
  public static final List<CidrBlock> ALLOW_ALL = List.of(CidrBlock.ALL_IPV4, CidrBlock.ALL_IPV6);

  public ListenerAccess {
    allowClients = List.copyOf(allowClients);
  }

  public static ListenerAccess defaults() {
    return new ListenerAccess(ALLOW_ALL, 0, false);
  }

  public ListenerAccess withAllowClients(List<CidrBlock> blocks) {
    return new ListenerAccess(blocks, bytesPerSecond, acceptProxyProtocol);
  }

  public ListenerAccess withBytesPerSecond(long rate) {
    return new ListenerAccess(allowClients, rate, acceptProxyProtocol);
  }

  public ListenerAccess withAcceptProxyProtocol(boolean accept) {
    return new ListenerAccess(allowClients, bytesPerSecond, accept);
  }

  /** Whether a client at {@code host} may connect. */
  public boolean allows(String host) {
    return CidrBlock.anyContains(allowClients, host);
  }
}
