package org.ftpsgateway.tls;

import io.netty.handler.ssl.OpenSsl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.ftpsgateway.config.ClientTlsConfig;
import org.ftpsgateway.config.ConfigException;
import org.ftpsgateway.config.ConfigLoader;
import org.ftpsgateway.config.ConfigValues;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.ListenerConfig;
import org.ftpsgateway.config.TlsMode;
import org.ftpsgateway.config.UpstreamConfig;
import org.ftpsgateway.config.UpstreamTlsOptions;

/**
 * The config checks that need the TLS machinery, run on the built config before it is used (at start,
 * {@code --check-config} and every reload): OpenSSL loads when an engine asks for it, CA files hold certificates,
 * the listeners' and the upstream client key material loads and each key matches its certificate, and every cipher suite is known to this Java or OpenSSL. Failures name the key, as the
 * loader's own do.
 */
public final class TlsConfigCheck implements ConfigLoader.Check {

  @Override
  public void check(GatewayConfig config, List<String> upstreamKeys) throws ConfigException {
    if (config.tlsEngine() == UpstreamConfig.SslEngine.OPENSSL) {
      requireOpenSsl("tls.engine");
    }
    for (int i = 0; i < config.listeners().size(); i++) {
      checkListener(config.listeners().get(i), "listeners[" + i + "]");
    }
    for (int i = 0; i < config.upstreams().size(); i++) {
      // the servers of one upstream share every TLS setting: the first stands for all
      checkUpstream(config.upstreams().get(i).first(), upstreamKeys.get(i));
    }
  }

  /**
   * The listener's own certificate and key load and belong together, by the code the start runs
   * ({@link ClientSideTls#create}), so that the check and the start agree; so does a certificate generated at an
   * earlier start and kept in generatedCertDir. No certificate is generated here.
   */
  private static void checkListener(ListenerConfig listener, String path) throws ConfigException {
    ClientTlsConfig c = listener.clientTls();
    boolean kept = listener.tls() != TlsMode.NONE && c.generatedCertDir() != null
        && Files.isRegularFile(Path.of(c.generatedCertDir(), ClientSideTls.GENERATED_KEY_STORE));
    if (c.certFile() != null || c.keystore() != null || kept) {
      ClientSideTls.create(path, c, listener.host(), false);
    }
  }

  private static void checkUpstream(UpstreamConfig upstream, String path) throws ConfigException {
    if (upstream.caFile() != null) {
      checkCaFile(upstream.caFile(), path);
    }
    UpstreamTlsOptions o = upstream.tlsOptions();
    if (upstream.sslEngine() == UpstreamConfig.SslEngine.OPENSSL) {
      requireOpenSsl(path + ".sslEngine");
      List<String> extra = BoringSslSuites.offeredAgainstConfig(upstream.protocols(), o.cipherSuites());
      if (!extra.isEmpty()) {
        throw new ConfigException(path + ".cipherSuites", "leaves out " + String.join(", ", extra)
            + ", but the openssl engine (BoringSSL) offers every TLS 1.3 suite whatever cipherSuites says: use"
            + " sslEngine jdk or auto (auto takes the JDK engine for such a list), list all three TLS 1.3 suites, or"
            + " take TLSv1.3 out of protocols");
      }
    }
    if (o.mutualTls()) {
      try {
        KeyMaterial.keyManagers(o.clientCertFile(), o.clientKeyFile(), o.clientKeystore(),
            o.clientKeystorePassword());
      } catch (IllegalArgumentException e) {
        throw new ConfigException(o.clientCertFile() != null ? path + ".clientKeyFile" : path + ".clientKeystore",
            ConfigValues.oneLine(e));
      }
    }
    Set<String> known = knownCipherSuites();
    for (String suite : o.cipherSuites()) {
      if (!known.contains(suite)) {
        throw new ConfigException(path + ".cipherSuites", "'" + suite + "' is not a cipher suite this Java or"
            + " OpenSSL knows (use standard names such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)");
      }
    }
  }

  private static void requireOpenSsl(String key) throws ConfigException {
    if (!OpenSsl.isAvailable()) {
      throw new ConfigException(key, "openssl is not available on this machine: "
          + ConfigValues.oneLine(OpenSsl.unavailabilityCause()));
    }
  }

  private static void checkCaFile(String caFile, String path) throws ConfigException {
    try {
      KeyMaterial.certificates(caFile);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(path + ".caFile", e.getMessage());
    } catch (Exception e) {
      throw new ConfigException(path + ".caFile", "cannot read certificates from " + caFile + ": "
          + ConfigValues.oneLine(e));
    }
  }

  private static Set<String> knownCipherSuites() {
    Set<String> known = new HashSet<>();
    try {
      known.addAll(List.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites()));
    } catch (NoSuchAlgorithmException e) {
      // no JDK TLS: only OpenSSL's names count
    }
    if (OpenSsl.isAvailable()) {
      known.addAll(OpenSsl.availableJavaCipherSuites());
    }
    return known;
  }
}
