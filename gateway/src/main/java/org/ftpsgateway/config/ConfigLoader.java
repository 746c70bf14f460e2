package org.ftpsgateway.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/**
 * Reads the YAML file (through vertx-config), applies the {@link EnvironmentOverrides}, checks every key against the
 * {@link ConfigSchema} and builds the immutable {@link GatewayConfig} section by section; then runs the checks that
 * need more than the document (the TLS ones live in the tls package and are passed in). Every failure is a
 * {@link ConfigException} whose message names the key.
 */
public final class ConfigLoader {

  public static final String ENV_PREFIX = EnvironmentOverrides.PREFIX;

  /**
   * A check of the built config that reads files or asks a provider (key stores, cipher suites, OpenSSL), kept out
   * of this package so that config depends on no implementation.
   */
  @FunctionalInterface
  public interface Check {
    /**
     * @param upstreamKeys the key of each entry of {@link GatewayConfig#upstreams()} as the file wrote it
     *     ({@code upstream} or {@code upstreams[i]}), for messages that name the key
     */
    void check(GatewayConfig config, List<String> upstreamKeys) throws ConfigException;
  }

  private final EnvironmentOverrides environment;
  private final List<Check> checks;

  public ConfigLoader(Map<String, String> environment, Check... checks) {
    this.environment = new EnvironmentOverrides(environment);
    this.checks = List.of(checks);
  }

  /** Reads and validates {@code file}. Blocks: call it from {@code main}, never from an event loop. */
  public GatewayConfig load(Vertx vertx, Path file) throws ConfigException {
    return fromJson(readYaml(vertx, file));
  }

  /** The raw document of a YAML file, read with vertx-config's YAML store. */
  public static JsonObject readYaml(Vertx vertx, Path file) throws ConfigException {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("", "config file " + file + " does not exist or is not a file");
    }
    if (!Files.isReadable(file)) {
      throw new ConfigException("", "config file " + file + " is not readable");
    }
    ConfigStoreOptions store = new ConfigStoreOptions().setType("file").setFormat("yaml")
        .setConfig(new JsonObject().put("path", file.toAbsolutePath().toString()));
    ConfigRetriever retriever = ConfigRetriever.create(vertx,
        new ConfigRetrieverOptions().setIncludeDefaultStores(false).addStore(store).setScanPeriod(-1));
    try {
      return retriever.getConfig().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new ConfigException("", "cannot parse " + file + " as YAML: " + ConfigValues.oneLine(cause));
    } finally {
      retriever.close();
    }
  }

  /** Applies the environment, validates, and builds the config. */
  public GatewayConfig fromJson(JsonObject document) throws ConfigException {
    JsonObject doc = document.copy();
    environment.applyTo(doc);
    ConfigSchema.check(doc);
    GatewayConfig config = build(doc);
    List<String> upstreamKeys = upstreamKeys(doc, config.upstreams().size());
    for (Check check : checks) {
      check.check(config, upstreamKeys);
    }
    return config;
  }

  /** The key of each upstream as the document wrote it, for messages. */
  private static List<String> upstreamKeys(JsonObject doc, int count) {
    return IntStream.range(0, count).mapToObj(i -> UpstreamSection.keyOf(doc, i)).toList();
  }

  private static GatewayConfig build(JsonObject doc) throws ConfigException {
    List<ListenerConfig> listeners = ListenerSection.parse(doc);
    JsonObject tls = doc.getValue("tls") instanceof JsonObject t ? t : new JsonObject();
    UpstreamConfig.SslEngine engine = UpstreamServerSection.sslEngine(tls, "engine", "tls",
        UpstreamConfig.SslEngine.AUTO);
    List<UpstreamGroup> upstreams = UpstreamSection.parse(doc, engine);
    UpstreamSection.checkListenerUpstreams(listeners, upstreams);
    MetricsConfig metrics = MetricsSection.parse(doc);
    PortConflicts.check(listeners, upstreams, upstreamKeys(doc, upstreams.size()), metrics);
    return new GatewayConfig(listeners, upstreams.get(0).first(), TimeoutsSection.parse(doc),
        metrics, LoggingSection.parse(doc), LimitsSection.parse(doc),
        ConfigValues.integer(doc, "shutdownGraceSeconds", "", GatewayConfig.DEFAULT_SHUTDOWN_GRACE_SECONDS, 0, 86_400),
        engine, upstreams, RouteSection.parse(doc, upstreams), ConfigValues.bool(doc, "allowUserAtHost", "", false),
        AdminSection.parse(doc), AuditSection.parse(doc));
  }
}
