package org.ftpsgateway.control;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Logger;
import org.ftpsgateway.data.ClientActiveChannel;
import org.ftpsgateway.data.ClientDataChannel;
import org.ftpsgateway.data.ClientPassiveListener;
import org.ftpsgateway.data.Direction;
import org.ftpsgateway.data.ReadGate;
import org.ftpsgateway.data.Throttle;
import org.ftpsgateway.data.TokenBucket;
import org.ftpsgateway.data.Transfer;
import org.ftpsgateway.metrics.GatewayMetrics;
import org.ftpsgateway.tls.UpstreamTls;
import org.ftpsgateway.upstream.Router;
import org.ftpsgateway.upstream.UpstreamPool;
import org.ftpsgateway.protocol.Addresses;
import org.ftpsgateway.protocol.CommandLineDecoder;
import org.ftpsgateway.protocol.DataAddresses;
import org.ftpsgateway.protocol.FtpCommand;
import org.ftpsgateway.protocol.FtpReply;
import org.ftpsgateway.protocol.HostPort;
import org.ftpsgateway.protocol.ProxyProtocol;

/**
 * One client's FTP session through the gateway. Client commands are handled one at a time, in order (a pipelining
 * client gets its replies in order); most are relayed verbatim, a few are the gateway's own business:
 * {@code FEAT} (filtered), {@code PASV}/{@code EPSV}/{@code PORT}/{@code EPRT} (the data connection always runs
 * through the gateway), the transfer verbs, {@code ABOR} (handled at once, even while a transfer is in flight),
 * and the security verbs the plain client side does not offer.
 *
 * <p>Threading: the client socket, the upstream control and data sockets and the passive listeners are all
 * created from this session's event loop, so every callback below runs on that one thread: no locks, no
 * volatile.
 */
public final class ControlSession {

  private static final Logger LOG = Logger.getLogger(ControlSession.class.getName());

  /** Pipelined commands held before the client socket is paused (bounded memory per session). */
  private static final int MAX_QUEUED_COMMANDS = 32;

  private enum State {
    /** Connecting and securing the upstream; client commands are queued. */
    CONNECTING,
    /** Relaying. */
    READY,
    /** Gone; everything released. */
    CLOSED
  }

  /** A client line that is not a command: answered 500 in its turn. */
  private record Invalid(String reason) {
  }

  /** A data connection set up by PASV/EPSV/PORT/EPRT, waiting for its transfer command. */
  private record PreparedData(ClientDataChannel client, UpstreamEnd upstream) {
  }

  /**
   * The upstream's end of the next data connection: an address to connect to (EPSV/PASV upstream), or, with
   * {@code upstream.dataMode: active}, a listener the upstream connects to after EPRT/PORT.
   */
  private record UpstreamEnd(HostPort address, ClientPassiveListener listener) {
    void close() {
      if (listener != null) {
        listener.close();
      }
    }
  }

  private final ListenerContext context;
  private final NetClient upstreamClient;
  private final NetSocket client;
  private final String id;
  private final String clientAddress;
  /** The client as checked and logged: the socket's peer, or the one a PROXY protocol header named. */
  private final SocketAddress clientPeer;
  /** Where the client connected to (the PROXY header's destination when there was one). */
  private final SocketAddress clientDestination;
  private final CommandLineDecoder decoder = new CommandLineDecoder();
  private final ArrayDeque<Object> queue = new ArrayDeque<>();
  /** The listener's upstream and the router, as they were when the session started (a reload changes new ones). */
  private final ListenerContext.Routing routing;
  /** The upstream the session is connected to (the listener's, or the one its USER was routed to). */
  private UpstreamPool upstreamPool;
  /** The server of it the session is connected to; null until connected. */
  private UpstreamConnector connector;
  /**
   * This session's own TLS context for the server it is connected to: its control and data connections share its
   * session cache. A new one with each upstream connection (routing by user connects again).
   */
  private UpstreamTls.SessionTls upstreamTlsContext;
  /** limits.bytesPerSecond of this session and the listener's bytesPerSecond; null when both are unlimited. */
  private final Throttle throttle;
  /** Whether this upstream sends TLS 1.3 tickets when uploads end (learned, see UploadTickets). */
  private final org.ftpsgateway.data.UploadTickets uploadTickets = new org.ftpsgateway.data.UploadTickets();

  private State state = State.CONNECTING;
  private UpstreamControl upstream;
  /** This session's place in the gateway's setup queue, then its slot; released when the setup ends. */
  private SetupQueue.Ticket setupTicket;
  private boolean setupRunning;
  private boolean protectionPending;
  private boolean busy;
  private boolean pumping;
  private boolean epsvRefusedUpstream;
  private boolean eprtRefusedUpstream;
  private boolean epsvAll;
  private PreparedData prepared;
  private Transfer transfer;
  private String user;
  private long lastActivityNanos = System.nanoTime();
  /** The last sign of life while the session waits on the upstream: command sent, or data bytes relayed. */
  private long lastProgressNanos = System.nanoTime();
  private FtpCommand transferCommand;
  private long transferStartedNanos;
  private final long startedNanos = System.nanoTime();
  private int transfers;
  private long bytesDown;
  private long bytesUp;
  private boolean lastDataResumed;
  private String lastDataTls;
  private long idleTimer = -1;
  private long loginTimer = -1;
  private boolean loggedIn;
  private boolean draining;
  private io.vertx.core.Context eventLoop;
  /** The control connection to the client runs TLS (implicit listener, or after AUTH TLS). */
  private boolean controlTls;
  private javax.net.ssl.SSLSession controlSession;
  /**
   * The client-side TLS context of this session, fixed at its first handshake: a certificate reload must not
   * change it under the session, whose data connections resume the control connection's session.
   */
  private io.netty.handler.ssl.SslContext clientTlsContext;

  private io.netty.handler.ssl.SslContext clientTlsContext() {
    if (clientTlsContext == null) {
      clientTlsContext = context.clientTls().current();
    }
    return clientTlsContext;
  }

