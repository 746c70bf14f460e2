package org.ftpsgateway.control.command;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import java.util.function.UnaryOperator;
import org.ftpsgateway.config.ListenerConfig;
import org.ftpsgateway.config.TimeoutsConfig;
import org.ftpsgateway.data.Direction;
import org.ftpsgateway.data.PassivePortPool;
import org.ftpsgateway.data.PreparedData;
import org.ftpsgateway.data.UpstreamEnd;
import org.ftpsgateway.metrics.GatewayMetrics;
import org.ftpsgateway.protocol.FtpCommand;
import org.ftpsgateway.protocol.FtpReply;

/**
 * What a command handler may ask of its session (implemented by {@code control.ControlSession}). Every handler runs
 * on the session's event loop, and so does every future returned here: a handler needs no locks.
 *
 * <p>A handler ends its command exactly once: with {@link #answer} (a local reply), {@link #relay}, or by calling
 * {@link #done} after its last reply; or it ends the session ({@link #close}, {@link #fatal}).
 */
public interface Session {

  /** The session's id, for log lines. */
  String id();

  Vertx vertx();

  ListenerConfig listener();

  TimeoutsConfig timeouts();

  GatewayMetrics metrics();

  // ---- replies and the command's end ----

  /** Writes a reply to the client; the command goes on. */
  void reply(FtpReply reply);

  /** The gateway's own final reply: writes it and ends the command. */
  default void answer(int code, String text) {
    reply(FtpReply.of(code, text));
    done();
  }

  /** The current command is answered: take the next. */
  void done();

  /** Ends the session; {@code outcome} is the metric label, {@code reason} the log text. */
  void close(String outcome, String reason);

  /** The upstream side cannot go on: the client gets 421 (and 426 for a transfer in flight) and the session ends. */
  void fatal(String reason);

  /** Whether the session has ended (a late callback then does nothing). */
  boolean closed();

  // ---- upstream ----

  /** Sends a command upstream; its 1xx replies go to {@code preliminary}; the future is its final reply. */
  Future<FtpReply> send(FtpCommand command, Handler<FtpReply> preliminary);

  /** Sends a command upstream and answers the client with its final reply, rewritten. */
  void relay(FtpCommand command, UnaryOperator<FtpReply> rewrite);

  /**
   * Routes a USER command (routes:, USER name@host): completes with the USER line to send, once the session is on
   * the upstream that name routes to. Fails when that upstream cannot be reached.
   */
  Future<FtpCommand> routeUser(FtpCommand user);

  /** Setting up the upstream failed: the client gets 421 and the session ends. */
  void upstreamFailed(String reason);

  /**
   * After the upstream's 230: what the config asks of the upstream session after login (PROT P when it was not
   * possible before, CCC). Completes with whether CCC cleared the control channel.
   */
  Future<Boolean> secureUpstreamAfterLogin();

  // ---- login ----

  /** Whether the session is logged in (SessionState). */
  boolean loggedIn();

  /** The user name the client gave. */
  void user(String name);

  String user();

  /** The upstream accepted the login (230). */
  void loginSucceeded();

  /** The upstream refused a PASS (530); true when the client's address has now failed too often. */
  boolean loginFailed();

  // ---- client-side TLS (RFC 4217) ----

  /** Whether this listener offers TLS to its clients at all. */
  boolean clientTlsOffered();

  /** Whether the client's control connection runs TLS. */
  boolean controlTls();

  /** Writes {@code reply} in clear, then starts the TLS handshake on the control connection (RFC 4217 §4). */
  void startTls(FtpReply reply);

  /** Whether data connections to the client use TLS (PROT P). */
  boolean protectData();

  void protectData(boolean protect);

  // ---- data connections ----

  /** The client's address (as checked: the socket's peer, or the PROXY header's). */
  String clientAddress();

  /** The gateway's address on the client's control connection. */
  SocketAddress localAddress();

  PassivePortPool passivePorts();

  /** Whether EPSV ALL was sent (RFC 2428 §4). */
  boolean epsvAll();

  void epsvAll(boolean all);

  /** Prepares the upstream's end of the next data connection, as upstream.dataMode says. */
  Future<UpstreamEnd> upstreamEnd();

  /** Keeps {@code data} for the next transfer command. */
  void prepare(PreparedData data);

  /** The prepared data connection, taken (null when none). */
  PreparedData takePrepared();

  /** Releases a prepared data connection, if any; completes when its passive port is back in the pool. */
  Future<Void> closePrepared();

  /** Runs a transfer over {@code data}. */
  void startTransfer(FtpCommand command, Direction direction, PreparedData data);
}
