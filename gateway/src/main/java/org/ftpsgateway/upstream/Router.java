package org.ftpsgateway.upstream;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.ftpsgateway.config.RouteConfig;

/**
 * Chooses the upstream of a session at {@code USER}: {@code USER name@host[:port]} when {@code allowUserAtHost} is on
 * and the host is one of the configured upstreams (by name, or a server's host), else the first {@code routes:} entry
 * whose pattern matches. Never an open relay: a host that is not configured leaves the user name as it is.
 */
public final class Router {

  /**
   * @param pool the upstream to use, or null for the listener's own
   * @param user the user name to send upstream
   * @param reason how the decision was made, for the log; null when nothing matched
   */
  public record Decision(UpstreamPool pool, String user, String reason) {
  }

  private final Map<String, UpstreamPool> pools;
  private final List<RouteConfig> routes;
  private final boolean allowUserAtHost;

  public Router(List<UpstreamPool> pools, List<RouteConfig> routes, boolean allowUserAtHost) {
    Map<String, UpstreamPool> byName = new LinkedHashMap<>();
    pools.forEach(p -> byName.put(p.name(), p));
    this.pools = java.util.Collections.unmodifiableMap(byName);
    this.routes = List.copyOf(routes);
    this.allowUserAtHost = allowUserAtHost;
  }

  public UpstreamPool pool(String name) {
    return pools.get(name);
  }

  public Collection<UpstreamPool> pools() {
    return pools.values();
  }

  public Decision route(String user) {
    if (allowUserAtHost) {
      int at = user.lastIndexOf('@');
      if (at > 0 && at < user.length() - 1) {
        UpstreamPool pool = byHost(user.substring(at + 1));
        if (pool != null) {
          return new Decision(pool, user.substring(0, at), "USER name@host");
        }
      }
    }
    for (RouteConfig route : routes) {
      if (route.matches(user)) {
        return new Decision(pools.get(route.upstream()), route.rewriteUser() != null ? route.rewriteUser() : user,
            "route " + route.user());
      }
    }
    return new Decision(null, user, null);
  }

  /** {@code host} or {@code host:port} ({@code [v6]:port}): an upstream's name or one of its servers, else null. */
  private UpstreamPool byHost(String text) {
    String host = text;
    String port = null;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0) {
        return null;
      }
      host = text.substring(1, close);
      String rest = text.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          return null;
        }
        port = rest.substring(1);
      }
    } else if (text.indexOf(':') >= 0 && text.indexOf(':') == text.lastIndexOf(':')) {
      host = text.substring(0, text.indexOf(':'));
      port = text.substring(text.indexOf(':') + 1);
    }
    int wantedPort;
    try {
      wantedPort = port == null ? -1 : Integer.parseInt(port);
    } catch (NumberFormatException e) {
      return null;
    }
    String wanted = host.toLowerCase(Locale.ROOT);
    for (UpstreamPool pool : pools.values()) {
      boolean byName = pool.name().toLowerCase(Locale.ROOT).equals(wanted);
      for (UpstreamServer s : pool.servers()) {
        if ((byName || s.config().host().toLowerCase(Locale.ROOT).equals(wanted))
            && (wantedPort < 0 || s.config().port() == wantedPort)) {
          return pool;
        }
      }
    }
    return null;
  }
}
