package org.ftpsgateway.config;

/**
 * @param level error, warn, info or debug
 * @param json one JSON object per line instead of readable text (key {@code logFormat})
 */
public record LoggingConfig(String level, boolean json) {

  public static LoggingConfig defaults() {
    return new LoggingConfig("info", false);
  }
}
