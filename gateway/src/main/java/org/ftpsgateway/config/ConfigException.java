package org.ftpsgateway.config;

/** A configuration that cannot work. The message names the key and the reason in one line. */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  public ConfigException(String key, String reason) {
    // one line even when the reason quotes a value with a line break (a YAML string, an environment value)
    super((key.isEmpty() ? reason : key + ": " + reason).replace('\r', ' ').replace('\n', ' '), null, false, false);
  }
}
