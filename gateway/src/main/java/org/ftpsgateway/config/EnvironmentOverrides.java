package org.ftpsgateway.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.ftpsgateway.config.ConfigSchema.Field;
import org.ftpsgateway.config.ConfigSchema.Kind;

/**
 * {@code FTPGW_<PATH>} environment variables over the file: {@code FTPGW_UPSTREAM_HOST} sets {@code upstream.host},
 * {@code FTPGW_LISTENERS_0_PORT} the first listener's port (a list grows by one entry at a time). Segments match the
 * schema's keys case-insensitively; a variable that names no key is an error, not ignored.
 */
public final class EnvironmentOverrides {

  public static final String PREFIX = "FTPGW_";

  private final Map<String, String> environment;

  public EnvironmentOverrides(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  /** Sets every {@code FTPGW_*} variable into {@code doc} (changed in place). */
  void applyTo(JsonObject doc) throws ConfigException {
    List<String> names = new ArrayList<>(environment.keySet());
    // FTPGW_LISTENERS_2_* before FTPGW_LISTENERS_10_*: lists grow in order
    names.sort(EnvironmentOverrides::compareVariables);
    for (String name : names) {
      if (!name.startsWith(PREFIX)) {
        continue;
      }
      String[] segments = name.substring(PREFIX.length()).split("_");
      set(doc, ConfigSchema.ROOT, segments, 0, name, environment.get(name));
    }
  }

  private static void set(JsonObject obj, Map<String, Field> schema, String[] segments, int index, String variable,
                          String value) throws ConfigException {
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
        set(child, field.children(), segments, index + 1, variable, value);
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
        set(entry, field.children(), segments, index + 2, variable, value);
      }
      default -> {
        if (!last) {
          throw new ConfigException(variable, "environment variable names no configuration key");
        }
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
