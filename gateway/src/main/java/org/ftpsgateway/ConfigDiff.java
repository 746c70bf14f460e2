package org.ftpsgateway;

import java.util.ArrayList;
import java.util.List;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.ListenerConfig;

/**
 * What a hot reload cannot apply: sockets already bound and values fixed per listener or per process. Pure, so a
 * reload can log exactly which changed keys wait for a restart.
 */
final class ConfigDiff {

  private ConfigDiff() {
  }

  /** The keys a reload cannot apply that differ between {@code old} and {@code fresh}, in configuration order. */
  static List<String> restartNeeded(GatewayConfig old, GatewayConfig fresh) {
    List<String> keys = new ArrayList<>();
    // a listener's upstream choice is applied by a reload; everything else about a listener is bound at start
    List<ListenerConfig> a = old.listeners().stream().map(l -> l.withUpstream(null)).toList();
    List<ListenerConfig> b = fresh.listeners().stream().map(l -> l.withUpstream(null)).toList();
    if (!a.equals(b)) {
      keys.add("listeners");
    }
    if (!old.timeouts().equals(fresh.timeouts())) {
      keys.add("timeouts");
    }
    if (!old.metrics().equals(fresh.metrics())) {
      keys.add("metrics");
    }
    if (!old.admin().equals(fresh.admin())) {
      // the token file's path; its content is re-read by the endpoint on its own
      keys.add("admin.tokenFile");
    }
    if (!old.audit().equals(fresh.audit())) {
      keys.add("audit");
    }
    if (old.tlsEngine() != fresh.tlsEngine()) {
      keys.add("tls.engine");
    }
    if (old.logging().json() != fresh.logging().json()) {
      keys.add("logFormat");
    }
    if (old.shutdownGraceSeconds() != fresh.shutdownGraceSeconds()) {
      keys.add("shutdownGraceSeconds");
    }
    return keys;
  }
}
