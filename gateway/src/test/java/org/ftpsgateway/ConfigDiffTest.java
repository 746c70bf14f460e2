package org.ftpsgateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.ftpsgateway.config.DataMode;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.LimitsConfig;
import org.ftpsgateway.config.ListenerConfig;
import org.ftpsgateway.config.LoggingConfig;
import org.ftpsgateway.config.MetricsConfig;
import org.ftpsgateway.config.PortRange;
import org.ftpsgateway.config.RouteConfig;
import org.ftpsgateway.config.TimeoutsConfig;
import org.ftpsgateway.config.TlsMode;
import org.ftpsgateway.config.UpstreamConfig;
import org.ftpsgateway.config.UpstreamGroup;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which changed keys a hot reload reports as applied only at restart. */
class ConfigDiffTest {

  private static final UpstreamConfig UPSTREAM = new UpstreamConfig("ftps.example.com", 21, TlsMode.EXPLICIT,
      "ftps.example.com", null, UpstreamConfig.DEFAULT_PROTOCOLS, DataMode.EPSV);
  private static final ListenerConfig LISTENER = new ListenerConfig("public", "0.0.0.0", 2121, TlsMode.NONE,
      new PortRange(30000, 30009), null, false);

  private static GatewayConfig config(ListenerConfig listener, TimeoutsConfig timeouts, MetricsConfig metrics,
                                      LoggingConfig logging, int graceSeconds, UpstreamConfig.SslEngine engine) {
    return new GatewayConfig(List.of(listener), UPSTREAM, timeouts, metrics, logging, LimitsConfig.defaults(),
        graceSeconds, engine);
  }

  private static final GatewayConfig BASE = config(LISTENER, TimeoutsConfig.defaults(), MetricsConfig.defaults(),
      LoggingConfig.defaults(), GatewayConfig.DEFAULT_SHUTDOWN_GRACE_SECONDS, UpstreamConfig.SslEngine.AUTO);

  static Stream<Arguments> changes() {
    UpstreamConfig otherServer = new UpstreamConfig("other.example.com", 21, TlsMode.EXPLICIT, "other.example.com",
        null, UpstreamConfig.DEFAULT_PROTOCOLS, DataMode.EPSV);
    UpstreamGroup other = new UpstreamGroup("other", List.of(otherServer), UpstreamGroup.Balance.FIRST_AVAILABLE, 30);
    return Stream.of(
        arguments("nothing", (UnaryOperator<GatewayConfig>) c -> c, List.of()),
        // what a reload applies: upstreams, routes, limits, a listener's upstream choice
        arguments("upstreams and routes", (UnaryOperator<GatewayConfig>) c -> c.withUpstreams(
            List.of(UpstreamGroup.single(UPSTREAM), other), List.of(new RouteConfig("bob", "other", null)), true),
            List.of()),
        arguments("limits", (UnaryOperator<GatewayConfig>) c -> c.withLimits(
            LimitsConfig.defaults().withMaxConcurrentSetups(7)), List.of()),
        arguments("a listener's upstream", (UnaryOperator<GatewayConfig>) c -> c.withListeners(
            List.of(LISTENER.withUpstream("other"))), List.of()),
        // what needs a restart
        arguments("a listener's port", (UnaryOperator<GatewayConfig>) c -> c.withListeners(
            List.of(new ListenerConfig("public", "0.0.0.0", 2122, TlsMode.NONE, new PortRange(30000, 30009), null,
                false))), List.of("listeners")),
        arguments("timeouts", (UnaryOperator<GatewayConfig>) c -> config(LISTENER, new TimeoutsConfig(5, 900, 30),
            MetricsConfig.defaults(), LoggingConfig.defaults(), 30, UpstreamConfig.SslEngine.AUTO),
            List.of("timeouts")),
        arguments("everything fixed", (UnaryOperator<GatewayConfig>) c -> config(
            new ListenerConfig("public", "127.0.0.1", 2121, TlsMode.NONE, new PortRange(30000, 30009), null, false),
            new TimeoutsConfig(5, 900, 30), new MetricsConfig(false, "127.0.0.1", 9464),
            new LoggingConfig("info", true), 5, UpstreamConfig.SslEngine.JDK),
            List.of("listeners", "timeouts", "metrics", "tls.engine", "logFormat", "shutdownGraceSeconds")),
        arguments("admin and audit", (UnaryOperator<GatewayConfig>) c -> c.withAdmin(
            new org.ftpsgateway.config.AdminConfig("/run/secrets/token")).withAudit(
            new org.ftpsgateway.config.AuditConfig(true)), List.of("admin.tokenFile", "audit")),
        // the log level is applied by the reloader itself, so it is not reported
        arguments("log level", (UnaryOperator<GatewayConfig>) c -> config(LISTENER, TimeoutsConfig.defaults(),
            MetricsConfig.defaults(), new LoggingConfig("debug", false), 30, UpstreamConfig.SslEngine.AUTO),
            List.of()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("changes")
  void reportsTheKeysThatWaitForARestart(String name, UnaryOperator<GatewayConfig> change, List<String> keys) {
    assertThat(ConfigDiff.restartNeeded(BASE, change.apply(BASE))).containsExactlyElementsOf(keys);
  }
}
