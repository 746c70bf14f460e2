package org.ftpsgateway.config;

import io.vertx.core.json.JsonObject;

/** {@code metrics:}: the Prometheus endpoint. */
final class MetricsSection {

  private MetricsSection() {
  }

  static MetricsConfig parse(JsonObject doc) throws ConfigException {
    JsonObject o = doc.getValue("metrics") instanceof JsonObject m ? m : new JsonObject();
    String path = "metrics";
    return new MetricsConfig(
        ConfigValues.bool(o, "enabled", path, true),
        ConfigValues.string(o, "host", path, MetricsConfig.DEFAULT_HOST),
        ConfigValues.integer(o, "port", path, MetricsConfig.DEFAULT_PORT, 0, 65535));
  }
}
