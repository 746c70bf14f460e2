package org.ftpsgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.ftpsgateway.ConfigFiles;
import org.ftpsgateway.tls.GeneratedCertificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What {@code --check-config} refuses because it would break at start or at run time: ports used twice, key
 * material that does not load or does not belong together, trust settings that contradict each other. Each case
 * with the exact line an operator reads.
 */
class ConfigConflictsTest {

  private static final String UPSTREAM = "upstream: { host: ftps.example.com }\n";

  @TempDir
  static Path dir;
  private static Vertx vertx;
  private static Map<String, String> files;
  private static int written;

  @BeforeAll
  static void setUp() throws IOException {
    vertx = Vertx.vertx();
    GeneratedCertificate server = GeneratedCertificate.generate(List.of("gw.example.com"), Duration.ofDays(1));
    GeneratedCertificate other = GeneratedCertificate.generate(List.of("other.example.com"), Duration.ofDays(1));
    files = Map.of(
        "${CERT}", write("cert.pem", server.certificatePem()),
        "${KEY}", write("key.pem", server.privateKeyPem()),
        "${OTHER_KEY}", write("other-key.pem", other.privateKeyPem()),
        "${TEXT}", write("text.pem", "just some text\n"),
        "${P12}", Files.write(dir.resolve("server.p12"), server.pkcs12("gw", "right".toCharArray())).toString(),
        "${DIR}", dir.toString());
  }

