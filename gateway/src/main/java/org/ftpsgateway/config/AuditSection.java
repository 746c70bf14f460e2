package org.ftpsgateway.config;

import io.vertx.core.json.JsonObject;

/** {@code audit:}: optional fields of the audit lines. */
final class AuditSection {

  private AuditSection() {
  }

  static AuditConfig parse(JsonObject doc) throws ConfigException {
    JsonObject o = doc.getValue("audit") instanceof JsonObject a ? a : new JsonObject();
    return new AuditConfig(ConfigValues.bool(o, "sha256", "audit", false));
  }
}
