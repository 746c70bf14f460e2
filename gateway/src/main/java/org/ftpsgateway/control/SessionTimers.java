package org.ftpsgateway.control;

import io.vertx.core.Vertx;
import java.util.logging.Logger;
import org.ftpsgateway.config.TimeoutsConfig;
import org.ftpsgateway.protocol.FtpReply;

/**
 * A session's clocks: the login timeout (timeouts.loginSeconds), the idle timeout (timeouts.idleSeconds) and, while
 * the session waits on the upstream, the stall check on the same period.
 *
 * <p>Threading: Vert.x timers fire on the context that set them, here the session's event loop.
 */
final class SessionTimers {

  private static final Logger LOG = Logger.getLogger(ControlSession.class.getName());

  private final ControlSession session;
  private final Vertx vertx;
  private final TimeoutsConfig timeouts;
  private long idleTimer = -1;
  private long loginTimer = -1;

  SessionTimers(ControlSession session, Vertx vertx, TimeoutsConfig timeouts) {
    this.session = session;
    this.vertx = vertx;
    this.timeouts = timeouts;
  }

  /**
   * The login timeout (slowloris): from the connection, covering the wait for a setup slot and the setup, then
   * again from the greeting, since a client cannot log in before it has the 220 (RFC 959 §5.4): a long wait in the
   * setup queue must not eat its login time.
   */
  void startLogin() {
    vertx.cancelTimer(loginTimer);
    int seconds = timeouts.loginSeconds();
    loginTimer = vertx.setTimer(seconds * 1000L, t -> {
      if (session.loggedIn() || session.state() == SessionState.CLOSED) {
        return;
      }
      if (session.waitingForSetupSlot()) {
        // the login timeout also bounds the wait for a setup slot: a client is not kept waiting without a word
        session.metrics().rejected("setup_queue_timeout");
        session.reply(FtpReply.of(421, "Service not available: too many sessions starting at once, no upstream"
            + " connection within " + seconds + " s; try again later."));
        session.close("setup_queue_timeout", "waited " + seconds + " s for an upstream setup slot");
        return;
      }
      session.reply(FtpReply.of(421, "Login timeout (" + seconds + " s), closing control connection."));
      session.close("login_timeout", "no login within " + seconds + " s");
    });
  }

  /** Logged in: the login timeout is over. */
  void stopLogin() {
    vertx.cancelTimer(loginTimer);
  }

  void startIdle() {
    scheduleIdleCheck(timeouts.idleSeconds() * 1000L);
  }

  void cancel() {
    vertx.cancelTimer(loginTimer);
    vertx.cancelTimer(idleTimer);
  }

  private void scheduleIdleCheck(long delayMillis) {
    idleTimer = vertx.setTimer(Math.max(1, delayMillis), t -> {
      if (session.state() == SessionState.CLOSED) {
        return;
      }
      long idleMillis = timeouts.idleSeconds() * 1000L;
      long quietMillis = (System.nanoTime() - session.lastActivityNanos()) / 1_000_000;
      if (session.waitingOnUpstream()) {
        long stalledMillis = (System.nanoTime() - session.lastProgressNanos()) / 1_000_000;
        if (stalledMillis >= idleMillis) {
          stalled(idleMillis);
        } else {
          scheduleIdleCheck(idleMillis - stalledMillis);
        }
      } else if (quietMillis >= idleMillis) {
        LOG.info(() -> session.id() + " idle for " + quietMillis / 1000 + " s, closing");
        session.reply(FtpReply.of(421, "Idle timeout (" + idleMillis / 1000 + " s), closing control connection."));
        session.close("idle_timeout", "idle timeout");
      } else {
        scheduleIdleCheck(idleMillis - quietMillis);
      }
    });
  }

  /**
   * Nothing moved for {@code timeouts.idleSeconds} while the session waited on the upstream (issue #8: a server that
   * stops reading or writing, never opens the data connection, or never sends the completion reply). First the
   * stalled data connections are ended (the upstream sees a reset, a live server answers 426, which the client
   * gets); if the upstream then stays silent for another period, the client gets its transfer's 426 (never 226:
   * the upstream did not confirm) and 421, and the session ends, since its control channel is out of step.
   */
  private void stalled(long idleMillis) {
    long seconds = idleMillis / 1000;
    if (session.transfers().endStalledData(seconds)) {
      session.progress();
      scheduleIdleCheck(idleMillis);
      return;
    }
    String reason = "the upstream did not answer within " + seconds + " s";
    LOG.warning(() -> session.id() + " " + reason + ", closing the session");
    session.transfers().failUnconfirmed(seconds);
    session.reply(FtpReply.of(421, "Service not available, closing control connection: " + reason));
    session.close("upstream_timeout", reason);
  }
}