  private static String write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content).toString();
  }

  @AfterAll
  static void tearDown() {
    vertx.close().await();
  }

  /** A configuration and the exact message it must be refused with (the key first). */
  static Stream<Arguments> refused() {
    return Stream.of(
        arguments("two listeners on one host:port", """
            listeners:
              - { name: a, host: 127.0.0.1, port: 2121, passivePorts: 30000-30009 }
              - { name: b, host: 127.0.0.1, port: 2121, passivePorts: 30010-30019 }
            """, "listeners[1].port: 127.0.0.1:2121 is also the port of listeners[0] (127.0.0.1:2121)"),
        arguments("0.0.0.0 and a specific address on one port", """
            listeners:
              - { name: a, host: 0.0.0.0, port: 2121, passivePorts: 30000-30009 }
              - { name: b, host: 10.1.2.3, port: 2121, passivePorts: 30010-30019 }
            """, "listeners[1].port: 10.1.2.3:2121 is also the port of listeners[0] (0.0.0.0:2121):"
            + " 0.0.0.0 binds every IPv4 address"),
        arguments(":: and 0.0.0.0 on one port (dual stack)", """
            listeners:
              - { name: a, host: 0.0.0.0, port: 2121, passivePorts: 30000-30009 }
              - { name: b, host: "::", port: 2121, passivePorts: 30010-30019 }
            """, "listeners[1].port: [::]:2121 is also the port of listeners[0] (0.0.0.0:2121):"
            + " :: binds every address, IPv4 too (Linux dual stack)"),
        arguments("localhost and 127.0.0.1 on one port (localhost is loopback, RFC 6761)", """
            listeners:
              - { name: a, host: localhost, port: 2121, passivePorts: 30000-30009 }
              - { name: b, host: 127.0.0.1, port: 2121, passivePorts: 30010-30019 }
            """, "listeners[1].port: 127.0.0.1:2121 is also the port of listeners[0] (localhost:2121):"
            + " localhost is a loopback address (127.0.0.1 or ::1)"),
        arguments("metrics on localhost, a listener on ::1 with the same port", """
            listeners:
              - { host: "::1", port: 9464 }
            metrics: { host: localhost, port: 9464 }
            """, "metrics.port: localhost:9464 is also the port of listeners[0] ([::1]:9464):"
            + " localhost is a loopback address (127.0.0.1 or ::1)"),
        arguments("control port inside its own passive range", """
            listeners:
              - { port: 30050, passivePorts: 30000-30099 }
            """, "listeners[0].port: 30050 lies in the passive ports of listeners[0] (30000-30099)"),
        arguments("control port inside another listener's passive range", """
            listeners:
              - { name: a, port: 2121, passivePorts: 30000-30099 }
              - { name: b, host: 127.0.0.1, port: 30000, passivePorts: 31000-31009 }
            """, "listeners[1].port: 30000 lies in the passive ports of listeners[0] (30000-30099)"),
        arguments("metrics port inside a passive range", """
            listeners:
              - { port: 2121, passivePorts: 30000-30099 }
            metrics: { port: 30099 }
            """, "metrics.port: 30099 lies in the passive ports of listeners[0] (30000-30099)"),
        arguments("metrics port equal to a listener port", """
            listeners:
              - { port: 9464 }
            """, "metrics.port: 127.0.0.1:9464 is also the port of listeners[0] (0.0.0.0:9464):"
            + " 0.0.0.0 binds every IPv4 address"),
        arguments("passive ranges of two listeners overlap", """
            listeners:
              - { name: a, port: 2121, passivePorts: 30000-30009 }
              - { name: b, port: 2122, passivePorts: 30009-30019 }
            """, "listeners[1].passivePorts: overlaps the passive ports of listeners[0] (30000-30009)"),
        arguments("active ports overlap a passive range", """
            listeners:
              - { port: 2121, passivePorts: 30000-30099 }
            upstream: { host: ftps.example.com, dataMode: active, activePorts: 30090-30199 }
            """, "upstream.activePorts: overlaps the passive ports of listeners[0] (30000-30099)"),
        arguments("active ports contain a listener port", """
            listeners:
              - { port: 31005 }
            upstream: { host: ftps.example.com, dataMode: active, activePorts: 31000-31099 }
            """, "upstream.activePorts: contains the port of listeners[0] (0.0.0.0:31005)"),
        arguments("active ports of two upstreams overlap", """
            listeners:
              - { port: 2121 }
            upstreams:
              - { name: a, host: a.example, dataMode: active, activePorts: 31000-31009 }
              - { name: b, host: b.example, dataMode: active, activePorts: 31005-31019 }
            """, "upstreams[1].activePorts: overlaps upstreams[0].activePorts (31000-31009)"),
        arguments("metrics port inside the active ports", """
            listeners:
              - { port: 2121 }
            upstream: { host: ftps.example.com, dataMode: active, activePorts: 31000-31099 }
            metrics: { port: 31050 }
            """, "metrics.port: 31050 lies in upstream.activePorts (31000-31099)"),
        arguments("activeSourcePort inside another listener's passive range", """
            listeners:
              - { name: a, port: 2121, passivePorts: 30000-30009, activeSourcePort: 30015 }
              - { name: b, port: 2122, passivePorts: 30010-30019 }
            """, "listeners[0].activeSourcePort: 30015 lies in the passive ports of listeners[1] (30010-30019)"),
        arguments("activeSourcePort equal to a listener port", """
            listeners:
              - { name: a, port: 2121, activeSourcePort: 2122 }
              - { name: b, port: 2122, passivePorts: 30100-30109 }
            """, "listeners[0].activeSourcePort: 2122 is also the port of listeners[1] (0.0.0.0:2122)"),
        arguments("listener certFile that is not a certificate", """
            listeners:
              - { port: 2121, tls: explicit, certFile: ${TEXT}, keyFile: ${KEY} }
            """, "listeners[0].certFile: cannot load the TLS certificate: cannot load the key material: ${TEXT}"
            + " holds no PEM certificate"),
        arguments("listener keyFile that is not a key", """
            listeners:
              - { port: 2121, tls: explicit, certFile: ${CERT}, keyFile: ${CERT} }
            """, "listeners[0].certFile: cannot load the TLS certificate: cannot load the key material: ${CERT}"
            + " holds no unencrypted PEM private key"),
        arguments("listener key that belongs to another certificate", """
            listeners:
              - { port: 2121, tls: implicit, certFile: ${CERT}, keyFile: ${OTHER_KEY} }
            """, "listeners[0].certFile: cannot load the TLS certificate: cannot load the key material: the private"
            + " key does not match the certificate (O=ftps-gateway,CN=gw.example.com)"),
        arguments("listener keystore with a wrong password", """
            listeners:
              - { port: 2121, tls: explicit, keystore: ${P12}, password: wrong }
            """, "listeners[0].keystore: cannot load the TLS certificate: cannot load the key material: keystore"
            + " password was incorrect"),
        arguments("listener certFile a directory", """
            listeners:
              - { port: 2121, tls: explicit, certFile: ${DIR}, keyFile: ${KEY} }
            """, "listeners[0].certFile: ${DIR} is a directory, not a file"),
        arguments("generatedCertDir a file", """
            listeners:
              - { port: 2121, tls: explicit, generatedCertDir: ${TEXT} }
            """, "listeners[0].generatedCertDir: ${TEXT} is a file, not a directory"),
        arguments("caFile a directory", """
            listeners:
              - { port: 2121 }
            upstream: { host: ftps.example.com, caFile: ${DIR} }
            """, "upstream.caFile: ${DIR} is a directory, not a file"),
        arguments("caFile that does not exist", """
            listeners:
              - { port: 2121 }
            upstream: { host: ftps.example.com, caFile: ${DIR}/nonexistent.pem }
            """, "upstream.caFile: file ${DIR}/nonexistent.pem does not exist"),
        arguments("caFile with no certificate in it", """
            listeners:
              - { port: 2121 }
            upstream: { host: ftps.example.com, caFile: ${TEXT} }
            """, "upstream.caFile: ${TEXT} holds no PEM certificate"),
        arguments("caFile holding only a private key", """
            listeners:
              - { port: 2121 }
            upstream: { host: ftps.example.com, caFile: ${KEY} }
            """, "upstream.caFile: ${KEY} holds no PEM certificate"),
        arguments("caFile and pinSha256", """
            listeners:
              - { port: 2121 }
            upstream:
              host: ftps.example.com
              caFile: ${CERT}
              pinSha256: ["AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89"]
            """, "upstream.caFile: contradicts upstream.pinSha256: pins replace the CA check, so ${CERT} would never"
            + " be read; give one of them"),
        arguments("caFile and insecureSkipVerify", """
            listeners:
              - { port: 2121 }
            upstream: { host: ftps.example.com, caFile: ${CERT}, insecureSkipVerify: true }
            """, "upstream.insecureSkipVerify: contradicts upstream.caFile: nothing would be verified, so ${CERT}"
            + " would never be read; give one of them"),
        arguments("upstream client key that belongs to another certificate", """
            listeners:
              - { port: 2121 }
            upstream: { host: ftps.example.com, clientCertFile: ${CERT}, clientKeyFile: ${OTHER_KEY} }
            """, "upstream.clientKeyFile: cannot load the key material: the private key does not match the"
            + " certificate (O=ftps-gateway,CN=gw.example.com)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void refusedWithOneLineNamingTheKey(String name, String yaml, String message) throws IOException {
    Path file = file(yaml.contains("upstream") ? yaml : yaml + UPSTREAM);
    assertThatThrownBy(() -> new ConfigFiles(Map.of()).load(vertx, file))
        .isInstanceOf(ConfigException.class)
        .hasMessage(substitute(message));
  }

  /** Near misses: nothing clashes. */
  static Stream<Arguments> accepted() {
    return Stream.of(
        arguments("two listeners on port 0", """
            listeners:
              - { name: a, port: 0, passivePorts: 30000-30009 }
              - { name: b, port: 0, passivePorts: 30010-30019 }
            """),
        arguments("one port on two specific addresses", """
            listeners:
              - { name: a, host: 127.0.0.1, port: 2121, passivePorts: 30000-30009 }
              - { name: b, host: 127.0.0.2, port: 2121, passivePorts: 30010-30019 }
            """),
        arguments("0.0.0.0 and an IPv6 address on one port", """
            listeners:
              - { name: a, host: 0.0.0.0, port: 2121, passivePorts: 30000-30009 }
              - { name: b, host: "::1", port: 2121, passivePorts: 30010-30019 }
            """),
        arguments("metrics on another address than the listener on its port", """
            listeners:
              - { host: 10.1.2.3, port: 9464 }
            """),
        arguments("metrics off, its port in a passive range", """
            listeners:
              - { port: 2121 }
            metrics: { enabled: false, port: 30050 }
            """),
        arguments("metrics on port 0", """
            listeners:
              - { port: 2121 }
            metrics: { port: 0 }
            """),
        arguments("two listeners with one activeSourcePort", """
            listeners:
              - { name: a, port: 2121, passivePorts: 30000-30009, activeSourcePort: 20 }
              - { name: b, port: 2122, passivePorts: 30010-30019, activeSourcePort: 20 }
            """),
        arguments("a certificate and its key", """
            listeners:
              - { port: 2121, tls: explicit, certFile: ${CERT}, keyFile: ${KEY} }
            """),
        arguments("a PKCS#12 keystore and its password", """
            listeners:
              - { port: 2121, tls: implicit, keystore: ${P12}, password: right }
            """),
        arguments("a client certificate and its key", """
            listeners:
              - { port: 2121 }
            upstream: { host: ftps.example.com, caFile: ${CERT}, clientCertFile: ${CERT}, clientKeyFile: ${KEY} }
            """));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("accepted")
  void accepted(String name, String yaml) throws Exception {
    Path file = file(yaml.contains("upstream") ? yaml : yaml + UPSTREAM);
    assertThat(new ConfigFiles(Map.of()).load(vertx, file).listeners()).isNotEmpty();
  }

  private static String substitute(String text) {
    String out = text;
    for (var e : files.entrySet()) {
      out = out.replace(e.getKey(), e.getValue());
    }
    return out;
  }

  private static synchronized Path file(String yaml) throws IOException {
    return Files.writeString(dir.resolve("gateway-" + (written++) + ".yaml"), substitute(yaml));
  }
}
