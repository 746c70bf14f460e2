package org.ftpsgateway.config;

/** Where the metrics and health endpoint listens. */
public record MetricsConfig(boolean enabled, String host, int port) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 9464;

  public static MetricsConfig defaults() {
    return new MetricsConfig(true, DEFAULT_HOST, DEFAULT_PORT);
  }
}