  /** PROT P in force: client data connections are TLS too. */
  private boolean protectData;

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
    this.upstreamClient = upstreamClient;
    this.client = client;
    this.id = context.nextSessionId();
    this.clientPeer = peer;
    this.clientDestination = destination;
    this.clientAddress = peer.host();
    this.routing = context.routing();
    long sessionRate = context.admission().limits().bytesPerSecond();
    this.throttle = Throttle.of(sessionRate > 0 ? TokenBucket.perSecond(sessionRate) : null, context.bandwidth());
  }

  /** The event loop this session runs on (for work handed to it from other threads). */
  io.vertx.core.Context eventLoopContext() {
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
      state = State.CLOSED;
      client.write(Buffer.buffer(FtpReply.of(421, refusal.text()).toBytes()));
      client.close();
      return;
    }
    LOG.info(() -> id + " client " + clientPeer + (clientPeer.equals(client.remoteAddress()) ? ""
        : " (by PROXY header from " + client.remoteAddress() + ")") + " connected to listener "
        + context.listener().name());
    context.listenerMetrics().sessionStarted();
    startLoginTimer();
    client.handler(this::onClientBytes);
    client.closeHandler(v -> close("client_closed", "client closed the control connection"));
    client.exceptionHandler(e -> close("client_closed", "client control connection failed: " + e.getMessage()));
    scheduleIdleCheck(context.timeouts().idleSeconds() * 1000L);
    if (context.listener().tls() == org.ftpsgateway.config.TlsMode.IMPLICIT) {
      // implicit FTPS: TLS from the first byte, data protected by default
      context.clientTls().secure(client, clientTlsContext()).onComplete(h -> {
        if (h.failed()) {
          LOG.info(() -> id + " client TLS handshake failed from " + clientAddress + ": " + h.cause().getMessage());
          close("client_tls_failed", "client TLS handshake failed");
          return;
        }
        controlTls = true;
        controlSession = h.result();
        protectData = true;
        connectUpstream();
      });
      return;
    }
    connectUpstream();
  }

  /**
   * The login timeout (slowloris): from the connection, covering the wait for a setup slot and the setup, then
   * again from the greeting, since a client cannot log in before it has the 220 (RFC 959 §5.4): a long wait in the
   * setup queue must not eat its login time.
   */
  private void startLoginTimer() {
    context.vertx().cancelTimer(loginTimer);
    loginTimer = context.vertx().setTimer(context.timeouts().loginSeconds() * 1000L, t -> {
      if (loggedIn || state == State.CLOSED) {
        return;
      }
      if (setupTicket != null && setupTicket.waiting()) {
        // the login timeout also bounds the wait for a setup slot: a client is not kept waiting without a word
        context.metrics().rejected("setup_queue_timeout");
        reply(FtpReply.of(421, "Service not available: too many sessions starting at once, no upstream connection"
            + " within " + context.timeouts().loginSeconds() + " s; try again later."));
        close("setup_queue_timeout", "waited " + context.timeouts().loginSeconds() + " s for an upstream setup slot");
        return;
      }
      reply(FtpReply.of(421, "Login timeout (" + context.timeouts().loginSeconds() + " s), closing control"
          + " connection."));
      close("login_timeout", "no login within " + context.timeouts().loginSeconds() + " s");
    });
  }

  /**
   * Waits for a setup slot (limits.maxConcurrentSetups, shared by the whole gateway), then connects and secures
   * the upstream. The connect timeout runs from when the setup starts, not while it waits; meanwhile the client has
   * no greeting yet (RFC 959 §5.4: it must wait for the 220 before sending commands) and commands it sends anyway
   * are held in order, as during any setup.
   */
  private void connectUpstream() {
    if (state == State.CLOSED) {
      return;
    }
    setupTicket = context.setups().enter(eventLoop);
    if (setupTicket.waiting()) {
      LOG.fine(() -> id + " waiting for an upstream setup slot");
    }
    setupTicket.admitted().onComplete(v -> {
      if (state != State.CLOSED) {
        setUp();
      }
    });
  }

  private void setUp() {
    setupRunning = true;
    dial(routing.upstream()).onComplete(ar -> {
      setupRunning = false;
      setupTicket.release();
      if (ar.failed()) {
        upstreamFailed(ar.cause().getMessage());
        return;
      }
      state = State.READY;
      startLoginTimer();
      reply(ar.result().greeting());
      pump();
    });
  }

  /**
   * Connects and secures a server of {@code pool} (failover inside) and makes it this session's upstream. Fails
   * when every server failed, or when the session closed meanwhile (the connection is then closed too).
   */
  private Future<UpstreamConnector.Connected> dial(UpstreamPool pool) {
    return UpstreamDialer.dial(context, upstreamClient, pool, this::upstreamProxyHeader).compose(dialed -> {
      UpstreamConnector.Connected connected = dialed.connected();
      if (state == State.CLOSED) {
        connected.control().close();
        return Future.failedFuture("session closed");
      }
      upstreamPool = pool;
      connector = dialed.connector();
      upstreamTlsContext = dialed.tls();
      dialed.server().sessionStarted();
      upstream = connected.control();
      protectionPending = connected.protectionPending();
      epsvRefusedUpstream = false;
      eprtRefusedUpstream = false;
      upstream.unsolicitedHandler(this::onUnsolicitedReply);
      upstream.closedHandler(this::onUpstreamClosed);
      LOG.info(() -> id + " upstream " + pool.name() + " " + connector.where() + " secured in "
          + connected.connectNanos() / 1_000_000 + " ms"
          + (connector.tls().insecure() ? " WITHOUT certificate verification (insecureSkipVerify)" : ""));
      return Future.succeededFuture(connected);
    });
  }

  private void upstreamFailed(String reason) {
    if (state == State.CLOSED) {
      return;
    }
    LOG.warning(() -> id + " upstream setup failed: " + reason);
    reply(FtpReply.of(421, reason.startsWith(UpstreamConnector.CERTIFICATE_REJECTED)
        ? reason : "Service not available: " + reason));
    close("upstream_failed", "upstream setup failed");
  }

  /**
   * Leaves the current upstream for {@code pool} before the client's USER: the gateway had to connect before it knew
   * the user (it relays the upstream's 220), so the first connection goes and the routed one replaces it. Its
   * greeting stays with the gateway; the client already had one. Only pre-login commands (FEAT, SYST, ...) went over
   * the old connection, so nothing of the session is lost.
   */
  private Future<UpstreamConnector.Connected> switchUpstream(UpstreamPool pool) {
    closePrepared(); // a PASV/PORT before USER was prepared against the server being left
    UpstreamControl old = upstream;
    old.closedHandler(reason -> { });
    old.unsolicitedHandler(r -> { });
    old.send("QUIT").onComplete(ar -> old.close());
    connector.server().sessionEnded();
    upstream = null;
    connector = null;
    return dial(pool);
  }

  /** upstream.proxyProtocol: the header naming this client, or null when none is configured. */
  private byte[] upstreamProxyHeader(org.ftpsgateway.config.UpstreamConfig server) {
    ProxyProtocol.Version version = server.proxyProtocol();
    if (version == null) {
      return null;
    }
    var source = Addresses.socketAddress(clientPeer.host(), clientPeer.port());
    var destination = Addresses.socketAddress(clientDestination.host(), clientDestination.port());
    return source == null || destination == null ? ProxyProtocol.local(version)
        : ProxyProtocol.encode(version, source, destination);
  }

  // ---- client input ----

  private void onClientBytes(Buffer buffer) {
    byte[] bytes = buffer.getBytes();
    decoder.feed(bytes, 0, bytes.length, new CommandLineDecoder.Sink() {
      @Override
      public void line(String line) {
        onClientLine(line);
      }

      @Override
      public void invalid(String reason) {
        enqueue(new Invalid(reason));
      }
    });
  }

  private void onClientLine(String line) {
    lastActivityNanos = System.nanoTime();
    FtpCommand command = FtpCommand.parse(line);
    if (command == null) {
      enqueue(new Invalid("syntax error, command unrecognized"));
      return;
    }
    // RFC 959 §4.1.3: ABOR acts on the transfer in progress, it does not wait its turn behind it
    if (command.verb().equals("ABOR") && transfer != null && state == State.READY) {
      abortTransfer();
      return;
    }
    enqueue(command);
  }

  private void enqueue(Object item) {
    if (state == State.CLOSED) {
      return;
    }
    queue.add(item);
    if (queue.size() >= MAX_QUEUED_COMMANDS) {
      ReadGate.stop(client);
    }
    pump();
  }

  private void pump() {
    if (pumping) {
      return;
    }
    pumping = true;
    try {
      while (state == State.READY && !busy && !queue.isEmpty()) {
        busy = true;
        Object item = queue.poll();
        if (item instanceof Invalid invalid) {
          reply(FtpReply.of(500, invalid.reason()));
          busy = false;
        } else {
          dispatch((FtpCommand) item);
        }
      }
      if (queue.size() < MAX_QUEUED_COMMANDS / 2 && state != State.CLOSED) {
        ReadGate.start(client);
      }
    } finally {
      pumping = false;
    }
  }

  /** The current command is answered; take the next. */
  private void done() {
    busy = false;
    if (draining && transfer == null) {
      reply(FtpReply.of(421, "Service shutting down, closing control connection."));
      close("shutdown", "gateway shutting down");
      return;
    }
    pump();
  }

  /** Shutdown: end now if nothing is in flight, else right after the current command or transfer. */
  void drain() {
    if (state == State.CLOSED || draining) {
      return;
    }
    draining = true;
    if (!busy && transfer == null) {
      reply(FtpReply.of(421, "Service shutting down, closing control connection."));
      close("shutdown", "gateway shutting down");
    }
  }

  private void dispatch(FtpCommand command) {
    LOG.fine(() -> id + " > " + command.forLog());
    lastProgressNanos = System.nanoTime();
    Direction direction = Direction.of(command.verb());
    if (direction != null) {
      startTransfer(command, direction);
      return;
    }
    switch (command.verb()) {
      case "AUTH", "PBSZ", "PROT", "CCC" -> {
        if (context.clientTls() == null) {
          localReply(502, command.verb()
              + " not available: this listener speaks plain FTP (the gateway secures the upstream)");
        } else {
          security(command);
        }
      }
      case "REIN" -> localReply(502, "REIN not supported through the gateway; reconnect instead");
      case "FEAT" -> relay(command, r -> FeatFilter.filter(r, context.clientTls() == null ? java.util.List.of()
          : context.listener().clientTls().allowAuthSsl() ? java.util.List.of("AUTH TLS", "AUTH SSL", "PBSZ", "PROT")
          : java.util.List.of("AUTH TLS", "PBSZ", "PROT")));
      case "PASV" -> passive(command, false);
      case "EPSV" -> passive(command, true);
      case "PORT" -> active(command, false);
      case "EPRT" -> active(command, true);
      case "USER", "PASS" -> login(command);
      case "QUIT" -> quit(command);
      case "ABOR" -> {
        closePrepared();
        relay(command, r -> r);
      }
      default -> relay(command, r -> r);
    }
  }

  // ---- relayed commands ----

  private void relay(FtpCommand command, java.util.function.UnaryOperator<FtpReply> rewrite) {
    upstream.send(command.toBytes(), this::reply).onComplete(ar -> {
      if (ar.succeeded()) {
        reply(rewrite.apply(ar.result()));
        done();
      }
      // on failure the upstream is gone: onUpstreamClosed answers the client and ends the session
    });
  }

  /** RFC 4217 on the client side: AUTH, PBSZ, PROT, CCC. */
  private void security(FtpCommand command) {
    var tlsConfig = context.listener().clientTls();
    String arg = command.argument().strip().toUpperCase(Locale.ROOT);
    switch (command.verb()) {
      case "AUTH" -> {
        if (controlTls) {
          localReply(503, "Already using TLS.");
          return;
        }
        boolean ok = arg.equals("TLS") || arg.equals("TLS-C") || (tlsConfig.allowAuthSsl() && arg.equals("SSL"));
        if (!ok) {
          localReply(504, "AUTH " + arg + " not supported (use AUTH TLS).");
          return;
        }
        // the reply goes out in clear, then the handshake starts (RFC 4217 §4)
        client.write(Buffer.buffer(FtpReply.of(234, "AUTH " + arg + " successful, start the TLS handshake.")
            .toBytes())).onComplete(w -> context.clientTls().secure(client, clientTlsContext()).onComplete(h -> {
              if (h.failed()) {
                LOG.info(() -> id + " client TLS handshake failed from " + clientAddress + ": "
                    + h.cause().getMessage());
                close("client_tls_failed", "client TLS handshake failed");
                return;
              }
              controlTls = true;
              controlSession = h.result();
              done();
            }));
      }
      case "PBSZ" -> {
        if (!controlTls) {
          localReply(503, "PBSZ requires AUTH first.");
        } else {
          localReply(200, "PBSZ=0");
        }
      }
      case "PROT" -> {
        if (!controlTls) {
          localReply(503, "PROT requires AUTH first.");
        } else if (arg.equals("P")) {
          protectData = true;
          localReply(200, "Protection level set to Private.");
        } else if (arg.equals("C")) {
          if (tlsConfig.requireProtectedData()) {
            localReply(534, "Request denied for policy reasons: data connections must be protected.");
          } else {
            protectData = false;
            localReply(200, "Protection level set to Clear.");
          }
        } else if (arg.equals("S") || arg.equals("E")) {
          localReply(536, "Protection level not supported.");
        } else {
          localReply(504, "Unknown protection level.");
        }
      }
      default -> localReply(534, "CCC refused: the control channel stays protected.");
    }
  }

  private void login(FtpCommand command) {
    if (context.clientTls() != null && context.listener().clientTls().requireTls() && !controlTls) {
      localReply(530, "TLS required: send AUTH TLS first.");
      return;
    }
    if (command.verb().equals("USER")) {
      user = command.argument();
      if (!loggedIn) {
        routeUser(command);
        return;
      }
    }
    sendLogin(command);
  }

  /**
   * routes: / USER name@host: sends USER to the upstream its name routes to, connecting there first when that is not
   * the upstream the session is on. Only before login: after it the session stays where its files are.
   */
  private void routeUser(FtpCommand userCommand) {
    String name = userCommand.argument();
    Router.Decision decision = routing.router().route(name);
    UpstreamPool target = decision.pool() != null ? decision.pool() : routing.upstream();
    // a rewritten name is a configured one, or the part of the client's before '@': both printable, no CR/LF
    FtpCommand command = decision.user().equals(name) ? userCommand : FtpCommand.parse("USER " + decision.user());
    if (decision.reason() != null) {
      LOG.info(() -> id + " user " + printable(name) + " routed to upstream " + target.name() + " by "
          + decision.reason() + (decision.user().equals(name) ? "" : " as " + printable(decision.user())));
    }
    if (target == upstreamPool) {
      sendLogin(command);
      return;
    }
    switchUpstream(target).onComplete(ar -> {
      if (ar.failed()) {
        upstreamFailed(ar.cause().getMessage());
        return;
      }
      sendLogin(command);
    });
  }

  private void sendLogin(FtpCommand command) {
    upstream.send(command.toBytes(), this::reply).onComplete(ar -> {
      if (ar.failed()) {
        return;
      }
      FtpReply r = ar.result();
      if (r.code() == 230) {
        LOG.info(() -> id + " user " + printable(user) + " logged in");
        context.metrics().login(true);
        loggedIn = true;
        context.vertx().cancelTimer(loginTimer);
      } else if (command.verb().equals("PASS") && r.code() == 530) {
        LOG.info(() -> id + " login failed for user " + printable(user));
        context.metrics().login(false);
        if (context.admission().loginFailed(clientAddress)) {
          reply(r);
          context.metrics().rejected("login_failures");
          reply(FtpReply.of(421, "Too many failed logins from your address, try again later."));
          close("login_failures", "too many failed logins");
          return;
        }
      }
      boolean ccc = connector.upstream().tlsOptions().ccc();
      if (r.code() == 230 && (protectionPending || ccc)) {
        // the client sees 230 only once the upstream session is what the config asks for
        Future<Void> protect = protectionPending
            ? UpstreamConnector.protectAfterLogin(upstream).onSuccess(v -> protectionPending = false)
            : Future.succeededFuture();
        protect.compose(v -> ccc ? UpstreamConnector.clearControlChannel(upstream) : Future.<Boolean>succeededFuture())
            .onComplete(p -> {
              if (p.succeeded()) {
                if (Boolean.TRUE.equals(p.result())) {
                  LOG.info(() -> id + " upstream control channel in clear after CCC (data stays protected)");
                }
                reply(r);
                done();
              } else {
                fatal(p.cause().getMessage());
              }
            });
        return;
      }
      reply(r);
      done();
    });
  }

  private void quit(FtpCommand command) {
    upstream.send(command.toBytes(), this::reply).onComplete(ar -> {
      reply(ar.succeeded() ? ar.result() : FtpReply.of(221, "Goodbye."));
      close("quit", "client sent QUIT");
    });
  }

  private void localReply(int code, String text) {
    reply(FtpReply.of(code, text));
    done();
  }

  // ---- data connections ----

  private void passive(FtpCommand command, boolean extended) {
    String arg = command.argument().strip();
    boolean clientIpv6 = Addresses.ipv4(client.localAddress().host()) == null;
    if (extended && arg.equalsIgnoreCase("ALL")) {
      // RFC 2428 §4: from now on only EPSV may set up data connections
      epsvAll = true;
      closePrepared();
      localReply(200, "EPSV ALL ok.");
      return;
    }
    if (!extended && epsvAll) {
      localReply(504, "PASV not allowed after EPSV ALL.");
      return;
    }
    if (extended && !arg.isEmpty() && !(arg.equals("1") && !clientIpv6) && !(arg.equals("2") && clientIpv6)) {
      localReply(522, "Network protocol not supported, use (" + (clientIpv6 ? "2" : "1") + ")");
      return;
    }
    String announce = null;
    if (!extended) {
      announce = context.listener().pasvAddress(client.localAddress().host(), clientDestination.host());
      if (announce == null) {
        localReply(425, "PASV needs an IPv4 address; use EPSV on this connection");
        return;
      }
    }
    String announced = announce;
    closePrepared();
    upstreamEnd()
        .compose(up -> ClientPassiveListener.open(context.vertx(), context.passivePorts(),
                client.localAddress().host(), clientAddress, context.timeouts().dataConnectSeconds() * 1000L,
                () -> context.metrics().rejected("hijack"), context.dataPrelude())
            .onFailure(e -> up.close())
            .map(listener -> new PreparedData(listener, up)))
        .onComplete(ar -> {
          if (state == State.CLOSED) {
            if (ar.succeeded()) {
              closeData(ar.result());
            }
            return;
          }
          if (ar.failed()) {
            LOG.warning(() -> id + " passive setup failed: " + ar.cause().getMessage());
            if (String.valueOf(ar.cause().getMessage()).contains("no passive port available")) {
              context.metrics().rejected("passive_ports_exhausted");
            }
            localReply(425, "Can't open data connection: " + ar.cause().getMessage());
            return;
          }
          prepared = ar.result();
          int port = ((ClientPassiveListener) prepared.client()).port();
          if (extended) {
            localReply(229, DataAddresses.formatEpsvReplyText(port));
          } else {
            localReply(227, DataAddresses.formatPasvReplyText(announced, port));
          }
        });
  }

  private void active(FtpCommand command, boolean extended) {
    if (epsvAll) {
      localReply(504, command.verb() + " not allowed after EPSV ALL.");
      return;
    }
    Optional<HostPort> target = extended
        ? DataAddresses.parseEprtArgument(command.argument())
        : DataAddresses.parsePortArgument(command.argument());
    if (target.isEmpty()) {
      if (extended && command.argument().strip().length() > 2 && !command.argument().strip().startsWith("|1|")
          && !command.argument().strip().startsWith("|2|")) {
        localReply(522, "Network protocol not supported, use (1,2)");
      } else {
        localReply(501, "Syntax error in parameters or arguments.");
      }
      return;
    }
    HostPort hp = target.get();
    // RFC 2577 §3 (FTP bounce): data connections go only to the client itself, never to a privileged port
    if (!Addresses.sameHost(hp.host(), clientAddress) && !context.listener().allowForeignActive()) {
      LOG.warning(() -> id + " refused " + command.verb() + " to a third host " + hp + " (client is "
          + clientAddress + ")");
      context.metrics().rejected("bounce");
      localReply(504, "Data connections go only to the client's own address.");
      return;
    }
    if (hp.port() < 1024) {
      context.metrics().rejected("privileged_port");
      localReply(504, "Data connections to privileged ports are refused.");
      return;
    }
    closePrepared();
    String local = client.localAddress().host();
    int timeoutMillis = context.timeouts().dataConnectSeconds() * 1000;
    upstreamEnd().onComplete(ar -> {
      if (state == State.CLOSED) {
        if (ar.succeeded()) {
          ar.result().close();
        }
        return;
      }
      if (ar.failed()) {
        localReply(425, "Can't open data connection: " + ar.cause().getMessage());
        return;
      }
      prepared = new PreparedData(new ClientActiveChannel(context.vertx(), hp, local,
          context.listener().activeSourcePort(), timeoutMillis), ar.result());
      localReply(200, command.verb() + " command successful.");
    });
  }

  /** Prepares the upstream's end of the next data connection, as {@code upstream.dataMode} says. */
  private Future<UpstreamEnd> upstreamEnd() {
    if (connector.upstream().dataMode() == org.ftpsgateway.config.DataMode.ACTIVE) {
      return upstreamActive();
    }
    return upstreamPassive().map(address -> new UpstreamEnd(address, null));
  }

  /**
   * Active mode upstream: the gateway listens on the local address of its upstream control connection (the one
   * address the server is known to reach) and announces it with EPRT (RFC 2428 §2), or PORT (RFC 959) when the
   * server does not know EPRT. Only the server's own address may connect (RFC 2577 §3: a third party must not
   * take the data connection).
   */
  private Future<UpstreamEnd> upstreamActive() {
    String localIp = upstream.socket().localAddress().host();
    String upstreamIp = upstream.socket().remoteAddress().host();
    return ClientPassiveListener.open(context.vertx(), upstreamPool.activePorts(), localIp, upstreamIp,
            context.timeouts().dataConnectSeconds() * 1000L, () -> context.metrics().rejected("upstream_hijack"))
        .compose(listener -> announceActive(localIp, listener.port())
            .onFailure(e -> listener.close())
            .map(v -> new UpstreamEnd(null, listener)));
  }

  private Future<Void> announceActive(String localIp, int port) {
    String ipv4 = Addresses.ipv4(localIp); // also the IPv4 form of an IPv4-mapped address
    if (eprtRefusedUpstream) {
      return portUpstream(ipv4, port);
    }
    return upstream.send("EPRT " + DataAddresses.formatEprtArgument(ipv4 != null ? ipv4 : localIp, port))
        .compose(r -> {
          if (r.code() == 200) {
            return Future.succeededFuture();
          }
          // RFC 2428 §2: a server that does not implement EPRT answers 500 or 502
          if (r.code() == 500 || r.code() == 502) {
            eprtRefusedUpstream = true;
            return portUpstream(ipv4, port);
          }
          return Future.failedFuture("upstream refused EPRT: " + r.text());
        });
  }

  private Future<Void> portUpstream(String ipv4, int port) {
    if (ipv4 == null) {
      return Future.failedFuture("upstream refused EPRT and PORT cannot name an IPv6 address");
    }
    return upstream.send("PORT " + DataAddresses.formatPortArgument(ipv4, port)).compose(r -> r.code() == 200
        ? Future.succeededFuture()
        : Future.failedFuture("upstream refused PORT: " + r.text()));
  }

  /**
   * Asks the upstream for a passive data port: EPSV first (RFC 2428), PASV when EPSV is refused. The data
   * connection always goes to the control connection's address: a 227 naming another (private, NATed) address
   * is the classic misconfiguration, and connecting there could be a bounce.
   */
  private Future<HostPort> upstreamPassive() {
    String upstreamIp = upstream.socket().remoteAddress().host();
    boolean tryEpsv = connector.upstream().dataMode() == org.ftpsgateway.config.DataMode.EPSV && !epsvRefusedUpstream;
    if (tryEpsv) {
      return upstream.send("EPSV").compose(r -> {
        if (r.code() == 229) {
          return DataAddresses.parseEpsvReply(r.text())
              .map(port -> Future.succeededFuture(new HostPort(upstreamIp, port)))
              .orElseGet(() -> Future.failedFuture("upstream sent an unreadable 229 reply: " + r.text()));
        }
        if (r.code() >= 500 && r.code() <= 502) {
          epsvRefusedUpstream = true;
          return pasvUpstream(upstreamIp);
        }
        return Future.failedFuture("upstream refused EPSV: " + r.text());
      });
    }
    return pasvUpstream(upstreamIp);
  }

  private Future<HostPort> pasvUpstream(String upstreamIp) {
    return upstream.send("PASV").compose(r -> {
      if (r.code() != 227) {
        return Future.failedFuture("upstream refused PASV: " + r.text());
      }
      Optional<HostPort> hp = DataAddresses.parsePasvReply(r.text());
      if (hp.isEmpty()) {
        return Future.failedFuture("upstream sent an unreadable 227 reply: " + r.text());
      }
      if (!Addresses.sameHost(hp.get().host(), upstreamIp)) {
        LOG.fine(() -> id + " upstream announced " + hp.get().host() + " in 227; using the control address "
            + upstreamIp);
      }
      return Future.succeededFuture(new HostPort(upstreamIp, hp.get().port()));
    });
  }

  private void startTransfer(FtpCommand command, Direction direction) {
    if (context.clientTls() != null && !protectData && context.listener().clientTls().requireProtectedData()) {
      localReply(521, "Data connections must be encrypted: send PROT P.");
      return;
    }
    if (prepared == null) {
      localReply(425, "Use PASV, EPSV, PORT or EPRT first.");
      return;
    }
    PreparedData data = prepared;
    prepared = null;
    if (data.client().connection().failed()) {
      closeData(data);
      localReply(425, "Can't open data connection: " + data.client().connection().cause().getMessage());
      return;
    }
    Future<Transfer.ClientData> upstreamData = data.upstream().listener() != null
        ? secureUpstreamData(data.upstream().listener().connection())
        : connectUpstreamData(data.upstream().address());
    java.util.function.LongConsumer bytes = direction == Direction.DOWNLOAD
        ? context.listenerMetrics().downloadBytes() : context.listenerMetrics().uploadBytes();
    Transfer t = new Transfer(context.vertx(), direction, data.client(), upstreamData,
        context.timeouts().dataConnectSeconds() * 1000L, n -> {
          bytes.accept(n);
          lastProgressNanos = System.nanoTime();
        },
        protectData ? this::secureClientData
            : s -> Future.succeededFuture(new Transfer.ClientData(s, org.ftpsgateway.data.EarlyData.capture(s))),
        throttle, uploadTickets);
    transfer = t;
    // an upstream listener (active mode) keeps its accepted connection open: it goes when the transfer is over
    t.completion().onComplete(c -> data.upstream().close());
    long started = System.nanoTime();
    transferCommand = command;
    transferStartedNanos = started;
    upstream.send(command.toBytes(), prelim -> {
      if (data.client() instanceof ClientActiveChannel) {
        // active mode: announce the transfer once the connection to the client is up, as vsftpd and ProFTPD do,
        // so a client that cannot be reached (or a source port that cannot be bound) gets a prompt 425 instead
        // of a 150 and then a wait in accept() until its own timeout
        t.begin();
        data.client().connection().onSuccess(s -> reply(prelim));
      } else {
        reply(prelim);
        t.begin();
      }
    }).onComplete(ar -> {
      if (ar.failed()) {
        t.abort("upstream control connection lost");
        if (transfer == t) {
          // not yet accounted for by close(): the audit and the counters still get this failed transfer
          transfer = null;
          logTransfer(command, t, started, "failed: upstream control connection lost");
        }
        return;
      }
      FtpReply r = ar.result();
      if (!r.isPositiveCompletion() || t.isAborted()) {
        // when the client's data connection had already failed (client unreachable, source port not bindable,
        // nobody at the passive port), the upstream's error (426) only follows from closing its side: 425
        String clientFirst = t.isAborted() || t.clientConnected() ? null : t.clientFailure();
        // an error instead of 150 (550 no such file...): drop the pending data connections at once
        t.abort("upstream answered " + r.code());
        transfer = null;
        FtpReply own = clientFailureReply(t);
        reply(own != null ? own : clientFirst != null
            ? FtpReply.of(425, "Can't open data connection: " + clientFirst) : r);
        logTransfer(command, t, started, "upstream " + r.code());
        done();
        return;
      }
      t.begin();
      // RFC 959: the completion reply follows the data; hold it until every byte reached the client (downloads)
      // or the upstream confirmed the close (uploads)
      t.completion().onComplete(c -> {
        transfer = null;
        if (state == State.CLOSED) {
          return;
        }
        if (c.succeeded()) {
          reply(r);
          logTransfer(command, t, started, "ok");
        } else if (t.isAborted()) {
          reply(FtpReply.of(426, "Connection closed; transfer aborted."));
          logTransfer(command, t, started, "aborted");
        } else {
          String reason = c.cause().getMessage();
          reply(failureReply(t, reason));
          logTransfer(command, t, started, "failed: " + reason);
        }
        done();
      });
    });
  }

  /**
   * The TLS data connection to the upstream. Connected to the data address, but with the control connection's
   * host and port as the TLS peer, the same options and the same SNI name: the client session cache then resumes
   * the control connection's session, which vsftpd ({@code require_ssl_reuse}) and ProFTPD require.
   */
  private Future<Transfer.ClientData> connectUpstreamData(HostPort address) {
    ConnectOptions options = new ConnectOptions()
        .setRemoteAddress(SocketAddress.inetSocketAddress(address.port(), address.host()))
        .setTimeout(context.timeouts().connectSeconds() * 1000);
    return secureUpstreamData(upstreamClient.connect(options));
  }

  /**
   * TLS in the client role on an upstream data connection, whichever side opened it (RFC 4217 §7: the FTP client
   * is the TLS client of the data connection; in active mode the server connects and is still the TLS server),
   * with this session's TLS context so the control connection's session is resumed.
   */
  private Future<Transfer.ClientData> secureUpstreamData(Future<NetSocket> connection) {
    java.security.cert.X509Certificate expected = upstream.serverCertificate();
    long started = System.nanoTime();
    long startedMillis = System.currentTimeMillis();
    // keep what arrives right behind the handshake (a server may send data at once): the capture is in place
    // before the handshake starts, reading stops as soon as it is done
    org.ftpsgateway.data.EarlyData[] early = new org.ftpsgateway.data.EarlyData[1];
    return connection.compose(socket -> {
      // until the relay takes over: a reset during the handshake (the transfer may have failed meanwhile) fails the
      // handshake future; without a handler Vert.x would also log it as an unhandled error
      socket.exceptionHandler(e -> LOG.fine(() -> id + " upstream data connection: " + e.getMessage()));
      early[0] = org.ftpsgateway.data.EarlyData.capture(socket);
      // an accepted connection arrives with reading stopped; the handshake needs it
      ReadGate.start(socket);
      return connector.tls().secure(socket, upstreamTlsContext)
          .onSuccess(session -> ReadGate.stop(socket))
          .onFailure(e -> {
            early[0].release();
            socket.close();
          })
          .map(session -> socket);
    }).onComplete(ar -> {
      boolean resumed = ar.succeeded() && UpstreamTls.resumed(ar.result(), startedMillis);
      lastDataResumed = resumed;
      lastDataTls = ar.succeeded() ? UpstreamTls.describe(ar.result()) : null;
      if (ar.succeeded()) {
        context.measureUpstreamTls(ar.result(), connector.tls().openSsl());
      }
      context.metrics().tlsHandshake(GatewayMetrics.SIDE_UPSTREAM, "data", resumed,
          ar.succeeded() ? "ok" : "failed", System.nanoTime() - started);
    }).compose(socket -> {
      // the data connection must come from the server we verified, not from whoever answered on the data port
      try {
        if (expected != null && !expected.equals(socket.peerCertificates().get(0))) {
          java.security.cert.Certificate presented = socket.peerCertificates().get(0);
          LOG.warning(() -> id + " refused the upstream data connection from " + socket.remoteAddress()
              + ": the upstream presented a different certificate on the data connection ("
              + describeCertificate(presented) + ") than on the control connection ("
              + describeCertificate(expected) + ")");
          early[0].release();
          org.ftpsgateway.data.DataRelay.reset(socket);
          return Future.failedFuture("upstream presented a different certificate on the data connection");
        }
      } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
        early[0].release();
        socket.close();
        return Future.failedFuture("upstream data connection is not authenticated: " + e.getMessage());
      }
      return Future.succeededFuture(new Transfer.ClientData(socket, early[0]));
    });
  }

  /**
   * PROT P: the client's data connection gets TLS, the gateway in the server role (RFC 4217 §7: the FTP client is
   * the TLS client, whichever side connected). With requireSessionReuse the session must resume the control
   * connection's, as vsftpd's require_ssl_reuse demands, so a data connection cannot be taken over by a third
   * party that merely reached the port.
   */
  private Future<Transfer.ClientData> secureClientData(NetSocket socket) {
    org.ftpsgateway.data.EarlyData early = org.ftpsgateway.data.EarlyData.capture(socket);
    ReadGate.start(socket);
    return context.clientTls().secure(socket, clientTlsContext()).transform(h -> {
      ReadGate.stop(socket);
      if (h.failed()) {
        early.release();
        socket.close();
        return Future.failedFuture("425 TLS handshake on the data connection failed: " + h.cause().getMessage());
      }
      if (context.listener().clientTls().requireSessionReuse()
          && !org.ftpsgateway.tls.ClientSideTls.resumed(socket, controlSession)) {
        early.release();
        socket.close();
        context.metrics().rejected("tls_session_not_reused");
        return Future.failedFuture("522 SSL connection failed: session reuse required");
      }
      return Future.succeededFuture(new Transfer.ClientData(socket, early));
    });
  }

  private void abortTransfer() {
    Transfer t = transfer;
    LOG.info(() -> id + " client aborted the transfer");
    t.abort("aborted by the client (ABOR)");
    // the upstream answers the transfer command (426) and then ABOR (226), in that order (RFC 959 §4.1.3)
    upstream.send("ABOR").onComplete(ar -> {
      if (ar.succeeded()) {
        reply(ar.result());
      }
    });
  }

  /** The client's reply for a failed transfer: 425 when its data connection never came, else 426. */
  private static FtpReply failureReply(Transfer t, String reason) {
    FtpReply own = clientFailureReply(t);
    return own != null ? own : t.clientConnected()
        ? FtpReply.of(426, "Connection closed; transfer aborted: " + reason)
        : FtpReply.of(425, "Can't open data connection: " + reason);
  }

  /** The reply a client data-connection failure asks for ("522 ..."), or null. */
  private static FtpReply clientFailureReply(Transfer t) {
    String f = t.clientFailure();
    if (f != null && f.length() > 4 && f.charAt(3) == ' ' && Character.isDigit(f.charAt(0))) {
      try {
        return FtpReply.of(Integer.parseInt(f.substring(0, 3)), f.substring(4));
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  private void closePrepared() {
    if (prepared != null) {
      closeData(prepared);
      prepared = null;
    }
  }

  private static void closeData(PreparedData data) {
    data.client().close();
    data.upstream().close();
  }

  private void logTransfer(FtpCommand command, Transfer t, long startedNanos, String outcome) {
    long nanos = System.nanoTime() - startedNanos;
    String metricOutcome = outcome.equals("ok") ? "ok" : outcome.equals("aborted") ? "aborted" : "failed";
    context.listenerMetrics().transfer(command.verb(), metricOutcome, nanos, t.bytes());
    transfers++;
    if (t.direction() == Direction.DOWNLOAD) {
      bytesDown += t.bytes();
    } else {
      bytesUp += t.bytes();
    }
    context.audit().event("transfer")
        .with("listener", context.listener().name()).with("session", id).with("client", clientAddress)
        .with("user", printable(user)).with("upstream", upstreamWhere())
        .with("command", command.verb()).with("path", command.argument())
        .with("direction", t.direction().name().toLowerCase(Locale.ROOT))
        .with("bytes", t.bytes()).with("ms", nanos / 1_000_000)
        .with("tls", t.upstreamConnected() ? lastDataTls : null)
        .with("resumed", t.upstreamConnected() ? lastDataResumed : null)
        .with("outcome", metricOutcome).with("reason", metricOutcome.equals("ok") ? null : outcome)
        .log();
  }

  // ---- upstream events ----

  private void onUnsolicitedReply(FtpReply r) {
    LOG.info(() -> id + " upstream sent an unsolicited reply: " + r);
    reply(r);
    if (r.code() == 421) {
      close("upstream_closed", "upstream closed the session (421)");
    }
  }

  private void onUpstreamClosed(String reason) {
    if (state == State.CLOSED) {
      return;
    }
    fatal(reason);
  }

  private void fatal(String reason) {
    LOG.warning(() -> id + " " + reason);
    if (transfer != null) {
      // the transfer in flight is answered first (RFC 959: 426 for a transfer cut short), then the session
      reply(FtpReply.of(426, "Connection closed; transfer aborted: " + reason));
    }
    reply(FtpReply.of(421, "Service not available, closing control connection: " + reason));
    close("upstream_closed", reason);
  }

  // ---- output and lifecycle ----

  private void reply(FtpReply r) {
    if (state == State.CLOSED) {
      return;
    }
    LOG.fine(() -> id + " < " + r);
    client.write(Buffer.buffer(r.toBytes()));
  }

  private void scheduleIdleCheck(long delayMillis) {
    idleTimer = context.vertx().setTimer(Math.max(1, delayMillis), t -> {
      if (state == State.CLOSED) {
        return;
      }
      long idleMillis = context.timeouts().idleSeconds() * 1000L;
      long quietMillis = (System.nanoTime() - lastActivityNanos) / 1_000_000;
      if (transfer != null || busy) {
        long last = upstream != null ? Math.max(lastProgressNanos, upstream.lastReplyNanos()) : lastProgressNanos;
        long stalledMillis = (System.nanoTime() - last) / 1_000_000;
        if (stalledMillis >= idleMillis) {
          stalled(idleMillis);
        } else {
          scheduleIdleCheck(idleMillis - stalledMillis);
        }
      } else if (quietMillis >= idleMillis) {
        LOG.info(() -> id + " idle for " + quietMillis / 1000 + " s, closing");
        reply(FtpReply.of(421, "Idle timeout (" + idleMillis / 1000 + " s), closing control connection."));
        close("idle_timeout", "idle timeout");
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
    if (transfer != null && !transfer.completion().isComplete()) {
      LOG.warning(() -> id + " transfer stalled: no data moved for " + seconds + " s, ending its data connections");
      transfer.timeOut("transfer stalled: no data moved for " + seconds + " s");
      lastProgressNanos = System.nanoTime();
      scheduleIdleCheck(idleMillis);
      return;
    }
    String reason = "the upstream did not answer within " + seconds + " s";
    LOG.warning(() -> id + " " + reason + ", closing the session");
    if (transfer != null) {
      Transfer t = transfer;
      transfer = null;
      String why = t.completion().failed() ? t.completion().cause().getMessage()
          : "the upstream did not confirm the transfer within " + seconds + " s";
      reply(failureReply(t, why));
      logTransfer(transferCommand, t, transferStartedNanos, "failed: " + why);
    }
    reply(FtpReply.of(421, "Service not available, closing control connection: " + reason));
    close("upstream_timeout", reason);
  }

  /** Ends the session once; {@code outcome} is the metric label, {@code reason} the log text. */
  private void close(String outcome, String reason) {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    context.listenerMetrics().sessionEnded(outcome);
    context.admission().leave(this, clientAddress);
    if (setupTicket != null && !setupRunning) {
      // leaves the queue (or gives back a slot not used yet); a running setup keeps its slot until it ends, so
      // the bound counts every handshake that is actually using CPU
      setupTicket.release();
    }
    context.vertx().cancelTimer(loginTimer);
    context.vertx().cancelTimer(idleTimer);
    queue.clear();
    if (transfer != null) {
      // a transfer in flight ends with the session: it is audited and counted as failed, before the session line
      Transfer t = transfer;
      transfer = null;
      t.abort("session closed: " + reason);
      if (transferCommand != null) {
        logTransfer(transferCommand, t, transferStartedNanos, "failed: session closed: " + reason);
      }
    }
    closePrepared();
    if (upstream != null) {
      upstream.close();
    }
    if (connector != null) {
      connector.server().sessionEnded();
    }
    client.close();
    String tls = upstream != null ? UpstreamTls.describe(upstream.socket()) : null;
    context.audit().event("session")
        .with("listener", context.listener().name()).with("session", id).with("client", clientAddress)
        .with("user", printable(user)).with("upstream", upstreamWhere())
        .with("upstreamName", upstreamPool != null ? upstreamPool.name() : null).with("tls", tls)
        .with("upstreamVerify", connector != null && connector.tls().insecure() ? "INSECURE" : null)
        .with("transfers", transfers).with("bytesDown", bytesDown).with("bytesUp", bytesUp)
        .with("ms", (System.nanoTime() - startedNanos) / 1_000_000)
        .with("outcome", outcome).with("reason", reason)
        .log();
  }

  /** The server for the audit log; null before any upstream was connected. */
  private String upstreamWhere() {
    return connector == null ? null : connector.where();
  }

  private static String describeCertificate(java.security.cert.Certificate c) {
    String subject = c instanceof java.security.cert.X509Certificate x ? x.getSubjectX500Principal().getName() : "?";
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(c.getEncoded());
      return subject + ", SHA-256 " + java.util.HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    } catch (java.security.GeneralSecurityException e) {
      return subject;
    }
  }

  private static String printable(String s) {
    if (s == null) {
      return "-";
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && i < 64; i++) {
      char c = s.charAt(i);
      sb.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return sb.toString();
  }
}
