package org.ftpsgateway.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.ListenerConfig;

/** The configuration as the gateway will run it (defaults and environment applied), for {@code --check-config}. */
public final class EffectiveConfig {

  private EffectiveConfig() {
  }

  /** YAML-compatible JSON of the effective configuration. Paths to key material are shown; no secret is held. */
  public static String describe(GatewayConfig c) {
    JsonArray listeners = new JsonArray();
    for (ListenerConfig l : c.listeners()) {
      listeners.add(new JsonObject().put("name", l.name()).put("host", l.host()).put("port", l.port())
          .put("tls", l.tls().configName()).put("passivePorts", l.passivePorts().toString())
          .put("passiveAddress", l.passiveAddress()).put("allowForeignActive", l.allowForeignActive())
          .put("certFile", l.clientTls().certFile()).put("keyFile", l.clientTls().keyFile())
          .put("keystore", l.clientTls().keystore()).put("password", l.clientTls().password() == null ? null : "***")
          .put("generatedCertDir", l.clientTls().generatedCertDir())
          .put("requireTls", l.clientTls().requireTls())
          .put("requireProtectedData", l.clientTls().requireProtectedData())
          .put("requireSessionReuse", l.clientTls().requireSessionReuse())
          .put("allowAuthSsl", l.clientTls().allowAuthSsl()).put("allowCcc", l.clientTls().allowCcc())
          .put("certReloadSeconds", l.clientTls().certReloadSeconds())
          .put("activeSourcePort", l.activeSourcePort())
          .put("allowClients", new JsonArray(l.access().allowClients().stream().map(Object::toString).toList()))
          .put("bytesPerSecond", l.access().bytesPerSecond())
          .put("acceptProxyProtocol", l.access().acceptProxyProtocol())
          .put("upstream", c.upstreamOf(l).name()));
    }
    JsonObject doc = new JsonObject().put("listeners", listeners);
    boolean shorthand = c.upstreams().size() == 1 && c.upstreams().get(0).servers().size() == 1
        && c.upstreams().get(0).name().equals(org.ftpsgateway.config.UpstreamGroup.DEFAULT_NAME);
    if (shorthand) {
      doc.put("upstream", upstream(c.upstream()));
    } else {
      JsonArray upstreams = new JsonArray();
      for (var g : c.upstreams()) {
        JsonObject entry = new JsonObject().put("name", g.name());
        upstream(g.first()).forEach(e -> entry.put(e.getKey(), e.getValue()));
        entry.remove("host");
        entry.remove("port");
        entry.put("servers", new JsonArray(g.servers().stream()
            .map(s -> new JsonObject().put("host", s.host()).put("port", s.port())).toList()));
        entry.put("balance", g.balance().configName()).put("probeSeconds", g.probeSeconds());
        upstreams.add(entry);
      }
      doc.put("upstreams", upstreams);
    }
    doc.put("routes", new JsonArray(c.routes().stream().map(r -> new JsonObject().put("user", r.user())
            .put("upstream", r.upstream()).put("rewriteUser", r.rewriteUser())).toList()))
        .put("allowUserAtHost", c.allowUserAtHost())
        .put("tls", new JsonObject().put("engine", c.tlsEngine().name().toLowerCase()))
        .put("timeouts", new JsonObject().put("connectSeconds", c.timeouts().connectSeconds())
            .put("idleSeconds", c.timeouts().idleSeconds()).put("dataConnectSeconds", c.timeouts().dataConnectSeconds())
            .put("loginSeconds", c.timeouts().loginSeconds()))
        .put("limits", new JsonObject().put("maxSessions", c.limits().maxSessions())
            .put("maxSessionsPerClient", c.limits().maxSessionsPerClient())
            .put("maxLoginFailures", c.limits().maxLoginFailures())
            .put("loginFailureWindowSeconds", c.limits().loginFailureWindowSeconds())
            .put("bytesPerSecond", c.limits().bytesPerSecond())
            .put("connectionsPerMinutePerClient", c.limits().connectionsPerMinutePerClient())
            .put("maxConcurrentSetups", c.limits().maxConcurrentSetups()))
        .put("shutdownGraceSeconds", c.shutdownGraceSeconds())
        .put("metrics", new JsonObject().put("enabled", c.metrics().enabled()).put("host", c.metrics().host())
            .put("port", c.metrics().port()))
        .put("admin", new JsonObject().put("tokenFile", c.admin().tokenFile()))
        .put("audit", new JsonObject().put("sha256", c.audit().sha256()))
        .put("logLevel", c.logging().level())
        .put("logFormat", c.logging().json() ? "json" : "text");
    return doc.encodePrettily();
  }

  private static JsonObject upstream(org.ftpsgateway.config.UpstreamConfig u) {
    return new JsonObject().put("host", u.host()).put("port", u.port()).put("tls", u.tls().configName())
        .put("serverName", u.serverName()).put("caFile", u.caFile())
        .put("protocols", new JsonArray(u.protocols())).put("dataMode", u.dataMode().name().toLowerCase())
        .put("activePorts", u.activePorts() == null ? null : u.activePorts().toString())
        .put("sslEngine", u.sslEngine().name().toLowerCase())
        .put("verifyHostname", u.tlsOptions().verifyHostname())
        .put("pinSha256", new JsonArray(u.tlsOptions().pinSha256()))
        .put("insecureSkipVerify", u.tlsOptions().insecureSkipVerify())
        .put("clientCertFile", u.tlsOptions().clientCertFile()).put("clientKeyFile", u.tlsOptions().clientKeyFile())
        .put("clientKeystore", u.tlsOptions().clientKeystore())
        .put("clientKeystorePassword", u.tlsOptions().clientKeystorePassword() == null ? null : "***")
        .put("cipherSuites", new JsonArray(u.tlsOptions().cipherSuites()))
        .put("allowLegacyTls", u.tlsOptions().allowLegacyTls()).put("ccc", u.tlsOptions().ccc())
        .put("proxyProtocol", u.proxyProtocol() == null ? "none" : u.proxyProtocol().name().toLowerCase());
  }
}
