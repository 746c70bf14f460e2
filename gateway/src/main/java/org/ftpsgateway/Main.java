package org.ftpsgateway;

import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ftpsgateway.cli.Arguments;
import org.ftpsgateway.cli.EffectiveConfig;
import org.ftpsgateway.cli.LogSetup;
import org.ftpsgateway.config.ConfigException;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.demo.DemoBootstrap;
import org.ftpsgateway.metrics.MetricsBootstrap;

/**
 * Command line entry point: parses the arguments ({@link Arguments}) and starts things. Exit codes: 0 ok (also after
 * a graceful stop by SIGTERM/SIGINT), 1 runtime failure (e.g. a port in use), 2 bad usage or config (also when the
 * start fails for a reason {@code --check-config} reports).
 */
public final class Main {

  private static final String PROGRAM = "ftps-gateway: ";

  private Main() {
  }

  public static void main(String[] args) {
    // The JDK discards vsftpd's TLS 1.2 session tickets (lifetime INT_MAX with require_ssl_reuse), so data
    // connections could not resume the control session; session-ID resumption works. Must be set before the
    // first TLS context is built.
    if (System.getProperty("jdk.tls.client.enableSessionTicketExtension") == null) {
      System.setProperty("jdk.tls.client.enableSessionTicketExtension", "false");
    }
    // Netty 4.2 defaults to its adaptive allocator; the pooled one cost less CPU per relayed GB here (fewer page
    // faults from fresh chunks: 2-7 % of samples in an async-profiler profile of a 1 GiB transfer, issue #6).
    // Must be set before Netty's allocator class initialises; an explicit -D wins.
    if (System.getProperty("io.netty.allocator.type") == null) {
      System.setProperty("io.netty.allocator.type", "pooled");
    }
    // always exit explicitly: threads of libraries (the demo's FTP server, a JDK pool) must not keep a stopped
    // gateway alive, and a graceful stop ends with 0
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    Arguments arguments = Arguments.parse(args);
    switch (arguments.action()) {
      case HELP -> out.print(Arguments.USAGE);
      case VERSION -> out.println("ftps-gateway " + version());
      case USAGE_ERROR -> err.println(PROGRAM + arguments.error());
      default -> {
        LogSetup.configure(arguments.logLevel() != null ? arguments.logLevel() : Level.INFO);
        return arguments.action() == Arguments.Action.DEMO ? runDemo(out, err)
            : runConfigured(arguments.config(), arguments.action() == Arguments.Action.CHECK_CONFIG,
                arguments.logLevel(), out, err);
      }
    }
    return arguments.exitCode();
  }

  private static int runConfigured(Path file, boolean checkOnly, Level cliLevel, PrintStream out, PrintStream err) {
    GatewayConfig config;
    Vertx loaderVertx = Vertx.vertx();
    try {
      config = new ConfigFiles(System.getenv()).load(loaderVertx, file);
    } catch (ConfigException e) {
      err.println(PROGRAM + "config error: " + e.getMessage());
      return Arguments.EXIT_CONFIG;
    } finally {
      loaderVertx.close();
    }
    if (checkOnly) {
      // stdout carries the effective configuration alone, so that `--check-config FILE | jq .` works
      out.println(EffectiveConfig.describe(config));
      err.println(PROGRAM + "configuration " + file + " is valid; the effective configuration is on stdout");
      return Arguments.EXIT_OK;
    }
    if (cliLevel == null) {
      LogSetup.configure(LogSetup.parseLevel(config.logging().level()));
    }
    return serve(config, out, err, null, file, cliLevel);
  }

  private static int runDemo(PrintStream out, PrintStream err) {
    DemoBootstrap demo;
    try {
      demo = DemoBootstrap.start();
    } catch (Exception e) {
      err.println(PROGRAM + "cannot start the demo FTPS server: " + e.getMessage());
      return Arguments.EXIT_RUNTIME;
    }
    try (demo) {
      return serve(demo.config(), out, err, demo.banner(), null, null);
    }
  }

  /**
   * Runs until the JVM is asked to stop (SIGINT/SIGTERM). With a {@code file}, SIGHUP and changes of the file reload
   * it; {@code cliLevel} (--log-level) then wins over the file's logLevel.
   */
  private static int serve(GatewayConfig config, PrintStream out, PrintStream err, String banner, Path file,
                           Level cliLevel) {
    Logger log = Logger.getLogger(Main.class.getName());
    MetricsBootstrap runtime = MetricsBootstrap.create(config.metrics().enabled());
    Vertx vertx = runtime.vertx();
    Gateway gateway;
    try {
      gateway = Gateway.start(vertx, config, runtime.metrics()).toCompletionStage().toCompletableFuture()
          .get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      vertx.close();
      if (cause instanceof ConfigException) {
        // key material that does not load: the config's fault, and no restart will fix it (systemd's
        // RestartPreventExitStatus=2)
        err.println(PROGRAM + "config error: " + cause.getMessage());
        return Arguments.EXIT_CONFIG;
      }
      err.println(PROGRAM + cause.getMessage());
      return Arguments.EXIT_RUNTIME;
    }
    // from here on SIGTERM drains and ends with 0, also while the lines below are written
    Shutdown shutdown = Shutdown.onSignal(gateway, vertx, config.shutdownGraceSeconds());
    for (Gateway.BoundListener l : gateway.listeners()) {
      var upstream = config.upstreamOf(config.listeners().stream().filter(c -> c.name().equals(l.name()))
          .findFirst().orElseThrow());
      var first = upstream.first();
      log.info(() -> "listener " + l.name() + " on " + l.host() + ":" + l.port() + " -> upstream " + upstream.name()
          + " " + String.join(", ", upstream.servers().stream().map(u -> u.host() + ":" + u.port()).toList())
          + " (" + first.tls().configName() + " FTPS, " + String.join("/", first.protocols()) + ")"
          + (config.routes().isEmpty() ? "" : ", " + config.routes().size() + " route(s)"));
    }
    if (file != null) {
      watchConfig(vertx, file, gateway, cliLevel, log);
    }
    if (gateway.metricsPort() > 0) {
      log.info(() -> "metrics on http://" + config.metrics().host() + ":" + gateway.metricsPort()
          + "/metrics (also /healthz, /readyz, /status, /api/v1/sessions)");
    }
    if (banner != null) {
      out.println(banner);
      out.flush();
    }
    shutdown.awaitStopped();
    return Arguments.EXIT_OK;
  }

  /** SIGHUP and changes of {@code file} reload it (see {@link Gateway#reload}); a valid file also sets the log level. */
  private static void watchConfig(Vertx vertx, Path file, Gateway gateway, Level cliLevel, Logger log) {
    ConfigReloader reloader = new ConfigReloader(vertx, file, System.getenv(), gateway, fresh -> {
      if (cliLevel == null) {
        LogSetup.configure(LogSetup.parseLevel(fresh.logging().level()));
      }
    }).reloadOnSighup();
    try {
      reloader.watch(ConfigReloader.DEFAULT_SCAN_MILLIS);
    } catch (ConfigException e) {
      // the file was valid a moment ago; SIGHUP still works, only the watching is off
      log.warning("config file " + file + " is not watched for changes: " + e.getMessage());
    }
  }

  static String version() {
    return org.ftpsgateway.metrics.BuildInfo.version();
  }
}
