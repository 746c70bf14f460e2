package org.ftpsgateway.tls;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Logger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import org.ftpsgateway.config.ClientTlsConfig;
import org.ftpsgateway.config.ConfigException;

/**
 * The gateway as a TLS server towards FTPS clients. One Netty {@link SslContext} per listener serves the control
 * connections and every data connection, so data connections can resume the control connection's session (one
 * session cache); the handler is put into the Vert.x socket's pipeline directly, which Vert.x's own per-server
 * TLS does not allow across servers.
 */
public final class ClientSideTls {

  private static final Logger LOG = Logger.getLogger(ClientSideTls.class.getName());
  /** The key store a generated certificate is kept in, inside generatedCertDir. */
  public static final String GENERATED_KEY_STORE = "gateway-key.p12";

  /** A built context and what it was built from. */
  private record Loaded(SslContext context, byte[] sourceDigest, String description, X509Certificate leaf) {
    /** notAfter in Unix seconds, 0 without a certificate. */
    long notAfterEpochSeconds() {
      return leaf == null ? 0 : leaf.getNotAfter().toInstant().getEpochSecond();
    }
  }

  private final String listenerPath;
  private final ClientTlsConfig config;
  private final boolean openSsl;
  private final String fingerprint;
  /** Replaced by {@link #reloadIfChanged()} from a worker thread, read by event loops. */
  private volatile Loaded loaded;
  private byte[] lastFailedDigest;
  /** A replacement whose notBefore was still ahead when last looked at (warned about once). */
  private byte[] notYetValidDigest;
  /** Measures this listener's TLS CPU (side="client"), or null. */
  private volatile org.ftpsgateway.metrics.TlsCpuMeter cpu;

  private ClientSideTls(String listenerPath, ClientTlsConfig config, boolean openSsl, Loaded loaded,
                        String fingerprint) {
    this.listenerPath = listenerPath;
    this.config = config;
    this.openSsl = openSsl;
    this.loaded = loaded;
    this.fingerprint = fingerprint;
  }

  /** Loads or generates the listener's certificate and builds the context; a problem names the config key. */
  public static ClientSideTls create(String listenerPath, ClientTlsConfig c, String listenerHost, boolean openSsl)
      throws ConfigException {
    try {
      if (c.certFile() != null || c.keystore() != null) {
        return new ClientSideTls(listenerPath, c, openSsl, load(c, openSsl), null);
      }
      GeneratedCertificate cert = generated(c.generatedCertDir(), listenerHost);
      SslContext ctx = configure(SslContextBuilder.forServer(cert.keyPair().getPrivate(), cert.certificate()),
          openSsl);
      return new ClientSideTls(listenerPath, c, openSsl, new Loaded(ctx, new byte[0], "generated", cert.certificate()),
          cert.sha256Fingerprint());
    } catch (Exception e) {
      throw new ConfigException(listenerPath + "." + sourceKey(c), "cannot load the TLS certificate: "
          + oneLine(e));
    }
  }

  private static String sourceKey(ClientTlsConfig c) {
    return c.certFile() != null ? "certFile" : c.keystore() != null ? "keystore" : "generatedCertDir";
  }

  private static Loaded load(ClientTlsConfig c, boolean openSsl) throws Exception {
    byte[] digest = sourceDigest(c);
    KeyManagerFactory kmf = KeyMaterial.keyManagers(c.certFile(), c.keyFile(), c.keystore(), c.password());
    X509Certificate leaf = leaf(kmf);
    String description = leaf == null ? "(no certificate found)"
        : Fingerprints.describe(leaf) + " notAfter=" + leaf.getNotAfter().toInstant();
    return new Loaded(configure(SslContextBuilder.forServer(kmf), openSsl), digest, description, leaf);
  }

