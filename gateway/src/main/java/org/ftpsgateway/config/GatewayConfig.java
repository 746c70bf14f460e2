package org.ftpsgateway.config;

import java.util.List;

/**
 * The whole, validated configuration. Immutable; a reload builds a new one.
 *
 * @param upstream the first server of the first upstream: what a one-upstream gateway talks to (kept for the code
 *     and tests written before {@code upstreams:})
 * @param upstreams every named upstream, in configuration order; never empty
 * @param routes {@code routes:}, evaluated in order at {@code USER}
 * @param allowUserAtHost whether {@code USER name@host[:port]} may pick one of the configured upstreams
 * @param admin {@code admin:}: the operator API's token
 * @param audit {@code audit:}: optional audit fields
 */
public record GatewayConfig(List<ListenerConfig> listeners, UpstreamConfig upstream, TimeoutsConfig timeouts,
                            MetricsConfig metrics, LoggingConfig logging, LimitsConfig limits,
                            int shutdownGraceSeconds, UpstreamConfig.SslEngine tlsEngine,
                            List<UpstreamGroup> upstreams, List<RouteConfig> routes, boolean allowUserAtHost,
                            AdminConfig admin, AuditConfig audit) {

  public static final int DEFAULT_SHUTDOWN_GRACE_SECONDS = 30;

  public GatewayConfig {
    listeners = List.copyOf(listeners);
    upstreams = upstreams == null || upstreams.isEmpty() ? List.of(UpstreamGroup.single(upstream))
        : List.copyOf(upstreams);
    upstream = upstream != null ? upstream : upstreams.get(0).first();
    routes = routes == null ? List.of() : List.copyOf(routes);
    admin = admin != null ? admin : AdminConfig.defaults();
    audit = audit != null ? audit : AuditConfig.defaults();
  }

  /** With the default {@code admin:} and {@code audit:} sections. */
  public GatewayConfig(List<ListenerConfig> listeners, UpstreamConfig upstream, TimeoutsConfig timeouts,
                       MetricsConfig metrics, LoggingConfig logging, LimitsConfig limits,
                       int shutdownGraceSeconds, UpstreamConfig.SslEngine tlsEngine,
                       List<UpstreamGroup> upstreams, List<RouteConfig> routes, boolean allowUserAtHost) {
    this(listeners, upstream, timeouts, metrics, logging, limits, shutdownGraceSeconds, tlsEngine, upstreams, routes,
        allowUserAtHost, null, null);
  }

  /** One upstream ({@code upstream:}), named {@value UpstreamGroup#DEFAULT_NAME}, no routes. */
  public GatewayConfig(List<ListenerConfig> listeners, UpstreamConfig upstream, TimeoutsConfig timeouts,
                       MetricsConfig metrics, LoggingConfig logging, LimitsConfig limits,
                       int shutdownGraceSeconds, UpstreamConfig.SslEngine tlsEngine) {
    this(listeners, upstream, timeouts, metrics, logging, limits, shutdownGraceSeconds, tlsEngine, null, null, false);
  }

  /** With the TLS engine chosen automatically ({@code tls.engine: auto}). */
  public GatewayConfig(List<ListenerConfig> listeners, UpstreamConfig upstream, TimeoutsConfig timeouts,
                       MetricsConfig metrics, LoggingConfig logging, LimitsConfig limits, int shutdownGraceSeconds) {
    this(listeners, upstream, timeouts, metrics, logging, limits, shutdownGraceSeconds, UpstreamConfig.SslEngine.AUTO);
  }

  /** With default logging, limits and shutdown grace. */
  public GatewayConfig(List<ListenerConfig> listeners, UpstreamConfig upstream, TimeoutsConfig timeouts,
                       MetricsConfig metrics) {
    this(listeners, upstream, timeouts, metrics, LoggingConfig.defaults(), LimitsConfig.defaults(),
        DEFAULT_SHUTDOWN_GRACE_SECONDS);
  }

  public GatewayConfig withLimits(LimitsConfig newLimits) {
    return new GatewayConfig(listeners, upstream, timeouts, metrics, logging, newLimits, shutdownGraceSeconds,
        tlsEngine, upstreams, routes, allowUserAtHost, admin, audit);
  }

  /** The same gateway with these upstreams (the first server of the first becomes {@link #upstream}). */
  public GatewayConfig withUpstreams(List<UpstreamGroup> newUpstreams, List<RouteConfig> newRoutes,
                                     boolean newAllowUserAtHost) {
    return new GatewayConfig(listeners, newUpstreams.get(0).first(), timeouts, metrics, logging, limits,
        shutdownGraceSeconds, tlsEngine, newUpstreams, newRoutes, newAllowUserAtHost, admin, audit);
  }

  public GatewayConfig withListeners(List<ListenerConfig> newListeners) {
    return new GatewayConfig(newListeners, upstream, timeouts, metrics, logging, limits, shutdownGraceSeconds,
        tlsEngine, upstreams, routes, allowUserAtHost, admin, audit);
  }

  public GatewayConfig withAdmin(AdminConfig newAdmin) {
    return new GatewayConfig(listeners, upstream, timeouts, metrics, logging, limits, shutdownGraceSeconds,
        tlsEngine, upstreams, routes, allowUserAtHost, newAdmin, audit);
  }

  public GatewayConfig withAudit(AuditConfig newAudit) {
    return new GatewayConfig(listeners, upstream, timeouts, metrics, logging, limits, shutdownGraceSeconds,
        tlsEngine, upstreams, routes, allowUserAtHost, admin, newAudit);
  }

  /** The upstream named {@code name}, or null. */
  public UpstreamGroup upstreamNamed(String name) {
    return upstreams.stream().filter(u -> u.name().equals(name)).findFirst().orElse(null);
  }

  /** The upstream a listener's sessions start on: its {@code upstream:} name, else the first upstream. */
  public UpstreamGroup upstreamOf(ListenerConfig listener) {
    UpstreamGroup named = listener.upstream() == null ? null : upstreamNamed(listener.upstream());
    return named != null ? named : upstreams.get(0);
  }
}
