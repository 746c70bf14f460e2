package org.ftpsgateway;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import org.ftpsgateway.config.ConfigException;
import org.ftpsgateway.config.ConfigLoader;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.tls.TlsConfigCheck;

/**
 * The one way the application loads its configuration (start, {@code --check-config}, reload): the
 * {@link ConfigLoader} with the TLS checks of {@link TlsConfigCheck}, which the config package cannot run itself
 * without depending on tls.
 */
public final class ConfigFiles {

  private final ConfigLoader loader;

  public ConfigFiles(Map<String, String> environment) {
    this.loader = new ConfigLoader(environment, new TlsConfigCheck());
  }

  /** Reads and validates {@code file}. Blocks: call it from {@code main}, never from an event loop. */
  public GatewayConfig load(Vertx vertx, Path file) throws ConfigException {
    return loader.load(vertx, file);
  }

  /** Applies the environment, validates (TLS checks included), and builds the config. */
  public GatewayConfig fromJson(JsonObject document) throws ConfigException {
    return loader.fromJson(document);
  }
}
