package org.ftpsgateway.config;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code admin:}: the operator API's token. */
final class AdminSection {

  private AdminSection() {
  }

  static AdminConfig parse(JsonObject doc) throws ConfigException {
    JsonObject o = doc.getValue("admin") instanceof JsonObject a ? a : new JsonObject();
    String file = ConfigValues.string(o, "tokenFile", "admin", null);
    if (file == null || file.isBlank()) {
      return AdminConfig.defaults();
    }
    // the token itself is read (and re-read when it changes) by the endpoint; here only what makes it unusable
    if (!Files.isRegularFile(Path.of(file)) || !Files.isReadable(Path.of(file))) {
      throw new ConfigException("admin.tokenFile", "cannot read " + file);
    }
    return new AdminConfig(file);
  }
}
