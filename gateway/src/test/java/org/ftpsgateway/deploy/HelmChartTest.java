package org.ftpsgateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.ftpsgateway.ConfigFiles;
import org.ftpsgateway.config.ConfigLoader;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.ListenerConfig;
import org.ftpsgateway.config.PortRange;
import org.ftpsgateway.tls.GeneratedCertificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

/**
 * Lints and renders the Helm chart in {@code helm/} with helm-java (Helm as a library from Maven Central, no helm
 * binary), in both modes and in every {@code helm/ci/*-values.yaml} scenario, and checks the rendered objects: the
 * FTP Service exposes exactly the configured passive range, and every gateway.yaml in the ConfigMap is accepted by
 * the gateway's own {@link ConfigFiles} (what {@code --check-config} runs), with the container's environment.
 */
class HelmChartTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path CHART = ROOT.resolve("helm");
  private static final String RELEASE = "ftpgw";
  private static final String NAMESPACE = "ftp";
  /** Where the chart mounts Secrets and ConfigMaps the config names; the loader checks those files exist. */
  private static final String MOUNTS = "/etc/ftps-gateway/";
  /** A SHA-256 fingerprint as openssl prints it. */
  private static final String PIN = String.join(":", Collections.nCopies(8, "AB:CD:EF:01"));
  /** What the Downward API would put into FTPGW_* variables taken from status.podIP or status.hostIP. */
  private static final String DOWNWARD_IP = "10.1.2.3";

  @TempDir
  static Path tmp;
  private static Vertx vertx;
  private static GeneratedCertificate certificate;
  private static int files;

  @BeforeAll
  static void setUp() {
    vertx = Vertx.vertx();
    certificate = GeneratedCertificate.generate(List.of("ftps.example.com"), Duration.ofDays(1));
  }

  @AfterAll
  static void tearDown() {
    vertx.close().await();
  }

  // ---- lint ----

  @Test
  void lintsInGatewayMode() {
    assertLintPasses(CHART);
  }

  @Test
  void lintsInSidecarMode() throws IOException {
    // helm-java's lint takes no values file: lint a copy whose values.yaml says mode: sidecar
    Path copy = copyChart(tmp.resolve("lint-sidecar"));
    Path values = copy.resolve("values.yaml");
    String text = Files.readString(values);
    assertThat(text).containsOnlyOnce("\nmode: gateway\n");
    Files.writeString(values, text.replace("\nmode: gateway\n", "\nmode: sidecar\n"));
    assertLintPasses(copy);
  }

  private static void assertLintPasses(Path chart) {
    LintResult result = new Helm(chart).lint().strict().call();
    assertThat(result.isFailed()).as("helm lint --strict %s: %s", chart, result.getMessages()).isFalse();
  }

  // ---- every ci/ scenario ----

  static Stream<Path> scenarios() throws IOException {
    try (Stream<Path> list = Files.list(CHART.resolve("ci"))) {
      List<Path> found = list.filter(p -> p.getFileName().toString().endsWith("-values.yaml")).sorted().toList();
      assertThat(found).as("helm/ci/*-values.yaml").isNotEmpty();
      return found.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void rendersScenario(Path valuesFile) throws Exception {
    Map<String, Object> values = mergedValues(valuesFile);
    List<Map<String, Object>> objects = render(new Helm(CHART).template().withValuesFile(valuesFile));
    String mode = (String) values.get("mode");
    PortRange range = PortRange.parse(String.valueOf(path(values, "listener", "passivePorts")));
    Map<String, Object> configMap = one(objects, "ConfigMap", fullname());
    Map<String, String> data = cast(configMap.get("data"));

    if (mode.equals("sidecar")) {
      assertThat(kinds(objects)).as("sidecar mode renders no workload and no Service")
          .doesNotContain("Deployment", "StatefulSet", "Service");
      GatewayConfig config = load(data.get("gateway.yaml"), Map.of(), List.of(MOUNTS + "upstream-ca"));
      ListenerConfig listener = config.listeners().get(0);
      assertThat(listener.host()).isEqualTo("127.0.0.1");
      assertThat(listener.passiveAddress()).isEqualTo("127.0.0.1");
      assertThat(listener.passivePorts()).isEqualTo(range);
      return;
    }

    Map<String, Object> workload = objects.stream()
        .filter(o -> Set.of("Deployment", "StatefulSet").contains(o.get("kind"))).findFirst().orElseThrow();
    Map<String, Object> podTemplate = cast(path(workload, "spec", "template"));
    assertThat(annotations(podTemplate)).as("config changes reach the pods by the gateway's reload, no restart")
        .doesNotContainKey("checksum/config");
    assertThat(path(podTemplate, "spec", "enableServiceLinks")).isEqualTo(false);
    Map<String, Object> container = container(podTemplate, "ftps-gateway");
    Map<String, String> env = gatewayEnvironment(container);
    boolean hostIp = "hostIP".equals(path(values, "listener", "passiveAddress", "source"));
    if (workload.get("kind").equals("Deployment")) {
      // hostPorts: one pod per node, so a rollout with replicas = nodes must stop an old pod first
      assertThat(path(workload, "spec", "strategy", "rollingUpdate", "maxSurge")).isEqualTo(hostIp ? 0 : 1);
      assertThat(path(workload, "spec", "strategy", "rollingUpdate", "maxUnavailable")).isEqualTo(hostIp ? 1 : 0);
    }
    if (Boolean.TRUE.equals(path(values, "metrics", "enabled"))) {
      assertThat(path(container, "readinessProbe", "httpGet", "path")).isEqualTo("/readyz");
    }

    // the FTP Service(s): exactly one port entry per passive port, port = targetPort, nothing else but "ftp"
    List<Map<String, Object>> ftpServices = objects.stream()
        .filter(o -> "Service".equals(o.get("kind")) && "ftp".equals(label(o, "app.kubernetes.io/component")))
        .toList();
    List<Map<String, Object>> passiveServices = ftpServices.stream()
        .filter(s -> !passivePorts(s).isEmpty()).toList();
    assertThat(passiveServices).as("Services exposing the passive range").isNotEmpty();
    List<Integer> expected = IntStream.rangeClosed(range.first(), range.last()).boxed().toList();
    for (Map<String, Object> service : passiveServices) {
      assertThat(passivePorts(service)).as("passive ports of Service %s", name(service)).isEqualTo(expected);
      for (Map<String, Object> port : ports(service)) {
        if (!"ftp".equals(port.get("name"))) {
          assertThat(port.get("targetPort")).as("targetPort of %s", port.get("name")).isEqualTo(port.get("port"));
        }
      }
      assertThat(ports(service)).hasSize(expected.size() + 1);
      String type = String.valueOf(path(service, "spec", "type"));
      int limit = (Integer) path(values, "service", "loadBalancerPortLimit");
      if (type.equals("LoadBalancer") && limit > 0) {
        assertThat(ports(service)).as("listeners of the load balancer").hasSizeLessThanOrEqualTo(limit);
      }
      if (!type.equals("ClusterIP")) {
        assertThat(path(service, "spec", "externalTrafficPolicy")).as("client address kept").isEqualTo("Local");
      }
    }

    // every config file in the ConfigMap is one the gateway accepts, with the container's environment
    List<String> args = cast(container.get("args"));
    String configArg = args.get(args.indexOf("--config") + 1);
    boolean perPod = workload.get("kind").equals("StatefulSet");
    Set<String> expectedKeys = new TreeSet<>(Set.of("gateway.yaml"));
    if (perPod) {
      assertThat(configArg).isEqualTo("/etc/ftps-gateway/config/$(POD_NAME).yaml");
      int replicas = (Integer) path(workload, "spec", "replicas");
      IntStream.range(0, replicas).forEach(i -> expectedKeys.add(name(workload) + "-" + i + ".yaml"));
    } else {
      assertThat(configArg).isEqualTo("/etc/ftps-gateway/config/gateway.yaml");
    }
    assertThat(new TreeSet<>(data.keySet())).isEqualTo(expectedKeys);
    for (Map.Entry<String, String> file : data.entrySet()) {
      // every file the config names must lie in a directory the container mounts, or the load fails
      GatewayConfig config = load(file.getValue(), env, mountPaths(container));
      ListenerConfig listener = config.listeners().get(0);
      assertThat(listener.tls().configName()).as("listeners[0].tls").isEqualTo(path(values, "listener", "tls"));
      if (path(values, "listener", "certificate", "secretName") instanceof String secret && !secret.isEmpty()) {
        // the Secret as a directory, never subPath: the kubelet's symlink swap on renewal must reach the files
        assertThat(path(volume(podTemplate, "ftps-gateway-listener-tls"), "secret", "secretName")).isEqualTo(secret);
        assertThat(mount(container, "/etc/ftps-gateway/listener-tls")).doesNotContainKey("subPath");
        assertThat(listener.clientTls().certFile()).startsWith(tmp.toString());
      }
      assertThat(listener.access().acceptProxyProtocol()).isEqualTo(path(values, "listener", "acceptProxyProtocol"));
      if (path(values, "upstream", "pinSha256Secret", "name") instanceof String pins && !pins.isEmpty()) {
        assertThat(config.upstream().tlsOptions().pinSha256()).as("pins from the Secret").hasSize(2);
      }
      assertThat(listener.passivePorts()).as("passive ports in %s", file.getKey()).isEqualTo(range);
      assertThat(listener.host()).isEqualTo("0.0.0.0");
      assertThat(containerPort(container, "ftp")).isEqualTo(listener.port());
      assertThat(config.metrics().enabled()).isEqualTo(path(values, "metrics", "enabled"));
      assertThat(config.logging().level()).isEqualTo(values.get("logLevel"));
      String source = String.valueOf(path(values, "listener", "passiveAddress", "source"));
      if (perPod && !file.getKey().equals("gateway.yaml")) {
        // pod N announces the address of its own Service "<fullname>-N"
        String podName = file.getKey().substring(0, file.getKey().length() - ".yaml".length());
        Map<String, Object> podService = one(objects, "Service", podName);
        assertThat(label(podService, "app.kubernetes.io/component")).isEqualTo("ftp");
        assertThat(path(podService, "spec", "selector", "statefulset.kubernetes.io/pod-name")).isEqualTo(podName);
        assertThat(listener.passiveAddress()).isEqualTo(path(podService, "spec", "loadBalancerIP"));
      } else if (!perPod && Set.of("podIP", "hostIP").contains(source)) {
        assertThat(listener.passiveAddress()).as("from the Downward API").isEqualTo(DOWNWARD_IP);
      } else if (!perPod && source.equals("value")) {
        assertThat(listener.passiveAddress()).isEqualTo(path(values, "listener", "passiveAddress", "value"));
      }
      if (hostIp && !perPod) {
        // the node forwards every passive port to this pod
        assertThat(hostPorts(container)).isEqualTo(expected);
      }
    }
  }

  // ---- sidecar mode through a parent chart, and the plain manifests in deploy/kubernetes ----

  @Test
  void sidecarTemplatesPutTheGatewayIntoTheParentChartsPod() throws Exception {
    List<Map<String, Object>> objects = renderParentChart();
    Map<String, Object> podTemplate = cast(path(one(objects, "Deployment", "legacy-app"), "spec", "template"));
    List<Map<String, Object>> containers = cast(path(podTemplate, "spec", "containers"));
    assertThat(containers).extracting(c -> c.get("name")).containsExactly("legacy-app", "ftps-gateway");
    assertThat(annotations(podTemplate)).doesNotContainKey("checksum/config");
    assertThat(kinds(objects)).as("the dependency renders only its ConfigMap").containsExactlyInAnyOrder(
        "ConfigMap", "Deployment");

    // the volume names the ConfigMap the dependency rendered, and the container reads a key of it
    Map<String, Object> configVolume = volume(podTemplate, "ftps-gateway-config");
    Map<String, Object> configMap = one(objects, "ConfigMap", (String) path(configVolume, "configMap", "name"));
    Map<String, String> data = cast(configMap.get("data"));
    Map<String, Object> gateway = container(podTemplate, "ftps-gateway");
    // the upstream's state must not take the application's pod out of its Services
    assertThat(path(gateway, "readinessProbe", "httpGet", "path")).isEqualTo("/healthz");
    List<String> args = cast(gateway.get("args"));
    String configFile = args.get(args.indexOf("--config") + 1);
    assertThat(configFile).startsWith("/etc/ftps-gateway/config/");
    GatewayConfig config = load(data.get(Path.of(configFile).getFileName().toString()), Map.of(),
        mountPaths(gateway));
    assertThat(config.listeners().get(0).host()).isEqualTo("127.0.0.1");
    assertThat(config.listeners().get(0).passiveAddress()).isEqualTo("127.0.0.1");
    assertThat(config.upstream().caFile()).isEqualTo(mounted("/etc/ftps-gateway/upstream-ca/ca.pem"));
    assertThat(path(volume(podTemplate, "ftps-gateway-upstream-ca"), "secret", "secretName"))
        .isEqualTo("ftps-upstream-ca");
  }

  @Test
  void plainKubernetesExampleEqualsTheChartsSidecar() throws Exception {
    List<Map<String, Object>> rendered = renderParentChart();
    Map<String, Object> renderedPod = cast(path(one(rendered, "Deployment", "legacy-app"), "spec", "template"));
    Map<String, Object> chartContainer = new LinkedHashMap<>(container(renderedPod, "ftps-gateway"));
    String chartConfig = (String) map(one(rendered, "ConfigMap", fullname()).get("data")).get("gateway.yaml");

    Path dir = ROOT.resolve("deploy/kubernetes");
    List<Map<String, Object>> example = new ArrayList<>();
    for (String file : List.of("configmap.yaml", "deployment.yaml")) {
      example.addAll(parseDocuments(Files.readString(dir.resolve(file))));
    }
    Map<String, Object> examplePod = cast(path(one(example, "Deployment", "legacy-uploader"), "spec", "template"));
    Map<String, Object> exampleContainer = new LinkedHashMap<>(container(examplePod, "ftps-gateway"));
    chartContainer.remove("image");
    exampleContainer.remove("image");
    assertThat(exampleContainer).as("deploy/kubernetes/deployment.yaml, container ftps-gateway")
        .isEqualTo(chartContainer);
    assertThat(path(volume(examplePod, "ftps-gateway-config"), "configMap", "name")).isEqualTo("ftps-gateway");
    assertThat(volume(examplePod, "ftps-gateway-upstream-ca")).isEqualTo(volume(renderedPod,
        "ftps-gateway-upstream-ca"));

    String exampleConfig = (String) map(one(example, "ConfigMap", "ftps-gateway").get("data")).get("gateway.yaml");
    List<String> mounts = mountPaths(chartContainer);
    assertThat(load(exampleConfig, Map.of(), mounts)).isEqualTo(load(chartConfig, Map.of(), mounts));
    assertThat(Files.readString(dir.resolve("kustomization.yaml"))).contains("configmap.yaml", "deployment.yaml");
  }

  /** A chart of a legacy app that depends on ftps-gateway (mode: sidecar) and uses its sidecar templates. */
  private static List<Map<String, Object>> renderParentChart() throws IOException {
    Path parent = tmp.resolve("parent-" + (++files));
    copyChart(parent.resolve("charts/ftps-gateway"));
    Files.writeString(parent.resolve("Chart.yaml"), """
        apiVersion: v2
        name: legacy-app
        version: 1.0.0
        dependencies:
          - name: ftps-gateway
            version: 0.1.0
        """);
    Files.writeString(parent.resolve("values.yaml"), """
        ftps-gateway:
          mode: sidecar
          upstream:
            host: ftps.example.com
            ca:
              secretName: ftps-upstream-ca
        """);
    // the usage the chart README documents, verbatim
    Files.createDirectories(parent.resolve("templates"));
    Files.writeString(parent.resolve("templates/deployment.yaml"), """
        {{- $ftpsGateway := index .Subcharts "ftps-gateway" }}
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: legacy-app
        spec:
          selector:
            matchLabels:
              app: legacy-app
          template:
            metadata:
              labels:
                app: legacy-app
              annotations:
                {{- include "ftps-gateway.sidecar.annotations" $ftpsGateway | nindent 8 }}
            spec:
              containers:
                - name: legacy-app
                  image: registry.example.com/legacy-app:1
                {{- include "ftps-gateway.sidecar.container" $ftpsGateway | nindent 8 }}
              volumes:
                {{- include "ftps-gateway.sidecar.volumes" $ftpsGateway | nindent 8 }}
        """);
    return render(new Helm(parent).template());
  }

  // ---- values that must fail at install time, with a message that says why ----

  static Stream<Arguments> wrongValues() {
    return Stream.of(
        arguments(Map.of("mode", "gatway"), "mode must be one of the following"),
        arguments(Map.of("listener.passivePorts", "30000:30049"), "listener.passivePorts: Does not match pattern"),
        arguments(Map.of("listener.passivePorts", "30049-30000"), "is not a range of ports"),
        arguments(Map.of("listener.passivePorts", "30000-30099"), "a Service takes at most 99 passive ports"),
        arguments(Map.of("listener.port", "30010"), "listener.port 30010 lies inside listener.passivePorts"),
        arguments(Map.of("listener.passiveAddress.source", "value"), "listener.passiveAddress.value"),
        arguments(Map.of("replicas", "3", "listener.passiveAddress.source", "value",
            "listener.passiveAddress.value", "203.0.113.10"), "kubernetes/kubernetes#103000"),
        arguments(Map.of("scaleOut.perPodServices.enabled", "true",
            "scaleOut.perPodServices.addresses[0]", "203.0.113.10"), "needs service.type LoadBalancer"),
        arguments(Map.of("upstream.tls", "none"), "upstream.tls must be one of the following"),
        arguments(Map.of("upstream.host", ""), "upstream.host"),
        arguments(Map.of("metrics.enabled", "false", "serviceMonitor.enabled", "true"),
            "serviceMonitor.enabled needs metrics.enabled"),
        arguments(Map.of("upstream.ca.secretName", "a", "upstream.ca.configMapName", "b"), "not both"),
        arguments(Map.of("service.type", "LoadBalancer", "listener.passiveAddress.source", "podIP",
            "listener.passivePorts", "30000-30049"), "needs 51 listeners, above service.loadBalancerPortLimit 50"),
        arguments(Map.of("listener.passiveAddress.source", "hostIP", "strategy.type", "RollingUpdate",
            "strategy.rollingUpdate.maxSurge", "1", "strategy.rollingUpdate.maxUnavailable", "0"),
            "the rollout never finishes"),
        arguments(Map.of("config.listeners[0].port", "2121"), "config.listeners[0].port: set it with listener.*"),
        arguments(Map.of("config.listeners[0].name", "a", "config.listeners[1].name", "b"), "at most one entry"),
        arguments(Map.of("listener.certificate.secretName", "tls"), "listener.tls is none"),
        arguments(Map.of("listener.tls", "starttls"), "listener.tls must be one of the following"),
        arguments(Map.of("existingConfig.configMapName", "a", "existingConfig.secretName", "b"), "not both"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("wrongValues")
  void refusesWrongValues(Map<String, String> set, String message) {
    TemplateCommand command = template(set).withName(RELEASE).withNamespace(NAMESPACE);
    assertThatThrownBy(command::call).hasMessageContaining(message);
  }

  // ---- rollouts ----

  @Test
  void withRestartOnConfigChangeAConfigChangeRollsThePodsAndNothingElseDoes() {
    assertThat(checksum(Map.of())).as("default: the gateway reloads the file, pods keep running").isNull();
    Map<String, String> restart = Map.of("restartOnConfigChange", "true");
    String base = checksum(restart);
    assertThat(base).hasSize(64);
    assertThat(checksum(with(restart, "timeouts.idleSeconds", "600"))).isNotEqualTo(base);
    assertThat(checksum(with(restart, "config.limits.maxSessions", "10"))).isNotEqualTo(base);
    assertThat(checksum(with(restart, "podAnnotations.team", "erp"))).isEqualTo(base);
  }

  private static Map<String, String> with(Map<String, String> set, String key, String value) {
    Map<String, String> out = new LinkedHashMap<>(set);
    out.put(key, value);
    return out;
  }

  // ---- config: and existingConfig ----

  @Test
  void configBlockOverridesGeneratedKeysIncludingFalseAndZero() throws Exception {
    Map<String, String> set = new LinkedHashMap<>();
    set.put("config.limits.maxSessions", "0");
    set.put("config.upstream.verifyHostname", "false");
    set.put("config.upstream.pinSha256[0]", PIN);
    set.put("config.upstream.servers[0].host", "a.example");
    set.put("config.upstream.servers[1].host", "b.example");
    set.put("config.listeners[0].requireTls", "true");
    set.put("config.tls.engine", "jdk");
    List<Map<String, Object>> objects = render(template(set));
    String yaml = (String) map(one(objects, "ConfigMap", fullname()).get("data")).get("gateway.yaml");
    GatewayConfig config = load(yaml, Map.of(), List.of());
    assertThat(config.limits().maxSessions()).isZero();
    assertThat(config.upstreams().get(0).servers()).extracting(s -> s.host()).containsExactly("a.example",
        "b.example");
    assertThat(config.upstreams().get(0).servers()).allSatisfy(s -> assertThat(s.tlsOptions().verifyHostname()).isFalse());
    assertThat(config.listeners().get(0).port()).isEqualTo(2121);
  }

  @Test
  void existingConfigSecretIsMountedInsteadOfTheGeneratedConfigMap() {
    List<Map<String, Object>> objects = render(template(Map.of("existingConfig.secretName", "my-gateway-config",
        "existingConfig.key", "ftps.yaml", "restartOnConfigChange", "true")));
    assertThat(kinds(objects)).doesNotContain("ConfigMap");
    Map<String, Object> podTemplate = cast(path(one(objects, "Deployment", fullname()), "spec", "template"));
    assertThat(path(volume(podTemplate, "ftps-gateway-config"), "secret", "secretName"))
        .isEqualTo("my-gateway-config");
    List<String> args = cast(container(podTemplate, "ftps-gateway").get("args"));
    assertThat(args).containsExactly("--config", "/etc/ftps-gateway/config/ftps.yaml");
    assertThat(annotations(podTemplate)).as("the chart cannot see that file's content").doesNotContainKey(
        "checksum/config");
  }

  private static String checksum(Map<String, String> set) {
    Map<String, Object> deployment = one(render(template(set)), "Deployment", fullname());
    return (String) annotations(cast(path(deployment, "spec", "template"))).get("checksum/config");
  }

  /** {@code helm template} of the chart with {@code --set} values. */
  private static TemplateCommand template(Map<String, String> set) {
    TemplateCommand template = new Helm(CHART).template();
    for (Map.Entry<String, String> e : set.entrySet()) {
      template = template.set(e.getKey(), e.getValue());
    }
    return template;
  }

  // ---- helpers ----

  private static List<Map<String, Object>> render(TemplateCommand template) {
    String text = template.withName(RELEASE).withNamespace(NAMESPACE).call();
    return parseDocuments(text);
  }

  private static List<Map<String, Object>> parseDocuments(String text) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (Object doc : new Yaml().loadAll(text)) {
      if (doc != null) {
        out.add(cast(doc));
      }
    }
    return out;
  }

  /**
   * Writes {@code yaml} to a file and loads it as {@code --check-config} does. Each directory in {@code mounts}
   * (the container's volume mounts) becomes a real one holding a certificate, its key and a CA bundle under the
   * names Secrets and ConfigMaps use (and an operator token, "token"); a path outside them stays as it is and fails
   * the load.
   */
  private static GatewayConfig load(String yaml, Map<String, String> env, List<String> mounts) throws Exception {
    assertThat(yaml).as("gateway.yaml").isNotNull();
    String text = yaml;
    for (String mount : mounts) {
      if (mount.startsWith(MOUNTS) && !mount.equals(MOUNTS + "config")) {
        Path dir = Files.createDirectories(Path.of(mounted(mount)));
        for (String name : List.of("tls.crt", "ca.crt", "ca.pem", "token")) {
          Files.writeString(dir.resolve(name), certificate.certificatePem());
        }
        Files.writeString(dir.resolve("tls.key"), certificate.privateKeyPem());
        text = text.replace(mount + "/", dir + "/");
      }
    }
    Path file = tmp.resolve("gateway-" + (++files) + ".yaml");
    Files.writeString(file, text);
    return new ConfigFiles(env).load(vertx, file);
  }

  /** Where {@link #load} puts the files of a path under {@link #MOUNTS}. */
  private static String mounted(String path) {
    return tmp.resolve("mounts").resolve(path.substring(MOUNTS.length())).toString();
  }

  /**
   * The FTPGW_* variables of the container; Downward API values stand for a pod or node IP, a Secret's value for
   * two pins (what upstream.pinSha256Secret holds).
   */
  private static Map<String, String> gatewayEnvironment(Map<String, Object> container) {
    Map<String, String> env = new HashMap<>();
    List<Map<String, Object>> entries = cast(container.getOrDefault("env", List.of()));
    for (Map<String, Object> entry : entries) {
      String name = (String) entry.get("name");
      if (!name.startsWith(ConfigLoader.ENV_PREFIX)) {
        continue;
      }
      if (entry.containsKey("value")) {
        env.put(name, String.valueOf(entry.get("value")));
      } else if (path(entry, "valueFrom", "secretKeyRef") != null) {
        assertThat(name).isEqualTo("FTPGW_UPSTREAM_PINSHA256");
        env.put(name, PIN + "," + PIN.replace("AB", "CD"));
      } else {
        assertThat(path(entry, "valueFrom", "fieldRef", "fieldPath")).isIn("status.podIP", "status.hostIP");
        env.put(name, DOWNWARD_IP);
      }
    }
    return env;
  }

  /** The chart's values.yaml with the scenario's values merged over it (maps deeply, everything else replaced). */
  private static Map<String, Object> mergedValues(Path valuesFile) throws IOException {
    Map<String, Object> defaults = new Yaml().load(Files.readString(CHART.resolve("values.yaml")));
    Map<String, Object> scenario = new Yaml().load(Files.readString(valuesFile));
    return merge(defaults, scenario == null ? Map.of() : scenario);
  }

  private static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> over) {
    Map<String, Object> out = new LinkedHashMap<>(base);
    over.forEach((k, v) -> out.merge(k, v, (a, b) -> a instanceof Map && b instanceof Map
        ? merge(cast(a), cast(b)) : b));
    return out;
  }

  private static Path copyChart(Path target) throws IOException {
    try (Stream<Path> walk = Files.walk(CHART)) {
      for (Path source : walk.toList()) {
        Path dest = target.resolve(CHART.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(dest);
        } else {
          Files.copy(source, dest);
        }
      }
    }
    return target;
  }

  private static String fullname() {
    return RELEASE + "-ftps-gateway";
  }

  private static Map<String, Object> one(List<Map<String, Object>> objects, String kind, String name) {
    List<Map<String, Object>> found = objects.stream()
        .filter(o -> kind.equals(o.get("kind")) && name.equals(name(o))).toList();
    assertThat(found).as("%s %s among %s", kind, name, kinds(objects)).hasSize(1);
    return found.get(0);
  }

  private static List<String> kinds(List<Map<String, Object>> objects) {
    return objects.stream().map(o -> (String) o.get("kind")).toList();
  }

  private static String name(Map<String, Object> object) {
    return (String) path(object, "metadata", "name");
  }

  private static String label(Map<String, Object> object, String key) {
    Map<String, Object> labels = cast(path(object, "metadata", "labels"));
    return labels == null ? null : (String) labels.get(key);
  }

  private static List<Map<String, Object>> ports(Map<String, Object> service) {
    return cast(path(service, "spec", "ports"));
  }

  private static List<Integer> passivePorts(Map<String, Object> service) {
    return ports(service).stream().filter(p -> String.valueOf(p.get("name")).startsWith("pasv-"))
        .map(p -> (Integer) p.get("port")).toList();
  }

  private static Map<String, Object> container(Map<String, Object> podTemplate, String name) {
    List<Map<String, Object>> containers = cast(path(podTemplate, "spec", "containers"));
    return containers.stream().filter(c -> name.equals(c.get("name"))).findFirst().orElseThrow();
  }

  private static Map<String, Object> volume(Map<String, Object> podTemplate, String name) {
    List<Map<String, Object>> volumes = cast(path(podTemplate, "spec", "volumes"));
    return volumes.stream().filter(v -> name.equals(v.get("name"))).findFirst().orElseThrow();
  }

  private static Map<String, Object> mount(Map<String, Object> container, String mountPath) {
    List<Map<String, Object>> mounts = cast(container.get("volumeMounts"));
    return mounts.stream().filter(m -> mountPath.equals(m.get("mountPath"))).findFirst().orElseThrow();
  }

  private static Map<String, Object> annotations(Map<String, Object> podTemplate) {
    Map<String, Object> annotations = cast(path(podTemplate, "metadata", "annotations"));
    return annotations == null ? Map.of() : annotations;
  }

  private static List<String> mountPaths(Map<String, Object> container) {
    List<Map<String, Object>> mounts = cast(container.get("volumeMounts"));
    return mounts.stream().map(m -> (String) m.get("mountPath")).toList();
  }

  private static Integer containerPort(Map<String, Object> container, String name) {
    List<Map<String, Object>> ports = cast(container.get("ports"));
    return ports.stream().filter(p -> name.equals(p.get("name"))).map(p -> (Integer) p.get("containerPort"))
        .findFirst().orElseThrow();
  }

  private static List<Integer> hostPorts(Map<String, Object> container) {
    List<Map<String, Object>> ports = cast(container.get("ports"));
    return ports.stream().filter(p -> p.containsKey("hostPort")).map(p -> (Integer) p.get("hostPort"))
        .collect(Collectors.toList());
  }

  private static Object path(Object node, String... keys) {
    Object current = node;
    for (String key : keys) {
      if (!(current instanceof Map<?, ?> map)) {
        return null;
      }
      current = map.get(key);
    }
    return current;
  }

  private static Map<String, Object> map(Object value) {
    return cast(value);
  }

  @SuppressWarnings("unchecked")
  private static <T> T cast(Object value) {
    return (T) value;
  }
}
