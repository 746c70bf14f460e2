package org.ftpsgateway.control;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.util.logging.Logger;
import org.ftpsgateway.audit.AuditLog;
import org.ftpsgateway.config.TlsMode;
import org.ftpsgateway.control.command.CommandTable;
import org.ftpsgateway.data.Throttle;
import org.ftpsgateway.data.TokenBucket;
import org.ftpsgateway.data.TransferCoordinator;
import org.ftpsgateway.metrics.GatewayMetrics;
import org.ftpsgateway.protocol.FtpCommand;
import org.ftpsgateway.protocol.FtpReply;

/**
 * One client's FTP session through the gateway. It holds the session's state ({@link SessionState}) and wires its
 * parts: the {@link CommandPipeline} (client commands in order, ABOR out of band), the {@link CommandTable} (the
 * verbs the gateway handles itself, each in a small handler; every other verb passes through verbatim), the
 * {@link SessionUpstream} (dial, route, data ends, relay), the {@link TransferCoordinator} (one transfer at a time),
 * the {@link ClientSecurity} (RFC 4217 on the client side) and the {@link SessionTimers}. Handlers and the
 * transfer coordinator reach the session only through {@link SessionServices}.
 *
 * <p>Threading: the client socket, the upstream control and data sockets and the passive listeners are all
 * created from this session's event loop, so every callback of every part runs on that one thread: no locks, no
 * volatile. Only {@link #drain} is called from elsewhere, through {@link #eventLoopContext}.
 */
public final class ControlSession {

  private static final Logger LOG = Logger.getLogger(ControlSession.class.getName());

  private final ListenerContext context;
  private final NetSocket client;
  private final String id;
  private final String clientAddress;
  /** The client as checked and logged: the socket's peer, or the one a PROXY protocol header named. */
  private final SocketAddress clientPeer;
  /** Where the client connected to (the PROXY header's destination when there was one). */
  private final SocketAddress clientDestination;
  private final long startedNanos = System.nanoTime();
  /** Wall-clock start, for the operator API. */
  private final java.time.Instant since = java.time.Instant.now();

  private final CommandPipeline pipeline;
  private final SessionUpstream upstream;
  private final ClientSecurity security;
  private final SessionTimers timers;
  private final TransferCoordinator transfers;
  private final SessionServices services;

  private SessionState state = SessionState.CONNECTING;
  /** The state a transfer returns to. */
  private SessionState beforeTransfer;
  /** The gateway shuts down: the session ends after the command or transfer in progress. */
  private boolean draining;
  private String user;
  /** The last sign of life while the session waits on the upstream: command sent, or data bytes relayed. */
  private long lastProgressNanos = System.nanoTime();
  private Context eventLoop;

  public ControlSession(ListenerContext context, NetClient upstreamClient, NetSocket client) {
    this(context, upstreamClient, client, client.remoteAddress(), client.localAddress());
  }

  /**
   * A session whose client is {@code peer}, connected to {@code destination}: the addresses a PROXY protocol header
   * carried (listeners[].acceptProxyProtocol), used for allowClients, the limits, the data-connection peer check,
   * the PROXY header upstream and the logs.
   */
  public ControlSession(ListenerContext context, NetClient upstreamClient, NetSocket client, SocketAddress peer,
                        SocketAddress destination) {
    this.context = context;
    this.client = client;
    this.id = context.nextSessionId();
    this.clientPeer = peer;
    this.clientDestination = destination;
    this.clientAddress = peer.host();
    long sessionRate = context.admission().limits().bytesPerSecond();
    Throttle throttle = Throttle.of(sessionRate > 0 ? TokenBucket.perSecond(sessionRate) : null,
        context.bandwidth());
    this.pipeline = new CommandPipeline(this, client);
    this.upstream = new SessionUpstream(this, context, upstreamClient);
    this.security = new ClientSecurity(context, client);
    this.timers = new SessionTimers(this, context.vertx(), context.timeouts());
    this.services = new SessionServices(this, context, client, upstream, security, throttle);
    this.transfers = services.transfers();
  }

  /** The event loop this session runs on (for work handed to it from other threads). */
  Context eventLoopContext() {
    return eventLoop;
  }

  public void start() {
    eventLoop = context.vertx().getOrCreateContext();
    // allowClients first: an address that may not use this listener learns nothing about the limits
    Admission.Refusal refusal = !context.listener().access().allows(clientAddress)
        ? new Admission.Refusal("not_allowed", "Your address is not allowed to use this service.")
        : context.admission().admit(this, clientAddress);
    if (refusal != null) {
      LOG.info(() -> id + " refused " + clientPeer + ": " + refusal.reason());
      context.metrics().rejected(refusal.reason());
      state = SessionState.CLOSED;
      client.write(Buffer.buffer(FtpReply.of(421, refusal.text()).toBytes()));
      client.close();
      return;
    }
    LOG.info(() -> id + " client " + clientPeer + (clientPeer.equals(client.remoteAddress()) ? ""
        : " (by PROXY header from " + client.remoteAddress() + ")") + " connected to listener "
        + context.listener().name());
    context.listenerMetrics().sessionStarted();
    timers.startLogin();
    client.handler(pipeline::onBytes);
    client.closeHandler(v -> close("client_closed", "client closed the control connection"));
    client.exceptionHandler(e -> close("client_closed", "client control connection failed: " + e.getMessage()));
    timers.startIdle();
    if (context.listener().tls() == TlsMode.IMPLICIT) {
      // implicit FTPS: TLS from the first byte, data protected by default
      security.handshake().onComplete(h -> {
        if (h.failed()) {
          clientTlsFailed(h.cause());
          return;
        }
        security.protectData(true);
        connectUpstream();
      });
      return;
    }
    connectUpstream();
  }

