package org.ftpsgateway.control;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.net.ConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Optional;
import java.util.logging.Logger;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.ftpsgateway.config.DataMode;
import org.ftpsgateway.config.UpstreamConfig;
import org.ftpsgateway.data.ClientPassiveListener;
import org.ftpsgateway.data.DataRelay;
import org.ftpsgateway.data.EarlyData;
import org.ftpsgateway.data.ReadGate;
import org.ftpsgateway.data.Transfer;
import org.ftpsgateway.tls.UploadTickets;
import org.ftpsgateway.data.UpstreamEnd;
import org.ftpsgateway.metrics.GatewayMetrics;
import org.ftpsgateway.protocol.Addresses;
import org.ftpsgateway.protocol.DataAddresses;
import org.ftpsgateway.protocol.FtpCommand;
import org.ftpsgateway.protocol.FtpReply;
import org.ftpsgateway.protocol.HostPort;
import org.ftpsgateway.protocol.ProxyProtocol;
import org.ftpsgateway.protocol.UpstreamRefusal;
import org.ftpsgateway.tls.UpstreamTls;
import org.ftpsgateway.upstream.Router;
import org.ftpsgateway.upstream.UpstreamPool;

/**
 * A session's upstream side: dialing (with failover, {@link UpstreamDialer}), routing the USER (and switching to the
 * upstream it routes to), the upstream's security after login, the upstream's end of each data connection (EPSV or
 * PASV, or a listener announced with EPRT or PORT) and its TLS, and the control connection replies travel over.
 *
 * <p>Threading: the upstream control and data connections are made from the session's event loop, so their
 * callbacks run on it too, like everything else of the session: no byte or field crosses threads.
 */
final class SessionUpstream {

  /** The session's logger: operators and tests follow one session under one name. */
  private static final Logger LOG = Logger.getLogger(ControlSession.class.getName());

  private final ControlSession session;
  private final ListenerContext context;
  private final NetClient upstreamClient;
  /** The listener's upstream and the router, as they were when the session started (a reload changes new ones). */
  private final ListenerContext.Routing routing;
  /** The upstream the session is connected to (the listener's, or the one its USER was routed to). */
  private UpstreamPool pool;
  /** The server of it the session is connected to; null until connected. */
  private UpstreamConnector connector;
  /**
   * This session's own TLS context for the server it is connected to: its control and data connections share its
   * session cache. A new one with each upstream connection (routing by user connects again).
   */
  private UpstreamTls.SessionTls tlsContext;
  private UpstreamControl control;
  /** This session's place in the gateway's setup queue, then its slot; released when the setup ends. */
  private SetupQueue.Ticket setupTicket;
  private boolean setupRunning;
  /** PROT P could not be sent before login (the server wants it after USER/PASS): it goes after the 230. */
  private boolean protectionPending;
  private boolean epsvRefused;
  private boolean eprtRefused;
  private boolean lastDataResumed;
  private String lastDataTls;

  SessionUpstream(ControlSession session, ListenerContext context, NetClient upstreamClient) {
    this.session = session;
    this.context = context;
    this.upstreamClient = upstreamClient;
    this.routing = context.routing();
  }

  /**
   * Waits for a setup slot (limits.maxConcurrentSetups, shared by the whole gateway), then connects and secures
   * the listener's upstream. The connect timeout runs from when the setup starts, not while it waits; meanwhile the
   * client has no greeting yet (RFC 959 §5.4: it must wait for the 220 before sending commands) and commands it
   * sends anyway are held in order, as during any setup.
   */
  Future<UpstreamConnector.Connected> open(Context eventLoop) {
    setupTicket = context.setups().enter(eventLoop);
    if (setupTicket.waiting()) {
      LOG.fine(() -> session.id() + " waiting for an upstream setup slot");
    }
    return setupTicket.admitted().compose(v -> {
      if (session.closed()) {
        return Future.failedFuture("session closed");
      }
      setupRunning = true;
      return dial(routing.upstream()).andThen(ar -> {
        setupRunning = false;
        setupTicket.release();
      });
    });
  }

  /** Still waiting for a setup slot. */
  boolean waitingForSetupSlot() {
    return setupTicket != null && setupTicket.waiting();
  }

  /**
   * The session ended: leaves the setup queue (or gives back a slot not used yet); a running setup keeps its slot
   * until it ends, so the bound counts every handshake that is actually using CPU.
   */
  void leaveSetupQueue() {
    if (setupTicket != null && !setupRunning) {
      setupTicket.release();
    }
  }

