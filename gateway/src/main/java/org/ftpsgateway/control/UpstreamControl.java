package org.ftpsgateway.control;

import io.netty.handler.ssl.SslHandler;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.ftpsgateway.protocol.AbortReplies;
import org.ftpsgateway.protocol.FtpProtocolException;
import org.ftpsgateway.protocol.FtpReply;
import org.ftpsgateway.protocol.FtpReplyDecoder;

/**
 * The control connection to the upstream server. Commands go out in order and each waits for its final reply
 * (RFC 959 §4.2: one final reply per command, preceded by any number of 1xx), so replies are matched to commands
 * first-in first-out; that is also what lets {@code ABOR} be sent while a transfer command still waits for its
 * reply. A reply nobody waits for (a {@code 421} timeout notice) goes to the unsolicited handler.
 */
final class UpstreamControl {

  private record Pending(Promise<FtpReply> promise, Handler<FtpReply> preliminary, AbortPair pair) {
    Pending(Promise<FtpReply> promise, Handler<FtpReply> preliminary) {
      this(promise, preliminary, null);
    }
  }

  /** A transfer command and the ABOR sent for it: their final replies, gathered until the marker NOOP's 200. */
  private static final class AbortPair {
    final Promise<FtpReply> abor = Promise.promise();
    final List<FtpReply> finals = new ArrayList<>();
    boolean markerSent;
  }

  private final NetSocket socket;
  private final FtpReplyDecoder decoder = new FtpReplyDecoder();
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private Handler<FtpReply> unsolicited = r -> { };
  private Handler<String> closed = reason -> { };
  private boolean isClosed;
  private X509Certificate serverCertificate;
  private long bytesIn;
  private long bytesOut;
  private long lastReplyNanos = System.nanoTime();

  private final LongConsumer bytesInCounter;
  private final LongConsumer bytesOutCounter;

  UpstreamControl(NetSocket socket, LongConsumer bytesIn, LongConsumer bytesOut) {
    this.socket = socket;
    this.bytesInCounter = bytesIn;
    this.bytesOutCounter = bytesOut;
    socket.handler(this::onBytes);
    socket.closeHandler(v -> onClosed("the upstream server closed the control connection"));
    socket.exceptionHandler(e -> onClosed("upstream control connection failed: " + UpstreamConnector.describeTls(e)));
  }

  /**
   * Ends TLS on this connection but keeps the TCP connection (after {@code CCC}): sends close_notify, waits for the
   * server's (bounded), then removes the TLS handler so the following bytes are read as plain text.
   */
  Future<Void> dropTls() {
    var pipeline = ((NetSocketInternal) socket).channelHandlerContext().pipeline();
    SslHandler ssl = pipeline.get(SslHandler.class);
    if (ssl == null) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    ssl.sslCloseFuture().addListener(f -> pipeline.channel().eventLoop().execute(() -> {
      if (pipeline.get(SslHandler.class) == ssl) {
        pipeline.remove(ssl);
      }
      done.tryComplete();
    }));
    pipeline.channel().eventLoop().schedule(
        () -> done.tryFail("upstream did not end TLS on the control connection after CCC within 10 s"),
        10, TimeUnit.SECONDS);
    ssl.closeOutbound();
    return done.future();
  }

  NetSocket socket() {
    return socket;
  }

  /** Sends a command line (CRLF included) and completes with its final reply; 1xx replies go to {@code preliminary}. */
  Future<FtpReply> send(byte[] line, Handler<FtpReply> preliminary) {
    if (isClosed) {
      return Future.failedFuture("the upstream control connection is closed");
    }
    Promise<FtpReply> promise = Promise.promise();
    pending.add(new Pending(promise, preliminary));
    bytesOut += line.length;
    bytesOutCounter.accept(line.length);
    socket.write(Buffer.buffer(line));
    return promise.future();
  }

