package org.ftpsgateway.config;

import static org.ftpsgateway.config.ConfigValues.integer;
import static org.ftpsgateway.config.ConfigValues.longInteger;

import io.vertx.core.json.JsonObject;

/** {@code limits:}: sessions, login failures, rates. */
final class LimitsSection {

  /** 100 GB/s: beyond any link, and far from overflowing the token arithmetic. */
  static final long MAX_BYTES_PER_SECOND = 100_000_000_000L;

  private LimitsSection() {
  }

  static LimitsConfig parse(JsonObject doc) throws ConfigException {
    JsonObject o = doc.getValue("limits") instanceof JsonObject l ? l : new JsonObject();
    String path = "limits";
    LimitsConfig d = LimitsConfig.defaults();
    return new LimitsConfig(
        integer(o, "maxSessions", path, d.maxSessions(), 0, 10_000_000),
        integer(o, "maxSessionsPerClient", path, d.maxSessionsPerClient(), 0, 10_000_000),
        integer(o, "maxLoginFailures", path, d.maxLoginFailures(), 0, 1_000_000),
        integer(o, "loginFailureWindowSeconds", path, d.loginFailureWindowSeconds(), 1, 86_400),
        longInteger(o, "bytesPerSecond", path, d.bytesPerSecond(), 0, MAX_BYTES_PER_SECOND),
        integer(o, "connectionsPerMinutePerClient", path, d.connectionsPerMinutePerClient(), 0, 1_000_000),
        integer(o, "maxConcurrentSetups", path, d.maxConcurrentSetups(), 0, 100_000));
  }
}
