package org.ftpsgateway.config;

import static org.ftpsgateway.config.ConfigValues.integer;

import io.vertx.core.json.JsonObject;

/** {@code timeouts:}, in seconds. */
final class TimeoutsSection {

  private TimeoutsSection() {
  }

  static TimeoutsConfig parse(JsonObject doc) throws ConfigException {
    JsonObject o = doc.getValue("timeouts") instanceof JsonObject t ? t : new JsonObject();
    String path = "timeouts";
    return new TimeoutsConfig(
        integer(o, "connectSeconds", path, TimeoutsConfig.DEFAULT_CONNECT_SECONDS, 1, 3600),
        integer(o, "idleSeconds", path, TimeoutsConfig.DEFAULT_IDLE_SECONDS, 1, 7 * 24 * 3600),
        integer(o, "dataConnectSeconds", path, TimeoutsConfig.DEFAULT_DATA_CONNECT_SECONDS, 1, 3600),
        integer(o, "loginSeconds", path, TimeoutsConfig.DEFAULT_LOGIN_SECONDS, 1, 3600));
  }
}
