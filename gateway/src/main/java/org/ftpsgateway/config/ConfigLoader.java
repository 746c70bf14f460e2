package org.ftpsgateway.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.ftpsgateway.config.ConfigSchema.Field;
import org.ftpsgateway.config.ConfigSchema.Kind;
import org.ftpsgateway.protocol.CidrBlock;
import org.ftpsgateway.protocol.DataAddresses;
import org.ftpsgateway.protocol.ProxyProtocol;

/**
 * Reads the YAML file (through vertx-config), applies {@code FTPGW_<PATH>} environment overrides, checks every
 * key against the schema and builds the immutable {@link GatewayConfig}. Every failure is a
 * {@link ConfigException} whose message names the key.
 */
public final class ConfigLoader {

  public static final String ENV_PREFIX = "FTPGW_";

  /** 100 GB/s: beyond any link, and far from overflowing the token arithmetic. */
  static final long MAX_BYTES_PER_SECOND = 100_000_000_000L;

  private final Map<String, String> environment;

  public ConfigLoader(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  /** Reads and validates {@code file}. Blocks: call it from {@code main}, never from an event loop. */
  public GatewayConfig load(Vertx vertx, Path file) throws ConfigException {
    return fromJson(readYaml(vertx, file));
  }

  /** The raw document of a YAML file, read with vertx-config's YAML store. */
  public static JsonObject readYaml(Vertx vertx, Path file) throws ConfigException {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("", "config file " + file + " does not exist or is not a file");
    }
    if (!Files.isReadable(file)) {
      throw new ConfigException("", "config file " + file + " is not readable");
    }
    ConfigStoreOptions store = new ConfigStoreOptions().setType("file").setFormat("yaml")
        .setConfig(new JsonObject().put("path", file.toAbsolutePath().toString()));
    ConfigRetriever retriever = ConfigRetriever.create(vertx,
        new ConfigRetrieverOptions().setIncludeDefaultStores(false).addStore(store).setScanPeriod(-1));
    try {
      return retriever.getConfig().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new ConfigException("", "cannot parse " + file + " as YAML: " + oneLine(cause));
    } finally {
      retriever.close();
    }
  }

  /** Applies the environment, validates, and builds the config. */
  public GatewayConfig fromJson(JsonObject document) throws ConfigException {
    JsonObject doc = document.copy();
    applyEnvironment(doc);
    checkKeys(doc, ConfigSchema.ROOT, "");
    return build(doc);
  }

  // ---- environment ----

  private void applyEnvironment(JsonObject doc) throws ConfigException {
    List<String> names = new ArrayList<>(environment.keySet());
    // FTPGW_LISTENERS_2_* before FTPGW_LISTENERS_10_*: lists grow in order
    names.sort(ConfigLoader::compareVariables);
    for (String name : names) {
      if (!name.startsWith(ENV_PREFIX)) {
        continue;
      }
      String[] segments = name.substring(ENV_PREFIX.length()).split("_");
      setFromEnvironment(doc, ConfigSchema.ROOT, segments, 0, name, environment.get(name));
    }
  }

  private static void setFromEnvironment(JsonObject obj, Map<String, Field> schema, String[] segments, int index,
                                         String variable, String value) throws ConfigException {
    String key = matchKey(schema, segments[index]);
    if (key == null) {
      throw new ConfigException(variable, "environment variable names no configuration key");
    }
    Field field = schema.get(key);
    boolean last = index == segments.length - 1;
    switch (field.kind()) {
      case OBJECT -> {
        if (last) {
          throw new ConfigException(variable, "names a section, not a key");
        }
        JsonObject child = obj.getValue(key) instanceof JsonObject o ? o : new JsonObject();
        obj.put(key, child);
        setFromEnvironment(child, field.children(), segments, index + 1, variable, value);
      }
      case OBJECT_LIST -> {
        if (last) {
          throw new ConfigException(variable, "names a list, not a key (use " + variable + "_0_<KEY>)");
        }
        int position;
        try {
          position = Integer.parseInt(segments[index + 1]);
        } catch (NumberFormatException e) {
          throw new ConfigException(variable, "expected a list index after " + segments[index]);
        }
        if (index + 2 >= segments.length) {
          throw new ConfigException(variable, "names a list entry, not a key");
        }
        JsonArray list = obj.getValue(key) instanceof JsonArray a ? a : new JsonArray();
        obj.put(key, list);
        if (position < 0 || position > list.size()) {
          throw new ConfigException(variable, "list index " + position + " skips entries (the list has "
              + list.size() + ")");
        }
        if (position == list.size()) {
          list.add(new JsonObject());
        }
        if (!(list.getValue(position) instanceof JsonObject entry)) {
          throw new ConfigException(variable, "list entry " + position + " is not a mapping");
        }
        setFromEnvironment(entry, field.children(), segments, index + 2, variable, value);
      }
      default -> {
        if (!last) {
          throw new ConfigException(variable, "environment variable names no configuration key");
        }
        obj.put(key, field.kind() == Kind.STRING_LIST ? new JsonArray(splitList(value)) : value);
      }
    }
  }

