package org.ftpsgateway.config;

/**
 * Protection limits; 0 means no limit.
 *
 * @param maxSessions client sessions open at once, over all listeners
 * @param maxSessionsPerClient client sessions open at once from one address
 * @param maxLoginFailures failed logins from one address within the window before that address gets 421
 * @param loginFailureWindowSeconds the window, and the cool-down after the limit is hit
 * @param bytesPerSecond data bytes per second of one session (its data connections, either direction)
 * @param connectionsPerMinutePerClient new connections per minute from one address (a burst of that many, then
 *     one every 60/N seconds)
 */
public record LimitsConfig(int maxSessions, int maxSessionsPerClient, int maxLoginFailures,
                           int loginFailureWindowSeconds, long bytesPerSecond, int connectionsPerMinutePerClient) {

  public LimitsConfig(int maxSessions, int maxSessionsPerClient, int maxLoginFailures,
                      int loginFailureWindowSeconds) {
    this(maxSessions, maxSessionsPerClient, maxLoginFailures, loginFailureWindowSeconds, 0, 0);
  }

  public static LimitsConfig defaults() {
    return new LimitsConfig(1000, 0, 0, 300, 0, 0);
  }
}
