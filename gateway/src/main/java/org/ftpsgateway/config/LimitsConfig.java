package org.ftpsgateway.config;

/**
 * Protection limits; 0 means no limit.
 *
 * @param maxSessions client sessions open at once, over all listeners
 * @param maxSessionsPerClient client sessions open at once from one address
 * @param maxLoginFailures failed logins from one address within the window before that address gets 421
 * @param loginFailureWindowSeconds the window, and the cool-down after the limit is hit
 * @param maxConcurrentSetups upstream session setups (connect, greeting, AUTH TLS, handshake, PBSZ/PROT) in flight
 *     at once over the whole gateway; the others wait in a first-come-first-served queue (0 = no bound)
 */
public record LimitsConfig(int maxSessions, int maxSessionsPerClient, int maxLoginFailures,
                           int loginFailureWindowSeconds, int maxConcurrentSetups) {

  /** Setups per CPU core when {@code maxConcurrentSetups} is not configured. */
  public static final int DEFAULT_SETUPS_PER_CORE = 8;

  /** With the default {@code maxConcurrentSetups}. */
  public LimitsConfig(int maxSessions, int maxSessionsPerClient, int maxLoginFailures,
                      int loginFailureWindowSeconds) {
    this(maxSessions, maxSessionsPerClient, maxLoginFailures, loginFailureWindowSeconds, defaultConcurrentSetups());
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
    return new LimitsConfig(1000, 0, 0, 300);
  }

  public LimitsConfig withMaxConcurrentSetups(int setups) {
    return new LimitsConfig(maxSessions, maxSessionsPerClient, maxLoginFailures, loginFailureWindowSeconds, setups);
  }
}
