package org.ftpsgateway.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.ftpsgateway.config.ConfigSchema.Field;
import org.ftpsgateway.config.ConfigSchema.Kind;

/**
 * {@code FTPGW_<PATH>} environment variables over the file: {@code FTPGW_UPSTREAM_HOST} sets {@code upstream.host},
 * {@code FTPGW_LISTENERS_0_PORT} the first listener's port (a list grows by one entry at a time). Segments match the
 * schema's keys case-insensitively; a variable that names no key is an error, not ignored.
 *
 * <p>Kubernetes service links are the exception: for every Service in the namespace the kubelet gives each pod
 * {@code <SERVICE>_SERVICE_HOST}, {@code <SERVICE>_SERVICE_PORT[_<name>]}, {@code <SERVICE>_PORT=tcp://ip:port} and
 * {@code <SERVICE>_PORT_<n>_<PROTO>[_ADDR|_PORT|_PROTO]}, so a Service named {@code ftpgw} or {@code ftpgw-metrics}
 * puts variables under this prefix into every pod of the namespace, sidecars included. Those shapes (and any value
 * of the form {@code tcp://host:port}, even on a real key such as {@code FTPGW_METRICS_PORT}) are skipped with one
 * log line; everything else still applies.
 *
 * <p>{@code upstream.servers} set here replaces the file's {@code host}/{@code port} of the same upstream, and
 * {@code host}/{@code port} set here replaces the file's {@code servers}: the environment picks the form.
 */
public final class EnvironmentOverrides {

  public static final String PREFIX = "FTPGW_";

  private static final Logger LOG = Logger.getLogger(EnvironmentOverrides.class.getName());

  /** {@code _SERVICE_HOST}, {@code _SERVICE_PORT}, {@code _SERVICE_PORT_<port name>}. */
  private static final Pattern SERVICE_NAME = Pattern.compile("_SERVICE_(HOST|PORT(_[A-Z0-9_]+)?)$");
  /** {@code _PORT_<n>_<PROTO>}, with {@code _ADDR}, {@code _PORT} or {@code _PROTO} after it. */
  private static final Pattern PORT_NAME = Pattern.compile("_PORT_[0-9]{1,5}_(TCP|UDP|SCTP)(_ADDR|_PORT|_PROTO)?$");
  /** The value of {@code <SERVICE>_PORT} and {@code _PORT_<n>_<PROTO>}: {@code tcp://10.96.0.17:21}. */
  private static final Pattern LINK_VALUE = Pattern.compile("(tcp|udp|sctp)://[^\\s/]+:[0-9]{1,5}");

  private final Map<String, String> overrides;
  private final List<String> serviceLinks;

  public EnvironmentOverrides(Map<String, String> environment) {
    Map<String, String> own = new java.util.HashMap<>();
    List<String> links = new ArrayList<>();
    environment.forEach((name, value) -> {
      if (!name.startsWith(PREFIX)) {
        return;
      }
      if (isServiceLink(name, value)) {
        links.add(name);
      } else {
        own.put(name, value);
      }
    });
    links.sort(EnvironmentOverrides::compareVariables);
    this.overrides = Map.copyOf(own);
    this.serviceLinks = List.copyOf(links);
  }

  /**
   * Whether a variable is one the kubelet made for a Service (named like one, or valued like one) rather than an
   * override: the shapes of the Kubernetes documentation, "Services: Environment variables".
   */
  static boolean isServiceLink(String name, String value) {
    String upper = name.toUpperCase(Locale.ROOT);
    return SERVICE_NAME.matcher(upper).find() || PORT_NAME.matcher(upper).find()
        || (value != null && LINK_VALUE.matcher(value.strip()).matches());
  }

  /** The {@code FTPGW_*} variables skipped as service links, in order. */
  public List<String> serviceLinks() {
    return serviceLinks;
  }

  /** Sets every {@code FTPGW_*} override into {@code doc} (changed in place). */
  void applyTo(JsonObject doc) throws ConfigException {
    if (!serviceLinks.isEmpty()) {
      LOG.info(() -> "ignored " + serviceLinks.size() + " Kubernetes service-link variable(s) that look like "
          + PREFIX + "* overrides: " + String.join(", ", serviceLinks)
          + " (set enableServiceLinks: false in the pod spec to drop them)");
    }
    List<String> names = new ArrayList<>(overrides.keySet());
    // FTPGW_LISTENERS_2_* before FTPGW_LISTENERS_10_*: lists grow in order
    names.sort(EnvironmentOverrides::compareVariables);
    Set<String> touched = new HashSet<>();
    for (String name : names) {
      String[] segments = name.substring(PREFIX.length()).split("_");
      set(doc, ConfigSchema.ROOT, segments, 0, name, overrides.get(name), "", touched);
    }
    chooseUpstreamForm(doc.getValue("upstream"), "upstream", touched);
    if (doc.getValue("upstreams") instanceof JsonArray list) {
      for (int i = 0; i < list.size(); i++) {
        chooseUpstreamForm(list.getValue(i), "upstreams[" + i + "]", touched);
      }
    }
  }

  /**
   * One upstream has host/port or servers, never both: the form the environment set wins over the file's, so a
   * chart can turn a file's single server into several (or back) with variables alone.
   */
  private static void chooseUpstreamForm(Object upstream, String path, Set<String> touched) {
    if (!(upstream instanceof JsonObject o)) {
      return;
    }
    boolean envServers = touched.stream().anyMatch(k -> k.startsWith(path + ".servers["));
    boolean envHostPort = touched.contains(path + ".host") || touched.contains(path + ".port");
    if (envServers && !envHostPort) {
      o.remove("host");
      o.remove("port");
    } else if (envHostPort && !envServers) {
      o.remove("servers");
    }
  }

  private static void set(JsonObject obj, Map<String, Field> schema, String[] segments, int index, String variable,
                          String value, String path, Set<String> touched) throws ConfigException {
    String key = matchKey(schema, segments[index]);
    if (key == null) {
      throw new ConfigException(variable, "environment variable names no configuration key");
    }
    Field field = schema.get(key);
    boolean last = index == segments.length - 1;
    String keyPath = ConfigValues.keyPath(path, key);
    switch (field.kind()) {
      case OBJECT -> {
        if (last) {
          throw new ConfigException(variable, "names a section, not a key");
        }
        JsonObject child = obj.getValue(key) instanceof JsonObject o ? o : new JsonObject();
        obj.put(key, child);
        set(child, field.children(), segments, index + 1, variable, value, keyPath, touched);
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
        set(entry, field.children(), segments, index + 2, variable, value, keyPath + "[" + position + "]",
            touched);
      }
      default -> {
        if (!last) {
          throw new ConfigException(variable, "environment variable names no configuration key");
        }
        touched.add(keyPath);
        obj.put(key, field.kind() == Kind.STRING_LIST ? new JsonArray(ConfigValues.splitList(value)) : value);
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
}
