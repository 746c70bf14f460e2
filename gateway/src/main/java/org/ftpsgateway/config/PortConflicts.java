package org.ftpsgateway.config;

import java.util.ArrayList;
import java.util.List;
import org.ftpsgateway.protocol.Addresses;

/**
 * Every port the gateway binds, from the whole configuration, checked against each other before anything starts:
 * listener ports, passive ranges, upstream active ranges, the active source port and the metrics endpoint. Two
 * listeners on one port would both start (Vert.x shares the socket and splits the clients between them, so they land
 * on different upstreams at random); any other pair fails at start or at the first transfer that draws the port.
 * Port 0 (any free port) never conflicts. The later key in the file is the one named.
 */
final class PortConflicts {

  /**
   * One use of ports.
   *
   * @param key the key that configures it
   * @param what how a message names it, with its value
   * @param host the address bound; null when it is whichever local address a session uses (passive and active
   *     data ports, the active source port), which may be any of them
   * @param listening false for the active source port: outgoing connections may share it, listening sockets may not
   */
  private record Use(String key, String what, String host, PortRange ports, boolean listening) {
    boolean single() {
      return ports.size() == 1;
    }
  }

  private PortConflicts() {
  }

  /** Throws naming the key of the first use that clashes with an earlier one. */
  static void check(List<ListenerConfig> listeners, List<UpstreamGroup> upstreams, List<String> upstreamKeys,
                    MetricsConfig metrics) throws ConfigException {
    List<Use> uses = new ArrayList<>();
    // passive ranges first, so that a control port inside one is reported at the port
    for (int i = 0; i < listeners.size(); i++) {
      ListenerConfig l = listeners.get(i);
      uses.add(new Use(path(i) + ".passivePorts", "the passive ports of " + path(i) + " (" + l.passivePorts() + ")",
          null, l.passivePorts(), true));
    }
    for (int i = 0; i < listeners.size(); i++) {
      ListenerConfig l = listeners.get(i);
      if (l.port() != 0) {
        uses.add(new Use(path(i) + ".port", "the port of " + path(i) + " (" + hostPort(l.host(), l.port()) + ")",
            l.host(), new PortRange(l.port(), l.port()), true));
      }
    }
    for (int i = 0; i < listeners.size(); i++) {
      int source = listeners.get(i).activeSourcePort();
      if (source != 0) {
        uses.add(new Use(path(i) + ".activeSourcePort", "the activeSourcePort of " + path(i) + " (" + source + ")",
            null, new PortRange(source, source), false));
      }
    }
    for (int u = 0; u < upstreams.size(); u++) {
      PortRange active = upstreams.get(u).first().activePorts();
      if (active != null) {
        String key = upstreamKeys.get(u) + ".activePorts";
        uses.add(new Use(key, key + " (" + active + ")", null, active, true));
      }
    }
    if (metrics.enabled() && metrics.port() != 0) {
      uses.add(new Use("metrics.port", "the metrics endpoint (" + hostPort(metrics.host(), metrics.port()) + ")",
          metrics.host(), new PortRange(metrics.port(), metrics.port()), true));
    }
    for (int n = 1; n < uses.size(); n++) {
      Use later = uses.get(n);
      for (int e = 0; e < n; e++) {
        Use earlier = uses.get(e);
        if (clash(earlier, later)) {
          throw new ConfigException(later.key(), describe(later, earlier));
        }
      }
    }
  }

  private static boolean clash(Use a, Use b) {
    if (!a.listening() && !b.listening()) {
      return false;
    }
    if (!a.ports().overlaps(b.ports())) {
      return false;
    }
    return a.host() == null || b.host() == null || Addresses.bindsClash(a.host(), b.host());
  }

  private static String describe(Use later, Use earlier) {
    if (!later.single()) {
      return (earlier.single() ? "contains " : "overlaps ") + earlier.what();
    }
    if (!earlier.single()) {
      return later.ports().first() + " lies in " + earlier.what();
    }
    String value = later.host() == null ? Integer.toString(later.ports().first())
        : hostPort(later.host(), later.ports().first());
    return value + " is also " + earlier.what() + why(later.host(), earlier.host());
  }

  /** Why two spellings of a bind address clash, when they differ: which of them is a wildcard. */
  private static String why(String a, String b) {
    if (a == null || b == null || a.equalsIgnoreCase(b)) {
      return "";
    }
    String wildcard = Addresses.isWildcard(a) ? a : Addresses.isWildcard(b) ? b : null;
    if (wildcard == null && (Addresses.isLocalhost(a) || Addresses.isLocalhost(b))) {
      return ": localhost is a loopback address (127.0.0.1 or ::1)";
    }
    if (wildcard == null) {
      return ": the same address";
    }
    return wildcard.contains(":") ? ": " + wildcard + " binds every address, IPv4 too (Linux dual stack)"
        : ": " + wildcard + " binds every IPv4 address";
  }

  private static String path(int listener) {
    return "listeners[" + listener + "]";
  }

  private static String hostPort(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