  /**
   * Connects and secures a server of {@code target} (failover inside) and makes it this session's upstream. Fails
   * when every server failed, or when the session closed meanwhile (the connection is then closed too).
   */
  Future<UpstreamConnector.Connected> dial(UpstreamPool target) {
    return UpstreamDialer.dial(context, upstreamClient, target, this::proxyHeader).compose(dialed -> {
      UpstreamConnector.Connected connected = dialed.connected();
      if (session.state() == SessionState.CLOSED) {
        connected.control().close();
        return Future.failedFuture("session closed");
      }
      pool = target;
      connector = dialed.connector();
      tlsContext = dialed.tls();
      dialed.server().sessionStarted();
      control = connected.control();
      protectionPending = connected.protectionPending();
      epsvRefused = false;
      eprtRefused = false;
      control.unsolicitedHandler(session::onUnsolicitedReply);
      control.closedHandler(session::onUpstreamClosed);
      LOG.info(() -> session.id() + " upstream " + target.name() + " " + connector.where() + " secured in "
          + connected.connectNanos() / 1_000_000 + " ms"
          + (connector.tls().insecure() ? " WITHOUT certificate verification (insecureSkipVerify)" : ""));
      return Future.succeededFuture(connected);
    });
  }

  /**
   * routes: / USER name@host: completes with the USER line for the upstream its name routes to, connecting there
   * first when that is not the upstream the session is on. Only before login: after it the session stays where its
   * files are.
   */
  Future<FtpCommand> route(FtpCommand userCommand) {
    String name = userCommand.argument();
    Router.Decision decision = routing.router().route(name);
    UpstreamPool target = decision.pool() != null ? decision.pool() : routing.upstream();
    // a rewritten name is a configured one, or the part of the client's before '@': both printable, no CR/LF
    FtpCommand command = decision.user().equals(name) ? userCommand : FtpCommand.parse("USER " + decision.user());
    if (decision.reason() != null) {
      LOG.info(() -> session.id() + " user " + FtpCommand.printable(name) + " routed to upstream " + target.name()
          + " by " + decision.reason()
          + (decision.user().equals(name) ? "" : " as " + FtpCommand.printable(decision.user())));
    }
    if (target == pool) {
      return Future.succeededFuture(command);
    }
    return switchTo(target).map(connected -> command);
  }

  /**
   * Leaves the current upstream for {@code target} before the client's USER: the gateway had to connect before it
   * knew the user (it relays the upstream's 220), so the first connection goes and the routed one replaces it. Its
   * greeting stays with the gateway; the client already had one. Only pre-login commands (FEAT, SYST, ...) went over
   * the old connection, so nothing of the session is lost.
   */
  private Future<UpstreamConnector.Connected> switchTo(UpstreamPool target) {
    session.closePrepared(); // a PASV/PORT before USER was prepared against the server being left
    UpstreamControl old = control;
    old.closedHandler(reason -> { });
    old.unsolicitedHandler(r -> { });
    old.send("QUIT").onComplete(ar -> old.close());
    connector.server().sessionEnded();
    control = null;
    connector = null;
    return dial(target);
  }

  /** upstream.proxyProtocol: the header naming this client, or null when none is configured. */
  private byte[] proxyHeader(UpstreamConfig server) {
    ProxyProtocol.Version version = server.proxyProtocol();
    if (version == null) {
      return null;
    }
    SocketAddress peer = session.clientPeer();
    SocketAddress destination = session.clientDestination();
    var source = Addresses.socketAddress(peer.host(), peer.port());
    var target = Addresses.socketAddress(destination.host(), destination.port());
    return source == null || target == null ? ProxyProtocol.local(version)
        : ProxyProtocol.encode(version, source, target);
  }

  Future<FtpReply> send(byte[] line, Handler<FtpReply> preliminary) {
    return control.send(line, preliminary);
  }

  /** ABOR for the transfer in flight, its replies put in the RFC's order (UpstreamControl#abortTransfer). */
  Future<FtpReply> abortTransfer() {
    return control.abortTransfer();
  }

  /**
   * After the upstream's 230, what the config asks of the upstream session: PROT P when the server wanted it after
   * login, then CCC (upstream.tls.ccc). Completes with whether CCC cleared the control channel.
   */
  Future<Boolean> secureAfterLogin() {
    boolean ccc = connector.upstream().tlsOptions().ccc();
    if (!protectionPending && !ccc) {
      return Future.succeededFuture(false);
    }
    Future<Void> protect = protectionPending
        ? UpstreamConnector.protectAfterLogin(control).onSuccess(v -> protectionPending = false)
        : Future.succeededFuture();
    return protect.compose(v -> ccc ? UpstreamConnector.clearControlChannel(control)
            : Future.<Boolean>succeededFuture())
        .onSuccess(cleared -> {
          if (Boolean.TRUE.equals(cleared)) {
            LOG.info(() -> session.id() + " upstream control channel in clear after CCC (data stays protected)");
          }
        });
  }

