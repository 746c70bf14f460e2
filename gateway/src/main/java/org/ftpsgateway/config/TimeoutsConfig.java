package org.ftpsgateway.config;

/**
 * @param connectSeconds upstream TCP connect plus TLS handshake, control and data
 * @param idleSeconds a client session with no command and no transfer for this long is closed with {@code 421}
 *     ; a transfer in which no byte moves for this long is ended ({@code 426}), and an upstream that owes a reply
 *     this long ends the session ({@code 421})
 * @param dataConnectSeconds how long a data connection (client or upstream side) may take to arrive
 * @param loginSeconds a client that has not logged in this long after connecting gets {@code 421}
 */
public record TimeoutsConfig(int connectSeconds, int idleSeconds, int dataConnectSeconds, int loginSeconds) {

  public static final int DEFAULT_CONNECT_SECONDS = 10;
  public static final int DEFAULT_IDLE_SECONDS = 900;
  public static final int DEFAULT_DATA_CONNECT_SECONDS = 30;
  public static final int DEFAULT_LOGIN_SECONDS = 60;

  public TimeoutsConfig(int connectSeconds, int idleSeconds, int dataConnectSeconds) {
    this(connectSeconds, idleSeconds, dataConnectSeconds, DEFAULT_LOGIN_SECONDS);
  }

  public static TimeoutsConfig defaults() {
    return new TimeoutsConfig(DEFAULT_CONNECT_SECONDS, DEFAULT_IDLE_SECONDS, DEFAULT_DATA_CONNECT_SECONDS,
        DEFAULT_LOGIN_SECONDS);
  }
}
