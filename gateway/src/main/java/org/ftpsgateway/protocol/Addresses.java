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

  /**
   * Whether listening sockets bound to {@code a} and {@code b} on one port would clash: the same address, or a
   * wildcard that covers the other ({@code 0.0.0.0} every IPv4 address; {@code ::} every address, IPv4 too, since
   * Linux binds it dual-stack unless net.ipv6.bindv6only is set). A host name clashes with its own spelling and with
   * either wildcard; names are never looked up, so a name and a different literal are taken not to clash, except
   * {@code localhost}: it is a loopback address (RFC 6761), 127.0.0.1 or ::1 as the resolver orders them, so it is
   * taken to clash with both.
   */
  public static boolean bindsClash(String a, String b) {
    if (a != null && b != null && (isLocalhost(a) || isLocalhost(b))) {
      String other = isLocalhost(a) ? b : a;
      InetAddress o = literal(other);
      return isLocalhost(other) || (o != null && (o.isAnyLocalAddress() || o.equals(IPV4_LOOPBACK)
          || o.equals(IPV6_LOOPBACK)));
    }
    InetAddress x = literal(a);
    InetAddress y = literal(b);
    if (x == null || y == null) {
      return a.equalsIgnoreCase(b) || isWildcard(a) || isWildcard(b);
    }
    if (x.equals(y)) {
      return true;
    }
    return covers(x, y) || covers(y, x);
  }

  /** {@code localhost}, the one name whose addresses are known without a lookup (RFC 6761). */
  public static boolean isLocalhost(String host) {
    return host.equalsIgnoreCase("localhost") || host.equalsIgnoreCase("localhost.");
  }

  private static final InetAddress IPV4_LOOPBACK = literal("127.0.0.1");
  private static final InetAddress IPV6_LOOPBACK = literal("::1");

  /** Whether {@code host} is a literal wildcard ({@code 0.0.0.0}, {@code ::}). */
  public static boolean isWildcard(String host) {
    InetAddress a = literal(host);
    return a != null && a.isAnyLocalAddress();
  }

  private static boolean covers(InetAddress wildcard, InetAddress other) {
    if (!wildcard.isAnyLocalAddress()) {
      return false;
    }
    return wildcard instanceof Inet6Address || other instanceof Inet4Address;
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
