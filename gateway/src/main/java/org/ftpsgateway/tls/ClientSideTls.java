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
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Logger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
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

  private final SslContext context;
  private final String fingerprint;

  private ClientSideTls(SslContext context, String fingerprint) {
    this.context = context;
    this.fingerprint = fingerprint;
  }

  /** Loads or generates the listener's certificate and builds the context; a problem names the config key. */
  public static ClientSideTls create(String listenerPath, ClientTlsConfig c, String listenerHost, boolean openSsl)
      throws ConfigException {
    SslContextBuilder builder;
    String fingerprint = null;
    try {
      if (c.certFile() != null) {
        builder = SslContextBuilder.forServer(Path.of(c.certFile()).toFile(), Path.of(c.keyFile()).toFile());
      } else if (c.keystore() != null) {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        char[] pw = c.password() == null ? new char[0] : c.password().toCharArray();
        try (InputStream in = Files.newInputStream(Path.of(c.keystore()))) {
          ks.load(in, pw);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pw);
        builder = SslContextBuilder.forServer(kmf);
      } else {
        GeneratedCertificate cert = generated(c.generatedCertDir(), listenerHost);
        fingerprint = cert.sha256Fingerprint();
        builder = SslContextBuilder.forServer(cert.keyPair().getPrivate(), cert.certificate());
      }
      SslContext ctx = builder
          .sslProvider(openSsl && OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
          .protocols("TLSv1.3", "TLSv1.2")
          .sessionCacheSize(20_000)
          .sessionTimeout(3600)
          .build();
      return new ClientSideTls(ctx, fingerprint);
    } catch (Exception e) {
      String key = c.certFile() != null ? "certFile" : c.keystore() != null ? "keystore" : "generatedCertDir";
      throw new ConfigException(listenerPath + "." + key, "cannot load the TLS certificate: "
          + (e.getMessage() != null ? e.getMessage().replace('\n', ' ') : e.getClass().getSimpleName()));
    }
  }

  /** SHA-256 fingerprint of a generated certificate (null for configured ones). */
  public String generatedFingerprint() {
    return fingerprint;
  }

  private static GeneratedCertificate generated(String dir, String host) throws IOException {
    if (dir != null) {
      Path keyPem = Path.of(dir, "gateway-key.p12");
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
      Path out = Path.of(dir, "gateway-key.p12");
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