  void clientTlsFailed(Throwable cause) {
    LOG.info(() -> id + " client TLS handshake failed from " + clientAddress + ": " + cause.getMessage());
    close("client_tls_failed", "client TLS handshake failed");
  }

  /** Connects the upstream (after a setup slot), then greets the client with the upstream's 220. */
  private void connectUpstream() {
    if (state == SessionState.CLOSED) {
      return;
    }
    upstream.open(eventLoop).onComplete(ar -> {
      if (ar.failed()) {
        upstreamFailed(ar.cause().getMessage());
        return;
      }
      state = SessionState.AWAITING_LOGIN;
      timers.startLogin();
      reply(ar.result().greeting());
      pipeline.pump();
    });
  }

  /** Handles one client command, in its turn: the verb's handler from the table, or the pass-through. */
  void dispatch(FtpCommand command) {
    LOG.fine(() -> id + " > " + command.forLog());
    lastProgressNanos = System.nanoTime();
    if (state == SessionState.AWAITING_LOGIN && !state.allows(command.verb())
        && CommandTable.intercepts(command.verb())) {
      // a verb the gateway would act on itself (open a data port, dial the upstream's) is not the client's business
      // before login: 530 as the upstream would say (RFC 959 §5.4), not a data-connection error of our own making.
      // Verbs passed through verbatim keep the upstream's own answer.
      reply(FtpReply.of(530, "Please login with USER and PASS."));
      done();
      return;
    }
    CommandTable.handler(command.verb()).handle(command, services);
  }

  /** ABOR while a transfer runs (RFC 959 §4.1.3), from the pipeline: completes once the ABOR has its reply. */
  Future<Void> abortTransfer() {
    return transfers.abort();
  }

  void done() {
    pipeline.finished();
    next();
  }

  /** An ABOR sent out of band has its final reply: the commands behind it may go. */
  void abortAnswered() {
    next();
  }

  /** Takes the next command, or ends a draining session once nothing is in flight any more. */
  private void next() {
    if (draining && !transfers.active() && !pipeline.busy()) {
      reply(FtpReply.of(421, "Service shutting down, closing control connection."));
      close("shutdown", "gateway shutting down");
      return;
    }
    pipeline.pump();
  }

  /** Shutdown: end now if nothing is in flight, else right after the current command or transfer. */
  void drain() {
    if (state == SessionState.CLOSED || draining) {
      return;
    }
    draining = true;
    if (!pipeline.busy() && !transfers.active()) {
      reply(FtpReply.of(421, "Service shutting down, closing control connection."));
      close("shutdown", "gateway shutting down");
    }
  }

  // ---- upstream events ----

  void onUnsolicitedReply(FtpReply r) {
    LOG.info(() -> id + " upstream sent an unsolicited reply: " + r);
    reply(r);
    if (r.code() == 421) {
      close("upstream_closed", "upstream closed the session (421)");
    }
  }

  void onUpstreamClosed(String reason) {
    if (state == SessionState.CLOSED) {
      return;
    }
    fatal(reason);
  }

  void fatal(String reason) {
    LOG.warning(() -> id + " " + reason);
    if (transfers.active()) {
      // the transfer in flight is answered first (RFC 959: 426 for a transfer cut short), then the session
      reply(FtpReply.of(426, "Connection closed; transfer aborted: " + reason));
    }
    reply(FtpReply.of(421, "Service not available, closing control connection: " + reason));
    close("upstream_closed", reason);
  }

  void upstreamFailed(String reason) {
    if (state == SessionState.CLOSED) {
      return;
    }
    LOG.warning(() -> id + " upstream setup failed: " + reason);
    reply(FtpReply.of(421, reason.startsWith(UpstreamConnector.CERTIFICATE_REJECTED)
        ? reason : "Service not available: " + reason));
    close("upstream_failed", "upstream setup failed");
  }

  // ---- output and lifecycle ----

  void reply(FtpReply r) {
    if (state == SessionState.CLOSED) {
      return;
    }
    LOG.fine(() -> id + " < " + r);
    client.write(Buffer.buffer(r.toBytes()));
  }

