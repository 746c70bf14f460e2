package org.ftpsgateway.config;

import java.util.List;
import java.util.Locale;

/**
 * One named upstream ({@code upstreams[]}, or the {@code upstream:} shorthand named {@value #DEFAULT_NAME}): one or
 * more servers that serve the same files, tried in the order {@code balance} gives, with failover at connect time.
 *
 * @param servers one {@link UpstreamConfig} per server: the entry's TLS settings with that server's host and port
 *     (and, unless {@code serverName} is set, its host as the name checked in its certificate)
 * @param probeSeconds how often each server is probed for readiness
 */
public record UpstreamGroup(String name, List<UpstreamConfig> servers, Balance balance, int probeSeconds) {

  public static final String DEFAULT_NAME = "default";
  public static final int DEFAULT_PROBE_SECONDS = 30;

  public UpstreamGroup {
    servers = List.copyOf(servers);
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("an upstream needs at least one server");
    }
  }

  /** The shorthand: one server named {@value #DEFAULT_NAME}. */
  public static UpstreamGroup single(UpstreamConfig upstream) {
    return new UpstreamGroup(DEFAULT_NAME, List.of(upstream), Balance.FIRST_AVAILABLE, DEFAULT_PROBE_SECONDS);
  }

  /** The settings every server shares (TLS, data mode, PROXY protocol, active ports): the first server's. */
  public UpstreamConfig first() {
    return servers.get(0);
  }

  /** How a session picks among the servers of an upstream. */
  public enum Balance {
    /** The configured order; the next only when one fails. */
    FIRST_AVAILABLE,
    /** Each new session starts at the next server. */
    ROUND_ROBIN,
    /** The server with the fewest sessions of this gateway. */
    LEAST_SESSIONS;

    public static Balance parse(String text) {
      return valueOf(text.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    public String configName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }
}
