package org.ftpsgateway.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.ftpserver.DataConnectionConfigurationFactory;
import org.apache.ftpserver.FtpServer;
import org.apache.ftpserver.FtpServerFactory;
import org.apache.ftpserver.ftplet.DefaultFtpReply;
import org.apache.ftpserver.ftplet.DefaultFtplet;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.FtpRequest;
import org.apache.ftpserver.ftplet.FtpSession;
import org.apache.ftpserver.ftplet.Ftplet;
import org.apache.ftpserver.ftplet.FtpletResult;
import org.apache.ftpserver.ftplet.UserManager;
import org.apache.ftpserver.impl.DefaultFtpServer;
import org.apache.ftpserver.listener.ListenerFactory;
import org.apache.ftpserver.ssl.SslConfiguration;
import org.apache.ftpserver.ssl.SslConfigurationFactory;
import org.apache.ftpserver.usermanager.PropertiesUserManagerFactory;
import org.apache.ftpserver.usermanager.impl.BaseUser;
import org.apache.ftpserver.usermanager.impl.ConcurrentLoginPermission;
import org.apache.ftpserver.usermanager.impl.WritePermission;
import org.ftpsgateway.protocol.Verbs;
import org.ftpsgateway.tls.GeneratedCertificate;

/**
 * An embedded FTPS server (Apache MINA FtpServer) that behaves like a strict production server: explicit FTPS
 * only, {@code AUTH TLS} before login, {@code PROT P} before any transfer. Used by {@code --demo} and by the tests.
 * Its certificate is generated at start for 127.0.0.1 and localhost.
 */
public final class DemoFtpsServer implements AutoCloseable {

  /** Commands a client may send before {@code AUTH TLS}. */
  private static final Set<String> BEFORE_TLS = Set.of("AUTH", "FEAT", "SYST", "QUIT", "NOOP", "HELP", "OPTS");

  private final FtpServer server;
  private final int port;
  private final Path root;
  private final Path certificatePem;

  private DemoFtpsServer(FtpServer server, int port, Path root, Path certificatePem) {
    this.server = server;
    this.port = port;
    this.root = root;
    this.certificatePem = certificatePem;
  }

  /**
   * Starts the server on 127.0.0.1.
   *
   * @param port 0 for any free port
   * @param passivePorts MINA passive port spec, e.g. {@code "40000-40099"}
   * @param users user name to password; every user shares {@code root} as home, writable
   * @param root the directory served
   * @param tlsProtocols e.g. {@code TLSv1.2, TLSv1.3}
   */
  public static DemoFtpsServer start(int port, String passivePorts, Map<String, String> users, Path root,
                                     List<String> tlsProtocols) throws IOException, FtpException {
    return start("127.0.0.1", port, passivePorts, users, root, tlsProtocols);
  }

  /** Like {@link #start(int, String, Map, Path, List)} on another address, e.g. {@code ::1}. */
  public static DemoFtpsServer start(String host, int port, String passivePorts, Map<String, String> users,
                                     Path root, List<String> tlsProtocols) throws IOException, FtpException {
    return start(host, port, passivePorts, users, root, tlsProtocols, Map.of());
  }

  /**
   * Like {@link #start(String, int, String, Map, Path, List)}, with more ftplets after the TLS rules
   * (tests use them to make the server refuse or record commands).
   */
  public static DemoFtpsServer start(String host, int port, String passivePorts, Map<String, String> users,
                                     Path root, List<String> tlsProtocols,
                                     Map<String, Ftplet> extraFtplets)
      throws IOException, FtpException {
    return start(host, port, passivePorts, users, root, tlsProtocols,
        GeneratedCertificate.generate(List.of("localhost", "127.0.0.1", "::1"), Duration.ofDays(30)), null, false,
        extraFtplets);
  }

  /**
   * With a given server certificate and, when {@code requiredClientCa} is set, mutual TLS: a client must present a
   * certificate issued by (or equal to) it.
   */
  public static DemoFtpsServer start(String host, int port, String passivePorts, Map<String, String> users,
                                     Path root, List<String> tlsProtocols, GeneratedCertificate cert,
                                     X509Certificate requiredClientCa)
      throws IOException, FtpException {
    return start(host, port, passivePorts, users, root, tlsProtocols, cert, requiredClientCa, false);
  }

  /** {@code implicit}: TLS from the first byte (the FTPS of port 990). */
  public static DemoFtpsServer start(String host, int port, String passivePorts, Map<String, String> users,
                                     Path root, List<String> tlsProtocols, GeneratedCertificate cert,
                                     X509Certificate requiredClientCa, boolean implicit)
      throws IOException, FtpException {
    return start(host, port, passivePorts, users, root, tlsProtocols, cert, requiredClientCa, implicit,
        Map.of());
  }

