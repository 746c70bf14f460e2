package org.ftpsgateway.config;

/**
 * {@code admin:}: who may use the operator API ({@code /api/v1}) and the status page ({@code /status}) on the
 * metrics port.
 *
 * @param tokenFile a file holding the bearer token (e.g. a mounted Secret), or null: reads open, writes refused
 */
public record AdminConfig(String tokenFile) {

  public static AdminConfig defaults() {
    return new AdminConfig(null);
  }
}
