package org.ftpsgateway.config;

import java.util.Locale;

/**
 * How the gateway opens data connections to the upstream: EPSV first (falling back to PASV), PASV only, or active
 * (the gateway listens and sends EPRT, falling back to PORT; the upstream connects to it).
 */
public enum DataMode {
  EPSV, PASV, ACTIVE;

  public static DataMode parse(String text) {
    return valueOf(text.strip().toUpperCase(Locale.ROOT));
  }
}
