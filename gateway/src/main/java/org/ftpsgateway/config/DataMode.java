package org.ftpsgateway.config;

import java.util.Locale;

/** How the gateway opens data connections to the upstream: EPSV first (falling back to PASV), or PASV only. */
public enum DataMode {
  EPSV, PASV;

  public static DataMode parse(String text) {
    return valueOf(text.strip().toUpperCase(Locale.ROOT));
  }
}
