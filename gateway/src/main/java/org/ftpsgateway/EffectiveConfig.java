package org.ftpsgateway;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.ListenerConfig;

/** The configuration as the gateway will run it (defaults and environment applied), for {@code --check-config}. */
final class EffectiveConfig {

  private EffectiveConfig() {
  }

  /** YAML-compatible JSON of the effective configuration. Paths to key material are shown; no secret is held. */
  static String describe(GatewayConfig c) {
    JsonArray listeners = new JsonArray();
    for (ListenerConfig l : c.listeners()) {
      listeners.add(new JsonObject().put("name", l.name()).put("host", l.host()).put("port", l.port())
          .put("tls", l.tls().configName()).put("passivePorts", l.passivePorts().toString())
          .put("passiveAddress", l.passiveAddress()).put("allowForeignActive", l.allowForeignActive()));
    }
    var u = c.upstream();
    JsonObject doc = new JsonObject()
        .put("listeners", listeners)
        .put("upstream", new JsonObject().put("host", u.host()).put("port", u.port()).put("tls", u.tls().configName())
            .put("serverName", u.serverName()).put("caFile", u.caFile())
            .put("protocols", new JsonArray(u.protocols())).put("dataMode", u.dataMode().name().toLowerCase())
            .put("sslEngine", u.sslEngine().name().toLowerCase()))
        .put("timeouts", new JsonObject().put("connectSeconds", c.timeouts().connectSeconds())
            .put("idleSeconds", c.timeouts().idleSeconds()).put("dataConnectSeconds", c.timeouts().dataConnectSeconds())
            .put("loginSeconds", c.timeouts().loginSeconds()))
        .put("limits", new JsonObject().put("maxSessions", c.limits().maxSessions())
            .put("maxSessionsPerClient", c.limits().maxSessionsPerClient())
            .put("maxLoginFailures", c.limits().maxLoginFailures())
            .put("loginFailureWindowSeconds", c.limits().loginFailureWindowSeconds())
            .put("maxConcurrentSetups", c.limits().maxConcurrentSetups()))
        .put("shutdownGraceSeconds", c.shutdownGraceSeconds())
        .put("metrics", new JsonObject().put("enabled", c.metrics().enabled()).put("host", c.metrics().host())
            .put("port", c.metrics().port()))
        .put("logLevel", c.logging().level())
        .put("logFormat", c.logging().json() ? "json" : "text");
    return doc.encodePrettily();
  }
}
