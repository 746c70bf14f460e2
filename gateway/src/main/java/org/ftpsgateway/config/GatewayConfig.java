package org.ftpsgateway.config;

import java.util.List;

/** The whole, validated configuration. Immutable; a reload builds a new one. */
public record GatewayConfig(List<ListenerConfig> listeners, UpstreamConfig upstream, TimeoutsConfig timeouts,
                            MetricsConfig metrics, LoggingConfig logging, LimitsConfig limits,
                            int shutdownGraceSeconds, UpstreamConfig.SslEngine tlsEngine) {

  public static final int DEFAULT_SHUTDOWN_GRACE_SECONDS = 30;

  public GatewayConfig {
    listeners = List.copyOf(listeners);
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
        tlsEngine);
  }
}
