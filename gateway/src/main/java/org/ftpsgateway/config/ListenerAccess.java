package org.ftpsgateway.config;

import java.util.List;
import org.ftpsgateway.protocol.CidrBlock;

/**
 * Who may use one listener, and how much of the bandwidth.
 *
 * @param allowClients client addresses admitted; anyone else gets {@code 421} at accept
 * @param bytesPerSecond data bytes per second of the whole listener (all its sessions); 0 = unlimited
 */
public record ListenerAccess(List<CidrBlock> allowClients, long bytesPerSecond) {

  /** Everybody: existing deployments keep working; narrow it per listener. */
  public static final List<CidrBlock> ALLOW_ALL = List.of(CidrBlock.ALL_IPV4, CidrBlock.ALL_IPV6);

  public ListenerAccess {
    allowClients = List.copyOf(allowClients);
  }

  public static ListenerAccess defaults() {
    return new ListenerAccess(ALLOW_ALL, 0);
  }

  public ListenerAccess withAllowClients(List<CidrBlock> blocks) {
    return new ListenerAccess(blocks, bytesPerSecond);
  }

  public ListenerAccess withBytesPerSecond(long rate) {
    return new ListenerAccess(allowClients, rate);
  }

  /** Whether a client at {@code host} may connect. */
  public boolean allows(String host) {
    return CidrBlock.anyContains(allowClients, host);
  }
}
