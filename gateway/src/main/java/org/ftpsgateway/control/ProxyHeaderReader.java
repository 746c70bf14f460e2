package org.ftpsgateway.control;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import org.ftpsgateway.protocol.ProxyProtocol;

/**
 * Reads the PROXY protocol header (v1 or v2) a load balancer sends first on an accepted connection
 * (listeners[].acceptProxyProtocol). Bounded: at most {@link ProxyProtocol#MAX_HEADER_LENGTH} bytes are waited
 * for, within a timeout. Whatever arrived behind the header (an implicit-TLS ClientHello, a pipelined command) is
 * handed back to be fed in again once the session is in place. Runs on the socket's event loop.
 */
final class ProxyHeaderReader {

  /** The client the header named (the socket's own addresses for LOCAL / UNKNOWN), and what followed it. */
  record Received(SocketAddress peer, SocketAddress destination, ByteBuf rest) {

    /**
     * Feeds the bytes that followed the header in at the head of the pipeline, so they pass a TLS handler the
     * session put there (implicit TLS) before reaching the session.
     */
    void deliverRest(NetSocket socket) {
      if (rest.isReadable()) {
        ((NetSocketInternal) socket).channelHandlerContext().pipeline().fireChannelRead(rest);
      } else {
        rest.release();
      }
    }
  }

  private final NetSocket socket;
  private final Promise<Received> result = Promise.promise();
  private final ByteBuf received = Unpooled.buffer(128, ProxyProtocol.MAX_HEADER_LENGTH + 65536);

  private ProxyHeaderReader(NetSocket socket) {
    this.socket = socket;
  }

  /** Fails with a sentence (and closes the socket) on a malformed header, a timeout or an early close. */
  static Future<Received> read(Vertx vertx, NetSocket socket, long timeoutMillis) {
    ProxyHeaderReader reader = new ProxyHeaderReader(socket);
    long timer = vertx.setTimer(timeoutMillis, t -> reader.fail("no PROXY protocol header within "
        + timeoutMillis / 1000 + " s"));
    reader.result.future().onComplete(ar -> vertx.cancelTimer(timer));
    socket.closeHandler(v -> reader.fail("connection closed before the PROXY protocol header was complete"));
    socket.exceptionHandler(e -> reader.fail("connection failed before the PROXY protocol header: "
        + e.getMessage()));
    ((NetSocketInternal) socket).messageHandler(reader::onMessage);
    return reader.result.future();
  }

  private void onMessage(Object message) {
    if (!(message instanceof ByteBuf buffer) || result.future().isComplete()) {
      ReferenceCountUtil.release(message);
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
    // the session installs its own handlers; until then Vert.x's default delivery is back in place
    ((NetSocketInternal) socket).messageHandler(null);
    socket.closeHandler(null);
    socket.exceptionHandler(null);
    ByteBuf rest = received.retainedSlice(header.length(), received.readableBytes() - header.length());
    received.release();
    SocketAddress peer = header.hasAddresses()
        ? SocketAddress.inetSocketAddress(header.source().getPort(), header.source().getAddress().getHostAddress())
        : socket.remoteAddress();
    SocketAddress destination = header.hasAddresses()
        ? SocketAddress.inetSocketAddress(header.destination().getPort(),
            header.destination().getAddress().getHostAddress())
        : socket.localAddress();
    result.complete(new Received(peer, destination, rest));
  }

  private void fail(String reason) {
    if (result.tryFail(reason)) {
      if (received.refCnt() > 0) {
        received.release();
      }
      socket.close();
    }
  }
}
