package org.ftpsgateway.config;

import static org.ftpsgateway.config.ConfigValues.bool;
import static org.ftpsgateway.config.ConfigValues.integer;
import static org.ftpsgateway.config.ConfigValues.keyPath;
import static org.ftpsgateway.config.ConfigValues.string;
import static org.ftpsgateway.config.ConfigValues.stringList;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import org.ftpsgateway.protocol.ProxyProtocol;

/**
 * One upstream server's settings ({@code upstream:} or one entry of {@code upstreams:}): address, TLS mode and
 * versions, data mode, engine, PROXY header, and its {@link UpstreamTlsSection trust options}. Files named here must
 * exist; their contents are read by tls.TlsConfigCheck once the config is built.
 */
final class UpstreamServerSection {

  private UpstreamServerSection() {
  }

  static UpstreamConfig parse(JsonObject o, UpstreamConfig.SslEngine defaultEngine, String path)
      throws ConfigException {
    String host = string(o, "host", path, null);
    if (host == null || host.isBlank()) {
      throw new ConfigException(path + ".host", "is required (the FTPS server's name or address)");
    }
    TlsMode tls = ConfigValues.tlsMode(o, "tls", path, TlsMode.EXPLICIT);
    if (tls == TlsMode.NONE) {
      throw new ConfigException(path + ".tls", "must be explicit or implicit: the gateway never speaks plain FTP"
          + " upstream");
    }
    int port = integer(o, "port", path, tls == TlsMode.IMPLICIT ? 990 : 21, 1, 65535);
    String serverName = string(o, "serverName", path, host);
    String caFile = string(o, "caFile", path, null);
    ConfigValues.requireFiles(path, "caFile", caFile);
    boolean allowLegacy = bool(o, "allowLegacyTls", path, false);
    List<String> protocols = stringList(o, "protocols", path, UpstreamConfig.DEFAULT_PROTOCOLS);
    if (protocols.isEmpty()) {
      throw new ConfigException(path + ".protocols", "at least one protocol is required");
    }
    for (String p : protocols) {
      if (!UpstreamConfig.SUPPORTED_PROTOCOLS.contains(p)) {
        throw new ConfigException(path + ".protocols", "'" + p + "' is not supported (use "
            + String.join(", ", UpstreamConfig.SUPPORTED_PROTOCOLS) + "; SSLv3 is never allowed)");
      }
      if (UpstreamTlsOptions.LEGACY_PROTOCOLS.contains(p) && !allowLegacy) {
        throw new ConfigException(path + ".protocols", "'" + p + "' is a legacy protocol with known weaknesses;"
            + " it is refused unless " + path + ".allowLegacyTls is true");
      }
    }
    DataMode dataMode;
    String modeText = string(o, "dataMode", path, "epsv");
    try {
      dataMode = DataMode.parse(modeText);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(path + ".dataMode", "must be epsv, pasv or active, got '" + modeText + "'");
    }
    PortRange activePorts = null;
    String activeText = string(o, "activePorts", path, null);
    if (activeText != null) {
      try {
        activePorts = PortRange.parse(activeText);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(path + ".activePorts", e.getMessage());
      }
    }
    UpstreamConfig.SslEngine engine = sslEngine(o, "sslEngine", path, defaultEngine);
    String proxyText = string(o, "proxyProtocol", path, "none").strip().toLowerCase(Locale.ROOT);
    ProxyProtocol.Version proxyProtocol = switch (proxyText) {
      case "none" -> null;
      case "v1" -> ProxyProtocol.Version.V1;
      case "v2" -> ProxyProtocol.Version.V2;
      default -> throw new ConfigException(path + ".proxyProtocol", "must be none, v1 or v2, got '" + proxyText + "'");
    };
    UpstreamTlsOptions trust = UpstreamTlsSection.parse(o, allowLegacy, path);
    // tls.UpstreamTrust reads the CA file only when neither pins nor insecureSkipVerify decide: a file given with
    // them would be silently unused, and whoever wrote it believes it is checked
    if (caFile != null && !trust.pins().isEmpty()) {
      throw new ConfigException(path + ".caFile", "contradicts " + path + ".pinSha256: pins replace the CA check,"
          + " so " + caFile + " would never be read; give one of them");
    }
    if (caFile != null && trust.insecureSkipVerify()) {
      throw new ConfigException(path + ".insecureSkipVerify", "contradicts " + path + ".caFile: nothing would be"
          + " verified, so " + caFile + " would never be read; give one of them");
    }
    return new UpstreamConfig(host, port, tls, serverName, caFile, protocols, dataMode, engine, trust, proxyProtocol,
        activePorts);
  }

  /** {@code tls.engine} or {@code sslEngine}; whether OpenSSL loads on this machine is tls.TlsConfigCheck's job. */
  static UpstreamConfig.SslEngine sslEngine(JsonObject o, String key, String path, UpstreamConfig.SslEngine dflt)
      throws ConfigException {
    String text = string(o, key, path, null);
    if (text == null) {
      return dflt;
    }
    try {
      return UpstreamConfig.SslEngine.valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(keyPath(path, key), "must be auto, jdk or openssl, got '" + text + "'");
    }
  }
}