  /** The general form. */
  public static DemoFtpsServer start(String host, int port, String passivePorts, Map<String, String> users,
                                     Path root, List<String> tlsProtocols, GeneratedCertificate cert,
                                     X509Certificate requiredClientCa, boolean implicit,
                                     Map<String, Ftplet> extraFtplets)
      throws IOException, FtpException {
    Path work = Files.createTempDirectory("ftpgw-demo-tls");
    Path keystore = work.resolve("server.p12");
    Files.write(keystore, cert.pkcs12("server", "demo-pass".toCharArray()));
    Path certPem = work.resolve("server.pem");
    Files.writeString(certPem, cert.certificatePem());
    keystore.toFile().deleteOnExit();
    certPem.toFile().deleteOnExit();
    work.toFile().deleteOnExit();

    SslConfigurationFactory ssl = new SslConfigurationFactory();
    ssl.setKeystoreFile(keystore.toFile());
    ssl.setKeystorePassword("demo-pass");
    ssl.setKeystoreType("PKCS12");
    ssl.setSslProtocol(tlsProtocols.toArray(String[]::new));
    if (requiredClientCa != null) {
      Path truststore = work.resolve("clients.p12");
      try {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("client-ca", requiredClientCa);
        try (var out = Files.newOutputStream(truststore)) {
          ts.store(out, "demo-pass".toCharArray());
        }
      } catch (GeneralSecurityException e) {
        throw new IOException("cannot write the client trust store: " + e.getMessage(), e);
      }
      truststore.toFile().deleteOnExit();
      ssl.setTruststoreFile(truststore.toFile());
      ssl.setTruststorePassword("demo-pass");
      ssl.setTruststoreType("PKCS12");
      ssl.setClientAuthentication("NEED");
    }

    // one SSL configuration (one SSLContext, one session cache) for control and data, so data connections can
    // resume the control connection's session as real servers expect
    SslConfiguration sslConfiguration = ssl.createSslConfiguration();
    DataConnectionConfigurationFactory data = new DataConnectionConfigurationFactory();
    data.setPassivePorts(passivePorts);
    data.setPassiveAddress(host);
    data.setSslConfiguration(sslConfiguration);

    ListenerFactory listener = new ListenerFactory();
    listener.setServerAddress(host);
    listener.setPort(port);
    listener.setSslConfiguration(sslConfiguration);
    listener.setImplicitSsl(implicit);
    listener.setDataConnectionConfiguration(data.createDataConnectionConfiguration());

    FtpServerFactory factory = new FtpServerFactory();
    factory.addListener("default", listener.createListener());
    UserManager userManager = new PropertiesUserManagerFactory().createUserManager();
    for (var entry : users.entrySet()) {
      BaseUser user = new BaseUser();
      user.setName(entry.getKey());
      user.setPassword(entry.getValue());
      user.setHomeDirectory(root.toAbsolutePath().toString());
      // no per-user session cap: benchmarks and tests open many sessions at once
      user.setAuthorities(List.of(new WritePermission(),
          new ConcurrentLoginPermission(0, 0)));
      userManager.save(user);
    }
    factory.setUserManager(userManager);
    org.apache.ftpserver.ConnectionConfigFactory connections = new org.apache.ftpserver.ConnectionConfigFactory();
    connections.setMaxLogins(2000);
    connections.setMaxThreads(0);
    factory.setConnectionConfig(connections.createConnectionConfig());
    Map<String, Ftplet> ftplets = new LinkedHashMap<>();
    ftplets.put("require-tls", new RequireTls());
    ftplets.putAll(extraFtplets);
    factory.setFtplets(ftplets); // MINA clears this map on stop: it must be mutable
    FtpServer server = factory.createServer();
    server.start();
    int actualPort = ((DefaultFtpServer) server).getListener("default").getPort();
    return new DemoFtpsServer(server, actualPort, root, certPem);
  }

  public int port() {
    return port;
  }

  public Path root() {
    return root;
  }

  /** The server's certificate as PEM: what a client must trust. */
  public Path certificatePem() {
    return certificatePem;
  }

  @Override
  public void close() {
    server.stop();
  }

  /** Refuses what a strict FTPS server refuses (like vsftpd's force_local_logins_ssl / force_local_data_ssl). */
  private static final class RequireTls extends DefaultFtplet {
    @Override
    public FtpletResult beforeCommand(FtpSession session, FtpRequest request) throws FtpException, IOException {
      String verb = request.getCommand().toUpperCase(Locale.ROOT);
      if (!session.isSecure() && !BEFORE_TLS.contains(verb)) {
        session.write(new DefaultFtpReply(530, "Non-anonymous sessions must use encryption."));
        return FtpletResult.SKIP;
      }
      if (Verbs.opensData(verb) && !session.getDataConnection().isSecure()) {
        session.write(new DefaultFtpReply(521, "Data connections must be encrypted (PROT P)."));
        return FtpletResult.SKIP;
      }
      return FtpletResult.DEFAULT;
    }
  }
}
