package org.ftpsgateway.data;

import io.netty.channel.Channel;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;

/**
 * Stops and restarts reading from a socket at the Netty level (auto-read), instead of {@link NetSocket#pause()}.
 *
 * <p>Why: Vert.x 5.0 keeps the messages of a paused connection in a queue below the {@code NetSocket}; when the
 * peer closes meanwhile, the end of stream is delivered ahead of that queued data, which is then lost. A client
 * that sends a small upload and closes at once lost its tail that way. With auto-read off, nothing is read at
 * all: data and FIN stay in the kernel, in order, until reading restarts.
 *
 * <p>Must be called on the socket's event loop. A read already in progress may still deliver what it read.
 */
public final class ReadGate {

  private ReadGate() {
  }

  public static void stop(NetSocket socket) {
    channel(socket).config().setAutoRead(false);
  }

  public static void start(NetSocket socket) {
    Channel ch = channel(socket);
    if (!ch.config().isAutoRead()) {
      ch.config().setAutoRead(true);
      ch.read();
    }
  }

  private static Channel channel(NetSocket socket) {
    return ((NetSocketInternal) socket).channelHandlerContext().channel();
  }
}
