package org.ftpsgateway.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every key the configuration knows, with its type. Used to refuse unknown keys (a typo must not silently fall
 * back to a default) and to map {@code FTPGW_<PATH>} environment variables onto keys.
 */
final class ConfigSchema {

  enum Kind { STRING, INT, BOOL, STRING_LIST, OBJECT, OBJECT_LIST }

  record Field(Kind kind, Map<String, Field> children) {
    static Field of(Kind kind) {
      return new Field(kind, Map.of());
    }
  }

  static final Map<String, Field> ROOT;

  static {
    Map<String, Field> listener = ordered(
        "name", Field.of(Kind.STRING),
        "host", Field.of(Kind.STRING),
        "port", Field.of(Kind.INT),
        "tls", Field.of(Kind.STRING),
        "passivePorts", Field.of(Kind.STRING),
        "passiveAddress", Field.of(Kind.STRING),
        "allowForeignActive", Field.of(Kind.BOOL),
        "activeSourcePort", Field.of(Kind.INT),
        "certFile", Field.of(Kind.STRING),
        "keyFile", Field.of(Kind.STRING),
        "keystore", Field.of(Kind.STRING),
        "password", Field.of(Kind.STRING),
        "generatedCertDir", Field.of(Kind.STRING),
        "requireTls", Field.of(Kind.BOOL),
        "requireProtectedData", Field.of(Kind.BOOL),
        "requireSessionReuse", Field.of(Kind.BOOL),
        "allowAuthSsl", Field.of(Kind.BOOL),
        "allowCcc", Field.of(Kind.BOOL),
        "certReloadSeconds", Field.of(Kind.INT),
        "allowClients", Field.of(Kind.STRING_LIST),
        "bytesPerSecond", Field.of(Kind.INT),
        "acceptProxyProtocol", Field.of(Kind.BOOL),
        "upstream", Field.of(Kind.STRING));
    Map<String, Field> upstream = ordered(
        "host", Field.of(Kind.STRING),
        "port", Field.of(Kind.INT),
        "tls", Field.of(Kind.STRING),
        "serverName", Field.of(Kind.STRING),
        "caFile", Field.of(Kind.STRING),
        "protocols", Field.of(Kind.STRING_LIST),
        "dataMode", Field.of(Kind.STRING),
        "activePorts", Field.of(Kind.STRING),
        "sslEngine", Field.of(Kind.STRING),
        "verifyHostname", Field.of(Kind.BOOL),
        "pinSha256", Field.of(Kind.STRING_LIST),
        "insecureSkipVerify", Field.of(Kind.BOOL),
        "clientCertFile", Field.of(Kind.STRING),
        "clientKeyFile", Field.of(Kind.STRING),
        "clientKeystore", Field.of(Kind.STRING),
        "clientKeystorePassword", Field.of(Kind.STRING),
        "cipherSuites", Field.of(Kind.STRING_LIST),
        "allowLegacyTls", Field.of(Kind.BOOL),
        "ccc", Field.of(Kind.BOOL),
        "proxyProtocol", Field.of(Kind.STRING),
        "servers", new Field(Kind.OBJECT_LIST, ordered(
            "host", Field.of(Kind.STRING),
            "port", Field.of(Kind.INT))),
        "balance", Field.of(Kind.STRING),
        "probeSeconds", Field.of(Kind.INT));
    Map<String, Field> namedUpstream = new LinkedHashMap<>();
    namedUpstream.put("name", Field.of(Kind.STRING));
    namedUpstream.putAll(upstream);
    Map<String, Field> route = ordered(
        "user", Field.of(Kind.STRING),
        "upstream", Field.of(Kind.STRING),
        "rewriteUser", Field.of(Kind.STRING));
    Map<String, Field> tls = ordered(
        "engine", Field.of(Kind.STRING));
    Map<String, Field> timeouts = ordered(
        "connectSeconds", Field.of(Kind.INT),
        "idleSeconds", Field.of(Kind.INT),
        "dataConnectSeconds", Field.of(Kind.INT),
        "loginSeconds", Field.of(Kind.INT));
    Map<String, Field> limits = ordered(
        "maxSessions", Field.of(Kind.INT),
        "maxSessionsPerClient", Field.of(Kind.INT),
        "maxLoginFailures", Field.of(Kind.INT),
        "loginFailureWindowSeconds", Field.of(Kind.INT),
        "bytesPerSecond", Field.of(Kind.INT),
        "connectionsPerMinutePerClient", Field.of(Kind.INT),
        "maxConcurrentSetups", Field.of(Kind.INT));
    Map<String, Field> metrics = ordered(
        "enabled", Field.of(Kind.BOOL),
        "host", Field.of(Kind.STRING),
        "port", Field.of(Kind.INT));
    Map<String, Field> admin = ordered(
        "tokenFile", Field.of(Kind.STRING));
    Map<String, Field> audit = ordered(
        "sha256", Field.of(Kind.BOOL));
    ROOT = ordered(
        "listeners", new Field(Kind.OBJECT_LIST, listener),
        "upstream", new Field(Kind.OBJECT, upstream),
        "upstreams", new Field(Kind.OBJECT_LIST, java.util.Collections.unmodifiableMap(namedUpstream)),
        "routes", new Field(Kind.OBJECT_LIST, route),
        "allowUserAtHost", Field.of(Kind.BOOL),
        "tls", new Field(Kind.OBJECT, tls),
        "timeouts", new Field(Kind.OBJECT, timeouts),
        "metrics", new Field(Kind.OBJECT, metrics),
        "admin", new Field(Kind.OBJECT, admin),
        "audit", new Field(Kind.OBJECT, audit),
        "limits", new Field(Kind.OBJECT, limits),
        "shutdownGraceSeconds", Field.of(Kind.INT),
        "logLevel", Field.of(Kind.STRING),
        "logFormat", Field.of(Kind.STRING));
  }

