package org.ftpsgateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.net.ftp.FTPClient;
import org.ftpsgateway.support.GatewayFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

/**
 * The Grafana dashboard ({@code deploy/grafana/ftps-gateway.json}), the Prometheus alert rules
 * ({@code deploy/prometheus/alerts.yaml}) and the Helm chart's PrometheusRule name only metrics the gateway exports,
 * with labels those metrics carry. What "exports" means is {@code src/test/resources/metrics/sample-exposition.txt},
 * a scrape of {@code java -jar ftps-gateway.jar --demo} after a few transfers; {@link
 * #theGatewayStillExportsEverySampledFamily()} keeps that sample honest against the code, so renaming a meter breaks
 * the build until the dashboard and the rules follow. The chart's alerts must be the file's alerts (label selectors
 * and grouping aside).
 *
 * <p>Regenerate the sample after adding a meter: build the jar, run {@code --demo}, do a download, an upload, a
 * failed login and a refused {@code PORT} to a foreign address ({@code curl -P 10.9.9.9 ...}), then
 * {@code curl -s 127.0.0.1:9464/metrics > gateway/src/test/resources/metrics/sample-exposition.txt}.
 */
class DashboardAndRulesTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path DASHBOARD = ROOT.resolve("deploy/grafana/ftps-gateway.json");
  private static final Path ALERTS = ROOT.resolve("deploy/prometheus/alerts.yaml");
  /** promtool unit tests of {@link #ALERTS}: each alert's firing scenario and near miss. */
  private static final Path ALERTS_TEST = ROOT.resolve("deploy/prometheus/alerts_test.yaml");
  private static final Path CHART = ROOT.resolve("helm");
  private static final String SAMPLE = "/metrics/sample-exposition.txt";
  /** Labels Prometheus (or the prometheus-operator) attaches to every scraped series: not the gateway's business. */
  private static final Set<String> TARGET_LABELS =
      Set.of("job", "instance", "namespace", "pod", "service", "container", "endpoint");
  /** Series Prometheus writes itself for every target (not in any exposition): {@code up} says a scrape worked. */
  private static final String SCRAPE_SERIES = "up";

  private static final Exposition EXPOSITION = Exposition.parse(resource(SAMPLE));

  // ---- every expression names exported metrics and labels

  /** Where an expression comes from (for the test name), and the expression. */
  record Expr(String where, String promql) {
    @Override
    public String toString() {
      return where;
    }
  }

  static Stream<Expr> expressions() throws IOException {
    List<Expr> all = new ArrayList<>();
    all.addAll(dashboardExpressions());
    all.addAll(alertExpressions(rulesOfFile()));
    all.addAll(alertExpressions(rulesOfChart(Map.of())));
    return all.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("expressions")
  void namesOnlyExportedMetricsAndTheirLabels(Expr expr) {
    PromQl.Parsed parsed = PromQl.parse(expr.promql());
    assertThat(parsed.selectors()).as("metrics in %s: %s", expr.where(), expr.promql()).isNotEmpty();
    Set<String> labelsInExpression = new HashSet<>(TARGET_LABELS);
    labelsInExpression.add("le");
    for (PromQl.Selector selector : parsed.selectors()) {
      if (selector.metric().equals(SCRAPE_SERIES)) {
        assertThat(TARGET_LABELS).as("%s: up has only target labels", expr.where()).containsAll(selector.labels());
        continue;
      }
      String family = EXPOSITION.familyOf(selector.metric());
      assertThat(family).as("%s names %s, which the gateway does not export (families: %s)", expr.where(),
          selector.metric(), EXPOSITION.types().keySet()).isNotNull();
      Set<String> labels = EXPOSITION.labels(selector.metric());
      labelsInExpression.addAll(labels);
      for (String label : selector.labels()) {
        if (!TARGET_LABELS.contains(label)) {
          assertThat(labels).as("%s: %s has no label %s", expr.where(), selector.metric(), label).contains(label);
        }
      }
    }
    for (String label : parsed.groupingLabels()) {
      assertThat(labelsInExpression).as("%s: by/on label %s is on none of its metrics: %s", expr.where(), label,
          expr.promql()).contains(label);
    }
  }

  @Test
  void theSampleIsAScrapeOfTheGateway() {
    assertThat(EXPOSITION.types()).containsEntry("ftpgw_data_bytes_total", "counter")
        .containsEntry("ftpgw_upstream_connect_seconds", "histogram")
        .containsEntry("jvm_memory_used_bytes", "gauge");
    // the lazily registered meters are in it too (a rejection, a session end, a failed login)
    assertThat(EXPOSITION.types()).containsKeys("ftpgw_rejected_connections_total", "ftpgw_sessions_total",
        "ftpgw_logins_total", "ftpgw_transfers_total", "ftpgw_tls_handshakes_total");
    // issue 18: what operators alert on
    assertThat(EXPOSITION.types()).containsEntry("ftpgw_upstream_up", "gauge")
        .containsEntry("ftpgw_certificate_expiry_timestamp_seconds", "gauge")
        .containsEntry("ftpgw_build_info", "gauge").containsEntry("ftpgw_passive_ports_capacity", "gauge")
        .doesNotContainKeys("system_cpu_count", "process_cpu_time_ns_total");
  }

  // ---- the dashboard

  @Test
  void dashboardHasADatasourceVariableAndThePanelsTheIssueAsksFor() throws IOException {
    JsonObject dashboard = new JsonObject(Files.readString(DASHBOARD));
    assertThat(dashboard.getString("uid")).isEqualTo("ftps-gateway");
    JsonArray variables = dashboard.getJsonObject("templating").getJsonArray("list");
    JsonObject datasource = variables.stream().map(JsonObject.class::cast)
        .filter(v -> "datasource".equals(v.getString("type"))).findFirst().orElseThrow();
    assertThat(datasource.getString("query")).isEqualTo("prometheus");
    String ref = "${" + datasource.getString("name") + "}";

    Set<Integer> ids = new HashSet<>();
    Set<String> metrics = new TreeSet<>();
    for (JsonObject panel : panels(dashboard)) {
      assertThat(ids.add(panel.getInteger("id"))).as("panel id %s unique", panel.getInteger("id")).isTrue();
      JsonArray targets = panel.getJsonArray("targets");
      if (panel.getString("type").equals("row")) {
        continue;
      }
      assertThat(targets).as("targets of panel %s", panel.getString("title")).isNotNull().isNotEmpty();
      assertThat(panel.getJsonObject("datasource").getString("uid")).as("panel %s", panel.getString("title"))
          .isEqualTo(ref);
      for (Object t : targets) {
        JsonObject target = (JsonObject) t;
        assertThat(target.getString("expr")).as("panel %s", panel.getString("title")).isNotBlank();
        assertThat(target.getJsonObject("datasource").getString("uid")).isEqualTo(ref);
        PromQl.parse(target.getString("expr")).selectors().forEach(s -> metrics.add(s.metric()));
      }
    }
    for (JsonObject variable : variables.stream().map(JsonObject.class::cast).toList()) {
      if ("query".equals(variable.getString("type"))) {
        assertThat(variable.getJsonObject("datasource").getString("uid")).isEqualTo(ref);
      }
    }
    assertThat(metrics).contains("ftpgw_data_bytes_total", "ftpgw_control_bytes_total", "ftpgw_transfers_total",
        "ftpgw_sessions_active", "ftpgw_sessions_total", "ftpgw_tls_handshakes_total", "ftpgw_tls_cpu_seconds_total",
        "ftpgw_upstream_connect_seconds_bucket", "ftpgw_passive_ports_in_use", "ftpgw_rejected_connections_total",
        "jvm_memory_used_bytes", "up", "ftpgw_upstream_up", "ftpgw_certificate_expiry_timestamp_seconds",
        "ftpgw_passive_ports_capacity", "ftpgw_build_info");
  }

  /** Every metric an alert (file or chart) is computed from is on some panel: the dashboard shows why it fired. */
  @Test
  void dashboardShowsWhatEveryAlertIsComputedFrom() throws IOException {
    Set<String> shown = new TreeSet<>();
    dashboardExpressions().forEach(e -> PromQl.parse(e.promql()).selectors().forEach(s -> shown.add(s.metric())));
    for (Expr alert : alertExpressions(rulesOfFile())) {
      for (PromQl.Selector selector : PromQl.parse(alert.promql()).selectors()) {
        assertThat(shown).as("%s: %s on the dashboard", alert.where(), selector.metric()).contains(selector.metric());
      }
    }
  }

  // ---- the alert rules: the file, and the chart's PrometheusRule is the same set

  @Test
  void alertsFileIsAPrometheusRuleFile() throws IOException {
    Map<String, Map<String, Object>> rules = rulesOfFile();
    assertThat(rules.keySet()).contains("FtpsGatewayUpstreamUnreachable", "FtpsGatewayUpstreamTlsFailures",
        "FtpsGatewayPassivePortsNearlyExhausted", "FtpsGatewayPassivePortsExhausted", "FtpsGatewayTransferFailures",
        // issue 18
        "FtpsGatewayDown", "FtpsGatewayMetricsAbsent", "FtpsGatewayUpstreamServerDown",
        "FtpsGatewayCertificateExpiringSoon", "FtpsGatewayCertificateExpired", "FtpsGatewaySessionLimitReached",
        "FtpsGatewaySetupQueueTimeouts", "FtpsGatewayLoginFailures", "FtpsGatewayConnectionsRefused");
    for (Map.Entry<String, Map<String, Object>> rule : rules.entrySet()) {
      Map<String, Object> r = rule.getValue();
      assertThat(String.valueOf(r.get("expr"))).as(rule.getKey()).isNotBlank();
      assertThat(String.valueOf(map(r.get("labels")).get("severity"))).as(rule.getKey())
          .isIn("info", "warning", "critical");
      assertThat(String.valueOf(map(r.get("annotations")).get("summary"))).as(rule.getKey()).isNotBlank();
    }
  }

  @Test
  void chartRendersTheAlertsOfTheFile() throws IOException {
    Map<String, Map<String, Object>> file = rulesOfFile();
    Map<String, Map<String, Object>> chart = rulesOfChart(Map.of());
    assertThat(chart.keySet()).isEqualTo(file.keySet());
    for (String alert : file.keySet()) {
      Map<String, Object> f = file.get(alert);
      Map<String, Object> c = chart.get(alert);
      assertThat(normalized(String.valueOf(c.get("expr")))).as("%s: chart vs file", alert)
          .isEqualTo(normalized(String.valueOf(f.get("expr"))));
      assertThat(c.get("for")).as("%s: for", alert).isEqualTo(f.get("for"));
      assertThat(map(c.get("labels")).get("severity")).as("%s: severity", alert)
          .isEqualTo(map(f.get("labels")).get("severity"));
    }
  }

  /**
   * The alerts say what they promise: the gateway's absence, an upstream down from the probe's gauge (no sessions
   * needed), expiry within 14 days, pool use from the capacity gauge (no number of ports written in), ratios only
   * above a minimum volume, and no single failed TLS handshake paging anyone.
   */
  @Test
  void alertsMeasureWhatTheyPromise() throws IOException {
    Map<String, Map<String, Object>> rules = rulesOfFile();
    assertThat(expr(rules, "FtpsGatewayDown")).contains("up{").contains("== 0");
    assertThat(expr(rules, "FtpsGatewayMetricsAbsent")).startsWith("absent(ftpgw_build_info");
    assertThat(metrics(expr(rules, "FtpsGatewayUpstreamUnreachable"))).containsExactly("ftpgw_upstream_up");
    assertThat(metrics(expr(rules, "FtpsGatewayUpstreamServerDown"))).containsExactly("ftpgw_upstream_up");
    assertThat(expr(rules, "FtpsGatewayCertificateExpiringSoon")).contains("time() < 14 * 86400");
    assertThat(metrics(expr(rules, "FtpsGatewayPassivePortsNearlyExhausted")))
        .containsExactly("ftpgw_passive_ports_in_use", "ftpgw_passive_ports_capacity");
    assertThat(expr(rules, "FtpsGatewayPassivePortsNearlyExhausted")).doesNotContainPattern("/\\s*\\d");
    for (String ratio : List.of("FtpsGatewayTransferFailures", "FtpsGatewayLoginFailures",
        "FtpsGatewayUpstreamTlsFailures")) {
      assertThat(expr(rules, ratio)).as("%s has a minimum volume", ratio).containsPattern(">= \\d+");
    }
    assertThat(severity(rules, "FtpsGatewayUpstreamTlsFailures")).isEqualTo("warning");
    for (String reason : List.of("max_sessions", "setup_queue_timeout", "passive_ports_exhausted")) {
      assertThat(rules.values().stream().map(r -> String.valueOf(r.get("expr"))))
          .as("an alert on reason %s", reason).anyMatch(e -> e.contains("reason=\"" + reason + "\""));
    }
    assertThat(severity(rules, "FtpsGatewayDown")).isEqualTo("critical");
    assertThat(severity(rules, "FtpsGatewayUpstreamUnreachable")).isEqualTo("critical");
  }

  /** {@code promtool check rules} accepts the file and the chart's rendered rules (skipped, said so, without it). */
  @Test
  void promtoolAcceptsTheFileAndTheChartsRules() throws Exception {
    Path promtool = org.ftpsgateway.support.Promtool.find();
    org.junit.jupiter.api.Assumptions.assumeTrue(promtool != null,
        org.ftpsgateway.support.Promtool.MISSING + ": promtool check rules skipped");
    TemplateCommand template = new Helm(CHART).template().set("prometheusRule.enabled", "true");
    String text = template.withName("ftpgw").withNamespace("ftp").call();
    Object spec = null;
    for (Object doc : new Yaml().loadAll(text)) {
      if (doc instanceof Map<?, ?> object && "PrometheusRule".equals(object.get("kind"))) {
        spec = object.get("spec");
      }
    }
    Path chartRules = Files.createTempFile("ftpgw-chart-rules", ".yaml");
    Files.writeString(chartRules, new Yaml().dump(spec));
    for (Path rules : List.of(ALERTS, chartRules)) {
      Process p = new ProcessBuilder(promtool.toString(), "check", "rules", rules.toString())
          .redirectErrorStream(true).start();
      String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor()).as("promtool check rules %s: %s", rules, said).isZero();
      assertThat(said).contains("SUCCESS");
    }
    Files.delete(chartRules);
  }

  /** Every alert has a unit test in alerts_test.yaml, so no alert goes untested when one is added. */
  @Test
  void everyAlertHasAUnitTest() throws IOException {
    Map<String, Object> doc = new Yaml().load(Files.readString(ALERTS_TEST));
    assertThat(doc.get("rule_files")).as("alerts_test.yaml tests alerts.yaml").isEqualTo(List.of("alerts.yaml"));
    Set<String> tested = new TreeSet<>();
    for (Object t : (List<?>) doc.get("tests")) {
      for (Object check : (List<?>) map(t).getOrDefault("alert_rule_test", List.of())) {
        Map<String, Object> c = map(check);
        // a check that expects the alert to fire, not only a near miss
        if (c.get("exp_alerts") instanceof List<?> expected && !expected.isEmpty()) {
          tested.add(String.valueOf(c.get("alertname")));
        }
      }
    }
    assertThat(tested).as("alerts with a firing scenario in %s", ALERTS_TEST).isEqualTo(new TreeSet<>(rulesOfFile().keySet()));
  }

  /** {@code promtool test rules} passes: each alert fires in its scenario and not in its near miss. */
  @Test
  void promtoolUnitTestsOfTheAlertsPass() throws Exception {
    Path promtool = org.ftpsgateway.support.Promtool.find();
    org.junit.jupiter.api.Assumptions.assumeTrue(promtool != null,
        org.ftpsgateway.support.Promtool.MISSING + ": promtool test rules skipped");
    // rule_files in the test file are relative to it, so run from its directory
    Process p = new ProcessBuilder(promtool.toString(), "test", "rules", ALERTS_TEST.getFileName().toString())
        .directory(ALERTS_TEST.getParent().toFile()).redirectErrorStream(true).start();
    String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("promtool test rules %s: %s", ALERTS_TEST, said).isZero();
    assertThat(said).contains("SUCCESS");
  }

  private static String expr(Map<String, Map<String, Object>> rules, String alert) {
    assertThat(rules).containsKey(alert);
    return String.valueOf(rules.get(alert).get("expr"));
  }

  private static String severity(Map<String, Map<String, Object>> rules, String alert) {
    return String.valueOf(map(rules.get(alert).get("labels")).get("severity"));
  }

  private static List<String> metrics(String promql) {
    return PromQl.parse(promql).selectors().stream().map(PromQl.Selector::metric).distinct().toList();
  }

  @Test
  void chartSwitchesDropTheirAlertsAndTheRangeSetsTheDivisor() {
    assertThat(rulesOfChart(Map.of("prometheusRule.upstreamUnreachable", "false")).keySet())
        .doesNotContain("FtpsGatewayUpstreamUnreachable", "FtpsGatewayUpstreamSessionsFailing")
        .contains("FtpsGatewayUpstreamTlsFailures");
    assertThat(rulesOfChart(Map.of("prometheusRule.upstreamTlsFailures", "false")).keySet())
        .doesNotContain("FtpsGatewayUpstreamTlsFailures").contains("FtpsGatewayUpstreamUnreachable");
    Map<String, Object> pool = rulesOfChart(Map.of("listener.passivePorts", "40000-40009"))
        .get("FtpsGatewayPassivePortsNearlyExhausted");
    assertThat(String.valueOf(pool.get("expr"))).contains("/ ftpgw_passive_ports_capacity{").endsWith("> 0.8");
    assertThat(String.valueOf(map(pool.get("annotations")).get("summary"))).contains("its 10 passive ports");
  }

  /** Drops what differs by design: label selectors of the target (namespace, listener, ...) and "by" clauses. */
  static String normalized(String expr) {
    String s = expr;
    s = s.replaceAll("\\b(by|without)\\s*\\([^)]*\\)", "");
    Matcher m = Pattern.compile("\\{([^}]*)}").matcher(s);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      List<String> kept = new ArrayList<>();
      for (String matcher : PromQl.splitMatchers(m.group(1))) {
        String label = matcher.replaceAll("^\\s*([A-Za-z_][A-Za-z0-9_]*).*$", "$1");
        if (!TARGET_LABELS.contains(label) && !label.equals("listener")) {
          kept.add(matcher.replaceAll("\\s+", ""));
        }
      }
      m.appendReplacement(out, Matcher.quoteReplacement(kept.isEmpty() ? "" : "{" + String.join(",", kept) + "}"));
    }
    m.appendTail(out);
    return out.toString().replaceAll("\\s+", "");
  }

  // ---- the sample against the code

  /**
   * Runs the gateway (in-process, against the demo FTPS server) through what the sample was made with and checks
   * that every {@code ftpgw_} family of the sample is still exported, with the same type and labels. JVM, process
   * and Vert.x meters come from Micrometer's and Vert.x's binders, not from this code.
   */
  @Test
  void theGatewayStillExportsEverySampledFamily() throws Exception {
    PrometheusMeterRegistry registry = PrometheusRegistry.create();
    try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS, c -> c,
        null, GatewayMetrics.create(registry))) {
      Files.write(fx.root().resolve("d.bin"), GatewayFixture.randomBytes(100_000, 7));
      FTPClient ftp = fx.login();
      assertThat(ftp.retrieveFile("d.bin", new ByteArrayOutputStream())).isTrue();
      assertThat(ftp.storeFile("u.bin", new ByteArrayInputStream(GatewayFixture.randomBytes(50_000, 8)))).isTrue();
      assertThat(ftp.listNames()).contains("d.bin");
      assertThat(ftp.sendCommand("PORT 10,9,9,9,200,10")).as("bounce refused").isEqualTo(504);
      ftp.logout();
      ftp.disconnect();
      FTPClient intruder = fx.connect();
      assertThat(intruder.login(GatewayFixture.USER, "wrong")).isFalse();
      intruder.disconnect();

      Exposition live = Exposition.parse(registry.scrape());
      for (long deadline = System.nanoTime() + 10_000_000_000L;
           !live.types().containsKey("ftpgw_sessions_total") && System.nanoTime() < deadline; ) {
        Thread.sleep(50);
        live = Exposition.parse(registry.scrape());
      }
      Map<String, String> sampled = new TreeMap<>(EXPOSITION.types());
      sampled.keySet().removeIf(name -> !name.startsWith("ftpgw_"));
      assertThat(sampled).as("ftpgw_ families in %s", SAMPLE).hasSizeGreaterThan(10);
      for (Map.Entry<String, String> family : sampled.entrySet()) {
        assertThat(live.types()).as("the gateway exports %s (regenerate %s after renaming a meter)",
            family.getKey(), SAMPLE).containsEntry(family.getKey(), family.getValue());
        assertThat(live.labels(family.getKey())).as("labels of %s", family.getKey())
            .isEqualTo(EXPOSITION.labels(family.getKey()));
      }
    }
  }

  // ---- the PromQL reader itself

  @Test
  void readsMetricNamesOutOfPromQl() {
    PromQl.Parsed p = PromQl.parse("histogram_quantile(0.95, sum by (le, command) (rate(a_seconds_bucket{x=\"y\","
        + " job=~\"$job\"}[$__rate_interval]))) / on (instance) group_left () (b_total offset 5m > 1e9)"
        + " unless sum(c{__name__!=\"z\", s=\"{not a selector}\"}) without (q) + count_values(\"v\", d) + 1.5e-3"
        + " + label_replace(e, \"dst\", \"$1\", \"src\", \"(.*)\") and inf or nan * bool_metric");
    assertThat(p.selectors().stream().map(PromQl.Selector::metric).toList())
        .containsExactly("a_seconds_bucket", "b_total", "c", "d", "e", "bool_metric");
    assertThat(p.selectors().get(0).labels()).containsExactly("x", "job");
    assertThat(p.selectors().get(2).labels()).containsExactly("__name__", "s");
    assertThat(p.groupingLabels()).containsExactly("le", "command", "instance", "q");
    assertThat(PromQl.parse("label_values(ftpgw_sessions_active{job=~\"$job\"}, instance)").selectors())
        .containsExactly(new PromQl.Selector("ftpgw_sessions_active", Set.of("job", "instance")));
    assertThat(PromQl.parse("sum(rate(x[5m])) > bool 0").selectors()).extracting(PromQl.Selector::metric)
        .containsExactly("x");
    assertThat(EXPOSITION.familyOf("ftpgw_upstream_connect_seconds_bucket"))
        .isEqualTo("ftpgw_upstream_connect_seconds");
    assertThat(EXPOSITION.familyOf("jvm_gc_pause_seconds_bucket")).as("a summary has no buckets").isNull();
    assertThat(EXPOSITION.familyOf("ftpgw_data_bytes")).as("renamed").isNull();
  }

  @Test
  void normalizesChartAndFileExpressionsAlike() {
    assertThat(normalized("max by (namespace, pod) (m{namespace=\"ftp\", listener=\"ftp\"}) / 100 > 0.8"))
        .isEqualTo(normalized("max by (job, instance, listener) (m) / 100 > 0.8"));
    assertThat(normalized("sum by (namespace, pod) (rate(t{namespace=\"ftp\", listener=\"ftp\", outcome=\"failed\"}[15m]))"))
        .isEqualTo("sum(rate(t{outcome=\"failed\"}[15m]))");
    assertThat(normalized("max by (namespace, pod) (ftpgw_passive_ports_in_use{namespace=\"ftp\"}"
        + " / ftpgw_passive_ports_capacity{namespace=\"ftp\", listener=\"ftp\"}) > 0.8"))
        .isEqualTo("max(ftpgw_passive_ports_in_use/ftpgw_passive_ports_capacity)>0.8");
  }

  // ---- sources

  private static List<Expr> dashboardExpressions() throws IOException {
    JsonObject dashboard = new JsonObject(Files.readString(DASHBOARD));
    List<Expr> out = new ArrayList<>();
    for (JsonObject panel : panels(dashboard)) {
      JsonArray targets = panel.getJsonArray("targets");
      if (targets == null) {
        continue;
      }
      for (int i = 0; i < targets.size(); i++) {
        JsonObject target = targets.getJsonObject(i);
        out.add(new Expr("dashboard panel \"" + panel.getString("title") + "\" " + target.getString("refId"),
            target.getString("expr")));
      }
    }
    for (Object v : dashboard.getJsonObject("templating").getJsonArray("list")) {
      JsonObject variable = (JsonObject) v;
      if ("query".equals(variable.getString("type"))) {
        Object query = variable.getValue("query");
        String text = query instanceof JsonObject q ? q.getString("query") : String.valueOf(query);
        out.add(new Expr("dashboard variable $" + variable.getString("name"), text));
      }
    }
    return out;
  }

  /** Every panel, also those inside collapsed rows. */
  private static List<JsonObject> panels(JsonObject dashboard) {
    List<JsonObject> out = new ArrayList<>();
    for (Object p : dashboard.getJsonArray("panels")) {
      JsonObject panel = (JsonObject) p;
      out.add(panel);
      JsonArray nested = panel.getJsonArray("panels");
      if (nested != null) {
        nested.forEach(n -> out.add((JsonObject) n));
      }
    }
    return out;
  }

  private static List<Expr> alertExpressions(Map<String, Map<String, Object>> rules) {
    return rules.values().stream().map(r -> new Expr(r.get("source") + " " + r.get("alert"), (String) r.get("expr")))
        .toList();
  }

  private static Map<String, Map<String, Object>> rulesOfFile() throws IOException {
    Map<String, Object> doc = new Yaml().load(Files.readString(ALERTS));
    return rules(List.of(doc), "alerts.yaml");
  }

  /** The chart's PrometheusRule ({@code prometheusRule.enabled=true} and {@code set}), its {@code spec} groups. */
  private static Map<String, Map<String, Object>> rulesOfChart(Map<String, String> set) {
    TemplateCommand template = new Helm(CHART).template().set("prometheusRule.enabled", "true");
    for (Map.Entry<String, String> e : set.entrySet()) {
      template = template.set(e.getKey(), e.getValue());
    }
    String text = template.withName("ftpgw").withNamespace("ftp").call();
    List<Map<String, Object>> specs = new ArrayList<>();
    for (Object doc : new Yaml().loadAll(text)) {
      if (doc instanceof Map<?, ?> object && "PrometheusRule".equals(object.get("kind"))) {
        specs.add(map(object.get("spec")));
      }
    }
    assertThat(specs).as("one PrometheusRule").hasSize(1);
    return rules(specs, "chart");
  }

  private static Map<String, Map<String, Object>> rules(List<Map<String, Object>> docs, String source) {
    Map<String, Map<String, Object>> out = new LinkedHashMap<>();
    for (Map<String, Object> doc : docs) {
      for (Object g : (List<?>) doc.get("groups")) {
        for (Object r : (List<?>) map(g).get("rules")) {
          Map<String, Object> rule = new LinkedHashMap<>(map(r));
          String name = (String) Objects.requireNonNullElse(rule.get("alert"), rule.get("record"));
          rule.put("source", source);
          assertThat(out.put(name, rule)).as("%s: %s defined once", source, name).isNull();
        }
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return o == null ? Map.of() : (Map<String, Object>) o;
  }

  private static String resource(String name) {
    try (InputStream in = DashboardAndRulesTest.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- Prometheus text exposition

  /** Families ({@code # TYPE}) and the label names seen on each sample name. */
  record Exposition(Map<String, String> types, Map<String, Set<String>> sampleLabels) {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+\\S+.*$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"(?:[^\"\\\\]|\\\\.)*\"");

    static Exposition parse(String text) {
      Map<String, String> types = new TreeMap<>();
      Map<String, Set<String>> labels = new HashMap<>();
      for (String line : text.split("\n")) {
        if (line.startsWith("# TYPE ")) {
          String[] parts = line.split("\\s+");
          types.put(parts[2], parts[3]);
        } else if (!line.startsWith("#") && !line.isBlank()) {
          Matcher m = SAMPLE.matcher(line);
          if (!m.matches()) {
            throw new IllegalArgumentException("not a sample line: " + line);
          }
          Set<String> names = labels.computeIfAbsent(m.group(1), k -> new TreeSet<>());
          if (m.group(3) != null) {
            LABEL.matcher(m.group(3)).results().forEach(r -> names.add(r.group(1)));
          }
        }
      }
      return new Exposition(types, labels);
    }

    /**
     * The family a name in PromQL belongs to: the name itself, or for {@code _bucket} a histogram's, for
     * {@code _sum}/{@code _count} a histogram's or summary's; null if the gateway exports no such series.
     */
    String familyOf(String metric) {
      if (types.containsKey(metric) && sampleLabels.containsKey(metric)) {
        return metric;
      }
      for (String suffix : List.of("_bucket", "_sum", "_count")) {
        if (metric.endsWith(suffix)) {
          String base = metric.substring(0, metric.length() - suffix.length());
          String type = types.get(base);
          boolean fits = suffix.equals("_bucket") ? "histogram".equals(type)
              : "histogram".equals(type) || "summary".equals(type);
          return fits && sampleLabels.containsKey(metric) ? base : null;
        }
      }
      return null;
    }

    /** Label names on the series of that name (for a histogram family: of its buckets, so with le). */
    Set<String> labels(String metric) {
      if (sampleLabels.containsKey(metric)) {
        return sampleLabels.get(metric);
      }
      return sampleLabels.getOrDefault(metric + "_bucket", Set.of());
    }
  }

  // ---- PromQL, as much as naming metrics needs

  /**
   * Finds the metric names (with the label names of their matchers) and the grouping labels (by, without, on,
   * ignoring, group_left, group_right) of a PromQL expression, also with Grafana variables ({@code $x},
   * {@code ${x}}, {@code [[x]]}) in it, and of a Grafana {@code label_values(metric{...}, label)} query. Strings,
   * numbers, durations, range brackets, functions and keywords are skipped; an identifier that is followed by
   * {@code (} is a function or aggregation, any other one a metric.
   */
  static final class PromQl {
    record Selector(String metric, Set<String> labels) {
    }

    record Parsed(List<Selector> selectors, List<String> groupingLabels) {
    }

    private static final Set<String> GROUPING = Set.of("by", "without", "on", "ignoring", "group_left", "group_right");
    /** Binary operators and modifiers, and the aggregation operators (which may be followed by "by (...)"). */
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "atan2", "inf",
        "nan", "by", "without", "on", "ignoring", "group_left", "group_right", "sum", "min", "max", "avg", "group",
        "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio");
    private static final Pattern LABEL_VALUES =
        Pattern.compile("^\\s*label_values\\s*\\((.*),\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*\\)\\s*$", Pattern.DOTALL);

    static Parsed parse(String expr) {
      Matcher lv = LABEL_VALUES.matcher(expr);
      if (lv.matches()) {
        Parsed inner = parse(lv.group(1));
        List<Selector> selectors = inner.selectors().stream().map(s -> {
          Set<String> labels = new LinkedHashSet<>(s.labels());
          labels.add(lv.group(2));
          return new Selector(s.metric(), labels);
        }).toList();
        return new Parsed(selectors, inner.groupingLabels());
      }
      List<Selector> selectors = new ArrayList<>();
      List<String> grouping = new ArrayList<>();
      int n = expr.length();
      int i = 0;
      while (i < n) {
        char c = expr.charAt(i);
        if (Character.isWhitespace(c)) {
          i++;
        } else if (c == '"' || c == '\'' || c == '`') {
          i = skipString(expr, i);
        } else if (c == '{') {
          // a selector without a metric name: {__name__="..."}
          int end = closing(expr, i, '{', '}');
          Set<String> labels = labelNames(expr.substring(i + 1, end));
          nameMatcher(expr.substring(i + 1, end)).ifPresent(name -> selectors.add(new Selector(name, labels)));
          i = end + 1;
        } else if (c == '[') {
          i = closing(expr, i, '[', ']') + 1;
        } else if (c == '$') {
          i++;
          if (i < n && expr.charAt(i) == '{') {
            i = expr.indexOf('}', i) + 1;
          } else {
            while (i < n && isIdentPart(expr.charAt(i))) {
              i++;
            }
          }
        } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(expr.charAt(i + 1)))) {
          // numbers, hex, durations (5m, 1h30m), exponents (1e9, 1.5e-3)
          while (i < n && (Character.isLetterOrDigit(expr.charAt(i)) || expr.charAt(i) == '.'
              || expr.charAt(i) == '_')) {
            char prev = expr.charAt(i);
            i++;
            if ((prev == 'e' || prev == 'E') && i < n && (expr.charAt(i) == '+' || expr.charAt(i) == '-')) {
              i++;
            }
          }
        } else if (isIdentStart(c)) {
          int end = i;
          while (end < n && isIdentPart(expr.charAt(end))) {
            end++;
          }
          String ident = expr.substring(i, end);
          String lower = ident.toLowerCase(java.util.Locale.ROOT);
          int next = end;
          while (next < n && Character.isWhitespace(expr.charAt(next))) {
            next++;
          }
          boolean paren = next < n && expr.charAt(next) == '(';
          if (GROUPING.contains(lower) && paren) {
            int close = closing(expr, next, '(', ')');
            for (String label : expr.substring(next + 1, close).split(",")) {
              if (!label.isBlank()) {
                grouping.add(label.trim());
              }
            }
            i = close + 1;
          } else if (paren || KEYWORDS.contains(lower)) {
            i = end;
          } else if (next < n && expr.charAt(next) == '{') {
            int close = closing(expr, next, '{', '}');
            selectors.add(new Selector(ident, labelNames(expr.substring(next + 1, close))));
            i = close + 1;
          } else {
            selectors.add(new Selector(ident, Set.of()));
            i = end;
          }
        } else {
          i++;
        }
      }
      return new Parsed(selectors, grouping);
    }

    /** The matchers inside {...}, split at the commas outside quoted values. */
    static List<String> splitMatchers(String inside) {
      List<String> out = new ArrayList<>();
      int start = 0;
      for (int i = 0; i < inside.length(); i++) {
        char c = inside.charAt(i);
        if (c == '"' || c == '\'' || c == '`') {
          i = skipString(inside, i) - 1;
        } else if (c == ',') {
          out.add(inside.substring(start, i));
          start = i + 1;
        }
      }
      out.add(inside.substring(start));
      out.removeIf(String::isBlank);
      return out;
    }

    private static Set<String> labelNames(String inside) {
      Set<String> out = new LinkedHashSet<>();
      for (String matcher : splitMatchers(inside)) {
        Matcher m = Pattern.compile("^\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*(=~|!~|!=|=)").matcher(matcher);
        if (!m.find()) {
          throw new IllegalArgumentException("not a label matcher: " + matcher);
        }
        out.add(m.group(1));
      }
      return out;
    }

    private static java.util.Optional<String> nameMatcher(String inside) {
      for (String matcher : splitMatchers(inside)) {
        Matcher m = Pattern.compile("^\\s*__name__\\s*=\\s*\"([^\"]*)\"").matcher(matcher);
        if (m.find()) {
          return java.util.Optional.of(m.group(1));
        }
      }
      return java.util.Optional.empty();
    }

    /** Index after the closing quote of the string starting at {@code i}. */
    private static int skipString(String s, int i) {
      char quote = s.charAt(i);
      int j = i + 1;
      while (j < s.length() && s.charAt(j) != quote) {
        j += s.charAt(j) == '\\' && quote != '`' ? 2 : 1;
      }
      return Math.min(j + 1, s.length());
    }

    /** Index of the bracket closing the one at {@code i} (nesting and strings respected). */
    private static int closing(String s, int i, char open, char close) {
      int depth = 0;
      for (int j = i; j < s.length(); j++) {
        char c = s.charAt(j);
        if (c == '"' || c == '\'' || c == '`') {
          j = skipString(s, j) - 1;
        } else if (c == open) {
          depth++;
        } else if (c == close && --depth == 0) {
          return j;
        }
      }
      throw new IllegalArgumentException("unbalanced " + open + " in: " + s);
    }

    private static boolean isIdentStart(char c) {
      return Character.isLetter(c) || c == '_' || c == ':';
    }

    private static boolean isIdentPart(char c) {
      return Character.isLetterOrDigit(c) || c == '_' || c == ':';
    }
  }
}
