package org.ftpsgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.ftpsgateway.ConfigFiles;
import org.ftpsgateway.tls.GeneratedCertificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigLoaderTest {

  /** The smallest valid file; most tables change one thing in it. */
  private static final String MINIMAL = """
      listeners:
        - port: 2121
      upstream:
        host: ftps.example.com
      """;

  @TempDir
  static Path dir;
  private static Vertx vertx;
  private static Path caFile;
  private static Path notACertificate;
  private static int files;

  @BeforeAll
  static void setUp() throws IOException {
    vertx = Vertx.vertx();
    caFile = Files.writeString(dir.resolve("ca.pem"),
        GeneratedCertificate.generate(List.of("ftps.example.com"), Duration.ofDays(1)).certificatePem());
    notACertificate = Files.writeString(dir.resolve("not-a-cert.pem"), "just some text\n");
  }

  @AfterAll
  static void tearDown() {
    vertx.close().await();
  }

  private static ListenerConfig listener(String name, String host, int port, PortRange passivePorts,
                                         String passiveAddress, boolean allowForeignActive) {
    return new ListenerConfig(name, host, port, TlsMode.NONE, passivePorts, passiveAddress, allowForeignActive);
  }

  @Test
  void loadsTheShippedExample() throws Exception {
    Path example = Path.of("..", "conf", "gateway.yaml");
    assumeTrue(Files.isRegularFile(example), "conf/gateway.yaml is not there");
    // loaded as shipped: PASV announces the address the client reached (no passiveAddress), the JVM's trust store
    String yaml = Files.readString(example);
    assertThat(load(yaml, Map.of())).isEqualTo(new GatewayConfig(
        List.of(listener("ftp", "0.0.0.0", 21, new PortRange(30000, 30099), null, false)),
        new UpstreamConfig("ftps.example.com", 21, TlsMode.EXPLICIT, "ftps.example.com", null,
            List.of("TLSv1.2", "TLSv1.3"), DataMode.EPSV),
        new TimeoutsConfig(10, 900, 30),
        new MetricsConfig(true, "127.0.0.1", 9464)));
  }

  @Test
  void loadsTheFullExample() throws Exception {
    String yaml = """
        listeners:
          - name: public
            host: 127.0.0.1
            port: 2121
            tls: none
            passivePorts: 30000-30009
            passiveAddress: 203.0.113.10
            allowForeignActive: true
        upstream:
          host: ftps.example.com
          port: 2990
          tls: explicit
          serverName: ftps.internal.example
          caFile: ${CA}
          protocols: [TLSv1.3]
          dataMode: pasv
        timeouts:
          connectSeconds: 5
          idleSeconds: 60
          dataConnectSeconds: 7
        metrics:
          enabled: false
          host: 0.0.0.0
          port: 9100
        """;
    assertThat(load(yaml, Map.of())).isEqualTo(new GatewayConfig(
        List.of(listener("public", "127.0.0.1", 2121, new PortRange(30000, 30009), "203.0.113.10", true)),
        new UpstreamConfig("ftps.example.com", 2990, TlsMode.EXPLICIT, "ftps.internal.example", caFile.toString(),
            List.of("TLSv1.3"), DataMode.PASV),
        new TimeoutsConfig(5, 60, 7),
        new MetricsConfig(false, "0.0.0.0", 9100)));
  }

  static Stream<Arguments> defaults() {
    UpstreamConfig upstream = new UpstreamConfig("ftps.example.com", 21, TlsMode.EXPLICIT, "ftps.example.com", null,
        UpstreamConfig.DEFAULT_PROTOCOLS, DataMode.EPSV);
    ListenerConfig listener = listener("ftp", "0.0.0.0", 21, new PortRange(30000, 30099), null, false);
    return Stream.of(
        arguments("empty listener entry", """
            listeners: [ {} ]
            upstream: { host: ftps.example.com }
            """,
            new GatewayConfig(List.of(listener), upstream, TimeoutsConfig.defaults(), MetricsConfig.defaults())),
        arguments("empty sections", """
            listeners: [ {} ]
            upstream: { host: ftps.example.com }
            timeouts: {}
            metrics:
            """,
            new GatewayConfig(List.of(listener), upstream, TimeoutsConfig.defaults(), MetricsConfig.defaults())),
        arguments("implicit TLS defaults to port 990", """
            listeners: [ {} ]
            upstream: { host: ftps.example.com, tls: implicit }
            """,
            new GatewayConfig(List.of(listener),
                new UpstreamConfig("ftps.example.com", 990, TlsMode.IMPLICIT, "ftps.example.com", null,
                    UpstreamConfig.DEFAULT_PROTOCOLS, DataMode.EPSV),
                TimeoutsConfig.defaults(), MetricsConfig.defaults())),
        arguments("second listener named after its index", """
            listeners:
              - {}
              - { port: 2121, passivePorts: "31000" }
            upstream: { host: ftps.example.com }
            """,
            new GatewayConfig(List.of(listener,
                listener("ftp1", "0.0.0.0", 2121, new PortRange(31000, 31000), null, false)),
                upstream, TimeoutsConfig.defaults(), MetricsConfig.defaults())),
        arguments("numbers and booleans as strings, protocols as one string", """
            listeners: [ { port: "2121" } ]
            upstream: { host: ftps.example.com, port: "21", protocols: "TLSv1.3, TLSv1.2" }
            timeouts: { idleSeconds: "60" }
            metrics: { enabled: "FALSE" }
            """,
            new GatewayConfig(List.of(listener.withPort(2121)),
                new UpstreamConfig("ftps.example.com", 21, TlsMode.EXPLICIT, "ftps.example.com", null,
                    List.of("TLSv1.3", "TLSv1.2"), DataMode.EPSV),
                new TimeoutsConfig(TimeoutsConfig.DEFAULT_CONNECT_SECONDS, 60,
                    TimeoutsConfig.DEFAULT_DATA_CONNECT_SECONDS),
                new MetricsConfig(false, MetricsConfig.DEFAULT_HOST, MetricsConfig.DEFAULT_PORT))));
  }

  @Test
  void allowClientsIsAListOfCidrBlocksAndDefaultsToEverybody() throws Exception {
    ListenerConfig listener = load("""
        listeners:
          - { name: a, passivePorts: 30000-30009, allowClients: ["10.0.0.0/8", "::1/128", 192.0.2.7] }
          - { name: b, port: 2122, passivePorts: 30010-30019 }
        upstream: { host: ftps.example.com }
        """, Map.of()).listeners().get(0);
    assertThat(listener.access().allowClients()).containsExactly(
        org.ftpsgateway.protocol.CidrBlock.parse("10.0.0.0/8"), org.ftpsgateway.protocol.CidrBlock.parse("::1"),
        org.ftpsgateway.protocol.CidrBlock.parse("192.0.2.7/32"));
    assertThat(listener.access().allows("10.9.8.7")).isTrue();
    assertThat(listener.access().allows("::ffff:10.9.8.7")).isTrue();
    assertThat(listener.access().allows("::1")).isTrue();
    assertThat(listener.access().allows("127.0.0.1")).isFalse();
    assertThat(load(MINIMAL, Map.of()).listeners().get(0).access()).isEqualTo(ListenerAccess.defaults());
    assertThat(ListenerAccess.defaults().allows("203.0.113.1")).isTrue();
    assertThat(ListenerAccess.defaults().allows("2001:db8::1")).isTrue();
  }

  @Test
  void bandwidthLimitsDefaultToUnlimited() throws Exception {
    GatewayConfig c = load(MINIMAL, Map.of());
    assertThat(c.limits().bytesPerSecond()).isZero();
    assertThat(c.listeners().get(0).access().bytesPerSecond()).isZero();
    GatewayConfig set = load(MINIMAL.replace("port: 2121", "bytesPerSecond: 10485760")
        + "limits:\n  bytesPerSecond: 1048576\n", Map.of());
    assertThat(set.limits().bytesPerSecond()).isEqualTo(1_048_576L);
    assertThat(set.listeners().get(0).access().bytesPerSecond()).isEqualTo(10_485_760L);
  }

  @Test
  void proxyProtocolKeys() throws Exception {
    GatewayConfig d = load(MINIMAL, Map.of());
    assertThat(d.upstream().proxyProtocol()).isNull();
    assertThat(d.listeners().get(0).access().acceptProxyProtocol()).isFalse();
    assertThat(load(MINIMAL + "  proxyProtocol: none\n", Map.of()).upstream().proxyProtocol()).isNull();
    assertThat(load(MINIMAL + "  proxyProtocol: v1\n", Map.of()).upstream().proxyProtocol())
        .isEqualTo(org.ftpsgateway.protocol.ProxyProtocol.Version.V1);
    assertThat(load(MINIMAL + "  proxyProtocol: V2\n", Map.of()).upstream().proxyProtocol())
        .isEqualTo(org.ftpsgateway.protocol.ProxyProtocol.Version.V2);
    assertThat(load(MINIMAL, Map.of("FTPGW_UPSTREAM_PROXYPROTOCOL", "v2", "FTPGW_LISTENERS_0_ACCEPTPROXYPROTOCOL",
        "true")).listeners().get(0).access().acceptProxyProtocol()).isTrue();
    assertThat(load(MINIMAL.replace("port: 2121", "acceptProxyProtocol: true"), Map.of()).listeners().get(0)
        .access()).isEqualTo(ListenerAccess.defaults().withAcceptProxyProtocol(true));
    ListenerConfig behind = load(MINIMAL.replace("port: 2121", """
        acceptProxyProtocol: true
            proxyProtocolFrom: [10.0.5.0/24, "fd00::/64"]
            passiveAddress: FromProxyHeader"""), Map.of()).listeners().get(0);
    assertThat(behind.access().proxyProtocolFrom()).extracting(Object::toString)
        .containsExactly("10.0.5.0/24", "fd00:0:0:0:0:0:0:0/64");
    assertThat(behind.access().mayProxyFrom("10.0.5.7")).isTrue();
    assertThat(behind.access().mayProxyFrom("10.0.6.7")).isFalse();
    assertThat(behind.passiveAddress()).isEqualTo(ListenerConfig.PASSIVE_FROM_PROXY_HEADER);
    assertThat(behind.pasvAddress("10.1.1.1", "203.0.113.7")).isEqualTo("203.0.113.7");
    assertThat(d.listeners().get(0).access().proxyProtocolFrom()).isEqualTo(ListenerAccess.ALLOW_ALL);
    assertThat(d.listeners().get(0).pasvAddress("10.1.1.1", "203.0.113.7")).isEqualTo("10.1.1.1");
    assertThat(load(MINIMAL, Map.of("FTPGW_LISTENERS_0_ACCEPTPROXYPROTOCOL", "true",
        "FTPGW_LISTENERS_0_PROXYPROTOCOLFROM", "10.0.5.0/24")).listeners().get(0).access().mayProxyFrom("10.0.4.1"))
        .isFalse();
  }

  @Test
  void connectionRateDefaultsToOff() throws Exception {
    assertThat(load(MINIMAL, Map.of()).limits().connectionsPerMinutePerClient()).isZero();
    assertThat(load(MINIMAL + "limits:\n  connectionsPerMinutePerClient: 30\n", Map.of()).limits())
        .isEqualTo(new LimitsConfig(1000, 0, 0, 300, 0, 30));
    assertThat(load(MINIMAL, Map.of("FTPGW_LIMITS_CONNECTIONSPERMINUTEPERCLIENT", "12")).limits()
        .connectionsPerMinutePerClient()).isEqualTo(12);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("defaults")
  void fillsInDefaults(String name, String yaml, GatewayConfig expected) throws Exception {
    assertThat(load(yaml, Map.of())).isEqualTo(expected);
  }

  /** A file that must be refused, the environment, and the key (or variable) the message must start with. */
  static Stream<Arguments> invalid() {
    return Stream.of(
        arguments("unknown top-level key", "listener:\n  - port: 21\n" + MINIMAL, Map.of(), "listener"),
        arguments("unknown upstream key", MINIMAL + "  hots: x\n", Map.of(), "upstream.hots"),
        arguments("unknown listener key", MINIMAL.replace("- port: 2121", "- prot: 2121"), Map.of(),
            "listeners[0].prot"),
        arguments("unknown key in the second listener", MINIMAL.replace("upstream:", "  - passivPorts: 1-2\nupstream:"),
            Map.of(), "listeners[1].passivPorts"),
        arguments("unknown metrics key", MINIMAL + "metrics:\n  enable: true\n", Map.of(), "metrics.enable"),
        arguments("unknown timeouts key", MINIMAL + "timeouts:\n  idle: 5\n", Map.of(), "timeouts.idle"),
        arguments("port range not a range", MINIMAL.replace("port: 2121", "passivePorts: many"), Map.of(),
            "listeners[0].passivePorts"),
        arguments("port range reversed", MINIMAL.replace("port: 2121", "passivePorts: 30099-30000"), Map.of(),
            "listeners[0].passivePorts"),
        arguments("port range from 0", MINIMAL.replace("port: 2121", "passivePorts: 0-10"), Map.of(),
            "listeners[0].passivePorts"),
        arguments("port range beyond 65535", MINIMAL.replace("port: 2121", "passivePorts: 65000-65536"), Map.of(),
            "listeners[0].passivePorts"),
        arguments("listener port too high", MINIMAL.replace("2121", "70000"), Map.of(), "listeners[0].port"),
        arguments("listener port negative", MINIMAL.replace("2121", "-1"), Map.of(), "listeners[0].port"),
        arguments("listener port not a number", MINIMAL.replace("2121", "ftp"), Map.of(), "listeners[0].port"),
        arguments("listener port fractional", MINIMAL.replace("2121", "21.5"), Map.of(), "listeners[0].port"),
        arguments("listener port huge", MINIMAL.replace("2121", "99999999999999"), Map.of(), "listeners[0].port"),
        arguments("upstream port 0", MINIMAL + "  port: 0\n", Map.of(), "upstream.port"),
        arguments("upstream port too high", MINIMAL + "  port: 65536\n", Map.of(), "upstream.port"),
        arguments("metrics port too high", MINIMAL + "metrics:\n  port: 70000\n", Map.of(), "metrics.port"),
        arguments("connect timeout 0", MINIMAL + "timeouts:\n  connectSeconds: 0\n", Map.of(),
            "timeouts.connectSeconds"),
        arguments("idle timeout a word", MINIMAL + "timeouts:\n  idleSeconds: soon\n", Map.of(),
            "timeouts.idleSeconds"),
        arguments("missing caFile", MINIMAL + "  caFile: /nonexistent/ca.pem\n", Map.of(), "upstream.caFile"),
        arguments("caFile without a certificate", MINIMAL + "  caFile: ${NOT_A_CERT}\n", Map.of(),
            "upstream.caFile"),
        arguments("caFile a directory", MINIMAL + "  caFile: ${DIR}\n", Map.of(), "upstream.caFile"),
        arguments("upstream tls none", MINIMAL + "  tls: none\n", Map.of(), "upstream.tls"),
        arguments("upstream tls unknown", MINIMAL + "  tls: starttls\n", Map.of(), "upstream.tls"),
        arguments("listener tls unknown", MINIMAL.replace("port: 2121", "tls: starttls"), Map.of(),
            "listeners[0].tls"),
        arguments("listener certFile without keyFile", MINIMAL.replace("port: 2121", "certFile: ${DIR}/x.pem"),
            Map.of(), "listeners[0].keyFile"),
        arguments("no upstream", "listeners:\n  - port: 2121\n", Map.of(), "upstream"),
        arguments("upstream without host", MINIMAL.replace("host: ftps.example.com", "port: 21"), Map.of(),
            "upstream.host"),
        arguments("upstream host blank", MINIMAL.replace("ftps.example.com", "\"  \""), Map.of(), "upstream.host"),
        arguments("upstream a scalar", "listeners:\n  - port: 2121\nupstream: ftps.example.com\n", Map.of(),
            "upstream"),
        arguments("no listeners", "upstream:\n  host: ftps.example.com\n", Map.of(), "listeners"),
        arguments("listeners empty", "listeners: []\nupstream:\n  host: ftps.example.com\n", Map.of(), "listeners"),
        arguments("listeners a mapping", "listeners:\n  port: 21\nupstream:\n  host: x\n", Map.of(), "listeners"),
        arguments("listener entry a scalar", "listeners:\n  - 2121\nupstream:\n  host: x\n", Map.of(),
            "listeners[0]"),
        arguments("listener name a mapping", MINIMAL.replace("port: 2121", "name: { a: b }"), Map.of(),
            "listeners[0].name"),
        arguments("duplicate listener names", """
            listeners:
              - { name: a, passivePorts: 30000-30009 }
              - { name: a, passivePorts: 30010-30019 }
            upstream: { host: x }
            """, Map.of(), "listeners[1].name"),
        arguments("overlapping passive ports", """
            listeners:
              - { name: a, passivePorts: 30000-30009 }
              - { name: b, passivePorts: 30009-30019 }
            upstream: { host: x }
            """, Map.of(), "listeners[1].passivePorts"),
        arguments("passiveAddress a name", MINIMAL.replace("port: 2121", "passiveAddress: gw.example.com"), Map.of(),
            "listeners[0].passiveAddress"),
        arguments("passiveAddress IPv6", MINIMAL.replace("port: 2121", "passiveAddress: \"::1\""), Map.of(),
            "listeners[0].passiveAddress"),
        arguments("protocol TLSv1.1", MINIMAL + "  protocols: [TLSv1.1]\n", Map.of(), "upstream.protocols"),
        arguments("protocol SSLv3 even with allowLegacyTls", MINIMAL + "  protocols: [SSLv3]\n  allowLegacyTls: true\n",
            Map.of(), "upstream.protocols"),
        arguments("pin not a fingerprint", MINIMAL + "  pinSha256: [AB:CD]\n", Map.of(), "upstream.pinSha256"),
        arguments("pin with a non-hex digit", MINIMAL + "  pinSha256: \"" + "G".repeat(64) + "\"\n", Map.of(),
            "upstream.pinSha256"),
        arguments("pin and insecureSkipVerify", MINIMAL + "  pinSha256: \"" + "A".repeat(64)
            + "\"\n  insecureSkipVerify: true\n", Map.of(), "upstream.insecureSkipVerify"),
        arguments("client certificate without key", MINIMAL + "  clientCertFile: ${CA}\n", Map.of(),
            "upstream.clientKeyFile"),
        arguments("client key file missing", MINIMAL + "  clientCertFile: ${CA}\n  clientKeyFile: /nonexistent\n",
            Map.of(), "upstream.clientKeyFile"),
        arguments("client key not a key", MINIMAL + "  clientCertFile: ${CA}\n  clientKeyFile: ${CA}\n",
            Map.of(), "upstream.clientKeyFile"),
        arguments("unknown cipher suite", MINIMAL + "  cipherSuites: [TLS_FANCY_NEW]\n", Map.of(),
            "upstream.cipherSuites"),
        arguments("openssl engine told to leave out a TLS 1.3 suite (BoringSSL offers all three)", MINIMAL
            + "  sslEngine: openssl\n  cipherSuites: [TLS_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384]\n",
            Map.of(), "upstream.cipherSuites"),
        arguments("tls.engine unknown", MINIMAL + "tls:\n  engine: gnutls\n", Map.of(), "tls.engine"),
        arguments("no protocols", MINIMAL + "  protocols: []\n", Map.of(), "upstream.protocols"),
        arguments("protocols not strings", MINIMAL + "  protocols: [1.2]\n", Map.of(), "upstream.protocols"),
        arguments("dataMode unknown", MINIMAL + "  dataMode: port\n", Map.of(), "upstream.dataMode"),
        arguments("activePorts not a range", MINIMAL + "  activePorts: many\n", Map.of(), "upstream.activePorts"),
        arguments("activePorts overlap passivePorts", MINIMAL + "  activePorts: 30050-30150\n", Map.of(),
            "upstream.activePorts"),
        arguments("activeSourcePort out of range", MINIMAL.replace("port: 2121", "activeSourcePort: 70000"),
            Map.of(), "listeners[0].activeSourcePort"),
        arguments("activeSourcePort not a number", MINIMAL.replace("port: 2121", "activeSourcePort: twenty"),
            Map.of(), "listeners[0].activeSourcePort"),
        arguments("activeSourcePort inside passivePorts", MINIMAL.replace("port: 2121",
            "passivePorts: 30000-30099\n    activeSourcePort: 30050"), Map.of(), "listeners[0].activeSourcePort"),
        arguments("allowForeignActive not a boolean", MINIMAL.replace("port: 2121", "allowForeignActive: yes please"),
            Map.of(), "listeners[0].allowForeignActive"),
        arguments("metrics.enabled not a boolean", MINIMAL + "metrics:\n  enabled: maybe\n", Map.of(),
            "metrics.enabled"),
        arguments("value with a line break (port)", MINIMAL.replace("2121", "\"21\\n22\""), Map.of(),
            "listeners[0].port"),
        arguments("value with a line break (passivePorts)", MINIMAL.replace("port: 2121", "passivePorts: \"1\\r\\n2\""),
            Map.of(), "listeners[0].passivePorts"),
        arguments("value with a line break (tls)", MINIMAL + "  tls: \"none\\nexplicit\"\n", Map.of(), "upstream.tls"),
        arguments("env names no key", MINIMAL, Map.of("FTPGW_UPSTREAM_HOSTNAME", "x"), "FTPGW_UPSTREAM_HOSTNAME"),
        arguments("env names no section", MINIMAL, Map.of("FTPGW_NOPE", "x"), "FTPGW_NOPE"),
        arguments("env prefix only", MINIMAL, Map.of("FTPGW_", "x"), "FTPGW_"),
        arguments("env names a section", MINIMAL, Map.of("FTPGW_UPSTREAM", "x"), "FTPGW_UPSTREAM"),
        arguments("env names a list", MINIMAL, Map.of("FTPGW_LISTENERS", "x"), "FTPGW_LISTENERS"),
        arguments("env names a list entry", MINIMAL, Map.of("FTPGW_LISTENERS_0", "x"), "FTPGW_LISTENERS_0"),
        arguments("env list index not a number", MINIMAL, Map.of("FTPGW_LISTENERS_X_PORT", "21"),
            "FTPGW_LISTENERS_X_PORT"),
        arguments("env list index skips entries", MINIMAL, Map.of("FTPGW_LISTENERS_2_PORT", "21"),
            "FTPGW_LISTENERS_2_PORT"),
        arguments("env goes below a scalar", MINIMAL, Map.of("FTPGW_UPSTREAM_HOST_NAME", "x"),
            "FTPGW_UPSTREAM_HOST_NAME"),
        arguments("env value not a number", MINIMAL, Map.of("FTPGW_LISTENERS_0_PORT", "ftp"), "listeners[0].port"),
        arguments("env value with a line break", MINIMAL, Map.of("FTPGW_UPSTREAM_PORT", "21\n22"), "upstream.port"),
        arguments("env sets upstream tls none", MINIMAL, Map.of("FTPGW_UPSTREAM_TLS", "none"), "upstream.tls"),
        arguments("env sets an unsupported protocol", MINIMAL, Map.of("FTPGW_UPSTREAM_PROTOCOLS", "SSLv3"),
            "upstream.protocols"),
        arguments("allowClients not a CIDR", MINIMAL.replace("port: 2121", "allowClients: [10.0.0.0/8, intranet]"),
            Map.of(), "listeners[0].allowClients"),
        arguments("allowClients prefix too long", MINIMAL.replace("port: 2121", "allowClients: [10.0.0.0/33]"),
            Map.of(), "listeners[0].allowClients"),
        arguments("allowClients IPv6 prefix too long", MINIMAL.replace("port: 2121", "allowClients: [\"::1/129\"]"),
            Map.of(), "listeners[0].allowClients"),
        arguments("allowClients host bits set", MINIMAL.replace("port: 2121", "allowClients: [10.1.2.3/8]"),
            Map.of(), "listeners[0].allowClients"),
        arguments("allowClients empty", MINIMAL.replace("port: 2121", "allowClients: []"), Map.of(),
            "listeners[0].allowClients"),
        arguments("allowClients not strings", MINIMAL.replace("port: 2121", "allowClients: [{ a: b }]"), Map.of(),
            "listeners[0].allowClients"),
        arguments("env allowClients with a name", MINIMAL, Map.of("FTPGW_LISTENERS_0_ALLOWCLIENTS", "10.0.0.0/8,gw"),
            "listeners[0].allowClients"),
        arguments("limits.bytesPerSecond negative", MINIMAL + "limits:\n  bytesPerSecond: -1\n", Map.of(),
            "limits.bytesPerSecond"),
        arguments("limits.bytesPerSecond with a unit", MINIMAL + "limits:\n  bytesPerSecond: 10M\n", Map.of(),
            "limits.bytesPerSecond"),
        arguments("listener bytesPerSecond fractional", MINIMAL.replace("port: 2121", "bytesPerSecond: 1.5"),
            Map.of(), "listeners[0].bytesPerSecond"),
        arguments("listener bytesPerSecond beyond 100 GB/s", MINIMAL.replace("port: 2121",
            "bytesPerSecond: 100000000001"), Map.of(), "listeners[0].bytesPerSecond"),
        arguments("connectionsPerMinutePerClient negative", MINIMAL + "limits:\n  connectionsPerMinutePerClient: -5\n",
            Map.of(), "limits.connectionsPerMinutePerClient"),
        arguments("connectionsPerMinutePerClient a word", MINIMAL, Map.of("FTPGW_LIMITS_CONNECTIONSPERMINUTEPERCLIENT",
            "many"), "limits.connectionsPerMinutePerClient"),
        arguments("proxyProtocol v3", MINIMAL + "  proxyProtocol: v3\n", Map.of(), "upstream.proxyProtocol"),
        arguments("proxyProtocol a boolean", MINIMAL + "  proxyProtocol: true\n", Map.of(), "upstream.proxyProtocol"),
        arguments("acceptProxyProtocol not a boolean", MINIMAL.replace("port: 2121", "acceptProxyProtocol: v2"),
            Map.of(), "listeners[0].acceptProxyProtocol"),
        arguments("fromProxyHeader without acceptProxyProtocol", MINIMAL.replace("port: 2121",
            "passiveAddress: fromProxyHeader"), Map.of(), "listeners[0].passiveAddress"),
        arguments("proxyProtocolFrom without acceptProxyProtocol", MINIMAL.replace("port: 2121",
            "proxyProtocolFrom: [10.0.0.0/8]"), Map.of(), "listeners[0].proxyProtocolFrom"),
        arguments("proxyProtocolFrom empty", MINIMAL.replace("port: 2121",
            "acceptProxyProtocol: true\n    proxyProtocolFrom: []"), Map.of(), "listeners[0].proxyProtocolFrom"),
        arguments("proxyProtocolFrom a name", MINIMAL.replace("port: 2121",
            "acceptProxyProtocol: true\n    proxyProtocolFrom: [balancer.example]"), Map.of(),
            "listeners[0].proxyProtocolFrom"),
        arguments("maxConcurrentSetups negative", MINIMAL + "limits:\n  maxConcurrentSetups: -1\n", Map.of(),
            "limits.maxConcurrentSetups"),
        arguments("env maxConcurrentSetups not a number", MINIMAL, Map.of("FTPGW_LIMITS_MAXCONCURRENTSETUPS", "many"),
            "limits.maxConcurrentSetups"),
        arguments("upstream and upstreams both", MINIMAL + UPSTREAMS, Map.of(), "upstreams"),
        arguments("upstreams empty", LISTENER + "upstreams: []\n", Map.of(), "upstreams"),
        arguments("upstreams entry without name", LISTENER + "upstreams:\n  - host: a.example\n", Map.of(),
            "upstreams[0].name"),
        arguments("upstreams name with a space", LISTENER + "upstreams:\n  - { name: \"a b\", host: a.example }\n",
            Map.of(), "upstreams[0].name"),
        arguments("upstreams duplicate name", LISTENER + UPSTREAMS + "  - { name: a, host: c.example }\n", Map.of(),
            "upstreams[2].name"),
        arguments("upstreams entry without host", LISTENER + "upstreams:\n  - name: a\n", Map.of(),
            "upstreams[0].host"),
        arguments("upstreams entry key checked", LISTENER + UPSTREAMS + "  - { name: c, host: c, protocols: [SSLv3] }\n",
            Map.of(), "upstreams[2].protocols"),
        arguments("upstreams unknown key", LISTENER + "upstreams:\n  - { name: a, hots: a.example }\n", Map.of(),
            "upstreams[0].hots"),
        arguments("listener names an unknown upstream", LISTENER.replace("port: 2121", "port: 2121\n    upstream: z")
            + UPSTREAMS, Map.of(), "listeners[0].upstream"),
        arguments("listener names an upstream without upstreams", MINIMAL.replace("port: 2121",
            "{ port: 2121, upstream: a }").replace("- port", "- port"), Map.of(), "listeners[0].upstream"),
        arguments("route without user", LISTENER + UPSTREAMS + "routes:\n  - upstream: a\n", Map.of(), "routes[0].user"),
        arguments("route without upstream", LISTENER + UPSTREAMS + "routes:\n  - user: bob\n", Map.of(),
            "routes[0].upstream"),
        arguments("route to an unknown upstream", LISTENER + UPSTREAMS + "routes:\n  - { user: bob, upstream: a }\n"
            + "  - { user: \"x-*\", upstream: z }\n", Map.of(), "routes[1].upstream"),
        arguments("route rewriting to a glob", LISTENER + UPSTREAMS
            + "routes:\n  - { user: \"b-*\", upstream: b, rewriteUser: \"*\" }\n", Map.of(), "routes[0].rewriteUser"),
        arguments("route rewriting to a blank", LISTENER + UPSTREAMS
            + "routes:\n  - { user: bob, upstream: b, rewriteUser: \" \" }\n", Map.of(), "routes[0].rewriteUser"),
        arguments("routes not a list", MINIMAL + "routes: bob\n", Map.of(), "routes"),
        arguments("allowUserAtHost not a boolean", MINIMAL + "allowUserAtHost: yes-please\n", Map.of(),
            "allowUserAtHost"),
        arguments("servers and host both", LISTENER + "upstreams:\n  - { name: a, host: a, servers: [{ host: b }] }\n",
            Map.of(), "upstreams[0].host"),
        arguments("servers and port both", LISTENER + "upstreams:\n  - { name: a, port: 21, servers: [{ host: b }] }\n",
            Map.of(), "upstreams[0].port"),
        arguments("servers empty", LISTENER + "upstreams:\n  - { name: a, servers: [] }\n", Map.of(),
            "upstreams[0].servers"),
        arguments("server without host", LISTENER + "upstreams:\n  - { name: a, servers: [{ host: b }, { port: 21 }] }\n",
            Map.of(), "upstreams[0].servers[1].host"),
        arguments("server port out of range", LISTENER
            + "upstreams:\n  - { name: a, servers: [{ host: b, port: 70000 }] }\n", Map.of(), "upstreams[0].servers[0].port"),
        arguments("server listed twice", LISTENER
            + "upstreams:\n  - { name: a, servers: [{ host: b }, { host: b, port: 21 }] }\n", Map.of(),
            "upstreams[0].servers[1]"),
        arguments("server unknown key", LISTENER + "upstreams:\n  - { name: a, servers: [{ host: b, tls: none }] }\n",
            Map.of(), "upstreams[0].servers[0].tls"),
        arguments("balance unknown", MINIMAL + "  balance: random\n", Map.of(), "upstream.balance"),
        arguments("probeSeconds zero", MINIMAL + "  probeSeconds: 0\n", Map.of(), "upstream.probeSeconds"),
        arguments("shorthand has no name", MINIMAL + "  name: x\n", Map.of(), "upstream.name"),
        arguments("two upstreams' active ports overlap", LISTENER + "upstreams:\n"
            + "  - { name: a, host: a, dataMode: active, activePorts: 31000-31009 }\n"
            + "  - { name: b, host: b, dataMode: active, activePorts: 31005-31019 }\n", Map.of(),
            "upstreams[1].activePorts"),
        arguments("upstreams entry active ports on a listener's passive ports", LISTENER.replace("port: 2121",
            "port: 2121\n    passivePorts: 31000-31009") + "upstreams:\n"
            + "  - { name: a, host: a, dataMode: active, activePorts: 31005-31019 }\n", Map.of(),
            "upstreams[0].activePorts"));
  }

  private static final String LISTENER = """
      listeners:
        - port: 2121
      """;

  private static final String UPSTREAMS = """
      upstreams:
        - { name: a, host: a.example }
        - { name: b, host: b.example, port: 2990 }
      """;

  @Test
  void upstreamShorthandIsOneUpstreamNamedDefault() throws Exception {
    GatewayConfig c = load(MINIMAL, Map.of());
    assertThat(c.upstreams()).hasSize(1);
    UpstreamGroup only = c.upstreams().get(0);
    assertThat(only.name()).isEqualTo("default");
    assertThat(only.servers()).containsExactly(c.upstream());
    assertThat(only.balance()).isEqualTo(UpstreamGroup.Balance.FIRST_AVAILABLE);
    assertThat(only.probeSeconds()).isEqualTo(30);
    assertThat(c.upstreamOf(c.listeners().get(0))).isSameAs(only);
    assertThat(c.routes()).isEmpty();
    assertThat(c.allowUserAtHost()).isFalse();
  }

  @Test
  void namedUpstreamsRoutesAndServers() throws Exception {
    GatewayConfig c = load("""
        listeners:
          - { name: one, port: 2121, passivePorts: 30000-30009 }
          - { name: two, port: 2122, passivePorts: 30010-30019, upstream: b }
        allowUserAtHost: true
        upstreams:
          - name: a
            host: a.example
            protocols: [TLSv1.3]
          - name: b
            serverName: files.example
            balance: round-robin
            probeSeconds: 5
            servers:
              - { host: b1.example }
              - { host: b2.example, port: 2990 }
          - name: c
            servers: [{ host: c1.example }, { host: c2.example }]
        routes:
          - { user: "acme-*", upstream: b }
          - { user: bob, upstream: a, rewriteUser: robert }
        """, Map.of("FTPGW_UPSTREAMS_2_SERVERS_1_PORT", "2121"));
    assertThat(c.upstreams()).extracting(UpstreamGroup::name).containsExactly("a", "b", "c");
    assertThat(c.upstream().host()).isEqualTo("a.example");
    assertThat(c.upstream().protocols()).containsExactly("TLSv1.3");
    assertThat(c.upstreamOf(c.listeners().get(0)).name()).isEqualTo("a");
    assertThat(c.upstreamOf(c.listeners().get(1)).name()).isEqualTo("b");
    UpstreamGroup b = c.upstreamNamed("b");
    assertThat(b.balance()).isEqualTo(UpstreamGroup.Balance.ROUND_ROBIN);
    assertThat(b.probeSeconds()).isEqualTo(5);
    assertThat(b.servers()).extracting(u -> u.host() + ":" + u.port() + "/" + u.serverName())
        .containsExactly("b1.example:21/files.example", "b2.example:2990/files.example");
    // without serverName each server is checked against its own name
    assertThat(c.upstreamNamed("c").servers()).extracting(u -> u.host() + ":" + u.port() + "/" + u.serverName())
        .containsExactly("c1.example:21/c1.example", "c2.example:2121/c2.example");
    assertThat(c.upstreamNamed("c").balance()).isEqualTo(UpstreamGroup.Balance.FIRST_AVAILABLE);
    assertThat(c.routes()).containsExactly(new RouteConfig("acme-*", "b", null), new RouteConfig("bob", "a", "robert"));
    assertThat(c.allowUserAtHost()).isTrue();
    assertThat(load(MINIMAL + "  balance: least-sessions\n", Map.of()).upstreams().get(0).balance())
        .isEqualTo(UpstreamGroup.Balance.LEAST_SESSIONS);
  }

  @Test
  void routePatternsAreGlobsOverTheWholeName() {
    assertThat(new RouteConfig("acme-*", "b", null).matches("acme-alice")).isTrue();
    assertThat(new RouteConfig("acme-*", "b", null).matches("acme-")).isTrue();
    assertThat(new RouteConfig("acme-*", "b", null).matches("xacme-alice")).isFalse();
    assertThat(new RouteConfig("acme-*", "b", null).matches("ACME-alice")).isFalse();
    assertThat(new RouteConfig("u?", "b", null).matches("u1")).isTrue();
    assertThat(new RouteConfig("u?", "b", null).matches("u12")).isFalse();
    assertThat(new RouteConfig("a.b+c", "b", null).matches("a.b+c")).isTrue();
    assertThat(new RouteConfig("a.b+c", "b", null).matches("aXb+c")).isFalse();
    assertThat(new RouteConfig("*@corp", "b", null).matches("bob@corp")).isTrue();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void refusesWithAOneLineMessageNamingTheKey(String name, String yaml, Map<String, String> env, String key) {
    assertThatThrownBy(() -> load(yaml, env))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(key + ": ")
        .hasMessageNotContaining("\n")
        .hasMessageNotContaining("\r");
  }

  /** Environment overrides of {@link #MINIMAL}: the variables, what to read from the config, the value. */
  static Stream<Arguments> environment() {
    return Stream.of(
        arguments(Map.of("FTPGW_UPSTREAM_HOST", "other.example"), of(c -> c.upstream().host()), "other.example"),
        arguments(Map.of("FTPGW_UPSTREAM_HOST", "other.example"), of(c -> c.upstream().serverName()),
            "other.example"),
        arguments(Map.of("FTPGW_Upstream_Host", "other.example"), of(c -> c.upstream().host()), "other.example"),
        arguments(Map.of("FTPGW_LISTENERS_0_PORT", "2122"), of(c -> c.listeners().get(0).port()), 2122),
        arguments(Map.of("FTPGW_UPSTREAM_PROTOCOLS", "TLSv1.3"), of(c -> c.upstream().protocols()),
            List.of("TLSv1.3")),
        arguments(Map.of("FTPGW_UPSTREAM_PROTOCOLS", "TLSv1.2, TLSv1.3"), of(c -> c.upstream().protocols()),
            List.of("TLSv1.2", "TLSv1.3")),
        arguments(Map.of("FTPGW_UPSTREAM_TLS", "implicit"), of(c -> c.upstream().port()), 990),
        arguments(Map.of("FTPGW_LISTENERS_0_PASSIVEPORTS", "31000-31009"), of(c -> c.listeners().get(0).passivePorts()),
            new PortRange(31000, 31009)),
        arguments(Map.of("FTPGW_METRICS_ENABLED", "false"), of(c -> c.metrics().enabled()), false),
        arguments(Map.of("FTPGW_UPSTREAM_PINSHA256", "ab".repeat(32)), of(c -> c.upstream().tlsOptions().pinSha256()),
            List.of("AB:".repeat(31) + "AB")),
        arguments(Map.of("FTPGW_UPSTREAM_PINSHA256", "ab".repeat(32)),
            of(c -> c.upstream().tlsOptions().verifyHostname()), false),
        arguments(Map.of(), of(c -> c.upstream().tlsOptions().verifyHostname()), true),
        arguments(Map.of("FTPGW_UPSTREAM_PROTOCOLS", "TLSv1.1,TLSv1.2", "FTPGW_UPSTREAM_ALLOWLEGACYTLS", "true"),
            of(c -> c.upstream().protocols()), List.of("TLSv1.1", "TLSv1.2")),
        arguments(Map.of("FTPGW_TLS_ENGINE", "jdk"), of(c -> c.upstream().sslEngine()), UpstreamConfig.SslEngine.JDK),
        arguments(Map.of("FTPGW_TLS_ENGINE", "jdk", "FTPGW_UPSTREAM_SSLENGINE", "auto"),
            of(c -> c.tlsEngine() + "/" + c.upstream().sslEngine()), "JDK/AUTO"),
        arguments(Map.of("FTPGW_UPSTREAM_CCC", "true"), of(c -> c.upstream().tlsOptions().ccc()), true),
        arguments(Map.of("FTPGW_LISTENERS_0_ALLOWFOREIGNACTIVE", "true"),
            of(c -> c.listeners().get(0).allowForeignActive()), true),
        arguments(Map.of(), of(c -> c.listeners().get(0).activeSourcePort()), 0),
        arguments(Map.of("FTPGW_LISTENERS_0_ACTIVESOURCEPORT", "20"),
            of(c -> c.listeners().get(0).activeSourcePort()), 20),
        arguments(Map.of("FTPGW_UPSTREAM_DATAMODE", "active"), of(c -> c.upstream().dataMode()), DataMode.ACTIVE),
        arguments(Map.of(), of(c -> String.valueOf(c.upstream().activePorts())), "null"),
        arguments(Map.of("FTPGW_UPSTREAM_DATAMODE", "active", "FTPGW_UPSTREAM_ACTIVEPORTS", "31000-31009"),
            of(c -> c.upstream().activePorts()), new PortRange(31000, 31009)),
        arguments(Map.of("FTPGW_TIMEOUTS_IDLESECONDS", "60"), of(c -> c.timeouts().idleSeconds()), 60),
        arguments(Map.of("FTPGW_LIMITS_BYTESPERSECOND", "5000000000"), of(c -> c.limits().bytesPerSecond()),
            5_000_000_000L),
        arguments(Map.of("FTPGW_LISTENERS_0_BYTESPERSECOND", "1048576"),
            of(c -> c.listeners().get(0).access().bytesPerSecond()), 1_048_576L),
        arguments(Map.of("FTPGW_LISTENERS_0_ALLOWCLIENTS", "127.0.0.0/8, ::1/128"),
            of(c -> c.listeners().get(0).access().allowClients().stream().map(Object::toString).toList()),
            List.of("127.0.0.0/8", "0:0:0:0:0:0:0:1/128")),
        arguments(Map.of("FTPGW_LIMITS_MAXCONCURRENTSETUPS", "0"), of(c -> c.limits().maxConcurrentSetups()), 0),
        arguments(Map.of(), of(c -> c.limits().maxConcurrentSetups()),
            LimitsConfig.DEFAULT_SETUPS_PER_CORE * Runtime.getRuntime().availableProcessors()),
        arguments(Map.of("FTPGW_LISTENERS_1_PORT", "2122", "FTPGW_LISTENERS_1_PASSIVEPORTS", "31000-31009"),
            of(c -> c.listeners().stream().map(l -> l.name() + ":" + l.port() + ":" + l.passivePorts()).toList()),
            List.of("ftp:2121:30000-30099", "ftp1:2122:31000-31009")),
        arguments(Map.of("PATH", "/bin", "FTPGWX_UPSTREAM_HOST", "x", "ftpgw_upstream_host", "x"),
            of(c -> c.upstream().host()), "ftps.example.com"));
  }

  private static Function<GatewayConfig, Object> of(Function<GatewayConfig, Object> read) {
    return read;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("environment")
  void environmentOverridesTheFile(Map<String, String> env, Function<GatewayConfig, Object> read, Object expected)
      throws Exception {
    assertThat(read.apply(load(MINIMAL, env))).isEqualTo(expected);
  }

  @Test
  void environmentAloneCanSupplyRequiredKeys() throws Exception {
    GatewayConfig config = load("{}\n", Map.of("FTPGW_LISTENERS_0_PORT", "2121",
        "FTPGW_UPSTREAM_HOST", "ftps.example.com", "FTPGW_UPSTREAM_CAFILE", caFile.toString()));
    assertThat(config.listeners()).extracting(ListenerConfig::port).containsExactly(2121);
    assertThat(config.upstream().caFile()).isEqualTo(caFile.toString());
  }

  @Test
  void environmentListsGrowInNumericOrder() throws Exception {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.keySet().removeIf(name -> name.startsWith(ConfigLoader.ENV_PREFIX));
    for (int i = 0; i < 12; i++) {
      env.put("FTPGW_LISTENERS_" + i + "_NAME", "l" + i);
      env.put("FTPGW_LISTENERS_" + i + "_PASSIVEPORTS", Integer.toString(31000 + i));
      env.put("FTPGW_LISTENERS_" + i + "_PORT", Integer.toString(2121 + i));
    }
    GatewayConfig config = load("upstream:\n  host: ftps.example.com\n", env);
    assertThat(config.listeners()).extracting(ListenerConfig::name)
        .containsExactly("l0", "l1", "l2", "l3", "l4", "l5", "l6", "l7", "l8", "l9", "l10", "l11");
  }

  @Test
  void adminTokenFileAndAuditSha256() throws Exception {
    Path token = Files.writeString(dir.resolve("admin-token"), "t0ken\n");
    GatewayConfig config = load("""
        listeners: [ {} ]
        upstream: { host: ftps.example.com }
        admin: { tokenFile: %s }
        audit: { sha256: true }
        """.formatted(token), Map.of());
    assertThat(config.admin()).isEqualTo(new AdminConfig(token.toString()));
    assertThat(config.audit()).isEqualTo(new AuditConfig(true));
    GatewayConfig plain = load("listeners: [ {} ]\nupstream: { host: ftps.example.com }\n", Map.of());
    assertThat(plain.admin()).isEqualTo(AdminConfig.defaults());
    assertThat(plain.audit().sha256()).isFalse();
    assertThat(load("listeners: [ {} ]\nupstream: { host: ftps.example.com }\n",
        Map.of("FTPGW_ADMIN_TOKENFILE", token.toString(), "FTPGW_AUDIT_SHA256", "true")))
        .isEqualTo(plain.withAdmin(new AdminConfig(token.toString())).withAudit(new AuditConfig(true)));
  }

  @Test
  void refusesAnUnreadableAdminTokenFile() {
    Path missing = dir.resolve("no-such-token");
    assertThatThrownBy(() -> load("listeners: [ {} ]\nupstream: { host: ftps.example.com }\nadmin: { tokenFile: "
        + missing + " }\n", Map.of()))
        .isInstanceOf(ConfigException.class).hasMessage("admin.tokenFile: cannot read " + missing);
    assertThatThrownBy(() -> load("listeners: [ {} ]\nupstream: { host: ftps.example.com }\naudit: { sha: true }\n",
        Map.of())).isInstanceOf(ConfigException.class).hasMessageStartingWith("audit.sha: unknown key");
  }

  /** Files that cannot be read as YAML at all: the message names the file. */
  static Stream<Arguments> unreadable() {
    return Stream.of(
        arguments("unclosed flow sequence", "upstream: [unclosed\n"),
        arguments("bad indentation", "listeners:\n  - port: 21\n bad: x\nupstream:\n  host: x\n"),
        arguments("tab indentation", "upstream:\n\thost: x\n"),
        arguments("duplicate quote", "upstream:\n  host: \"x\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unreadable")
  void refusesUnparsableYaml(String name, String yaml) throws IOException {
    Path file = write(yaml);
    assertThatThrownBy(() -> new ConfigFiles(Map.of()).load(vertx, file))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("cannot parse " + file + " as YAML")
        .hasMessageNotContaining("\n")
        .hasMessageNotContaining("\r");
  }

  @Test
  void refusesAMissingFile() {
    Path file = dir.resolve("nonexistent.yaml");
    assertThatThrownBy(() -> new ConfigFiles(Map.of()).load(vertx, file))
        .isInstanceOf(ConfigException.class)
        .hasMessage("config file " + file + " does not exist or is not a file");
  }

  @Test
  void refusesADirectory() {
    assertThatThrownBy(() -> new ConfigFiles(Map.of()).load(vertx, dir))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(dir.toString());
  }

  @Test
  void refusesAnEmptyFileForItsMissingKeys() throws IOException {
    Path file = write("");
    assertThatThrownBy(() -> new ConfigFiles(Map.of()).load(vertx, file))
        .isInstanceOf(ConfigException.class)
        .hasMessageNotContaining("\n");
  }

  private static GatewayConfig load(String yaml, Map<String, String> env) throws Exception {
    return new ConfigFiles(env).load(vertx, write(yaml));
  }

  private static synchronized Path write(String yaml) throws IOException {
    String text = yaml.replace("${CA}", caFile.toString())
        .replace("${NOT_A_CERT}", notACertificate.toString())
        .replace("${DIR}", dir.toString());
    return Files.writeString(dir.resolve("gateway-" + (files++) + ".yaml"), text);
  }
}
