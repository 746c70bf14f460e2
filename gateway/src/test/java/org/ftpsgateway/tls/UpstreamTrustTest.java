package org.ftpsgateway.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.ftpsgateway.ConfigFiles;
import org.ftpsgateway.Gateway;
import org.ftpsgateway.config.ConfigException;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.PortRange;
import org.ftpsgateway.demo.DemoFtpsServer;
import org.ftpsgateway.metrics.GatewayMetrics;
import org.ftpsgateway.support.FreePorts;
import org.ftpsgateway.support.GatewayFixture;
import org.ftpsgateway.support.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Upstream trust decisions against a real FTPS server (MINA) with certificates made for each case: pins instead of
 * a CA, expired certificates, host name checks switched off, insecureSkipVerify, mutual TLS, cipher suites. Configs
 * go through the real loader, so the keys are tested as operators write them.
 */
class UpstreamTrustTest {


  /**
   * MINA FtpServer 1.2.1 stalls after a TLS 1.3 handshake with a client certificate (its SslFilter never answers the
   * first command); mutual TLS over TLS 1.3 is tested against ProFTPD in the interop suite.
   */
  private static final List<String> MINA_CLIENT_AUTH_PROTOCOLS = List.of("TLSv1.2");

  @TempDir
  Path tmp;

  private DemoFtpsServer server;
  private Vertx vertx;
  private Gateway gateway;

  @AfterEach
  void stop() throws Exception {
    GatewayFixture.stop(gateway, vertx);
    if (server != null) {
      server.close();
    }
  }

  private static GeneratedCertificate certificate(String... names) {
    return GeneratedCertificate.generate(List.of(names), Duration.ofDays(10));
  }

  /** The server's passive range, then the gateway's: disjoint free ports. */
  private final List<PortRange> passive = FreePorts.ranges(50, 50);

  private void startServer(GeneratedCertificate cert, java.security.cert.X509Certificate clientCa,
                           List<String> protocols) throws Exception {
    startServer(cert, clientCa, protocols, false);
  }

  private void startServer(GeneratedCertificate cert, java.security.cert.X509Certificate clientCa,
                           List<String> protocols, boolean implicit) throws Exception {
    Path root = Files.createDirectories(tmp.resolve("root"));
    server = DemoFtpsServer.start("127.0.0.1", 0, passive.get(0).toString(),
        Map.of(GatewayFixture.USER, GatewayFixture.PASSWORD), root, protocols, cert, clientCa, implicit);
  }

  private JsonObject upstream() {
    return new JsonObject().put("host", "127.0.0.1").put("port", server.port());
  }

  /** Starts the gateway from a config document; returns the listener port. */
  private int startGateway(JsonObject upstream, String engine) throws Exception {
    JsonObject doc = new JsonObject()
        .put("listeners", new JsonArray().add(new JsonObject().put("name", "test").put("host", "127.0.0.1")
            .put("port", 0).put("passivePorts", passive.get(1).toString())))
        .put("upstream", upstream.copy().put("sslEngine", engine))
        .put("timeouts", new JsonObject().put("connectSeconds", 5).put("dataConnectSeconds", 5))
        .put("metrics", new JsonObject().put("enabled", false));
    GatewayConfig config = new ConfigFiles(Map.of()).fromJson(doc);
    vertx = Vertx.vertx();
    gateway = Gateway.start(vertx, config, GatewayMetrics.disabled()).toCompletionStage().toCompletableFuture()
        .get(20, TimeUnit.SECONDS);
    return gateway.listeners().get(0).port();
  }

  /** Logs in through the gateway, uploads and downloads 300 KB, compares checksums. */
  private void roundTrip(int port) throws Exception {
    FTPClient ftp = GatewayFixture.connect(port);
    try {
      assertThat(ftp.login(GatewayFixture.USER, GatewayFixture.PASSWORD)).as(ftp.getReplyString()).isTrue();
      ftp.setFileType(FTP.BINARY_FILE_TYPE);
      ftp.enterLocalPassiveMode();
      byte[] data = GatewayFixture.randomBytes(300_000, 7);
      assertThat(ftp.storeFile("trust.bin", new ByteArrayInputStream(data))).as(ftp.getReplyString()).isTrue();
      ByteArrayOutputStream back = new ByteArrayOutputStream();
      assertThat(ftp.retrieveFile("trust.bin", back)).as(ftp.getReplyString()).isTrue();
      assertThat(GatewayFixture.sha256(back.toByteArray())).isEqualTo(GatewayFixture.sha256(data));
      ftp.logout();
    } finally {
      ftp.disconnect();
    }
  }