  /**
   * The operator asked to end this session (operator API): a transfer in flight is answered 426 (RFC 959: transfer
   * cut short) and audited as failed, then the client gets 421 (RFC 959 §4.2: the service closes the connection).
   */
  void closeByOperator() {
    if (state == SessionState.CLOSED) {
      return;
    }
    LOG.info(() -> id + " closed by the operator");
    if (transfers.active()) {
      reply(FtpReply.of(426, "Connection closed; transfer aborted: session closed by the operator."));
    }
    reply(FtpReply.of(421, "Session closed by the operator, closing control connection."));
    close("closed_by_operator", "closed by the operator");
  }

  /** This session as the operator API shows it. Call on the session's event loop. */
  SessionRegistry.Info info() {
    TransferCoordinator.Running running = transfers.running();
    long down = transfers.bytesDown();
    long up = transfers.bytesUp();
    if (running != null) {
      // the counters hold finished transfers; the one in flight adds what it moved so far
      if (running.download()) {
        down += running.bytes();
      } else {
        up += running.bytes();
      }
    }
    return new SessionRegistry.Info(id, context.listener().name(), clientPeer.host() + ":" + clientPeer.port(),
        user == null ? null : FtpCommand.printable(user), upstream.where(), since, down, up, running);
  }

  /** Ends the session once; {@code outcome} is the metric label, {@code reason} the log text. */
  void close(String outcome, String reason) {
    if (state == SessionState.CLOSED) {
      return;
    }
    state = SessionState.CLOSED;
    context.listenerMetrics().sessionEnded(outcome);
    context.admission().leave(this, clientAddress);
    upstream.leaveSetupQueue();
    timers.cancel();
    pipeline.clear();
    transfers.endWithSession(reason);
    services.closePrepared();
    upstream.close();
    client.close();
    audit("session")
        .with("upstreamName", upstream.poolName()).with("tls", upstream.tlsDescription())
        .with("upstreamVerify", upstream.insecure() ? "INSECURE" : null)
        .with("transfers", transfers.transfers()).with("bytesDown", transfers.bytesDown())
        .with("bytesUp", transfers.bytesUp())
        .with("ms", (System.nanoTime() - startedNanos) / 1_000_000)
        .with("outcome", outcome).with("reason", reason)
        .log();
  }

  AuditLog.Event audit(String name) {
    return context.audit().event(name)
        .with("listener", context.listener().name()).with("session", id).with("client", clientAddress)
        .with("user", FtpCommand.printable(user)).with("upstream", upstream.where());
  }

  // ---- read by the parts ----

  SessionState state() {
    return state;
  }

  boolean closed() {
    return state == SessionState.CLOSED;
  }

  boolean loggedIn() {
    return state == SessionState.LOGGED_IN
        || (state == SessionState.TRANSFERRING && beforeTransfer == SessionState.LOGGED_IN);
  }

  /** Still waiting for a setup slot (limits.maxConcurrentSetups). */
  boolean waitingForSetupSlot() {
    return upstream.waitingForSetupSlot();
  }

  /** A command or transfer waits on the upstream: the stall check applies instead of the idle timeout. */
  boolean waitingOnUpstream() {
    return transfers.active() || pipeline.busy();
  }

  long lastActivityNanos() {
    return pipeline.lastActivityNanos();
  }

  /** The last sign of life from the upstream side: a command sent, data relayed, or a reply. */
  long lastProgressNanos() {
    return Math.max(lastProgressNanos, upstream.lastReplyNanos(lastProgressNanos));
  }

  TransferCoordinator transfers() {
    return transfers;
  }

  SocketAddress clientPeer() {
    return clientPeer;
  }

  SocketAddress clientDestination() {
    return clientDestination;
  }

  /** Before USER is routed elsewhere: a data connection prepared against the old upstream goes. */
  Future<Void> closePrepared() {
    return services.closePrepared();
  }

  String clientAddress() {
    return clientAddress;
  }

  String user() {
    return user;
  }

  void user(String name) {
    this.user = name;
  }

  String id() {
    return id;
  }

  GatewayMetrics metrics() {
    return context.metrics();
  }

  /** The upstream accepted the login (230): the session is logged in, the login timeout is over. */
  void loginSucceeded() {
    LOG.info(() -> id + " user " + FtpCommand.printable(user) + " logged in");
    context.metrics().login(true);
    if (state == SessionState.AWAITING_LOGIN) {
      state = SessionState.LOGGED_IN;
    }
    timers.stopLogin();
  }

  /** The upstream refused a PASS; true when the client's address has now failed too often (limits). */
  boolean loginFailed() {
    LOG.info(() -> id + " login failed for user " + FtpCommand.printable(user));
    context.metrics().login(false);
    return context.admission().loginFailed(clientAddress);
  }

  /** A transfer began or ended: TRANSFERRING, then back to the state before it. */
  void transferring(boolean active) {
    if (active && state != SessionState.TRANSFERRING && state != SessionState.CLOSED) {
      beforeTransfer = state;
      state = SessionState.TRANSFERRING;
    } else if (!active && state == SessionState.TRANSFERRING) {
      state = beforeTransfer;
    }
  }

  /** Data moved or a command went upstream: the stall check starts again. */
  void progress() {
    lastProgressNanos = System.nanoTime();
  }
}
