package org.ftpsgateway.support;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.net.PrintCommandListener;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.ftpsgateway.Gateway;
import org.ftpsgateway.config.DataMode;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.ListenerConfig;
import org.ftpsgateway.config.MetricsConfig;
import org.ftpsgateway.config.PortRange;
import org.ftpsgateway.config.TimeoutsConfig;
import org.ftpsgateway.config.TlsMode;
import org.ftpsgateway.config.UpstreamConfig;
import org.ftpsgateway.demo.DemoFtpsServer;

/**
 * A real embedded FTPS server (MINA, TLS required on control and data) with the gateway in front of it on an
 * ephemeral port, and helpers to drive it with Apache Commons Net's FTPClient.
 */
public final class GatewayFixture implements AutoCloseable {

  public static final String USER = "alice";
  public static final String PASSWORD = "s3cret-pass";

  private final Vertx vertx;
  private final DemoFtpsServer server;
  private final Gateway gateway;
  private final Path root;
  private final String host;

  private GatewayFixture(String host, Vertx vertx, DemoFtpsServer server, Gateway gateway, Path root) {
    this.host = host;
    this.vertx = vertx;
    this.server = server;
    this.gateway = gateway;
    this.root = root;
  }

  /** What the embedded server speaks unless a test asks otherwise. */
  public static final List<String> SERVER_PROTOCOLS = List.of("TLSv1.2", "TLSv1.3");

  /** Size of the server's and of the gateway's passive range unless a test sets its own. */
  public static final int PASSIVE_PORTS = 100;

  /** Server and gateway with defaults: the gateway allows TLS 1.2 and 1.3, trusts the server's certificate, EPSV. */
  public static GatewayFixture start() throws Exception {
    return start(UpstreamConfig.DEFAULT_PROTOCOLS, null, "127.0.0.1", DataMode.EPSV);
  }

  public static GatewayFixture start(List<String> gatewayProtocols, Path caFile, String serverName,
                                     DataMode dataMode) throws Exception {
    return start(SERVER_PROTOCOLS, gatewayProtocols, caFile, serverName, dataMode);
  }

  /** @param caFile what the gateway trusts; null = the server's own certificate */
  public static GatewayFixture start(List<String> serverProtocols, List<String> gatewayProtocols, Path caFile,
                                     String serverName, DataMode dataMode) throws Exception {
    return start("127.0.0.1", serverProtocols, cfg -> config(cfg.upstream().port(),
        cfg.listeners().get(0).passivePorts(), gatewayProtocols, Path.of(cfg.upstream().caFile()), serverName,
        dataMode), caFile);
  }

  /**
   * The general form: the server binds {@code host}; {@code customize} turns the default config (listener and
   * upstream on {@code host}, a free passive range of {@value #PASSIVE_PORTS} ports) into the one under test.
   */
  public static GatewayFixture start(String host, List<String> serverProtocols,
                                     java.util.function.UnaryOperator<GatewayConfig> customize, Path caFile)
      throws Exception {
    return start(host, serverProtocols, customize, caFile, org.ftpsgateway.metrics.GatewayMetrics.disabled());
  }

  public static GatewayFixture start(String host, List<String> serverProtocols,
                                     java.util.function.UnaryOperator<GatewayConfig> customize, Path caFile,
                                     org.ftpsgateway.metrics.GatewayMetrics metrics) throws Exception {
    return start(host, serverProtocols, customize, caFile, metrics, Map.of());
  }

  /**
   * With more MINA ftplets after the TLS rules (to record or refuse what reaches the upstream). The server's and the
   * gateway's passive ranges are free ports found at start ({@link FreePorts}); the listener binds port 0.
   */
  public static GatewayFixture start(String host, List<String> serverProtocols,
                                     java.util.function.UnaryOperator<GatewayConfig> customize, Path caFile,
                                     org.ftpsgateway.metrics.GatewayMetrics metrics,
                                     Map<String, org.apache.ftpserver.ftplet.Ftplet> extraFtplets) throws Exception {
    Path root = Files.createTempDirectory("ftpgw-test-root");
    List<PortRange> passive = FreePorts.ranges(PASSIVE_PORTS, PASSIVE_PORTS); // the server's, the gateway's
    DemoFtpsServer server = DemoFtpsServer.start(host, 0, passive.get(0).toString(), Map.of(USER, PASSWORD), root,
        serverProtocols, extraFtplets);
    Vertx vertx = Vertx.vertx();
    GatewayConfig base = config(host, server.port(), passive.get(1), UpstreamConfig.DEFAULT_PROTOCOLS,
        caFile != null ? caFile : server.certificatePem(), host, DataMode.EPSV);
    GatewayConfig config = customize.apply(base);
    Gateway gateway = Gateway.start(vertx, config, metrics).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    return new GatewayFixture(host, vertx, server, gateway, root);
  }