  /**
   * Segment by segment, list indexes as numbers (plain string order would put 10 before 2); a number sorts before
   * a word, so the order stays total.
   */
  private static int compareVariables(String a, String b) {
    String[] x = a.split("_", -1);
    String[] y = b.split("_", -1);
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      boolean nx = x[i].matches("\\d{1,9}");
      boolean ny = y[i].matches("\\d{1,9}");
      int c = nx && ny ? Integer.compare(Integer.parseInt(x[i]), Integer.parseInt(y[i]))
          : nx != ny ? (nx ? -1 : 1)
          : x[i].compareTo(y[i]);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(x.length, y.length);
  }

  private static String matchKey(Map<String, Field> schema, String segment) {
    for (String key : schema.keySet()) {
      if (key.toUpperCase(Locale.ROOT).equals(segment.toUpperCase(Locale.ROOT))) {
        return key;
      }
    }
    return null;
  }

  private static List<Object> splitList(String value) {
    List<Object> out = new ArrayList<>();
    for (String part : value.split(",")) {
      String p = part.strip();
      if (!p.isEmpty()) {
        out.add(p);
      }
    }
    return out;
  }

  // ---- schema check ----

  private static void checkKeys(JsonObject obj, Map<String, Field> schema, String path) throws ConfigException {
    for (String key : obj.fieldNames()) {
      String keyPath = keyPath(path, key);
      Field field = schema.get(key);
      if (field == null) {
        throw new ConfigException(keyPath, "unknown key (known here: " + String.join(", ", schema.keySet()) + ")");
      }
      Object value = obj.getValue(key);
      if (value == null) {
        continue;
      }
      switch (field.kind()) {
        case OBJECT -> {
          if (!(value instanceof JsonObject child)) {
            throw new ConfigException(keyPath, "expected a mapping of keys");
          }
          checkKeys(child, field.children(), keyPath);
        }
        case OBJECT_LIST -> {
          if (!(value instanceof JsonArray list)) {
            throw new ConfigException(keyPath, "expected a list");
          }
          for (int i = 0; i < list.size(); i++) {
            if (!(list.getValue(i) instanceof JsonObject entry)) {
              throw new ConfigException(keyPath + "[" + i + "]", "expected a mapping of keys");
            }
            checkKeys(entry, field.children(), keyPath + "[" + i + "]");
          }
        }
        default -> {
          // scalar types are converted and checked where they are read
        }
      }
    }
  }

  // ---- building ----

