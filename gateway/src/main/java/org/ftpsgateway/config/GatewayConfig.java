package org.ftpsgateway.config;

import java.util.List;

/** The whole, validated configuration. Immutable; a reload builds a new one. */
public record GatewayConfig(List<ListenerConfig> listeners, UpstreamConfig upstream, TimeoutsConfig timeouts,
                            MetricsConfig metrics, LoggingConfig logging) {

  public GatewayConfig {
    listeners = List.copyOf(listeners);
  }

  /** With default logging. */
  public GatewayConfig(List<ListenerConfig> listeners, UpstreamConfig upstream, TimeoutsConfig timeouts,
                       MetricsConfig metrics) {
    this(listeners, upstream, timeouts, metrics, LoggingConfig.defaults());
  }
}