  public static GatewayConfig config(int upstreamPort, PortRange passivePorts, List<String> protocols, Path caFile,
                                     String serverName, DataMode dataMode) {
    return config("127.0.0.1", upstreamPort, passivePorts, protocols, caFile, serverName, dataMode);
  }

  public static GatewayConfig config(String host, int upstreamPort, PortRange passivePorts, List<String> protocols,
                                     Path caFile, String serverName, DataMode dataMode) {
    return new GatewayConfig(
        List.of(new ListenerConfig("test", host, 0, TlsMode.NONE, passivePorts, null, false)),
        new UpstreamConfig(host, upstreamPort, TlsMode.EXPLICIT, serverName, caFile.toString(), protocols,
            dataMode),
        new TimeoutsConfig(5, 60, 5),
        new MetricsConfig(false, "127.0.0.1", 0));
  }

  public int port() {
    return gateway.listeners().get(0).port();
  }

  public Gateway gateway() {
    return gateway;
  }

  public Path root() {
    return root;
  }

  public DemoFtpsServer server() {
    return server;
  }

  public Vertx vertx() {
    return vertx;
  }

  /** A connected, logged-in client in binary, passive mode. */
  public FTPClient login() throws IOException {
    FTPClient ftp = connect();
    if (!ftp.login(USER, PASSWORD)) {
      throw new IOException("login failed: " + ftp.getReplyString());
    }
    ftp.setFileType(FTP.BINARY_FILE_TYPE);
    ftp.enterLocalPassiveMode();
    return ftp;
  }

  public FTPClient connect() throws IOException {
    return connect(host, port());
  }

  public static FTPClient connect(int port) throws IOException {
    return connect("127.0.0.1", port);
  }

  public static FTPClient connect(String host, int port) throws IOException {
    FTPClient ftp = new FTPClient();
    ftp.setConnectTimeout(10_000);
    ftp.setDefaultTimeout(20_000);
    ftp.setDataTimeout(java.time.Duration.ofSeconds(20));
    if (Boolean.getBoolean("ftpgw.test.trace")) {
      ftp.addProtocolCommandListener(new PrintCommandListener(System.out, true));
    }
    ftp.connect(host, port);
    return ftp;
  }

  /**
   * An FTPS client logged in to a TLS listener on {@code port}, {@code PBSZ 0} + {@code PROT P}, binary, passive.
   * {@code trust} decides about the gateway's certificate (tests check the protocol, not the chain, unless they say).
   */
  public static org.apache.commons.net.ftp.FTPSClient ftpsLogin(int port, boolean implicit,
                                                               javax.net.ssl.TrustManager trust) throws IOException {
    org.apache.commons.net.ftp.FTPSClient ftp = new org.apache.commons.net.ftp.FTPSClient("TLS", implicit);
    ftp.setTrustManager(trust);
    ftp.setDefaultTimeout(20_000);
    ftp.connect("127.0.0.1", port);
    if (!ftp.login(USER, PASSWORD)) {
      throw new IOException("login failed: " + ftp.getReplyString());
    }
    ftp.execPBSZ(0);
    ftp.execPROT("P");
    ftp.setFileType(FTP.BINARY_FILE_TYPE);
    ftp.enterLocalPassiveMode();
    return ftp;
  }

  /** The first reply line the gateway sends on a new connection, read with a raw socket. */
  public static String greeting(int port) throws IOException {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
      s.setSoTimeout(20_000);
      var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
          java.nio.charset.StandardCharsets.ISO_8859_1));
      String line = in.readLine();
      return line == null ? "" : line;
    }
  }

  public static byte[] randomBytes(int size, long seed) {
    byte[] b = new byte[size];
    new java.util.Random(seed).nextBytes(b);
    return b;
  }

  public static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static String sha256(Path file) throws IOException {
    try (var in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws Exception {
    stop(gateway, vertx);
    server.close();
  }

  /** Stops a gateway, then its Vert.x, each within 10 s; either may be null (a test that failed while starting). */
  public static void stop(Gateway gateway, Vertx vertx) throws Exception {
    if (gateway != null) {
      gateway.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