  private static GatewayConfig build(JsonObject doc) throws ConfigException {
    Object rawListeners = doc.getValue("listeners");
    if (!(rawListeners instanceof JsonArray listenerArray) || listenerArray.isEmpty()) {
      throw new ConfigException("listeners", "at least one listener is required");
    }
    List<ListenerConfig> listeners = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < listenerArray.size(); i++) {
      ListenerConfig l = listener(listenerArray.getJsonObject(i), "listeners[" + i + "]", i);
      if (!names.add(l.name())) {
        throw new ConfigException("listeners[" + i + "].name", "duplicate listener name '" + l.name() + "'");
      }
      for (int j = 0; j < listeners.size(); j++) {
        if (listeners.get(j).passivePorts().overlaps(l.passivePorts())) {
          throw new ConfigException("listeners[" + i + "].passivePorts",
              "overlaps the passive ports of listeners[" + j + "] (" + listeners.get(j).passivePorts() + ")");
        }
      }
      listeners.add(l);
    }
    JsonObject timeouts = doc.getValue("timeouts") instanceof JsonObject t ? t : new JsonObject();
    JsonObject metrics = doc.getValue("metrics") instanceof JsonObject m ? m : new JsonObject();
    JsonObject limits = doc.getValue("limits") instanceof JsonObject l ? l : new JsonObject();
    JsonObject tls = doc.getValue("tls") instanceof JsonObject t ? t : new JsonObject();
    UpstreamConfig.SslEngine engine = sslEngine(tls, "engine", "tls", UpstreamConfig.SslEngine.AUTO);
    List<UpstreamGroup> upstreams = upstreams(doc, engine);
    for (int i = 0; i < listeners.size(); i++) {
      String name = listeners.get(i).upstream();
      if (name != null && upstreams.stream().noneMatch(u -> u.name().equals(name))) {
        throw new ConfigException("listeners[" + i + "].upstream", unknownUpstream(name, upstreams));
      }
    }
    checkActivePorts(upstreams, listeners, doc.getValue("upstreams") != null);
    return new GatewayConfig(listeners, upstreams.get(0).first(), timeouts(timeouts), metrics(metrics), logging(doc),
        limits(limits), integer(doc, "shutdownGraceSeconds", "", GatewayConfig.DEFAULT_SHUTDOWN_GRACE_SECONDS,
            0, 86_400), engine, upstreams, routes(doc, upstreams), bool(doc, "allowUserAtHost", "", false));
  }

  /** {@code upstream:} (one upstream named default) or {@code upstreams:}, never both. */
  private static List<UpstreamGroup> upstreams(JsonObject doc, UpstreamConfig.SslEngine engine)
      throws ConfigException {
    Object single = doc.getValue("upstream");
    Object many = doc.getValue("upstreams");
    if (single != null && many != null) {
      throw new ConfigException("upstreams", "give either upstream (one upstream, named '" + UpstreamGroup.DEFAULT_NAME
          + "') or upstreams (a named list), not both");
    }
    if (many == null) {
      if (!(single instanceof JsonObject up)) {
        throw new ConfigException("upstream", "the upstream FTPS server is required (upstream.host at least)");
      }
      return List.of(upstreamGroup(up, engine, "upstream", UpstreamGroup.DEFAULT_NAME));
    }
    JsonArray list = (JsonArray) many; // checkKeys made sure it is a list of mappings
    if (list.isEmpty()) {
      throw new ConfigException("upstreams", "at least one upstream is required");
    }
    List<UpstreamGroup> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String path = "upstreams[" + i + "]";
      JsonObject entry = list.getJsonObject(i);
      String name = string(entry, "name", path, null);
      if (name == null || name.isBlank()) {
        throw new ConfigException(path + ".name", "is required (routes and listeners name the upstream by it)");
      }
      if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
        throw new ConfigException(path + ".name", "must be letters, digits, '.', '_' or '-' (it may appear in"
            + " USER name@host), got '" + name + "'");
      }
      if (out.stream().anyMatch(u -> u.name().equals(name))) {
        throw new ConfigException(path + ".name", "duplicate upstream name '" + name + "'");
      }
      out.add(upstreamGroup(entry, engine, path, name));
    }
    return out;
  }

  /**
   * One upstream: host/port at the top for one server, or {@code servers:}; every server shares the entry's other
   * settings, and is checked against its own host unless {@code serverName} is given.
   */
  private static UpstreamGroup upstreamGroup(JsonObject o, UpstreamConfig.SslEngine engine, String path, String name)
      throws ConfigException {
    List<UpstreamConfig> servers = new ArrayList<>();
    if (!(o.getValue("servers") instanceof JsonArray list)) {
      servers.add(upstream(o, engine, path));
    } else {
      if (o.getValue("host") != null || o.getValue("port") != null) {
        throw new ConfigException(keyPath(path, o.getValue("host") != null ? "host" : "port"),
            "give either host/port (one server) or servers, not both");
      }
      if (list.isEmpty()) {
        throw new ConfigException(path + ".servers", "at least one server is required");
      }
      for (int j = 0; j < list.size(); j++) {
        String serverPath = path + ".servers[" + j + "]";
        JsonObject server = list.getJsonObject(j);
        String host = string(server, "host", serverPath, null);
        if (host == null || host.isBlank()) {
          throw new ConfigException(serverPath + ".host", "is required (the FTPS server's name or address)");
        }
        JsonObject one = o.copy();
        one.remove("servers");
        one.put("host", host);
        if (server.getValue("port") != null) {
          one.put("port", integer(server, "port", serverPath, 21, 1, 65535));
        }
        UpstreamConfig parsed = upstream(one, engine, path);
        if (servers.stream().anyMatch(s -> s.host().equals(parsed.host()) && s.port() == parsed.port())) {
          throw new ConfigException(serverPath, "lists " + host + ":" + parsed.port() + " a second time");
        }
        servers.add(parsed);
      }
    }
    String balanceText = string(o, "balance", path, "first-available");
    UpstreamGroup.Balance balance;
    try {
      balance = UpstreamGroup.Balance.parse(balanceText);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(path + ".balance", "must be first-available, round-robin or least-sessions, got '"
          + balanceText + "'");
    }
    return new UpstreamGroup(name, servers, balance,
        integer(o, "probeSeconds", path, UpstreamGroup.DEFAULT_PROBE_SECONDS, 1, 86_400));
  }

  private static String unknownUpstream(String name, List<UpstreamGroup> upstreams) {
    return "no upstream named '" + name + "' (configured: "
        + String.join(", ", upstreams.stream().map(UpstreamGroup::name).toList()) + ")";
  }

  /** Active-mode ports are listening ports of this gateway: none may serve two purposes. */
  private static void checkActivePorts(List<UpstreamGroup> upstreams, List<ListenerConfig> listeners, boolean named)
      throws ConfigException {
    for (int u = 0; u < upstreams.size(); u++) {
      PortRange active = upstreams.get(u).first().activePorts();
      if (active == null) {
        continue;
      }
      String key = named ? "upstreams[" + u + "].activePorts" : "upstream.activePorts";
      for (int i = 0; i < listeners.size(); i++) {
        if (listeners.get(i).passivePorts().overlaps(active)) {
          throw new ConfigException(key, "overlaps the passive ports of listeners[" + i + "] ("
              + listeners.get(i).passivePorts() + ")");
        }
      }
      for (int v = 0; v < u; v++) {
        PortRange other = upstreams.get(v).first().activePorts();
        if (other != null && other.overlaps(active)) {
          throw new ConfigException(key, "overlaps upstreams[" + v + "].activePorts (" + other + ")");
        }
      }
    }
  }

  private static List<RouteConfig> routes(JsonObject doc, List<UpstreamGroup> upstreams) throws ConfigException {
    if (!(doc.getValue("routes") instanceof JsonArray list)) {
      return List.of();
    }
    List<RouteConfig> routes = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      String path = "routes[" + i + "]";
      JsonObject entry = list.getJsonObject(i);
      String user = string(entry, "user", path, null);
      if (user == null || user.isBlank() || !printable(user)) {
        throw new ConfigException(path + ".user", "is required: a user name, or a glob such as acme-*");
      }
      String upstream = string(entry, "upstream", path, null);
      if (upstream == null || upstream.isBlank()) {
        throw new ConfigException(path + ".upstream", "is required: the name of one of the upstreams");
      }
      if (upstreams.stream().noneMatch(u -> u.name().equals(upstream))) {
        throw new ConfigException(path + ".upstream", unknownUpstream(upstream, upstreams));
      }
      String rewrite = string(entry, "rewriteUser", path, null);
      if (rewrite != null && (rewrite.isBlank() || !printable(rewrite) || rewrite.indexOf(' ') >= 0
          || rewrite.indexOf('*') >= 0 || rewrite.indexOf('?') >= 0)) {
        throw new ConfigException(path + ".rewriteUser", "must be a plain user name (no spaces, no glob), got '"
            + rewrite + "'");
      }
      routes.add(new RouteConfig(user, upstream, rewrite));
    }
    return routes;
  }

  /** No control characters: a user name goes into an FTP command line. */
  private static boolean printable(String s) {
    return s.chars().noneMatch(c -> c < 0x20 || c == 0x7f);
  }

  private static ListenerConfig listener(JsonObject o, String path, int index) throws ConfigException {
    String name = string(o, "name", path, index == 0 ? "ftp" : "ftp" + index);
    String host = string(o, "host", path, ListenerConfig.DEFAULT_HOST);
    TlsMode tls = tlsMode(o, "tls", path, TlsMode.NONE);
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
    long bytesPerSecond = longInteger(o, "bytesPerSecond", path, 0, 0, MAX_BYTES_PER_SECOND);
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
    for (String[] f : new String[][] {{"certFile", certFile}, {"keyFile", keyFile}, {"keystore", keystore}}) {
      if (f[1] != null && !Files.isRegularFile(Path.of(f[1]))) {
        throw new ConfigException(keyPath(path, f[0]), "file " + f[1] + " does not exist");
      }
    }
    ClientTlsConfig d = ClientTlsConfig.defaults();
    return new ClientTlsConfig(certFile, keyFile, keystore, password, string(o, "generatedCertDir", path, null),
        bool(o, "requireTls", path, d.requireTls()), bool(o, "requireProtectedData", path, d.requireProtectedData()),
        bool(o, "requireSessionReuse", path, d.requireSessionReuse()),
        bool(o, "allowAuthSsl", path, d.allowAuthSsl()), bool(o, "allowCcc", path, d.allowCcc()),
        integer(o, "certReloadSeconds", path, d.certReloadSeconds(), 0, 86_400));
  }

  private static UpstreamConfig upstream(JsonObject o, UpstreamConfig.SslEngine defaultEngine, String path)
      throws ConfigException {
    String host = string(o, "host", path, null);
    if (host == null || host.isBlank()) {
      throw new ConfigException(path + ".host", "is required (the FTPS server's name or address)");
    }
    TlsMode tls = tlsMode(o, "tls", path, TlsMode.EXPLICIT);
    if (tls == TlsMode.NONE) {
      throw new ConfigException(path + ".tls", "must be explicit or implicit: the gateway never speaks plain FTP"
          + " upstream");
    }
    int port = integer(o, "port", path, tls == TlsMode.IMPLICIT ? 990 : 21, 1, 65535);
    String serverName = string(o, "serverName", path, host);
    String caFile = string(o, "caFile", path, null);
    if (caFile != null) {
      checkCaFile(caFile, path);
    }
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
    return new UpstreamConfig(host, port, tls, serverName, caFile, protocols, dataMode, engine,
        upstreamTlsOptions(o, allowLegacy, path), proxyProtocol, activePorts);
  }

  private static UpstreamConfig.SslEngine sslEngine(JsonObject o, String key, String path,
                                                    UpstreamConfig.SslEngine dflt) throws ConfigException {
    String text = string(o, key, path, null);
    if (text == null) {
      return dflt;
    }
    UpstreamConfig.SslEngine engine;
    try {
      engine = UpstreamConfig.SslEngine.valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(keyPath(path, key), "must be auto, jdk or openssl, got '" + text + "'");
    }
    if (engine == UpstreamConfig.SslEngine.OPENSSL && !io.netty.handler.ssl.OpenSsl.isAvailable()) {
      throw new ConfigException(keyPath(path, key), "openssl is not available on this machine: "
          + oneLine(io.netty.handler.ssl.OpenSsl.unavailabilityCause()));
    }
    return engine;
  }

  private static UpstreamTlsOptions upstreamTlsOptions(JsonObject o, boolean allowLegacy, String path)
      throws ConfigException {
    List<String> pins = new ArrayList<>();
    for (String text : stringList(o, "pinSha256", path, List.of())) {
      try {
        pins.add(org.ftpsgateway.tls.Fingerprints.format(org.ftpsgateway.tls.Fingerprints.parsePin(text)));
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
    for (String[] f : new String[][] {{"clientCertFile", certFile}, {"clientKeyFile", keyFile},
        {"clientKeystore", keystore}}) {
      if (f[1] != null && !Files.isRegularFile(Path.of(f[1]))) {
        throw new ConfigException(path + "." + f[0], "file " + f[1] + " does not exist");
      }
    }
    if (certFile != null || keystore != null) {
      try {
        org.ftpsgateway.tls.KeyMaterial.keyManagers(certFile, keyFile, keystore, keystorePassword);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(certFile != null ? path + ".clientKeyFile" : path + ".clientKeystore",
            oneLine(e));
      }
    }
    List<String> suites = stringList(o, "cipherSuites", path, UpstreamTlsOptions.DEFAULT_CIPHER_SUITES);
    if (suites.isEmpty()) {
      throw new ConfigException(path + ".cipherSuites", "at least one cipher suite is required");
    }
    Set<String> known = knownCipherSuites();
    for (String suite : suites) {
      if (!known.contains(suite)) {
        throw new ConfigException(path + ".cipherSuites", "'" + suite + "' is not a cipher suite this Java or"
            + " OpenSSL knows (use standard names such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)");
      }
    }
    return new UpstreamTlsOptions(verifyHostname, pins, insecure, certFile, keyFile, keystore, keystorePassword,
        suites, allowLegacy, bool(o, "ccc", path, false));
  }

  private static Set<String> knownCipherSuites() {
    Set<String> known = new HashSet<>();
    try {
      known.addAll(List.of(javax.net.ssl.SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites()));
    } catch (java.security.NoSuchAlgorithmException e) {
      // no JDK TLS: only OpenSSL's names count
    }
    if (io.netty.handler.ssl.OpenSsl.isAvailable()) {
      known.addAll(io.netty.handler.ssl.OpenSsl.availableJavaCipherSuites());
    }
    return known;
  }

  private static void checkCaFile(String caFile, String path) throws ConfigException {
    Path p = Path.of(caFile);
    if (!Files.isRegularFile(p)) {
      throw new ConfigException(path + ".caFile", "file " + caFile + " does not exist");
    }
    try {
      byte[] pem = Files.readAllBytes(p);
      var certs = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem));
      if (certs.isEmpty()) {
        throw new ConfigException(path + ".caFile", "file " + caFile + " holds no PEM certificate");
      }
    } catch (ConfigException e) {
      throw e;
    } catch (Exception e) {
      throw new ConfigException(path + ".caFile", "cannot read certificates from " + caFile + ": " + oneLine(e));
    }
  }

  private static TimeoutsConfig timeouts(JsonObject o) throws ConfigException {
    String path = "timeouts";
    return new TimeoutsConfig(
        integer(o, "connectSeconds", path, TimeoutsConfig.DEFAULT_CONNECT_SECONDS, 1, 3600),
        integer(o, "idleSeconds", path, TimeoutsConfig.DEFAULT_IDLE_SECONDS, 1, 7 * 24 * 3600),
        integer(o, "dataConnectSeconds", path, TimeoutsConfig.DEFAULT_DATA_CONNECT_SECONDS, 1, 3600),
        integer(o, "loginSeconds", path, TimeoutsConfig.DEFAULT_LOGIN_SECONDS, 1, 3600));
  }

  private static LimitsConfig limits(JsonObject o) throws ConfigException {
    String path = "limits";
    LimitsConfig d = LimitsConfig.defaults();
    return new LimitsConfig(
        integer(o, "maxSessions", path, d.maxSessions(), 0, 10_000_000),
        integer(o, "maxSessionsPerClient", path, d.maxSessionsPerClient(), 0, 10_000_000),
        integer(o, "maxLoginFailures", path, d.maxLoginFailures(), 0, 1_000_000),
        integer(o, "loginFailureWindowSeconds", path, d.loginFailureWindowSeconds(), 1, 86_400),
        longInteger(o, "bytesPerSecond", path, d.bytesPerSecond(), 0, MAX_BYTES_PER_SECOND),
        integer(o, "connectionsPerMinutePerClient", path, d.connectionsPerMinutePerClient(), 0, 1_000_000),
        integer(o, "maxConcurrentSetups", path, d.maxConcurrentSetups(), 0, 100_000));
  }

  private static LoggingConfig logging(JsonObject root) throws ConfigException {
    String level = string(root, "logLevel", "", "info").strip().toLowerCase(Locale.ROOT);
    if (!List.of("error", "warn", "info", "debug").contains(level)) {
      throw new ConfigException("logLevel", "must be error, warn, info or debug, got '" + level + "'");
    }
    String format = string(root, "logFormat", "", "text").strip().toLowerCase(Locale.ROOT);
    if (!format.equals("text") && !format.equals("json")) {
      throw new ConfigException("logFormat", "must be text or json, got '" + format + "'");
    }
    return new LoggingConfig(level, format.equals("json"));
  }

  private static MetricsConfig metrics(JsonObject o) throws ConfigException {
    String path = "metrics";
    return new MetricsConfig(
        bool(o, "enabled", path, true),
        string(o, "host", path, MetricsConfig.DEFAULT_HOST),
        integer(o, "port", path, MetricsConfig.DEFAULT_PORT, 0, 65535));
  }

  // ---- scalar readers: accept YAML's natural types and their string forms (environment values are strings) ----

  private static String string(JsonObject o, String key, String path, String dflt) throws ConfigException {
    Object v = o.getValue(key);
    if (v == null) {
      return dflt;
    }
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Number || v instanceof Boolean) {
      return v.toString();
    }
    throw new ConfigException(keyPath(path, key), "expected a string");
  }

  private static int integer(JsonObject o, String key, String path, int dflt, int min, int max)
      throws ConfigException {
    return (int) longInteger(o, key, path, dflt, min, max);
  }

  private static long longInteger(JsonObject o, String key, String path, long dflt, long min, long max)
      throws ConfigException {
    Object v = o.getValue(key);
    if (v == null) {
      return dflt;
    }
    long value;
    if (v instanceof Number n && !(v instanceof Double) && !(v instanceof Float)) {
      value = n.longValue();
    } else if (v instanceof String s) {
      try {
        value = Long.parseLong(s.strip());
      } catch (NumberFormatException e) {
        throw new ConfigException(keyPath(path, key), "expected a whole number, got '" + s + "'");
      }
    } else {
      throw new ConfigException(keyPath(path, key), "expected a whole number, got '" + v + "'");
    }
    if (value < min || value > max) {
      throw new ConfigException(keyPath(path, key), "must be within " + min + "-" + max + ", got " + value);
    }
    return value;
  }

  private static boolean bool(JsonObject o, String key, String path, boolean dflt) throws ConfigException {
    Object v = o.getValue(key);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
      return Boolean.parseBoolean(s);
    }
    throw new ConfigException(keyPath(path, key), "expected true or false, got '" + v + "'");
  }

  private static TlsMode tlsMode(JsonObject o, String key, String path, TlsMode dflt) throws ConfigException {
    String text = string(o, key, path, null);
    if (text == null) {
      return dflt;
    }
    try {
      return TlsMode.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(keyPath(path, key), "must be none, explicit or implicit, got '" + text + "'");
    }
  }

  private static List<String> stringList(JsonObject o, String key, String path, List<String> dflt)
      throws ConfigException {
    Object v = o.getValue(key);
    if (v == null) {
      return dflt;
    }
    List<String> out = new ArrayList<>();
    if (v instanceof JsonArray a) {
      for (Object item : a) {
        if (!(item instanceof String s)) {
          throw new ConfigException(keyPath(path, key), "expected a list of strings");
        }
        out.add(s.strip());
      }
    } else if (v instanceof String s) {
      splitList(s).forEach(x -> out.add((String) x));
    } else {
      throw new ConfigException(keyPath(path, key), "expected a list of strings");
    }
    return out;
  }

  private static String keyPath(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  static String oneLine(Throwable t) {
    String m = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    m = m.replace('\r', ' ').replace('\n', ' ');
    return m.length() > 300 ? m.substring(0, 300) + "..." : m;
  }
}
