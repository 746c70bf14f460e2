package org.ftpsgateway.config;

import static org.ftpsgateway.config.ConfigValues.string;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** {@code routes:}: which upstream a user name (or glob) goes to, optionally under another name. */
final class RouteSection {

  private RouteSection() {
  }

  static List<RouteConfig> parse(JsonObject doc, List<UpstreamGroup> upstreams) throws ConfigException {
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
        throw new ConfigException(path + ".upstream", UpstreamSection.unknown(upstream, upstreams));
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
}
