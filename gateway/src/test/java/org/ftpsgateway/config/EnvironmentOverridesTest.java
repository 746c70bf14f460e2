package org.ftpsgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.vertx.core.json.JsonObject;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** FTPGW_* variables next to the ones Kubernetes injects for Services named ftpgw and ftpgw-metrics. */
class EnvironmentOverridesTest {

  /**
   * What the kubelet gives every pod of a namespace with a Service {@code ftpgw} (ports "ftp" 21 and "pasv-30000")
   * and a Service {@code ftpgw-metrics} (port "metrics" 9090), as "Services: Environment variables" describes.
   */
  private static final Map<String, String> SERVICE_LINKS = ordered(
      "FTPGW_PORT", "tcp://10.96.0.17:21",
      "FTPGW_PORT_21_TCP", "tcp://10.96.0.17:21",
      "FTPGW_PORT_21_TCP_ADDR", "10.96.0.17",
      "FTPGW_PORT_21_TCP_PORT", "21",
      "FTPGW_PORT_21_TCP_PROTO", "tcp",
      "FTPGW_PORT_30000_TCP", "tcp://10.96.0.17:30000",
      "FTPGW_PORT_30000_TCP_PORT", "30000",
      "FTPGW_SERVICE_HOST", "10.96.0.17",
      "FTPGW_SERVICE_PORT", "21",
      "FTPGW_SERVICE_PORT_FTP", "21",
      "FTPGW_SERVICE_PORT_PASV_30000", "30000",
      "FTPGW_METRICS_PORT", "tcp://10.96.0.5:9090",
      "FTPGW_METRICS_PORT_9090_TCP", "tcp://10.96.0.5:9090",
      "FTPGW_METRICS_PORT_9090_TCP_ADDR", "10.96.0.5",
      "FTPGW_METRICS_PORT_9090_TCP_PORT", "9090",
      "FTPGW_METRICS_PORT_9090_TCP_PROTO", "tcp",
      "FTPGW_METRICS_SERVICE_HOST", "10.96.0.5",
      "FTPGW_METRICS_SERVICE_PORT", "9090",
      "FTPGW_METRICS_SERVICE_PORT_METRICS", "9090",
      "FTPGW_LISTENERS_0_PORT", "udp://10.96.0.9:21");

  /** Real overrides given beside them: each must still apply. */
  private static final Map<String, String> REAL = ordered(
      "FTPGW_UPSTREAM_HOST", "other.example",
      "FTPGW_LISTENERS_0_PASSIVEPORTS", "31000-31009",
      "FTPGW_METRICS_HOST", "127.0.0.1",
      "FTPGW_TIMEOUTS_IDLESECONDS", "60");

  private static final JsonObject FILE = new JsonObject()
      .put("listeners", new io.vertx.core.json.JsonArray().add(new JsonObject().put("port", 2121)))
      .put("upstream", new JsonObject().put("host", "ftps.example.com"));

  @TempDir
  Path dir;

  static Stream<Arguments> classified() {
    Stream<Arguments> links = SERVICE_LINKS.entrySet().stream()
        .map(e -> arguments(e.getKey(), e.getValue(), true));
    Stream<Arguments> real = Stream.concat(REAL.entrySet().stream(), ordered(
            "FTPGW_METRICS_PORT", "9100",
            "FTPGW_LISTENERS_0_PORT", "2122",
            "FTPGW_UPSTREAM_SERVERS_1_PORT", "990",
            "FTPGW_UPSTREAM_PINSHA256", "ab".repeat(32)).entrySet().stream())
        .map(e -> arguments(e.getKey(), e.getValue(), false));
    return Stream.concat(links, real);
  }

  @ParameterizedTest(name = "{0}={1}: link {2}")
  @MethodSource("classified")
  void serviceLinkShapesAreToldFromOverrides(String name, String value, boolean link) {
    assertThat(EnvironmentOverrides.isServiceLink(name, value)).isEqualTo(link);
  }

