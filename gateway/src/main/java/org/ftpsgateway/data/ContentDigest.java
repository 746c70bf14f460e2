package org.ftpsgateway.data;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The SHA-256 of a transfer's content (audit.sha256), fed by the relay with each buffer as it passes. The buffer is
 * read where it lies (its NIO views, or its backing array): nothing is copied and its reader index is not moved, so
 * the same buffer then goes to the sink unchanged. Used on the session's event loop only.
 */
public final class ContentDigest {

  private final MessageDigest sha256;
  private String hex;

  public ContentDigest() {
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      // every Java SE platform must provide SHA-256 (MessageDigest's class documentation)
      throw new IllegalStateException("SHA-256 not available", e);
    }
  }

  /** Adds the readable bytes of {@code buffer}, leaving it as it was. */
  void update(ByteBuf buffer) {
    int n = buffer.readableBytes();
    if (n == 0) {
      return;
    }
    if (buffer.hasArray()) {
      sha256.update(buffer.array(), buffer.arrayOffset() + buffer.readerIndex(), n);
      return;
    }
    for (ByteBuffer view : buffer.nioBuffers(buffer.readerIndex(), n)) {
      sha256.update(view);
    }
  }

  /** The digest, in lower-case hex; after the first call no more bytes are added. */
  public String hex() {
    if (hex == null) {
      hex = HexFormat.of().formatHex(sha256.digest());
    }
    return hex;
  }
}
