package org.ftpsgateway;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Logger;
import org.ftpsgateway.config.ConfigException;
import org.ftpsgateway.config.ConfigLoader;
import org.ftpsgateway.config.GatewayConfig;

/**
 * Hot reload of the configuration file, on SIGHUP ({@link #reloadNow}) and when the file changes (vertx-config's
 * {@code ConfigRetriever.listen} with a scan period). A file that fails validation is refused and logged and the
 * running configuration stays; a valid one goes to {@link Gateway#reload}, which applies it to new sessions only.
 */
public final class ConfigReloader {

  private static final Logger LOG = Logger.getLogger(ConfigReloader.class.getName());

  /** How often the file is checked for changes by default. */
  public static final long DEFAULT_SCAN_MILLIS = 5_000;

  private final Vertx vertx;
  private final Path file;
  private final Map<String, String> environment;
  private final Gateway gateway;
  private final Consumer<GatewayConfig> applied;
  private ConfigRetriever retriever;
  /** The document last applied (or started with): the retriever's first scan reports it as a change too. */
  private JsonObject lastDocument;

  /** {@code applied}: what else a valid configuration changes (the log level), called after the gateway took it. */
  public ConfigReloader(Vertx vertx, Path file, Map<String, String> environment, Gateway gateway,
                        Consumer<GatewayConfig> applied) {
    this.vertx = vertx;
    this.file = file;
    this.environment = Map.copyOf(environment);
    this.gateway = gateway;
    this.applied = applied;
  }

  /**
   * Watches the file every {@code scanMillis}. The file as it is now is the baseline (the gateway was started from
   * it); each later difference is validated and applied on a worker thread, since validation reads files. Blocking
   * (reads the baseline): call it before serving, not from an event loop.
   */
  public ConfigReloader watch(long scanMillis) throws ConfigException {
    lastDocument = ConfigLoader.readYaml(vertx, file);
    ConfigStoreOptions store = new ConfigStoreOptions().setType("file").setFormat("yaml")
        .setConfig(new JsonObject().put("path", file.toAbsolutePath().toString()));
    retriever = ConfigRetriever.create(vertx, new ConfigRetrieverOptions().setIncludeDefaultStores(false)
        .addStore(store).setScanPeriod(scanMillis));
    retriever.configStream().exceptionHandler(e -> {
      gateway.reloadRefused();
      LOG.severe("config file " + file + " changed but cannot be read, the running configuration stays: "
          + e.getMessage());
    });
    retriever.listen(change -> vertx.executeBlocking(() -> {
      JsonObject document = change.getNewConfiguration();
      synchronized (this) {
        if (document.equals(lastDocument)) {
          return null;
        }
        lastDocument = document;
      }
      try {
        apply("config file change", new ConfigFiles(environment).fromJson(document));
      } catch (ConfigException e) {
        refused("config file change", e);
      }
      return null;
    }, false));
    return this;
  }

  /**
   * SIGHUP re-reads the configuration through {@link #reloadNow}: an invalid file is refused and logged (the running
   * config stays); SIGHUP never stops the process. Platforms without SIGHUP only lose this trigger.
   */
  public ConfigReloader reloadOnSighup() {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> reloadNow("SIGHUP"));
    } catch (IllegalArgumentException e) {
      LOG.fine("SIGHUP cannot be handled on this platform: " + e.getMessage());
    }
    return this;
  }

  /**
   * SIGHUP: reads, validates and applies the file now. Blocking: call it from the signal thread or a worker, never
   * from an event loop. True when applied.
   */
  public boolean reloadNow(String trigger) {
    try {
      return apply(trigger, new ConfigFiles(environment).load(vertx, file));
    } catch (ConfigException e) {
      refused(trigger, e);
      return false;
    }
  }

  private boolean apply(String trigger, GatewayConfig fresh) {
    try {
      gateway.reload(fresh);
    } catch (ConfigException e) {
      LOG.severe(trigger + ": reload refused, the running configuration stays: " + e.getMessage());
      return false;
    }
    applied.accept(fresh);
    LOG.info(trigger + ": " + file + " applied to new sessions");
    return true;
  }

  private void refused(String trigger, ConfigException e) {
    gateway.reloadRefused();
    LOG.severe(trigger + ": reload refused, the running configuration stays: " + e.getMessage());
  }

  public void close() {
    if (retriever != null) {
      retriever.close();
    }
  }
}