  // ---- the upstream's end of data connections ----

  /** Prepares the upstream's end of the next data connection, as {@code upstream.dataMode} says. */
  Future<UpstreamEnd> dataEnd() {
    if (connector.upstream().dataMode() == DataMode.ACTIVE) {
      return active();
    }
    return passive().map(address -> new UpstreamEnd(address, null));
  }

  /**
   * Active mode upstream: the gateway listens on the local address of its upstream control connection (the one
   * address the server is known to reach) and announces it with EPRT (RFC 2428 §2), or PORT (RFC 959) when the
   * server does not know EPRT. Only the server's own address may connect (RFC 2577 §3: a third party must not
   * take the data connection).
   */
  private Future<UpstreamEnd> active() {
    String localIp = control.socket().localAddress().host();
    String upstreamIp = control.socket().remoteAddress().host();
    return ClientPassiveListener.open(context.vertx(), pool.activePorts(), localIp, upstreamIp,
            context.timeouts().dataConnectSeconds() * 1000L, () -> context.metrics().rejected("upstream_hijack"))
        .compose(listener -> announceActive(localIp, listener.port())
            .onFailure(e -> listener.close())
            .map(v -> new UpstreamEnd(null, listener)));
  }

  private Future<Void> announceActive(String localIp, int port) {
    String ipv4 = Addresses.ipv4(localIp); // also the IPv4 form of an IPv4-mapped address
    if (eprtRefused) {
      return port(ipv4, port);
    }
    return control.send("EPRT " + DataAddresses.formatEprtArgument(ipv4 != null ? ipv4 : localIp, port))
        .compose(r -> {
          if (r.code() == 200) {
            return Future.succeededFuture();
          }
          // RFC 2428 §2: a server that does not implement EPRT answers 500 or 502
          if (r.code() == 500 || r.code() == 502) {
            eprtRefused = true;
            return port(ipv4, port);
          }
          return Future.failedFuture(UpstreamRefusal.of("EPRT", r));
        });
  }

  private Future<Void> port(String ipv4, int port) {
    if (ipv4 == null) {
      return Future.failedFuture("upstream refused EPRT and PORT cannot name an IPv6 address");
    }
    return control.send("PORT " + DataAddresses.formatPortArgument(ipv4, port)).compose(r -> r.code() == 200
        ? Future.succeededFuture()
        : Future.failedFuture(UpstreamRefusal.of("PORT", r)));
  }

  /**
   * Asks the upstream for a passive data port: EPSV first (RFC 2428), PASV when EPSV is refused. The data
   * connection always goes to the control connection's address: a 227 naming another (private, NATed) address
   * is the classic misconfiguration, and connecting there could be a bounce.
   */
  private Future<HostPort> passive() {
    String upstreamIp = control.socket().remoteAddress().host();
    boolean tryEpsv = connector.upstream().dataMode() == DataMode.EPSV && !epsvRefused;
    if (tryEpsv) {
      return control.send("EPSV").compose(r -> {
        if (r.code() == 229) {
          return DataAddresses.parseEpsvReply(r.text())
              .map(port -> Future.succeededFuture(new HostPort(upstreamIp, port)))
              .orElseGet(() -> Future.failedFuture("upstream sent an unreadable 229 reply: " + r.text()));
        }
        if (r.code() >= 500 && r.code() <= 502) {
          epsvRefused = true;
          return pasv(upstreamIp);
        }
        return Future.failedFuture(UpstreamRefusal.of("EPSV", r));
      });
    }
    return pasv(upstreamIp);
  }

  private Future<HostPort> pasv(String upstreamIp) {
    return control.send("PASV").compose(r -> {
      if (r.code() != 227) {
        return Future.failedFuture(UpstreamRefusal.of("PASV", r));
      }
      Optional<HostPort> hp = DataAddresses.parsePasvReply(r.text());
      if (hp.isEmpty()) {
        return Future.failedFuture("upstream sent an unreadable 227 reply: " + r.text());
      }
      if (!Addresses.sameHost(hp.get().host(), upstreamIp)) {
        LOG.fine(() -> session.id() + " upstream announced " + hp.get().host() + " in 227; using the control address "
            + upstreamIp);
      }
      return Future.succeededFuture(new HostPort(upstreamIp, hp.get().port()));
    });
  }