  private ConfigSchema() {
  }

  /** Refuses any key the schema does not know, and a mapping or list where the schema wants the other. */
  static void check(JsonObject doc) throws ConfigException {
    checkKeys(doc, ROOT, "");
  }

  private static void checkKeys(JsonObject obj, Map<String, Field> schema, String path) throws ConfigException {
    for (String key : obj.fieldNames()) {
      String keyPath = ConfigValues.keyPath(path, key);
      Field field = schema.get(key);
      if (field == null) {
        throw new ConfigException(keyPath, "unknown key (known here: " + String.join(", ", schema.keySet()) + ")");
      }
      Object value = obj.getValue(key);
      if (value == null) {
        continue;
      }
      switch (field.kind()) {
        case OBJECT -> {
          if (!(value instanceof JsonObject child)) {
            throw new ConfigException(keyPath, "expected a mapping of keys");
          }
          checkKeys(child, field.children(), keyPath);
        }
        case OBJECT_LIST -> {
          if (!(value instanceof JsonArray list)) {
            throw new ConfigException(keyPath, "expected a list");
          }
          for (int i = 0; i < list.size(); i++) {
            if (!(list.getValue(i) instanceof JsonObject entry)) {
              throw new ConfigException(keyPath + "[" + i + "]", "expected a mapping of keys");
            }
            checkKeys(entry, field.children(), keyPath + "[" + i + "]");
          }
        }
        default -> {
          // scalar types are converted and checked where they are read
        }
      }
    }
  }

  private static Map<String, Field> ordered(Object... keysAndFields) {
    Map<String, Field> map = new LinkedHashMap<>();
    for (int i = 0; i < keysAndFields.length; i += 2) {
      map.put((String) keysAndFields[i], (Field) keysAndFields[i + 1]);
    }
    return java.util.Collections.unmodifiableMap(map);
  }
}
