package org.ftpsgateway.control;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.util.logging.Logger;
import org.ftpsgateway.data.ConnectionPrelude;
import org.ftpsgateway.data.ReadGate;
import org.ftpsgateway.protocol.ProxyProtocol;

/**
 * Reads the PROXY protocol header (v1 or v2) a load balancer sends first on every connection it forwards
 * (listeners[].acceptProxyProtocol): control connections and passive data connections alike. Bounded: at most
 * {@link ProxyProtocol#MAX_HEADER_LENGTH} bytes are waited for, within a timeout.
 *
 * <p>A Netty handler at the head of the pipeline: it sees every byte before Vert.x does. Once the header is complete
 * the socket stops reading ({@link ReadGate}); whatever arrived behind the header (an implicit-TLS ClientHello, a
 * pipelined command, the first upload bytes) is held and passed on when reading starts again, one event-loop task
 * later, so that whoever started reading has installed its handlers (a TLS handler goes in front: the held bytes
 * are fed in at the head of the pipeline and pass through it), and before anything else is read from the socket.
 * Runs on the socket's event loop.
 */
final class ProxyHeaderReader extends ChannelDuplexHandler {

  private static final Logger LOG = Logger.getLogger(ProxyHeaderReader.class.getName());

  /** The client the header named (the socket's own addresses for LOCAL / UNKNOWN) and the address it reached. */
  record Received(SocketAddress peer, SocketAddress destination) {
  }

  private final NetSocket socket;
  private final Promise<Received> result = Promise.promise();
  private ByteBuf received = Unpooled.buffer(128, ProxyProtocol.MAX_HEADER_LENGTH + 65536);
  /** What followed the header, until reading starts again. */
  private ByteBuf held;
  private boolean complete;
  private boolean replayScheduled;

  private ProxyHeaderReader(NetSocket socket) {
    this.socket = socket;
  }

  /**
   * The listener's check of a new connection behind a balancer: the connection must come from
   * {@code proxyProtocolFrom} (whoever may send a header may claim any client address) and start with a valid header.
   * A refusal closes the socket, is counted ({@code proxy_protocol_source}, {@code proxy_protocol}) and logged.
   *
   * @param what the connection, for the log ("control connection", "data connection to port 30001")
   */
  static Future<Received> accept(ListenerContext listener, NetSocket socket, String what) {
    String source = socket.remoteAddress().host();
    if (!listener.listener().access().mayProxyFrom(source)) {
      LOG.warning(() -> "listener " + listener.listener().name() + " refused a " + what + " from " + source
          + ": not in proxyProtocolFrom, so it may not send a PROXY protocol header");
      listener.metrics().rejected("proxy_protocol_source");
      socket.close();
      return Future.failedFuture(source + " is not in proxyProtocolFrom");
    }
    return read(listener.vertx(), socket, listener.timeouts().connectSeconds() * 1000L).onFailure(e -> {
      LOG.info(() -> "listener " + listener.listener().name() + " closed a " + what + " from " + source + ": "
          + e.getMessage());
      listener.metrics().rejected("proxy_protocol");
    });
  }

  /** The prelude of a passive data connection on a listener behind a balancer: the peer is the header's client. */
  static ConnectionPrelude dataPrelude(ListenerContext listener) {
    return socket -> accept(listener, socket, "data connection to port " + socket.localAddress().port())
        .map(r -> r.peer().host());
  }