  /**
   * ABOR for the transfer command that waits for its reply (RFC 959 §4.1.3), then NOOP as a marker: servers give the
   * pair two final replies, in either order, or one ({@link AbortReplies}), so the replies up to NOOP's 200 are
   * taken together. The transfer command's future then completes with its reply, the returned one with ABOR's, in
   * that order. NOOP goes only once the first final reply came: pure-ftpd, reading ABOR during an upload, drops
   * what follows it in the same read. When no command waits any more (the transfer's reply came), ABOR goes like
   * any command.
   */
  Future<FtpReply> abortTransfer() {
    if (isClosed || pending.size() != 1) {
      return send("ABOR");
    }
    Pending transfer = pending.poll();
    AbortPair pair = new AbortPair();
    // a 1xx after ABOR is not passed on (pure-ftpd sends its transfer statistics with code 150)
    pending.add(new Pending(transfer.promise(), null, pair));
    write("ABOR\r\n");
    return pair.abor.future();
  }

  private void write(String line) {
    byte[] bytes = line.getBytes(StandardCharsets.ISO_8859_1);
    bytesOut += bytes.length;
    bytesOutCounter.accept(bytes.length);
    socket.write(Buffer.buffer(bytes));
  }

  Future<FtpReply> send(String line) {
    return send((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1), null);
  }

  /** Waits for a reply without sending anything (the greeting). */
  Future<FtpReply> expectReply() {
    Promise<FtpReply> promise = Promise.promise();
    pending.add(new Pending(promise, null));
    return promise.future();
  }

  /** The certificate the server presented on this connection; data connections must present the same. */
  X509Certificate serverCertificate() {
    return serverCertificate;
  }

  void serverCertificate(X509Certificate certificate) {
    this.serverCertificate = certificate;
  }

  void unsolicitedHandler(Handler<FtpReply> handler) {
    this.unsolicited = handler;
  }

  /** Called once when the connection is gone, with the reason. */
  void closedHandler(Handler<String> handler) {
    this.closed = handler;
  }

  boolean isClosed() {
    return isClosed;
  }

  long bytesIn() {
    return bytesIn;
  }

  long bytesOut() {
    return bytesOut;
  }

  Future<Void> close() {
    isClosed = true;
    return socket.close();
  }

  private void onBytes(Buffer buffer) {
    bytesIn += buffer.length();
    bytesInCounter.accept(buffer.length());
    byte[] bytes = buffer.getBytes();
    try {
      decoder.feed(bytes, this::onReply);
    } catch (FtpProtocolException e) {
      onClosed("upstream sent an invalid reply: " + e.getMessage());
      socket.close();
    }
  }

  /** When the last reply (preliminary or final) arrived: the upstream is alive and answering. */
  long lastReplyNanos() {
    return lastReplyNanos;
  }

  private void onReply(FtpReply reply) {
    lastReplyNanos = System.nanoTime();
    Pending p = pending.peek();
    if (p == null) {
      unsolicited.handle(reply);
      return;
    }
    if (reply.isPreliminary()) {
      if (p.preliminary() != null) {
        p.preliminary().handle(reply);
      }
      return;
    }
    AbortPair pair = p.pair();
    if (pair != null && !(pair.markerSent && reply.code() == 200)) {
      pair.finals.add(reply);
      if (!pair.markerSent) {
        pair.markerSent = true;
        write("NOOP\r\n");
      }
      return;
    }
    pending.poll();
    if (pair != null) {
      // NOOP's 200: what came before it belongs to the transfer command and its ABOR
      AbortReplies.Sorted sorted = AbortReplies.sort(pair.finals);
      p.promise().complete(sorted.transfer());
      pair.abor.complete(sorted.abor());
      return;
    }
    p.promise().complete(reply);
  }

  private void onClosed(String reason) {
    if (isClosed && pending.isEmpty()) {
      return;
    }
    boolean first = !isClosed;
    isClosed = true;
    Pending p;
    while ((p = pending.poll()) != null) {
      p.promise().tryFail(reason);
      if (p.pair() != null) {
        p.pair().abor.tryFail(reason);
      }
    }
    if (first) {
      closed.handle(reason);
    }
  }
}
