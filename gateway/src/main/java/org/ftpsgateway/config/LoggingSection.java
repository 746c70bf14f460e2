package org.ftpsgateway.config;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;

/** {@code logLevel} and {@code logFormat} (top-level keys). */
final class LoggingSection {

  private LoggingSection() {
  }

  static LoggingConfig parse(JsonObject root) throws ConfigException {
    String level = ConfigValues.string(root, "logLevel", "", "info").strip().toLowerCase(Locale.ROOT);
    if (!List.of("error", "warn", "info", "debug").contains(level)) {
      throw new ConfigException("logLevel", "must be error, warn, info or debug, got '" + level + "'");
    }
    String format = ConfigValues.string(root, "logFormat", "", "text").strip().toLowerCase(Locale.ROOT);
    if (!format.equals("text") && !format.equals("json")) {
      throw new ConfigException("logFormat", "must be text or json, got '" + format + "'");
    }
    return new LoggingConfig(level, format.equals("json"));
  }
}
