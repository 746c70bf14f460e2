package org.ftpsgateway.config;

import java.util.Locale;

/** How TLS starts on a connection: never, after {@code AUTH TLS} (RFC 4217), or from the first byte. */
public enum TlsMode {
  NONE, EXPLICIT, IMPLICIT;

  public static TlsMode parse(String text) {
    return valueOf(text.strip().toUpperCase(Locale.ROOT));
  }

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