  private static SslContext configure(SslContextBuilder builder, boolean openSsl) throws SSLException {
    return builder
        .sslProvider(openSsl && OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
        .protocols("TLSv1.3", "TLSv1.2")
        .sessionCacheSize(20_000)
        .sessionTimeout(3600)
        .build();
  }

  /** SHA-256 over the bytes of the configured files: changes however they are replaced (Kubernetes swaps links). */
  private static byte[] sourceDigest(ClientTlsConfig c) throws IOException {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (String f : new String[] {c.certFile(), c.keyFile(), c.keystore()}) {
        if (f != null) {
          md.update(Files.readAllBytes(Path.of(f)));
        }
      }
      return md.digest();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The leaf certificate the key manager serves, or null. */
  private static X509Certificate leaf(KeyManagerFactory kmf) {
    for (var km : kmf.getKeyManagers()) {
      if (km instanceof javax.net.ssl.X509KeyManager x) {
        for (String type : new String[] {"EC", "RSA", "EdDSA", "Ed25519", "DSA"}) {
          String[] aliases = x.getServerAliases(type, null);
          if (aliases != null && aliases.length > 0) {
            X509Certificate[] chain = x.getCertificateChain(aliases[0]);
            if (chain != null && chain.length > 0) {
              return chain[0];
            }
          }
        }
      }
    }
    return null;
  }

  /**
   * Re-reads the configured certificate files; when their content changed and the new material loads, new
   * handshakes use it. Sessions in flight keep the context their control connection was secured with (their data
   * connections must resume that session). A file that does not load is logged once and the old one stays. Blocks
   * (file reads): call it from a worker.
   */
  public boolean reloadIfChanged() {
    if (config.certFile() == null && config.keystore() == null) {
      return false;
    }
    byte[] digest;
    try {
      digest = sourceDigest(config);
    } catch (IOException e) {
      LOG.warning(listenerPath + ": cannot read the TLS certificate files (keeping the current certificate): "
          + oneLine(e));
      return false;
    }
    if (Arrays.equals(digest, loaded.sourceDigest()) || Arrays.equals(digest, lastFailedDigest)) {
      return false;
    }
    try {
      Loaded next = load(config, openSsl);
      if (!validNow(next, digest)) {
        return false;
      }
      loaded = next;
      lastFailedDigest = null;
      LOG.info(listenerPath + ": TLS certificate reloaded: " + next.description());
      return true;
    } catch (Exception e) {
      lastFailedDigest = digest;
      LOG.warning(listenerPath + ": the changed TLS certificate does not load, keeping the current one: "
          + oneLine(e));
      return false;
    }
  }

  /**
   * A replacement is used only while it is valid: swapping a working certificate for an expired one would break every
   * FTPS client that checks it (an expired one is refused for good, logged once; one not valid yet, as a renewal may be
   * when clocks differ by seconds, is looked at again next time, logged once).
   */
  private boolean validNow(Loaded next, byte[] digest) {
    if (next.leaf() == null) {
      notYetValidDigest = null;
      return true;
    }
    Instant now = Instant.now();
    Instant notAfter = next.leaf().getNotAfter().toInstant();
    Instant notBefore = next.leaf().getNotBefore().toInstant();
    if (notAfter.isBefore(now)) {
      lastFailedDigest = digest;
      LOG.warning(listenerPath + ": the changed TLS certificate expired on " + notAfter
          + ", keeping the current one: " + next.description());
      return false;
    }
    if (notBefore.isAfter(now)) {
      if (!Arrays.equals(digest, notYetValidDigest)) {
        notYetValidDigest = digest;
        LOG.warning(listenerPath + ": the changed TLS certificate is not valid before " + notBefore
            + ", keeping the current one until then: " + next.description());
      }
      return false;
    }
    notYetValidDigest = null;
    return true;
  }

  /** Measure the TLS work of this listener's connections (handshakes and records, from the pipeline). */
  public void measureWith(org.ftpsgateway.metrics.TlsCpuMeter meter) {
    this.cpu = meter != null && meter.enabled() ? meter : null;
  }

  /** notAfter of the certificate new handshakes present now (Unix seconds; follows reloads). */
  public long notAfterEpochSeconds() {
    return loaded.notAfterEpochSeconds();
  }

  /** How often {@link #reloadIfChanged()} should run (0 = never). */
  public int reloadSeconds() {
    return config.certFile() == null && config.keystore() == null ? 0 : config.certReloadSeconds();
  }

  /** The context new handshakes use now. */
  public SslContext current() {
    return loaded.context();
  }

  private static String oneLine(Throwable e) {
    String m = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    return m.replace('\r', ' ').replace('\n', ' ');
  }

  /** SHA-256 fingerprint of a generated certificate (null for configured ones). */
  public String generatedFingerprint() {
    return fingerprint;
  }

  private static GeneratedCertificate generated(String dir, String host) throws IOException {
    if (dir != null) {
      Path keyPem = Path.of(dir, GENERATED_KEY_STORE);
      if (Files.isRegularFile(keyPem)) {
        try (InputStream in = Files.newInputStream(keyPem)) {
          KeyStore ks = KeyStore.getInstance("PKCS12");
          ks.load(in, "ftps-gateway".toCharArray());
          PrivateKey key = (PrivateKey) ks.getKey("gateway", "ftps-gateway".toCharArray());
          X509Certificate cert = (X509Certificate) ks.getCertificate("gateway");
          return new GeneratedCertificate(new java.security.KeyPair(cert.getPublicKey(), key), cert);
        } catch (java.security.GeneralSecurityException e) {
          throw new IOException("cannot read " + keyPem + ": " + e.getMessage(), e);
        }
      }
    }
    List<String> names = host == null || host.equals("0.0.0.0") || host.equals("::")
        ? List.of("localhost", "127.0.0.1", "::1") : List.of(host, "localhost", "127.0.0.1");
    GeneratedCertificate cert = GeneratedCertificate.generate(names, Duration.ofDays(825));
    if (dir != null) {
      Files.createDirectories(Path.of(dir));
      Path out = Path.of(dir, GENERATED_KEY_STORE);
      Files.write(out, cert.pkcs12("gateway", "ftps-gateway".toCharArray()));
      Files.writeString(Path.of(dir, "gateway-cert.pem"), cert.certificatePem());
    }
    return cert;
  }

  /**
   * Starts TLS (server role) on a client socket and completes when the handshake is done. The socket must be
   * reading; data that arrives decrypted right behind the handshake goes to whatever message handler is set.
   */
  public Future<SSLSession> secure(NetSocket socket) {
    return secure(socket, current());
  }

  /** Like {@link #secure(NetSocket)} with a given context: data connections use their control connection's. */
  public Future<SSLSession> secure(NetSocket socket, SslContext context) {
    NetSocketInternal internal = (NetSocketInternal) socket;
    ChannelPipeline pipeline = internal.channelHandlerContext().pipeline();
    SslHandler handler = context.newHandler(internal.channelHandlerContext().alloc());
    handler.setHandshakeTimeoutMillis(30_000);
    Promise<SSLSession> done = Promise.promise();
    handler.handshakeFuture().addListener(f -> {
      if (f.isSuccess()) {
        done.tryComplete(handler.engine().getSession());
      } else {
        Throwable t = f.cause();
        done.tryFail(t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName());
      }
    });
    pipeline.addFirst("ssl", handler);
    if (cpu != null) {
      org.ftpsgateway.metrics.TlsCpuHandlers.install(pipeline, "ssl", handler, cpu);
    }
    return done.future();
  }

  /**
   * Whether the data connection's session resumed a session (the control connection's: there is no other the
   * client could have). OpenSSL reports it directly; for the JDK the session ID, or its creation time, is the
   * control session's.
   */
  public static boolean resumed(NetSocket data, SSLSession control) {
    SslHandler handler = ((NetSocketInternal) data).channelHandlerContext().pipeline().get(SslHandler.class);
    if (handler == null) {
      return false;
    }
    SSLEngine engine = handler.engine();
    for (Class<?> c = engine.getClass(); c != null; c = c.getSuperclass()) {
      try {
        var m = c.getDeclaredMethod("isSessionReused");
        m.setAccessible(true);
        return (Boolean) m.invoke(engine);
      } catch (NoSuchMethodException e) {
        // look further up: Netty's OpenSSL engines declare it in ReferenceCountedOpenSslEngine
      } catch (ReflectiveOperationException | RuntimeException e) {
        break;
      }
    }
    SSLSession session = engine.getSession();
    byte[] id = session.getId();
    return control != null && ((id != null && id.length > 0 && Arrays.equals(id, control.getId()))
        || session.getCreationTime() == control.getCreationTime());
  }

  /** Logs the warning an operator must see when a self-signed certificate is in use. */
  public void warnIfGenerated(String listener) {
    if (fingerprint != null) {
      LOG.warning("listener " + listener + " uses a generated self-signed certificate, SHA-256 fingerprint "
          + fingerprint + "; configure certFile/keyFile or keystore for production");
    }
  }
}
