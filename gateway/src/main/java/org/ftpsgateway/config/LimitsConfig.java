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
 * @param maxConcurrentSetups upstream session setups (connect, greeting, AUTH TLS, handshake, PBSZ/PROT) in flight
 *     at once over the whole gateway; the others wait in a first-come-first-served queue (0 = no bound)
 */
public record LimitsConfig(int maxSessions, int maxSessionsPerClient, int maxLoginFailures,
                           int loginFailureWindowSeconds, long bytesPerSecond, int connectionsPerMinutePerClient,
                           int maxConcurrentSetups) {

  /** Setups per CPU core when {@code maxConcurrentSetups} is not configured. */
  public static final int DEFAULT_SETUPS_PER_CORE = 8;

  /** No bandwidth or rate limits, the default {@code maxConcurrentSetups}. */
  public LimitsConfig(int maxSessions, int maxSessionsPerClient, int maxLoginFailures,
                      int loginFailureWindowSeconds) {
    this(maxSessions, maxSessionsPerClient, maxLoginFailures, loginFailureWindowSeconds, 0, 0,
        defaultConcurrentSetups());
  }

  /** With the default {@code maxConcurrentSetups}. */
  public LimitsConfig(int maxSessions, int maxSessionsPerClient, int maxLoginFailures,
                      int loginFailureWindowSeconds, long bytesPerSecond, int connectionsPerMinutePerClient) {
    this(maxSessions, maxSessionsPerClient, maxLoginFailures, loginFailureWindowSeconds, bytesPerSecond,
        connectionsPerMinutePerClient, defaultConcurrentSetups());
  }

  /** No bandwidth or rate limits. */
  public LimitsConfig(int maxSessions, int maxSessionsPerClient, int maxLoginFailures,
                      int loginFailureWindowSeconds, int maxConcurrentSetups) {
    this(maxSessions, maxSessionsPerClient, maxLoginFailures, loginFailureWindowSeconds, 0, 0, maxConcurrentSetups);
  }

  /**
   * {@value #DEFAULT_SETUPS_PER_CORE} per core. A setup is a chain of about six round trips (greeting, AUTH TLS, two
   * for the handshake, PBSZ, PROT), so against a distant upstream it mostly waits and several per core keep the
   * rate up; on a loaded machine it is CPU-bound, and a few per core keep each one well inside
   * {@code timeouts.connectSeconds} (measured on 2 cores with 500 clients at once: 8 and 32 in flight gave the same
   * total time; 32 took 3.3 s per setup, unbounded over 10 s).
   */
  public static int defaultConcurrentSetups() {
    return DEFAULT_SETUPS_PER_CORE * Math.max(1, Runtime.getRuntime().availableProcessors());
  }

  public static LimitsConfig defaults() {
    return new LimitsConfig(1000, 0, 0, 300, 0, 0, defaultConcurrentSetups());
  }

  public LimitsConfig withMaxConcurrentSetups(int setups) {
    return new LimitsConfig(maxSessions, maxSessionsPerClient, maxLoginFailures, loginFailureWindowSeconds,
        bytesPerSecond, connectionsPerMinutePerClient, setups);
  }
}
