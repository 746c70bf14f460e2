package org.ftpsgateway.audit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One structured line per transfer and per session end, on the logger {@code org.ftpsgateway.audit}: readable
 * {@code key=value} text by default, one JSON object per line with {@code logFormat: json}. Callers never put a
 * password in; values are escaped so no field can forge another line.
 */
public final class AuditLog {

  private static final Logger LOG = Logger.getLogger("org.ftpsgateway.audit");

  /** Text or JSON lines. */
  public enum Format { TEXT, JSON }

  private final Format format;
  private final boolean sha256;

  public AuditLog(Format format) {
    this(format, false);
  }

  /** @param sha256 audit.sha256: transfer lines carry the SHA-256 of each file's content */
  public AuditLog(Format format, boolean sha256) {
    this.format = format;
    this.sha256 = sha256;
  }

  /** audit.sha256: whether file transfers are digested while the bytes pass. */
  public boolean sha256() {
    return sha256;
  }

  /** Starts an event; add fields in the order they should appear, then {@link Event#log()}. */
  public Event event(String name) {
    return new Event(name);
  }

  /** An event being built. */
  public final class Event {
    private final String name;
    private final Map<String, Object> fields = new LinkedHashMap<>();

    private Event(String name) {
      this.name = name;
    }

    public Event with(String key, Object value) {
      if (value != null) {
        fields.put(key, value);
      }
      return this;
    }

    public void log() {
      if (LOG.isLoggable(Level.INFO)) {
        LOG.info(format == Format.JSON ? json() : text());
      }
    }

    String text() {
      StringBuilder sb = new StringBuilder(name);
      for (var e : fields.entrySet()) {
        sb.append(' ').append(e.getKey()).append('=');
        Object v = e.getValue();
        String s = clean(String.valueOf(v));
        boolean quote = !(v instanceof Number || v instanceof Boolean) && (s.isEmpty() || s.indexOf(' ') >= 0
            || s.indexOf('"') >= 0 || s.indexOf('=') >= 0);
        if (quote) {
          sb.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        } else {
          sb.append(s);
        }
      }
      return sb.toString();
    }

    String json() {
      StringBuilder sb = new StringBuilder("{\"event\":");
      string(sb, name);
      for (var e : fields.entrySet()) {
        sb.append(',');
        string(sb, e.getKey());
        sb.append(':');
        Object v = e.getValue();
        if (v instanceof Number || v instanceof Boolean) {
          sb.append(v);
        } else {
          string(sb, String.valueOf(v));
        }
      }
      return sb.append('}').toString();
    }
  }

  private static String clean(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      sb.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return sb.toString();
  }

  private static void string(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