  @Test
  void serviceLinksAreSkippedAndRealOverridesStillApply() throws Exception {
    Map<String, String> env = new HashMap<>(SERVICE_LINKS);
    env.putAll(REAL);
    assertThat(new EnvironmentOverrides(env).serviceLinks())
        .containsExactlyInAnyOrderElementsOf(SERVICE_LINKS.keySet());
    GatewayConfig c = new ConfigLoader(env).fromJson(FILE);
    assertThat(c.upstream().host()).isEqualTo("other.example");
    assertThat(c.listeners().get(0).passivePorts()).isEqualTo(PortRange.parse("31000-31009"));
    assertThat(c.listeners().get(0).port()).as("the udp:// value on a real key is skipped").isEqualTo(2121);
    assertThat(c.metrics().host()).isEqualTo("127.0.0.1");
    assertThat(c.metrics().port()).as("FTPGW_METRICS_PORT=tcp://... is skipped")
        .isEqualTo(MetricsConfig.DEFAULT_PORT);
    assertThat(c.timeouts().idleSeconds()).isEqualTo(60);
  }

  @Test
  void serversFromTheEnvironmentReplaceTheFilesHostAndPort() throws Exception {
    GatewayConfig c = new ConfigLoader(ordered(
        "FTPGW_UPSTREAM_SERVERS_0_HOST", "a.example",
        "FTPGW_UPSTREAM_SERVERS_1_HOST", "b.example",
        "FTPGW_UPSTREAM_SERVERS_1_PORT", "2990",
        "FTPGW_UPSTREAM_BALANCE", "round-robin"))
        .fromJson(FILE.copy().put("upstream", new JsonObject().put("host", "file.example").put("port", 2121)));
    assertThat(c.upstreams().get(0).servers()).extracting(u -> u.host() + ":" + u.port())
        .containsExactly("a.example:21", "b.example:2990");
    assertThat(c.upstreams().get(0).balance()).isEqualTo(UpstreamGroup.Balance.ROUND_ROBIN);

    // and the other way round: host from the environment replaces the file's servers
    JsonObject servers = FILE.copy().put("upstream", new JsonObject().put("servers",
        new io.vertx.core.json.JsonArray().add(new JsonObject().put("host", "s1.example"))
            .add(new JsonObject().put("host", "s2.example"))));
    GatewayConfig one = new ConfigLoader(Map.of("FTPGW_UPSTREAM_HOST", "c.example")).fromJson(servers);
    assertThat(one.upstreams().get(0).servers()).extracting(UpstreamConfig::host).containsExactly("c.example");
    // an entry of the file's list is still edited in place
    GatewayConfig edited = new ConfigLoader(Map.of("FTPGW_UPSTREAM_SERVERS_1_PORT", "2121")).fromJson(servers);
    assertThat(edited.upstreams().get(0).servers()).extracting(u -> u.host() + ":" + u.port())
        .containsExactly("s1.example:21", "s2.example:2121");
  }

  /** The command an operator's probe runs, in its own process with the pod's environment: exit 0, one log line. */
  @Test
  void checkConfigSucceedsInAProcessWithServiceLinks() throws Exception {
    Path file = Files.writeString(dir.resolve("gateway.yaml"), """
        listeners:
          - port: 2121
            passivePorts: 30000-30009
        upstream:
          host: ftps.example.com
        """);
    ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "org.ftpsgateway.Main", "--config", file.toString(),
        "--check-config").redirectErrorStream(true);
    builder.environment().keySet().removeIf(name -> name.startsWith(EnvironmentOverrides.PREFIX));
    builder.environment().putAll(SERVICE_LINKS);
    builder.environment().put("FTPGW_UPSTREAM_HOST", "other.example");
    File log = dir.resolve("out.log").toFile();
    Process process = builder.redirectOutput(log).start();
    process.getOutputStream().close();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("finished").isTrue();
    String output = Files.readString(log.toPath(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).contains("is valid").contains("\"host\" : \"other.example\"")
        .contains("FTPGW_METRICS_PORT, ").contains("FTPGW_SERVICE_PORT_FTP");
    assertThat(output.lines().filter(l -> l.contains("service-link")).count()).isEqualTo(1);
  }

  private static Map<String, String> ordered(String... namesAndValues) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      map.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return java.util.Collections.unmodifiableMap(map);
  }
}