  private Path pem(String name, String content) throws Exception {
    Path p = tmp.resolve(name);
    Files.writeString(p, content);
    return p;
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdk", "openssl"})
  void certificatePinTrustsASelfSignedServerWithoutCa(String engine) throws Exception {
    GeneratedCertificate cert = certificate("ftps.internal"); // a name the gateway does not even know
    startServer(cert, null, GatewayFixture.SERVER_PROTOCOLS);
    int port = startGateway(upstream().put("pinSha256",
        new JsonArray().add("sha256 Fingerprint=" + cert.sha256Fingerprint())), engine);
    roundTrip(port);
  }

  @Test
  void publicKeyPinInCurlFormatTrustsTheServer() throws Exception {
    GeneratedCertificate cert = certificate("localhost");
    startServer(cert, null, GatewayFixture.SERVER_PROTOCOLS);
    String spki = Base64.getEncoder().encodeToString(Fingerprints.publicKey(cert.certificate()));
    roundTrip(startGateway(upstream().put("pinSha256", "sha256//" + spki), "auto"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdk", "openssl"})
  void pinMismatchIsRefusedWithTheCertificateNamed(String engine) throws Exception {
    GeneratedCertificate cert = certificate("127.0.0.1");
    startServer(cert, null, GatewayFixture.SERVER_PROTOCOLS);
    String other = certificate("127.0.0.1").sha256Fingerprint();
    int port = startGateway(upstream().put("pinSha256", new JsonArray().add(other)), engine);
    assertThat(GatewayFixture.greeting(port)).startsWith("421 upstream certificate rejected: ")
        .contains("pin mismatch").contains(cert.sha256Fingerprint());
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdk", "openssl"})
  void expiredCertificateIsRefusedEvenWhenItIsTheTrustedCa(String engine) throws Exception {
    Instant now = Instant.now();
    GeneratedCertificate expired = GeneratedCertificate.generate(List.of("127.0.0.1"),
        now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)));
    startServer(expired, null, GatewayFixture.SERVER_PROTOCOLS);
    int port = startGateway(upstream().put("caFile", pem("ca.pem", expired.certificatePem()).toString()), engine);
    assertThat(GatewayFixture.greeting(port)).startsWith("421 upstream certificate rejected: ").contains("expired");
  }

  @Test
  void expiredCertificateIsRefusedEvenWhenPinned() throws Exception {
    Instant now = Instant.now();
    GeneratedCertificate expired = GeneratedCertificate.generate(List.of("127.0.0.1"),
        now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)));
    startServer(expired, null, GatewayFixture.SERVER_PROTOCOLS);
    int port = startGateway(upstream().put("pinSha256", expired.sha256Fingerprint()), "auto");
    assertThat(GatewayFixture.greeting(port)).startsWith("421 upstream certificate rejected: ").contains("expired");
  }

  @Test
  void wrongNameIsAcceptedOnlyWhenHostnameVerificationIsOff() throws Exception {
    GeneratedCertificate cert = certificate("ftp.example.org");
    startServer(cert, null, GatewayFixture.SERVER_PROTOCOLS);
    Path ca = pem("ca.pem", cert.certificatePem());
    int strict = startGateway(upstream().put("caFile", ca.toString()), "auto");
    assertThat(GatewayFixture.greeting(strict)).startsWith("421 upstream certificate rejected: ");
    stopGateway();
    roundTrip(startGateway(upstream().put("caFile", ca.toString()).put("verifyHostname", false), "auto"));
  }

  @Test
  void pinnedServerStillNeedsItsNameWhenVerifyHostnameIsAskedFor() throws Exception {
    GeneratedCertificate cert = certificate("ftp.example.org");
    startServer(cert, null, GatewayFixture.SERVER_PROTOCOLS);
    int port = startGateway(upstream().put("pinSha256", cert.sha256Fingerprint()).put("verifyHostname", true),
        "auto");
    assertThat(GatewayFixture.greeting(port)).startsWith("421 upstream certificate rejected: ")
        .contains("does not match the server name");
  }

  @Test
  void insecureSkipVerifyAcceptsAnyCertificate() throws Exception {
    startServer(certificate("rogue.example"), null, GatewayFixture.SERVER_PROTOCOLS);
    roundTrip(startGateway(upstream().put("insecureSkipVerify", true), "auto"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdk", "openssl"})
  void mutualTlsWithPemClientCertificate(String engine) throws Exception {
    GeneratedCertificate serverCert = certificate("127.0.0.1");
    GeneratedCertificate clientCert = certificate("gateway-client");
    startServer(serverCert, clientCert.certificate(), MINA_CLIENT_AUTH_PROTOCOLS);
    Path ca = pem("ca.pem", serverCert.certificatePem());
    int without = startGateway(upstream().put("caFile", ca.toString()), engine);
    assertThat(GatewayFixture.greeting(without)).startsWith("421 ");
    stopGateway();
    int with = startGateway(upstream().put("caFile", ca.toString())
        .put("clientCertFile", pem("client.crt", clientCert.certificatePem()).toString())
        .put("clientKeyFile", pem("client.key", clientCert.privateKeyPem()).toString()), engine);
    roundTrip(with);
  }

  @Test
  void mutualTlsWithPkcs12ClientKeystore() throws Exception {
    GeneratedCertificate serverCert = certificate("127.0.0.1");
    GeneratedCertificate clientCert = certificate("gateway-client");
    startServer(serverCert, clientCert.certificate(), MINA_CLIENT_AUTH_PROTOCOLS);
    Path p12 = tmp.resolve("client.p12");
    Files.write(p12, clientCert.pkcs12("client", "k3y-pass".toCharArray()));
    roundTrip(startGateway(upstream().put("caFile", pem("ca.pem", serverCert.certificatePem()).toString())
        .put("clientKeystore", p12.toString()).put("clientKeystorePassword", "k3y-pass"), "auto"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdk", "openssl"})
  void cipherSuitesAreWhatTheGatewayOffers(String engine) throws Exception {
    GeneratedCertificate cert = certificate("127.0.0.1"); // EC key: ECDSA suites only
    startServer(cert, null, List.of("TLSv1.2"));
    Path ca = pem("ca.pem", cert.certificatePem());
    int rsaOnly = startGateway(upstream().put("caFile", ca.toString()).put("protocols", "TLSv1.2")
        .put("cipherSuites", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), engine);
    assertThat(GatewayFixture.greeting(rsaOnly)).startsWith("421 ").contains("TLS handshake");
    stopGateway();
    roundTrip(startGateway(upstream().put("caFile", ca.toString()).put("protocols", "TLSv1.2")
        .put("cipherSuites", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"), engine));
  }

  /**
   * BoringSSL (the openssl engine) offers all three TLS 1.3 suites whatever cipherSuites says: with a list that
   * leaves some out, auto takes the JDK engine so the list holds, and openssl is refused by the config check.
   * ChaCha20 alone is the one suite that neither BoringSSL's order (AES-128 first) nor the JDK server's (AES-256
   * first) would pick, so only a gateway that offers nothing else negotiates it.
   */
  @Test
  void tls13CipherSuitesHoldWithAutoAndAreRefusedForOpenSsl() throws Exception {
    GeneratedCertificate cert = certificate("127.0.0.1");
    startServer(cert, null, List.of("TLSv1.3"));
    JsonObject upstream = upstream().put("caFile", pem("ca.pem", cert.certificatePem()).toString())
        .put("protocols", "TLSv1.3").put("cipherSuites", "TLS_CHACHA20_POLY1305_SHA256");
    try (LogCapture audit = LogCapture.audit()) {
      roundTrip(startGateway(upstream, "auto"));
      List<String> transfers = audit.events("transfer");
      assertThat(transfers).hasSize(2)
          .allSatisfy(line -> assertThat(line).contains("tls=\"TLSv1.3 TLS_CHACHA20_POLY1305_SHA256\""));
    }
    stopGateway();
    assertThatThrownBy(() -> startGateway(upstream, "openssl"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("upstream.cipherSuites")
        .hasMessageContaining("TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384");
  }

  @ParameterizedTest
  @ValueSource(strings = {"jdk", "openssl"})
  void implicitFtpsUpstreamSpeaksTlsFromTheFirstByte(String engine) throws Exception {
    GeneratedCertificate cert = certificate("127.0.0.1");
    startServer(cert, null, GatewayFixture.SERVER_PROTOCOLS, true);
    roundTrip(startGateway(upstream().put("tls", "implicit")
        .put("caFile", pem("ca.pem", cert.certificatePem()).toString()), engine));
  }

  @Test
  void explicitGatewayAgainstAnImplicitServerFailsWith421() throws Exception {
    GeneratedCertificate cert = certificate("127.0.0.1");
    startServer(cert, null, GatewayFixture.SERVER_PROTOCOLS, true);
    int port = startGateway(upstream().put("caFile", pem("ca.pem", cert.certificatePem()).toString()), "auto");
    assertThat(GatewayFixture.greeting(port)).startsWith("421 ");
  }

  private void stopGateway() throws Exception {
    gateway.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    gateway = null;
    vertx = null;
  }
}
