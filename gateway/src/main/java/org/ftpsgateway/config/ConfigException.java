package org.ftpsgateway.config;

/** A configuration that cannot work. The message names the key and the reason in one line. */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  public ConfigException(String key, String reason) {
    super(key.isEmpty() ? reason : key + ": " + reason, null, false, false);
  }
}
