package org.ftpsgateway.control;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;
import org.ftpsgateway.audit.AuditLog;
import org.ftpsgateway.config.ListenerConfig;
import org.ftpsgateway.config.TimeoutsConfig;
import org.ftpsgateway.config.TlsMode;
import org.ftpsgateway.control.command.CommandTable;
import org.ftpsgateway.control.command.Session;
import org.ftpsgateway.data.Direction;
import org.ftpsgateway.data.PassivePortPool;
import org.ftpsgateway.data.PreparedData;
import org.ftpsgateway.data.Throttle;
import org.ftpsgateway.data.TokenBucket;
import org.ftpsgateway.data.Transfer;
import org.ftpsgateway.data.TransferCoordinator;
import org.ftpsgateway.data.UpstreamEnd;
import org.ftpsgateway.metrics.GatewayMetrics;
import org.ftpsgateway.protocol.FtpCommand;
import org.ftpsgateway.protocol.FtpReply;

/**
 * One client's FTP session through the gateway. It holds the session's state ({@link SessionState}) and wires its
 * parts: the {@link CommandPipeline} (client commands in order, ABOR out of band), the {@link CommandTable} (the
 * verbs the gateway handles itself, each in a small handler; every other verb passes through verbatim), the
 * {@link SessionUpstream} (dial, route, data ends, relay), the {@link TransferCoordinator} (one transfer at a time),
 * the {@link ClientSecurity} (RFC 4217 on the client side) and the {@link SessionTimers}.
 *
 * <p>Threading: the client socket, the upstream control and data sockets and the passive listeners are all
 * created from this session's event loop, so every callback of every part runs on that one thread: no locks, no
 * volatile. Only {@link #drain} is called from elsewhere, through {@link #eventLoopContext}.
 */
public final class ControlSession implements Session, TransferCoordinator.Session {

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

  private final CommandPipeline pipeline;
  private final SessionUpstream upstream;
  private final ClientSecurity security;
  private final SessionTimers timers;
  private final TransferCoordinator transfers;

  private SessionState state = SessionState.CONNECTING;
  /** The state a transfer returns to. */
  private SessionState beforeTransfer;
  /** This session's place in the gateway's setup queue, then its slot; released when the setup ends. */
  private SetupQueue.Ticket setupTicket;
  private boolean setupRunning;
  /** The gateway shuts down: the session ends after the command or transfer in progress. */
  private boolean draining;
  /** EPSV ALL was sent (RFC 2428 §4). */
  private boolean epsvAll;
  private PreparedData prepared;
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
    this.transfers = new TransferCoordinator(context.vertx(), this,
        context.timeouts().dataConnectSeconds() * 1000L, throttle);
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

  private void clientTlsFailed(Throwable cause) {
    LOG.info(() -> id + " client TLS handshake failed from " + clientAddress + ": " + cause.getMessage());
    close("client_tls_failed", "client TLS handshake failed");
  }

  /**
   * Waits for a setup slot (limits.maxConcurrentSetups, shared by the whole gateway), then connects and secures
   * the upstream. The connect timeout runs from when the setup starts, not while it waits; meanwhile the client has
   * no greeting yet (RFC 959 §5.4: it must wait for the 220 before sending commands) and commands it sends anyway
   * are held in order, as during any setup.
   */
  private void connectUpstream() {
    if (state == SessionState.CLOSED) {
      return;
    }
    setupTicket = context.setups().enter(eventLoop);
    if (setupTicket.waiting()) {
      LOG.fine(() -> id + " waiting for an upstream setup slot");
    }
    setupTicket.admitted().onComplete(v -> {
      if (state != SessionState.CLOSED) {
        setUp();
      }
    });
  }