  /** The upstream's data connection for a transfer: connected to its address, or accepted by its listener. */
  Future<Transfer.ClientData> connectData(UpstreamEnd end) {
    return end.listener() != null ? secureData(end.listener().connection()) : connectData(end.address());
  }

  /**
   * The TLS data connection to the upstream. Connected to the data address, but with the control connection's
   * host and port as the TLS peer, the same options and the same SNI name: the client session cache then resumes
   * the control connection's session, which vsftpd ({@code require_ssl_reuse}) and ProFTPD require.
   */
  private Future<Transfer.ClientData> connectData(HostPort address) {
    ConnectOptions options = new ConnectOptions()
        .setRemoteAddress(SocketAddress.inetSocketAddress(address.port(), address.host()))
        .setTimeout(context.timeouts().connectSeconds() * 1000);
    return secureData(upstreamClient.connect(options));
  }

  /**
   * TLS in the client role on an upstream data connection, whichever side opened it (RFC 4217 §7: the FTP client
   * is the TLS client of the data connection; in active mode the server connects and is still the TLS server),
   * with this session's TLS context so the control connection's session is resumed.
   */
  private Future<Transfer.ClientData> secureData(Future<NetSocket> connection) {
    X509Certificate expected = control.serverCertificate();
    long started = System.nanoTime();
    long startedMillis = System.currentTimeMillis();
    // keep what arrives right behind the handshake (a server may send data at once): the capture is in place
    // before the handshake starts, reading stops as soon as it is done
    EarlyData[] early = new EarlyData[1];
    return connection.compose(socket -> {
      // until the relay takes over: a reset during the handshake (the transfer may have failed meanwhile) fails the
      // handshake future; without a handler Vert.x would also log it as an unhandled error
      socket.exceptionHandler(e -> LOG.fine(() -> session.id() + " upstream data connection: " + e.getMessage()));
      early[0] = EarlyData.capture(socket);
      // an accepted connection arrives with reading stopped; the handshake needs it
      ReadGate.start(socket);
      return connector.tls().secure(socket, tlsContext)
          .onSuccess(tlsSession -> ReadGate.stop(socket))
          .onFailure(e -> {
            early[0].release();
            socket.close();
          })
          .map(tlsSession -> socket);
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
          Certificate presented = socket.peerCertificates().get(0);
          LOG.warning(() -> session.id() + " refused the upstream data connection from " + socket.remoteAddress()
              + ": the upstream presented a different certificate on the data connection ("
              + describeCertificate(presented) + ") than on the control connection ("
              + describeCertificate(expected) + ")");
          early[0].release();
          DataRelay.reset(socket);
          return Future.failedFuture("upstream presented a different certificate on the data connection");
        }
      } catch (SSLPeerUnverifiedException e) {
        early[0].release();
        socket.close();
        return Future.failedFuture("upstream data connection is not authenticated: " + e.getMessage());
      }
      return Future.succeededFuture(new Transfer.ClientData(socket, early[0]));
    });
  }

  private static String describeCertificate(Certificate c) {
    String subject = c instanceof X509Certificate x ? x.getSubjectX500Principal().getName() : "?";
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(c.getEncoded());
      return subject + ", SHA-256 " + HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    } catch (GeneralSecurityException e) {
      return subject;
    }
  }

  // ---- what the session reads ----

  /** The TLS of the last data connection (protocol and cipher), null when it failed. */
  String lastDataTls() {
    return lastDataTls;
  }

  boolean lastDataResumed() {
    return lastDataResumed;
  }

  /** When the upstream last sent a reply; {@code otherwise} when there is no upstream connection. */
  long lastReplyNanos(long otherwise) {
    return control != null ? control.lastReplyNanos() : otherwise;
  }

  /** The server for the audit log; null before any upstream was connected. */
  String where() {
    return connector == null ? null : connector.where();
  }

  String poolName() {
    return pool != null ? pool.name() : null;
  }

  boolean insecure() {
    return connector != null && connector.tls().insecure();
  }

  /** What the connected server does with TLS 1.3 tickets on uploads (shared by its sessions); null before any. */
  UploadTickets uploadTickets() {
    return connector != null ? connector.tls().uploadTickets() : null;
  }

  /** The control connection's TLS (protocol and cipher), null before any connection. */
  String tlsDescription() {
    return control != null ? UpstreamTls.describe(control.socket()) : null;
  }

  /** Closes the control connection and gives the server its session back. */
  void close() {
    if (control != null) {
      control.close();
    }
    if (connector != null) {
      connector.server().sessionEnded();
    }
  }
}
