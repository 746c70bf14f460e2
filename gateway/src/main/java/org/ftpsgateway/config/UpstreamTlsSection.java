package org.ftpsgateway.config;

import static org.ftpsgateway.config.ConfigValues.bool;
import static org.ftpsgateway.config.ConfigValues.string;
import static org.ftpsgateway.config.ConfigValues.stringList;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * An upstream's trust and client-identity keys: pins (parsed here, once, into {@link Sha256Pin}s), host name check,
 * {@code insecureSkipVerify}, the client certificate files, cipher suites, CCC. Whether the key files load and the
 * suites are known to this Java or OpenSSL is checked by tls.TlsConfigCheck.
 */
final class UpstreamTlsSection {

  private UpstreamTlsSection() {
  }

  static UpstreamTlsOptions parse(JsonObject o, boolean allowLegacy, String path) throws ConfigException {
    List<Sha256Pin> pins = new ArrayList<>();
    for (String text : stringList(o, "pinSha256", path, List.of())) {
      try {
        pins.add(Sha256Pin.parse(text));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(path + ".pinSha256", e.getMessage());
      }
    }
    boolean insecure = bool(o, "insecureSkipVerify", path, false);
    // a pin identifies the server exactly; the name is checked too only when asked for explicitly
    boolean verifyHostname = bool(o, "verifyHostname", path, pins.isEmpty());
    if (insecure && !pins.isEmpty()) {
      throw new ConfigException(path + ".insecureSkipVerify", "contradicts " + path + ".pinSha256: give one of them");
    }
    String certFile = string(o, "clientCertFile", path, null);
    String keyFile = string(o, "clientKeyFile", path, null);
    String keystore = string(o, "clientKeystore", path, null);
    String keystorePassword = string(o, "clientKeystorePassword", path, null);
    if ((certFile == null) != (keyFile == null)) {
      throw new ConfigException(certFile == null ? path + ".clientCertFile" : path + ".clientKeyFile",
          "clientCertFile and clientKeyFile go together");
    }
    if (certFile != null && keystore != null) {
      throw new ConfigException(path + ".clientKeystore", "give either clientCertFile/clientKeyFile or"
          + " clientKeystore, not both");
    }
    ConfigValues.requireFiles(path, "clientCertFile", certFile, "clientKeyFile", keyFile,
        "clientKeystore", keystore);
    List<String> suites = stringList(o, "cipherSuites", path, UpstreamTlsOptions.DEFAULT_CIPHER_SUITES);
    if (suites.isEmpty()) {
      throw new ConfigException(path + ".cipherSuites", "at least one cipher suite is required");
    }
    return new UpstreamTlsOptions(verifyHostname, pins, insecure, certFile, keyFile, keystore, keystorePassword,
        suites, allowLegacy, bool(o, "ccc", path, false));
  }
}