  /**
   * Fails with a sentence (and closes the socket) on a malformed header, a timeout or an early close. On success
   * the socket is not reading: {@link ReadGate#start} passes on what followed the header.
   */
  static Future<Received> read(Vertx vertx, NetSocket socket, long timeoutMillis) {
    ProxyHeaderReader reader = new ProxyHeaderReader(socket);
    long timer = vertx.setTimer(timeoutMillis, t -> reader.fail("no PROXY protocol header within "
        + timeoutMillis / 1000 + " s"));
    reader.result.future().onComplete(ar -> vertx.cancelTimer(timer));
    ChannelPipeline pipeline = ((NetSocketInternal) socket).channelHandlerContext().pipeline();
    pipeline.addFirst("proxy-header", reader);
    return reader.result.future();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object message) {
    if (!(message instanceof ByteBuf buffer) || result.future().isComplete() && !complete) {
      ReferenceCountUtil.release(message);
      return;
    }
    if (complete) {
      // the rest of a read that also completed the header: held with what came before
      held = held == null ? buffer : Unpooled.wrappedBuffer(held, buffer);
      return;
    }
    try {
      if (buffer.readableBytes() > received.maxWritableBytes()) {
        fail("more than " + ProxyProtocol.MAX_HEADER_LENGTH + " bytes without a complete PROXY protocol header");
        return;
      }
      received.writeBytes(buffer);
    } finally {
      buffer.release();
    }
    ProxyProtocol.Header header;
    try {
      byte[] bytes = new byte[Math.min(received.readableBytes(), ProxyProtocol.MAX_HEADER_LENGTH)];
      received.getBytes(0, bytes);
      header = ProxyProtocol.parse(bytes, bytes.length);
    } catch (IllegalArgumentException e) {
      fail(e.getMessage());
      return;
    }
    if (header == null) {
      if (received.readableBytes() >= ProxyProtocol.MAX_HEADER_LENGTH) {
        fail("more than " + ProxyProtocol.MAX_HEADER_LENGTH + " bytes without a complete PROXY protocol header");
      }
      return;
    }
    complete = true;
    ctx.channel().config().setAutoRead(false);
    held = received.retainedSlice(header.length(), received.readableBytes() - header.length());
    received.release();
    received = null;
    SocketAddress peer = header.hasAddresses()
        ? SocketAddress.inetSocketAddress(header.source().getPort(), header.source().getAddress().getHostAddress())
        : socket.remoteAddress();
    SocketAddress destination = header.hasAddresses()
        ? SocketAddress.inetSocketAddress(header.destination().getPort(),
            header.destination().getAddress().getHostAddress())
        : socket.localAddress();
    result.complete(new Received(peer, destination));
  }

  /**
   * Reading starts again (ReadGate.start). One task later, so that the code that started reading (a TLS handshake,
   * the relay) has installed its handlers: pass on what followed the header, step aside, and only then read from the
   * socket, so that nothing read later can overtake those bytes. Read requests meanwhile wait for that task.
   */
  @Override
  public void read(ChannelHandlerContext ctx) {
    if (!complete) {
      ctx.read();
      return;
    }
    if (replayScheduled) {
      return;
    }
    replayScheduled = true;
    ctx.executor().execute(() -> {
      if (ctx.isRemoved()) {
        return; // closed meanwhile: handlerRemoved released the bytes
      }
      ByteBuf rest = held;
      held = null;
      ChannelPipeline pipeline = ctx.pipeline();
      pipeline.remove(this);
      if (rest != null && rest.isReadable() && ctx.channel().isOpen()) {
        pipeline.fireChannelRead(rest);
        pipeline.fireChannelReadComplete();
      } else {
        ReferenceCountUtil.release(rest);
      }
      if (ctx.channel().config().isAutoRead()) {
        ctx.channel().read();
      }
    });
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    fail("connection closed before the PROXY protocol header was complete");
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
    if (!complete) {
      fail("connection failed before the PROXY protocol header: " + cause.getMessage());
      return;
    }
    super.exceptionCaught(ctx, cause);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseBuffers();
  }

  private void fail(String reason) {
    if (result.tryFail(reason)) {
      releaseBuffers();
      socket.close();
    }
  }

  private void releaseBuffers() {
    if (received != null) {
      received.release();
      received = null;
    }
    if (held != null) {
      held.release();
      held = null;
    }
  }
}