  private void setUp() {
    setupRunning = true;
    upstream.dial(upstream.listenerUpstream()).onComplete(ar -> {
      setupRunning = false;
      setupTicket.release();
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
    if (!state.allows(command.verb())) {
      // not refused here (yet): before login the upstream answers what is not the client's business (530)
      LOG.fine(() -> id + " " + command.verb() + " before login: the upstream decides");
    }
    CommandTable.handler(command.verb()).handle(command, this);
  }

  /** ABOR while a transfer runs (RFC 959 §4.1.3), from the pipeline. */
  void abortTransfer() {
    transfers.abort();
  }

  @Override
  public void done() {
    pipeline.finished();
    if (draining && !transfers.active()) {
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

  @Override
  public void fatal(String reason) {
    LOG.warning(() -> id + " " + reason);
    if (transfers.active()) {
      // the transfer in flight is answered first (RFC 959: 426 for a transfer cut short), then the session
      reply(FtpReply.of(426, "Connection closed; transfer aborted: " + reason));
    }
    reply(FtpReply.of(421, "Service not available, closing control connection: " + reason));
    close("upstream_closed", reason);
  }

  @Override
  public void upstreamFailed(String reason) {
    if (state == SessionState.CLOSED) {
      return;
    }
    LOG.warning(() -> id + " upstream setup failed: " + reason);
    reply(FtpReply.of(421, reason.startsWith(UpstreamConnector.CERTIFICATE_REJECTED)
        ? reason : "Service not available: " + reason));
    close("upstream_failed", "upstream setup failed");
  }

  // ---- output and lifecycle ----

  @Override
  public void reply(FtpReply r) {
    if (state == SessionState.CLOSED) {
      return;
    }
    LOG.fine(() -> id + " < " + r);
    client.write(Buffer.buffer(r.toBytes()));
  }

  /** Ends the session once; {@code outcome} is the metric label, {@code reason} the log text. */
  @Override
  public void close(String outcome, String reason) {
    if (state == SessionState.CLOSED) {
      return;
    }
    state = SessionState.CLOSED;
    context.listenerMetrics().sessionEnded(outcome);
    context.admission().leave(this, clientAddress);
    if (setupTicket != null && !setupRunning) {
      // leaves the queue (or gives back a slot not used yet); a running setup keeps its slot until it ends, so
      // the bound counts every handshake that is actually using CPU
      setupTicket.release();
    }
    timers.cancel();
    pipeline.clear();
    transfers.endWithSession(reason);
    closePrepared();
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

  @Override
  public AuditLog.Event audit(String name) {
    return context.audit().event(name)
        .with("listener", context.listener().name()).with("session", id).with("client", clientAddress)
        .with("user", FtpCommand.printable(user)).with("upstream", upstream.where());
  }

  // ---- read by the parts ----

  SessionState state() {
    return state;
  }

  @Override
  public boolean closed() {
    return state == SessionState.CLOSED;
  }

  @Override
  public boolean loggedIn() {
    return state == SessionState.LOGGED_IN
        || (state == SessionState.TRANSFERRING && beforeTransfer == SessionState.LOGGED_IN);
  }

  /** Still waiting for a setup slot (limits.maxConcurrentSetups). */
  boolean waitingForSetupSlot() {
    return setupTicket != null && setupTicket.waiting();
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

  // ---- Session: what command handlers ask ----

  @Override
  public String id() {
    return id;
  }

  @Override
  public Vertx vertx() {
    return context.vertx();
  }

  @Override
  public ListenerConfig listener() {
    return context.listener();
  }

  @Override
  public TimeoutsConfig timeouts() {
    return context.timeouts();
  }

  @Override
  public GatewayMetrics metrics() {
    return context.metrics();
  }

  @Override
  public Future<FtpReply> send(FtpCommand command, Handler<FtpReply> preliminary) {
    return upstream.send(command.toBytes(), preliminary);
  }

  @Override
  public void relay(FtpCommand command, UnaryOperator<FtpReply> rewrite) {
    upstream.send(command.toBytes(), this::reply).onComplete(ar -> {
      if (ar.succeeded()) {
        reply(rewrite.apply(ar.result()));
        done();
      }
      // on failure the upstream is gone: onUpstreamClosed answers the client and ends the session
    });
  }

  @Override
  public Future<FtpCommand> routeUser(FtpCommand userCommand) {
    return upstream.route(userCommand);
  }

  @Override
  public Future<Boolean> secureUpstreamAfterLogin() {
    return upstream.secureAfterLogin();
  }

  @Override
  public void user(String name) {
    this.user = name;
  }

  @Override
  public String user() {
    return user;
  }

  @Override
  public void loginSucceeded() {
    LOG.info(() -> id + " user " + FtpCommand.printable(user) + " logged in");
    context.metrics().login(true);
    if (state == SessionState.AWAITING_LOGIN) {
      state = SessionState.LOGGED_IN;
    }
    timers.stopLogin();
  }

  @Override
  public boolean loginFailed() {
    LOG.info(() -> id + " login failed for user " + FtpCommand.printable(user));
    context.metrics().login(false);
    return context.admission().loginFailed(clientAddress);
  }

  @Override
  public boolean clientTlsOffered() {
    return security.offered();
  }

  @Override
  public boolean controlTls() {
    return security.controlTls();
  }

  @Override
  public void startTls(FtpReply clearReply) {
    client.write(Buffer.buffer(clearReply.toBytes())).onComplete(w -> security.handshake().onComplete(h -> {
      if (h.failed()) {
        clientTlsFailed(h.cause());
        return;
      }
      done();
    }));
  }

  @Override
  public boolean protectData() {
    return security.protectData();
  }

  @Override
  public void protectData(boolean protect) {
    security.protectData(protect);
  }

  @Override
  public String clientAddress() {
    return clientAddress;
  }

  @Override
  public SocketAddress localAddress() {
    return client.localAddress();
  }

  @Override
  public PassivePortPool passivePorts() {
    return context.passivePorts();
  }

  @Override
  public boolean epsvAll() {
    return epsvAll;
  }

  @Override
  public void epsvAll(boolean all) {
    this.epsvAll = all;
  }

  @Override
  public Future<UpstreamEnd> upstreamEnd() {
    return upstream.dataEnd();
  }

  @Override
  public void prepare(PreparedData data) {
    this.prepared = data;
  }

  @Override
  public PreparedData takePrepared() {
    PreparedData data = prepared;
    prepared = null;
    return data;
  }

  @Override
  public void closePrepared() {
    if (prepared != null) {
      prepared.close();
      prepared = null;
    }
  }

  @Override
  public void startTransfer(FtpCommand command, Direction direction, PreparedData data) {
    transfers.start(command, direction, data);
  }

  // ---- TransferCoordinator.Session: what a transfer asks ----

  @Override
  public Future<FtpReply> send(byte[] line, Handler<FtpReply> preliminary) {
    return upstream.send(line, preliminary);
  }

  @Override
  public void transferring(boolean active) {
    if (active && state != SessionState.TRANSFERRING && state != SessionState.CLOSED) {
      beforeTransfer = state;
      state = SessionState.TRANSFERRING;
    } else if (!active && state == SessionState.TRANSFERRING) {
      state = beforeTransfer;
    }
  }

  @Override
  public void progress() {
    lastProgressNanos = System.nanoTime();
  }

  @Override
  public Future<Transfer.ClientData> connectUpstream(UpstreamEnd end) {
    return upstream.connectData(end);
  }

  @Override
  public Future<Transfer.ClientData> secureClient(NetSocket socket) {
    return security.secureData(socket);
  }

  @Override
  public GatewayMetrics.Listener listenerMetrics() {
    return context.listenerMetrics();
  }

  @Override
  public String lastDataTls() {
    return upstream.lastDataTls();
  }

  @Override
  public boolean lastDataResumed() {
    return upstream.lastDataResumed();
  }
}
