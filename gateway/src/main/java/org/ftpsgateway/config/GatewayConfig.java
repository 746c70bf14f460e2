package org.ftpsgateway.config;

import java.util.List;

/** The whole, validated configuration. Immutable; a reload builds a new one. */
public record GatewayConfig(List<ListenerConfig> listeners, UpstreamConfig upstream, TimeoutsConfig timeouts,
                            MetricsConfig metrics) {

  public GatewayConfig {
    listeners = List.copyOf(listeners);
  }
}
