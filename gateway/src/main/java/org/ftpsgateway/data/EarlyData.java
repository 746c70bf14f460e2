package org.ftpsgateway.data;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps what a data connection delivers while it is being set up (a TLS client may send upload bytes in the
 * same segment as its last handshake message), so nothing is dropped before the relay takes over. Bounded: the
 * socket stops reading once the handshake is done, so only what one read produced can land here.
 */
public final class EarlyData {

  private final List<ByteBuf> buffers = new ArrayList<>();

  private EarlyData() {
  }

  public static EarlyData capture(NetSocket socket) {
    EarlyData early = new EarlyData();
    ((NetSocketInternal) socket).messageHandler(message -> {
      if (message instanceof ByteBuf buffer) {
        early.buffers.add(buffer);
      } else {
        ReferenceCountUtil.release(message);
      }
    });
    return early;
  }

  /** The buffers, handed over (the caller releases or writes them). */
  public List<ByteBuf> take() {
    List<ByteBuf> out = new ArrayList<>(buffers);
    buffers.clear();
    return out;
  }

  public void release() {
    buffers.forEach(ByteBuf::release);
    buffers.clear();
  }
}
