package org.ftpsgateway.config;

import static org.ftpsgateway.config.ConfigValues.bool;
import static org.ftpsgateway.config.ConfigValues.integer;
import static org.ftpsgateway.config.ConfigValues.keyPath;
import static org.ftpsgateway.config.ConfigValues.longInteger;
import static org.ftpsgateway.config.ConfigValues.oneLine;
import static org.ftpsgateway.config.ConfigValues.string;
import static org.ftpsgateway.config.ConfigValues.stringList;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.ftpsgateway.protocol.CidrBlock;
import org.ftpsgateway.protocol.DataAddresses;

/** {@code listeners:}: where clients connect, their TLS, passive ports and access rules. */
final class ListenerSection {

  private ListenerSection() {
  }

  /** Every listener; names unique (ports are checked against each other by {@link PortConflicts}). */
  static List<ListenerConfig> parse(JsonObject doc) throws ConfigException {
    if (!(doc.getValue("listeners") instanceof JsonArray array) || array.isEmpty()) {
      throw new ConfigException("listeners", "at least one listener is required");
    }
    List<ListenerConfig> listeners = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < array.size(); i++) {
      ListenerConfig l = listener(array.getJsonObject(i), "listeners[" + i + "]", i);
      if (!names.add(l.name())) {
        throw new ConfigException("listeners[" + i + "].name", "duplicate listener name '" + l.name() + "'");
      }
      listeners.add(l);
    }
    return listeners;
  }

  private static ListenerConfig listener(JsonObject o, String path, int index) throws ConfigException {
    String name = string(o, "name", path, index == 0 ? "ftp" : "ftp" + index);
    String host = string(o, "host", path, ListenerConfig.DEFAULT_HOST);
    TlsMode tls = ConfigValues.tlsMode(o, "tls", path, TlsMode.NONE);
    int port = integer(o, "port", path, tls == TlsMode.IMPLICIT ? 990 : ListenerConfig.DEFAULT_PORT, 0, 65535);
    ClientTlsConfig clientTls = clientTls(o, path);
    PortRange passive;
    String rangeText = string(o, "passivePorts", path, ListenerConfig.DEFAULT_PASSIVE_PORTS);
    try {
      passive = PortRange.parse(rangeText);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(path + ".passivePorts", e.getMessage());
    }
    String passiveAddress = string(o, "passiveAddress", path, null);
    if (passiveAddress != null && !DataAddresses.isIpv4Literal(passiveAddress)) {
      throw new ConfigException(path + ".passiveAddress",
          "must be an IPv4 address literal (it is announced in 227 replies), got '" + passiveAddress + "'");
    }
    boolean allowForeignActive = bool(o, "allowForeignActive", path, false);
    int activeSourcePort = integer(o, "activeSourcePort", path, 0, 0, 65535);
    if (activeSourcePort != 0 && passive.first() <= activeSourcePort && activeSourcePort <= passive.last()) {
      // a passive listener on that port would make the bind of every active connection fail
      throw new ConfigException(path + ".activeSourcePort", "must not lie in passivePorts (" + passive + ")");
    }
    return new ListenerConfig(name, host, port, tls, passive, passiveAddress, allowForeignActive, clientTls,
        access(o, path), activeSourcePort, string(o, "upstream", path, null));
  }

  private static ListenerAccess access(JsonObject o, String path) throws ConfigException {
    long bytesPerSecond = longInteger(o, "bytesPerSecond", path, 0, 0, LimitsSection.MAX_BYTES_PER_SECOND);
    boolean acceptProxyProtocol = bool(o, "acceptProxyProtocol", path, false);
    if (o.getValue("allowClients") == null) {
      return new ListenerAccess(ListenerAccess.ALLOW_ALL, bytesPerSecond, acceptProxyProtocol);
    }
    List<CidrBlock> allow = new ArrayList<>();
    for (String text : stringList(o, "allowClients", path, List.of())) {
      try {
        allow.add(CidrBlock.parse(text));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(keyPath(path, "allowClients"), oneLine(e));
      }
    }
    if (allow.isEmpty()) {
      throw new ConfigException(keyPath(path, "allowClients"), "an empty list would refuse every client; remove"
          + " the key to allow everyone, or list the networks (e.g. 10.0.0.0/8, ::1/128)");
    }
    return new ListenerAccess(allow, bytesPerSecond, acceptProxyProtocol);
  }

  /** The listener's own certificate: the files must exist here; tls.ClientSideTls loads them when it starts. */
  private static ClientTlsConfig clientTls(JsonObject o, String path) throws ConfigException {
    String certFile = string(o, "certFile", path, null);
    String keyFile = string(o, "keyFile", path, null);
    String keystore = string(o, "keystore", path, null);
    String password = string(o, "password", path, null);
    if ((certFile == null) != (keyFile == null)) {
      throw new ConfigException(keyPath(path, certFile == null ? "certFile" : "keyFile"),
          "certFile and keyFile go together");
    }
    if (certFile != null && keystore != null) {
      throw new ConfigException(keyPath(path, "keystore"), "give either certFile/keyFile or keystore, not both");
    }
    ConfigValues.requireFiles(path, "certFile", certFile, "keyFile", keyFile, "keystore", keystore);
    String generatedCertDir = string(o, "generatedCertDir", path, null);
    if (generatedCertDir != null && Files.exists(Path.of(generatedCertDir))
        && !Files.isDirectory(Path.of(generatedCertDir))) {
      throw new ConfigException(keyPath(path, "generatedCertDir"), generatedCertDir + " is a file, not a directory");
    }
    ClientTlsConfig d = ClientTlsConfig.defaults();
    return new ClientTlsConfig(certFile, keyFile, keystore, password, generatedCertDir,
        bool(o, "requireTls", path, d.requireTls()), bool(o, "requireProtectedData", path, d.requireProtectedData()),
        bool(o, "requireSessionReuse", path, d.requireSessionReuse()),
        bool(o, "allowAuthSsl", path, d.allowAuthSsl()), bool(o, "allowCcc", path, d.allowCcc()),
        integer(o, "certReloadSeconds", path, d.certReloadSeconds(), 0, 86_400));
  }
}
