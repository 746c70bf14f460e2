package org.ftpsgateway.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Scalar readers for the section parsers: each accepts YAML's natural type and its string form (environment values
 * are strings), returns the default when the key is absent, and names the key in its {@link ConfigException}.
 */
public final class ConfigValues {

  private ConfigValues() {
  }

  static String string(JsonObject o, String key, String path, String dflt) throws ConfigException {
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

  static int integer(JsonObject o, String key, String path, int dflt, int min, int max) throws ConfigException {
    return (int) longInteger(o, key, path, dflt, min, max);
  }

  static long longInteger(JsonObject o, String key, String path, long dflt, long min, long max)
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

  static boolean bool(JsonObject o, String key, String path, boolean dflt) throws ConfigException {
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

  static TlsMode tlsMode(JsonObject o, String key, String path, TlsMode dflt) throws ConfigException {
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

  /** A YAML list of strings, or one comma-separated string (the environment's form). */
  static List<String> stringList(JsonObject o, String key, String path, List<String> dflt) throws ConfigException {
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
      out.addAll(splitList(s));
    } else {
      throw new ConfigException(keyPath(path, key), "expected a list of strings");
    }
    return out;
  }

  /** "a, b,,c" as [a, b, c]. */
  static List<String> splitList(String value) {
    List<String> out = new ArrayList<>();
    for (String part : value.split(",")) {
      String p = part.strip();
      if (!p.isEmpty()) {
        out.add(p);
      }
    }
    return out;
  }

  /** For each (key, file name) pair whose file name is set: the file must exist, be a file and be readable. */
  static void requireFiles(String path, String... keysAndFiles) throws ConfigException {
    for (int i = 0; i < keysAndFiles.length; i += 2) {
      String file = keysAndFiles[i + 1];
      if (file == null) {
        continue;
      }
      Path p = Path.of(file);
      String problem = Files.isDirectory(p) ? file + " is a directory, not a file"
          : !Files.exists(p) ? "file " + file + " does not exist"
          : !Files.isRegularFile(p) ? file + " is not a regular file"
          : !Files.isReadable(p) ? file + " is not readable by this user" : null;
      if (problem != null) {
        throw new ConfigException(keyPath(path, keysAndFiles[i]), problem);
      }
    }
  }

  static String keyPath(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** An exception's message on one line, at most 300 characters: config errors are one readable line. */
  public static String oneLine(Throwable t) {
    String m = t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
    m = m.replace('\r', ' ').replace('\n', ' ');
    return m.length() > 300 ? m.substring(0, 300) + "..." : m;
  }
}
