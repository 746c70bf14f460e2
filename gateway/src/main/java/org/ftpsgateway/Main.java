package org.ftpsgateway;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ftpsgateway.cli.LogSetup;
import org.ftpsgateway.config.ConfigException;
import org.ftpsgateway.config.ConfigLoader;
import org.ftpsgateway.config.DataMode;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.ListenerConfig;
import org.ftpsgateway.config.MetricsConfig;
import org.ftpsgateway.config.PortRange;
import org.ftpsgateway.config.TimeoutsConfig;
import org.ftpsgateway.config.TlsMode;
import org.ftpsgateway.config.UpstreamConfig;
import org.ftpsgateway.demo.DemoFtpsServer;
import org.ftpsgateway.metrics.GatewayMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

/** Command line entry point. Exit codes: 0 ok, 1 runtime failure (e.g. a port in use), 2 bad usage or config. */
public final class Main {

  static final int EXIT_RUNTIME = 1;
  static final int EXIT_CONFIG = 2;

  /** Listener of the demo, a fixed contract: the README tells newcomers to use it. */
  static final int DEMO_PORT = 2021;

  private static final String USAGE = """
      Usage: java -jar ftps-gateway.jar [--config FILE | --demo] [--log-level LEVEL]

      A transparent FTP gateway: plain FTP clients connect to it, it speaks FTPS (AUTH TLS, PROT P,
      verified certificates) to the real server.

        --config FILE      run with this YAML configuration (see conf/gateway.yaml)
        --demo             start an embedded FTPS server (user demo/demo) and a gateway in front of it
                           on 127.0.0.1:2021; needs nothing else
        --check-config [FILE]  validate the configuration (FILE or --config), print the effective
                           configuration (defaults and environment applied, secrets masked) and exit
        --log-level LEVEL  error, warn, info (default) or debug
        --help             print this help
        --version          print the version

      Environment: every configuration key can be overridden by FTPGW_<PATH>, e.g.
      FTPGW_UPSTREAM_HOST=ftps.example.com or FTPGW_LISTENERS_0_PORT=2121.
      """;

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
    int code = run(args, System.out, System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    String configFile = null;
    boolean demo = false;
    boolean check = false;
    Level level = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--help", "-h" -> {
          out.print(USAGE);
          return 0;
        }
        case "--version", "-V" -> {
          out.println("ftps-gateway " + version());
          return 0;
        }
        case "--demo" -> demo = true;
        case "--check-config" -> {
          check = true;
          // also "--check-config FILE"
          if (i + 1 < args.length && !args[i + 1].startsWith("-")) {
            configFile = args[++i];
          }
        }
        case "--config", "-c" -> {
          if (i + 1 >= args.length) {
            err.println("ftps-gateway: --config needs a file name");
            return EXIT_CONFIG;
          }
          configFile = args[++i];
        }
        case "--log-level" -> {
          if (i + 1 >= args.length) {
            err.println("ftps-gateway: --log-level needs a level");
            return EXIT_CONFIG;
          }
          try {
            level = LogSetup.parseLevel(args[++i]);
          } catch (IllegalArgumentException e) {
            err.println("ftps-gateway: " + e.getMessage());
            return EXIT_CONFIG;
          }
        }
        default -> {
          err.println("ftps-gateway: unknown argument '" + a + "' (see --help)");
          return EXIT_CONFIG;
        }
      }
    }
    if (!demo && configFile == null) {
      err.println("ftps-gateway: give --config FILE or --demo (see --help)");
      return EXIT_CONFIG;
    }
    if (demo && configFile != null) {
      err.println("ftps-gateway: --demo runs its own configuration; do not combine it with --config");
      return EXIT_CONFIG;
    }
    LogSetup.configure(level != null ? level : Level.INFO);
    return demo ? runDemo(out, err) : runConfigured(Path.of(configFile), check, level, out, err);
  }

  private static int runConfigured(Path file, boolean checkOnly, Level cliLevel, PrintStream out, PrintStream err) {
    GatewayConfig config;
    Vertx loaderVertx = Vertx.vertx();
    try {
      config = new ConfigLoader(System.getenv()).load(loaderVertx, file);
    } catch (ConfigException e) {
      err.println("ftps-gateway: config error: " + e.getMessage());
      return EXIT_CONFIG;
    } finally {
      loaderVertx.close();
    }
    if (checkOnly) {
      out.println("ftps-gateway: configuration " + file + " is valid; effective configuration:");
      out.println(EffectiveConfig.describe(config));
      return 0;
    }
    if (cliLevel == null) {
      LogSetup.configure(LogSetup.parseLevel(config.logging().level()));
    }
    return serve(config, out, err, null, file, cliLevel);
  }

  /**
   * SIGHUP re-reads the configuration: an invalid file is refused and logged (the running config stays); a valid
   * one applies its upstreams, routes, limits and log level to new sessions (see {@link Gateway#reload}); SIGHUP
   * never stops the process.
   */
  private static void handleReloadSignal(ConfigReloader reloader) {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> reloader.reloadNow("SIGHUP"));
    } catch (IllegalArgumentException e) {
      Logger.getLogger(Main.class.getName()).fine("SIGHUP cannot be handled on this platform: " + e.getMessage());
    }
  }

  private static int runDemo(PrintStream out, PrintStream err) {
    DemoFtpsServer server;
    try {
      Path root = Files.createTempDirectory("ftpgw-demo");
      Files.writeString(root.resolve("hello.txt"), "Hello from the FTPS server behind ftps-gateway.\n");
      byte[] sample = new byte[1 << 20];
      new java.util.Random(42).nextBytes(sample);
      Files.write(root.resolve("sample-1M.bin"), sample);
      Files.createDirectories(root.resolve("upload"));
      server = DemoFtpsServer.start(0, "40100-40199", Map.of("demo", "demo"), root,
          List.of("TLSv1.2", "TLSv1.3"));
    } catch (Exception e) {
      err.println("ftps-gateway: cannot start the demo FTPS server: " + e.getMessage());
      return EXIT_RUNTIME;
    }
    GatewayConfig config = new GatewayConfig(
        List.of(new ListenerConfig("demo", "127.0.0.1", DEMO_PORT, TlsMode.NONE, new PortRange(40000, 40099),
            "127.0.0.1", false)),
        new UpstreamConfig("127.0.0.1", server.port(), TlsMode.EXPLICIT, "127.0.0.1",
            server.certificatePem().toString(), UpstreamConfig.DEFAULT_PROTOCOLS, DataMode.EPSV),
        TimeoutsConfig.defaults(),
        new MetricsConfig(true, MetricsConfig.DEFAULT_HOST, MetricsConfig.DEFAULT_PORT));
    String banner = String.join("\n",
        "ftps-gateway demo: embedded FTPS server (explicit TLS required, certificate generated and verified)"
            + " on 127.0.0.1:" + server.port() + ", serving " + server.root(),
        "  list:     curl ftp://demo:demo@127.0.0.1:" + DEMO_PORT + "/",
        "  download: curl -O ftp://demo:demo@127.0.0.1:" + DEMO_PORT + "/hello.txt",
        "  upload:   curl -T README.md ftp://demo:demo@127.0.0.1:" + DEMO_PORT + "/upload/",
        "  metrics:  curl http://127.0.0.1:" + MetricsConfig.DEFAULT_PORT + "/metrics",
        "Press Ctrl+C to stop.");
    try {
      return serve(config, out, err, banner, null, null);
    } finally {
      server.close();
    }
  }

  /**
   * Runs until the JVM is asked to stop (SIGINT/SIGTERM). With a {@code file}, SIGHUP and changes of the file reload
   * it; {@code cliLevel} (--log-level) then wins over the file's logLevel.
   */
  private static int serve(GatewayConfig config, PrintStream out, PrintStream err, String banner, Path file,
                           Level cliLevel) {
    Logger log = Logger.getLogger(Main.class.getName());
    GatewayMetrics metrics;
    Vertx vertx;
    if (config.metrics().enabled()) {
      PrometheusMeterRegistry registry = org.ftpsgateway.metrics.PrometheusRegistry.create();
      metrics = GatewayMetrics.create(registry);
      vertx = Vertx.builder()
          .with(new VertxOptions().setPreferNativeTransport(true)
              .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
          .withMetrics(new MicrometerMetricsFactory(registry))
          .build();
    } else {
      metrics = GatewayMetrics.disabled();
      vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    }
    Gateway gateway;
    try {
      gateway = Gateway.start(vertx, config, metrics).toCompletionStage().toCompletableFuture()
          .get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      err.println("ftps-gateway: " + cause.getMessage());
      vertx.close();
      return EXIT_RUNTIME;
    }
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
      ConfigReloader reloader = new ConfigReloader(vertx, file, System.getenv(), gateway, fresh -> {
        if (cliLevel == null) {
          LogSetup.configure(LogSetup.parseLevel(fresh.logging().level()));
        }
      });
      handleReloadSignal(reloader);
      try {
        reloader.watch(ConfigReloader.DEFAULT_SCAN_MILLIS);
      } catch (ConfigException e) {
        // the file was valid a moment ago; SIGHUP still works, only the watching is off
        log.warning("config file " + file + " is not watched for changes: " + e.getMessage());
      }
    }
    if (gateway.metricsPort() > 0) {
      log.info(() -> "metrics on http://" + config.metrics().host() + ":" + gateway.metricsPort()
          + "/metrics (also /healthz, /readyz)");
    }
    if (banner != null) {
      out.println(banner);
      out.flush();
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        // SIGTERM (Kubernetes, systemd): drain first, so transfers in flight complete
        log.info(() -> "shutting down: draining " + gateway.openSessions() + " session(s) for up to "
            + config.shutdownGraceSeconds() + " s");
        gateway.drain(config.shutdownGraceSeconds()).toCompletionStage().toCompletableFuture()
            .get(config.shutdownGraceSeconds() + 5L, TimeUnit.SECONDS);
        gateway.stop().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // shutting down anyway
      }
      stopped.countDown();
    }, "ftps-gateway-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  static String version() {
    return org.ftpsgateway.metrics.BuildInfo.version();
  }
}
