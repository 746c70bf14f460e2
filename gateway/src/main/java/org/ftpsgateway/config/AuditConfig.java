package org.ftpsgateway.config;

/**
 * {@code audit:}: what the audit lines carry beyond the defaults.
 *
 * @param sha256 the SHA-256 of each file transferred (RETR, STOR, STOU, APPE) in its transfer line, computed while
 *     the bytes pass
 */
public record AuditConfig(boolean sha256) {

  public static AuditConfig defaults() {
    return new AuditConfig(false);
  }
}
