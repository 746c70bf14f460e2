package org.ftpsgateway.control;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.ftpsgateway.config.LimitsConfig;
import org.ftpsgateway.data.TokenBucket;

/**
 * Who may open a session: the session limits, the login-failure cool-down, and draining at shutdown. Shared by
 * every listener and event loop, so it is thread-safe; it also knows every open session, to drain them.
 */
public final class Admission {

  /** Replaced by a reload: new admissions and new sessions' throttles use the new limits. */
  private volatile LimitsConfig limits;
  private final AtomicInteger open = new AtomicInteger();
  private final Map<String, AtomicInteger> perClient = new ConcurrentHashMap<>();
  private final Map<String, ArrayDeque<Long>> loginFailures = new ConcurrentHashMap<>();
  /** limits.connectionsPerMinutePerClient: a bucket of that many connections per address, refilled over a minute. */
  private final Map<String, TokenBucket> connectionRates = new ConcurrentHashMap<>();
  private final AtomicInteger admissions = new AtomicInteger();
  private final SessionRegistry sessions = new SessionRegistry();
  private volatile boolean draining;

  public Admission(LimitsConfig limits) {
    this.limits = limits;
  }

  /**
   * Admits a new session from {@code client}, or returns the reason (for a {@code 421}) and the metric label;
   * an admitted session must call {@link #leave} exactly once.
   */
  Refusal admit(ControlSession session, String client) {
    LimitsConfig limits = this.limits; // one reading: a reload in between must not unbalance the counters
    if (draining) {
      return new Refusal("shutting_down", "Service shutting down, try again later.");
    }
    if (coolingDown(client)) {
      return new Refusal("login_failures", "Too many failed logins from your address, try again later.");
    }
    if (!rateAllows(client)) {
      return new Refusal("rate", "Too many connections from your address, slow down and try again later.");
    }
    if (limits.maxSessions() > 0 && open.incrementAndGet() > limits.maxSessions()) {
      open.decrementAndGet();
      return new Refusal("max_sessions", "Too many users, try again later.");
    } else if (limits.maxSessions() <= 0) {
      open.incrementAndGet();
    }
    AtomicInteger mine = perClient.computeIfAbsent(client, c -> new AtomicInteger());
    if (limits.maxSessionsPerClient() > 0 && mine.incrementAndGet() > limits.maxSessionsPerClient()) {
      mine.decrementAndGet();
      open.decrementAndGet();
      return new Refusal("max_sessions_per_client", "Too many connections from your address, try again later.");
    } else if (limits.maxSessionsPerClient() <= 0) {
      mine.incrementAndGet();
    }
    sessions.add(session);
    return null;
  }

  /**
   * limits.connectionsPerMinutePerClient: up to that many connections at once, then one every 60/N seconds. A
   * refused attempt takes nothing, so a client that backs off gets in again. Addresses whose bucket is full again
   * are forgotten from time to time, so many distinct addresses cannot grow the map without bound.
   */
  private boolean rateAllows(String client) {
    int perMinute = limits.connectionsPerMinutePerClient();
    if (perMinute <= 0) {
      return true;
    }
    if (connectionRates.size() > 1024 && (admissions.incrementAndGet() & 1023) == 0) {
      connectionRates.values().removeIf(TokenBucket::isFull);
    }
    return connectionRates.computeIfAbsent(client, c -> new TokenBucket(perMinute / 60.0, perMinute,
        System::nanoTime)).tryTake(1);
  }

  void leave(ControlSession session, String client) {
    if (sessions.remove(session)) {
      open.decrementAndGet();
      perClient.computeIfPresent(client, (c, n) -> n.decrementAndGet() <= 0 ? null : n);
    }
  }

  /** Records a failed login; true when this address now has to cool down. */
  boolean loginFailed(String client) {
    if (limits.maxLoginFailures() <= 0) {
      return false;
    }
    long now = System.nanoTime();
    ArrayDeque<Long> times = loginFailures.computeIfAbsent(client, c -> new ArrayDeque<>());
    synchronized (times) {
      times.add(now);
      prune(times, now);
      return times.size() >= limits.maxLoginFailures();
    }
  }

  private boolean coolingDown(String client) {
    if (limits.maxLoginFailures() <= 0) {
      return false;
    }
    ArrayDeque<Long> times = loginFailures.get(client);
    if (times == null) {
      return false;
    }
    synchronized (times) {
      prune(times, System.nanoTime());
      if (times.isEmpty()) {
        loginFailures.remove(client, times);
      }
      return times.size() >= limits.maxLoginFailures();
    }
  }

  private void prune(ArrayDeque<Long> times, long now) {
    long window = limits.loginFailureWindowSeconds() * 1_000_000_000L;
    while (!times.isEmpty() && now - times.peekFirst() > window) {
      times.pollFirst();
    }
  }

  /** A reload's limits, for the sessions admitted from now on. */
  public void limits(LimitsConfig newLimits) {
    this.limits = newLimits;
  }

  public LimitsConfig limits() {
    return limits;
  }

  public int openSessions() {
    return sessions.size();
  }

  /** The open sessions, for the operator API. */
  public SessionRegistry sessions() {
    return sessions;
  }

  /** Stops admitting, and asks every session to end once its transfer (if any) is done. */
  public void drain() {
    draining = true;
    sessions.forEach(ControlSession::drain);
  }

  public boolean draining() {
    return draining;
  }

  /** Why a session was refused: metric label and reply text. */
  record Refusal(String reason, String text) {
  }
}
