package org.ftpsgateway.config;

import static org.ftpsgateway.config.ConfigValues.integer;
import static org.ftpsgateway.config.ConfigValues.keyPath;
import static org.ftpsgateway.config.ConfigValues.string;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code upstream:} (one upstream, named {@value UpstreamGroup#DEFAULT_NAME}) or {@code upstreams:} (a named list),
 * never both; each with one server (host/port) or several ({@code servers:}) that share its other settings.
 */
final class UpstreamSection {

  private UpstreamSection() {
  }

  static List<UpstreamGroup> parse(JsonObject doc, UpstreamConfig.SslEngine engine) throws ConfigException {
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
      return List.of(group(up, engine, "upstream", UpstreamGroup.DEFAULT_NAME));
    }
    JsonArray list = (JsonArray) many; // ConfigSchema.check made sure it is a list of mappings
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
      out.add(group(entry, engine, path, name));
    }
    return out;
  }

  /** The key of the {@code index}th upstream as the document wrote it: {@code upstream} or {@code upstreams[i]}. */
  static String keyOf(JsonObject doc, int index) {
    return doc.getValue("upstreams") != null ? "upstreams[" + index + "]" : "upstream";
  }

  /**
   * One upstream: host/port at the top for one server, or {@code servers:}; every server shares the entry's other
   * settings, and is checked against its own host unless {@code serverName} is given.
   */
  private static UpstreamGroup group(JsonObject o, UpstreamConfig.SslEngine engine, String path, String name)
      throws ConfigException {
    List<UpstreamConfig> servers = new ArrayList<>();
    if (!(o.getValue("servers") instanceof JsonArray list)) {
      servers.add(UpstreamServerSection.parse(o, engine, path));
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
        UpstreamConfig parsed = UpstreamServerSection.parse(one, engine, path);
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

  /** Every listener's {@code upstream:} names a configured upstream. */
  static void checkListenerUpstreams(List<ListenerConfig> listeners, List<UpstreamGroup> upstreams)
      throws ConfigException {
    for (int i = 0; i < listeners.size(); i++) {
      String name = listeners.get(i).upstream();
      if (name != null && upstreams.stream().noneMatch(u -> u.name().equals(name))) {
        throw new ConfigException("listeners[" + i + "].upstream", unknown(name, upstreams));
      }
    }
  }

  static String unknown(String name, List<UpstreamGroup> upstreams) {
    return "no upstream named '" + name + "' (configured: "
        + String.join(", ", upstreams.stream().map(UpstreamGroup::name).toList()) + ")";
  }
}
