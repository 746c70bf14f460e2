package org.ftpsgateway.control;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.util.function.UnaryOperator;
import org.ftpsgateway.audit.AuditLog;
import org.ftpsgateway.config.ListenerConfig;
import org.ftpsgateway.config.TimeoutsConfig;
import org.ftpsgateway.control.command.Session;
import org.ftpsgateway.data.Direction;
import org.ftpsgateway.data.PassivePortPool;
import org.ftpsgateway.data.PreparedData;
import org.ftpsgateway.data.Throttle;
import org.ftpsgateway.data.Transfer;
import org.ftpsgateway.data.TransferCoordinator;
import org.ftpsgateway.tls.UploadTickets;
import org.ftpsgateway.data.UpstreamEnd;
import org.ftpsgateway.metrics.GatewayMetrics;
import org.ftpsgateway.protocol.FtpCommand;
import org.ftpsgateway.protocol.FtpReply;

/**
 * What the command handlers ({@link Session}) and the transfer coordinator ({@link TransferCoordinator.Session}) may
 * ask of one session, answered from its parts: the {@link ControlSession} (state, replies, the end), its
 * {@link SessionUpstream} and its {@link ClientSecurity}. It also holds the data connection prepared by
 * PASV/EPSV/PORT/EPRT for the next transfer.
 *
 * <p>Threading: like the whole session, used only on the session's event loop.
 */
final class SessionServices implements Session, TransferCoordinator.Session {

  private final ControlSession session;
  private final ListenerContext context;
  private final NetSocket client;
  private final SessionUpstream upstream;
  private final ClientSecurity security;
  private final TransferCoordinator transfers;
  /** EPSV ALL was sent (RFC 2428 §4). */
  private boolean epsvAll;
  private PreparedData prepared;

  SessionServices(ControlSession session, ListenerContext context, NetSocket client, SessionUpstream upstream,
                  ClientSecurity security, Throttle throttle) {
    this.session = session;
    this.context = context;
    this.client = client;
    this.upstream = upstream;
    this.security = security;
    this.transfers = new TransferCoordinator(context.vertx(), this,
        context.timeouts().dataConnectSeconds() * 1000L, throttle);
  }

  TransferCoordinator transfers() {
    return transfers;
  }

  // ---- both ----

  @Override
  public String id() {
    return session.id();
  }

  @Override
  public void reply(FtpReply reply) {
    session.reply(reply);
  }

  @Override
  public void done() {
    session.done();
  }

  @Override
  public boolean closed() {
    return session.closed();
  }

  // ---- Session: what command handlers ask ----

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
  public void close(String outcome, String reason) {
    session.close(outcome, reason);
  }

  @Override
  public void fatal(String reason) {
    session.fatal(reason);
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
      // on failure the upstream is gone: the session answers the client and ends (ControlSession.onUpstreamClosed)
    });
  }

  @Override
  public Future<FtpCommand> routeUser(FtpCommand userCommand) {
    return upstream.route(userCommand);
  }

  @Override
  public void upstreamFailed(String reason) {
    session.upstreamFailed(reason);
  }

  @Override
  public Future<Boolean> secureUpstreamAfterLogin() {
    return upstream.secureAfterLogin();
  }

  @Override
  public boolean loggedIn() {
    return session.loggedIn();
  }

  @Override
  public void user(String name) {
    session.user(name);
  }

  @Override
  public String user() {
    return session.user();
  }

  @Override
  public void loginSucceeded() {
    session.loginSucceeded();
  }

  @Override
  public boolean loginFailed() {
    return session.loginFailed();
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
        session.clientTlsFailed(h.cause());
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
    return session.clientAddress();
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
  public SocketAddress destination() {
    return session.clientDestination();
  }

  @Override
  public org.ftpsgateway.data.ConnectionPrelude dataPrelude() {
    return context.dataPrelude();
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
  public Future<Void> closePrepared() {
    if (prepared == null) {
      return Future.succeededFuture();
    }
    PreparedData data = prepared;
    prepared = null;
    return data.close();
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
  public Future<FtpReply> abortUpstream() {
    return upstream.abortTransfer();
  }

  @Override
  public void transferring(boolean active) {
    session.transferring(active);
  }

  @Override
  public void progress() {
    session.progress();
  }

  @Override
  public Future<Transfer.ClientData> connectUpstream(UpstreamEnd end) {
    return upstream.connectData(end);
  }

  @Override
  public UploadTickets uploadTickets() {
    return upstream.uploadTickets();
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
  public AuditLog.Event audit(String name) {
    return session.audit(name);
  }

  @Override
  public boolean digestFiles() {
    return context.audit().sha256();
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
