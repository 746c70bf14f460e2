package org.ftpsgateway.protocol;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** Comparing and classifying IP address literals. Never resolves names. */
public final class Addresses {

  private Addresses() {
  }

  /** True when two literals name the same host, also across IPv4 and IPv4-mapped IPv6 forms. */
  public static boolean sameHost(String a, String b) {
    InetAddress x = literal(a);
    InetAddress y = literal(b);
    return x != null && y != null && x.equals(y);
  }

  /** The IPv4 form of a literal (also of an IPv4-mapped IPv6 literal), or null if it has none. */
  public static String ipv4(String host) {
    InetAddress a = literal(host);
    return a instanceof Inet4Address ? a.getHostAddress() : null;
  }

  public static boolean isIpv6(String host) {
    return literal(host) instanceof Inet6Address;
  }

  /** A socket address of a literal and a port; null when {@code host} is not a literal. */
  public static InetSocketAddress socketAddress(String host, int port) {
    InetAddress a = literal(host);
    return a == null ? null : new InetSocketAddress(a, port);
  }

  /** The address of a literal; null when it is not a literal (no name lookup is ever made). */
  static InetAddress literal(String host) {
    if (host == null || host.isEmpty()) {
      return null;
    }
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    int zone = h.indexOf('%');
    String bare = zone >= 0 ? h.substring(0, zone) : h;
    if (!DataAddresses.isIpv4Literal(bare) && bare.indexOf(':') < 0) {
      return null;
    }
    try {
      return InetAddress.getByName(h); // a literal: parsed, not looked up
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
