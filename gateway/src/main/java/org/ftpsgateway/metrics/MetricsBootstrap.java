package org.ftpsgateway.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

/**
 * The process's Vert.x and its metrics: with metrics on, one Prometheus registry holds the JVM and process meters,
 * Vert.x's own meters (through {@link MicrometerMetricsFactory}) and the gateway's; with metrics off, none.
 */
public record MetricsBootstrap(Vertx vertx, GatewayMetrics metrics) {

  public static MetricsBootstrap create(boolean enabled) {
    if (!enabled) {
      return new MetricsBootstrap(Vertx.vertx(new VertxOptions().setPreferNativeTransport(true)),
          GatewayMetrics.disabled());
    }
    PrometheusMeterRegistry registry = PrometheusRegistry.create();
    GatewayMetrics metrics = GatewayMetrics.create(registry);
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setPreferNativeTransport(true)
            .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
    return new MetricsBootstrap(vertx, metrics);
  }
}
