package org.ftpsgateway.config;

/**
 * @param connectSeconds upstream TCP connect plus TLS handshake, control and data
 * @param idleSeconds a client session with no command and no transfer for this long is closed with {@code 421}
 * @param dataConnectSeconds how long a data connection (client or upstream side) may take to arrive
 */
public record TimeoutsConfig(int connectSeconds, int idleSeconds, int dataConnectSeconds) {

  public static final int DEFAULT_CONNECT_SECONDS = 10;
  public static final int DEFAULT_IDLE_SECONDS = 900;
  public static final int DEFAULT_DATA_CONNECT_SECONDS = 30;

  public static TimeoutsConfig defaults() {
    return new TimeoutsConfig(DEFAULT_CONNECT_SECONDS, DEFAULT_IDLE_SECONDS, DEFAULT_DATA_CONNECT_SECONDS);
  }
}
