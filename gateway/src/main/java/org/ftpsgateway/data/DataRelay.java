package org.ftpsgateway.data;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * Copies one transfer's bytes from a source socket to a sink socket with back-pressure (the source is paused
 * while the sink's write queue is full, so a slow reader never makes the gateway buffer a file), then closes
 * both in the order that loses nothing:
 *
 * <ol>
 *   <li>The source ends: the peer closed, or (TLS source) sent {@code close_notify}. vsftpd sends
 *       {@code close_notify} and waits for ours before it replies {@code 226}, so a TLS source counts as ended
 *       at its {@code close_notify}, not at a TCP close that would never come.</li>
 *   <li>The sink is closed after every byte was flushed. A TLS sink (an upload) is closed with a
 *       {@code close_notify} exchange: we send ours and keep reading until the server's arrives, so TLS 1.3 session
 *       tickets the server sends late are consumed instead of turning our close into a RST that would destroy the
 *       tail of the upload (the ProFTPD mod_proxy truncation).</li>
 *   <li>Then the source is closed, and the relay completes with the number of bytes copied.</li>
 * </ol>
 *
 * All callbacks run on the event loop of the control session that owns both sockets.
 */
public final class DataRelay {

  /** How long an upload waits for the server's {@code close_notify} after sending ours. */
  static final long CLOSE_NOTIFY_READ_TIMEOUT_MS = 15_000;

  private final NetSocket source;
  private final NetSocket sink;
  /** The upstream's socket (source or sink), or null: ended with a reset when the relay fails. */
  private final NetSocket upstream;
  private final Promise<Long> done = Promise.promise();
  private long bytes;
  private boolean sourceEnded;
  private boolean closingSink;

  /** Longest wait for the server's new session ticket at the end of a TLS 1.3 upload (observed: 0-6 ms). */
  static final long TICKET_WAIT_NANOS = 2_000_000_000L;

  private final LongConsumer counter;
  private final Vertx vertx;
  /** Tickets the session had received when the relay started, or -1: do not wait for one at the end. */
  private final long ticketsAtStart;
  /** The session's experience with upload tickets, or null (always wait). */
  private final UploadTickets tickets;

  /** audit.sha256, or null: reads each buffer in place before it is handed to the sink (which releases it). */
  private final ContentDigest digest;

  /** Bandwidth limits, or null (unlimited: no accounting at all). */
  private final Throttle throttle;
  /** Reading is stopped until the throttle's debt is paid (the drain handler must not restart it). */
  private boolean throttled;

  private DataRelay(Vertx vertx, NetSocket source, NetSocket sink,
                    LongConsumer counter, NetSocket upstream, Throttle throttle,
                    UploadTickets tickets, ContentDigest digest) {
    this.vertx = vertx;
    this.digest = digest;
    this.throttle = throttle;
    this.tickets = tickets;
    this.source = source;
    this.sink = sink;
    this.upstream = upstream;
    this.counter = counter;
    this.ticketsAtStart = (tickets == null || tickets.expected()) && TicketWatch.needsWait(sink)
        ? TicketWatch.ticketsReceived(sink) : -1;
  }

  /** Starts copying. Both sockets must have reading stopped with {@link ReadGate#stop}. */
  public static DataRelay start(Vertx vertx, NetSocket source, NetSocket sink,
                                LongConsumer counter, List<ByteBuf> earlyFromSource) {
    return start(vertx, source, sink, counter, earlyFromSource, null, null, null, null);
  }

  /**
   * Starts copying within bandwidth limits ({@code throttle} null: unlimited).
   * Both sockets must have reading stopped with {@link ReadGate#stop}.
   *
   * @param upstream the socket of {@code source} and {@code sink} that leads to the upstream server: on failure it
   *     is reset ({@link #reset}) rather than closed, so the server sees an aborted transfer
   * @param digest sees every byte before it is written (audit.sha256), or null
   */
  public static DataRelay start(Vertx vertx, NetSocket source, NetSocket sink,
                                LongConsumer counter, List<ByteBuf> earlyFromSource,
                                NetSocket upstream, Throttle throttle, UploadTickets tickets,
                                ContentDigest digest) {
    DataRelay relay = new DataRelay(vertx, source, sink, counter, upstream, throttle, tickets, digest);
    for (ByteBuf early : earlyFromSource) {
      if (digest != null) {
        digest.update(early);
      }
      relay.bytes += early.readableBytes();
      counter.accept(early.readableBytes());
      if (throttle != null) {
        throttle.take(early.readableBytes());
      }
      ((NetSocketInternal) sink).writeMessage(early);
    }
    relay.run();
    return relay;
  }

  public Future<Long> completion() {
    return done.future();
  }

  public long bytes() {
    return bytes;
  }

  /** Stops at once: both sockets closed, the relay failed with {@code reason}. Used for ABOR and errors. */
  public void abort(String reason) {
    fail(reason);
  }

  /**
   * Largest read from a data connection (Netty's default is 64 KiB). Measured (issue #6, 1 GiB through the gateway
   * to pure-ftpd, async-profiler): most of the relay's CPU is kernel time, and on uploads a third of it was the
   * client socket's reads, each sending a window update; 256 KiB reads cut upload CPU from ~1.27 to ~0.97 s/GB.
   */
  static final int MAX_READ_BYTES = 256 * 1024;
  /**
   * Write queue of the sink above which the source stops being read (low water mark: half). At least two reads,
   * so one read does not stop the source every time; bounds what a slow receiver makes the gateway hold.
   */
  static final int SINK_WRITE_QUEUE_BYTES = 2 * MAX_READ_BYTES;

  /** Read sizing for data connections: immutable, each channel keeps its own adaptive state in a handle. */
  private static final AdaptiveRecvByteBufAllocator BULK_READS =
      new AdaptiveRecvByteBufAllocator(64, 16 * 1024, MAX_READ_BYTES);

  private static void tuneForBulk(NetSocketInternal socket) {
    socket.channelHandlerContext().channel().config().setRecvByteBufAllocator(BULK_READS);
  }

  private void run() {
    NetSocketInternal from = (NetSocketInternal) source;
    NetSocketInternal to = (NetSocketInternal) sink;
    tuneForBulk(from);
    sink.setWriteQueueMaxSize(SINK_WRITE_QUEUE_BYTES);
    // Netty buffers go from one channel to the other as they are: no copy into a Vert.x Buffer. Ownership of
    // each buffer passes to the sink's pipeline, which releases it once written (or failed).
    from.messageHandler(message -> {
      if (!(message instanceof ByteBuf buffer)) {
        ReferenceCountUtil.release(message);
        return;
      }
      if (done.future().isComplete()) {
        buffer.release();
        return;
      }
      int n = buffer.readableBytes();
      bytes += n;
      counter.accept(n);
      if (digest != null) {
        digest.update(buffer);
      }
      to.writeMessage(buffer);
      if (throttle != null) {
        long wait = throttle.take(n);
        if (wait > 0 && !throttled) {
          pauseFor(wait);
        }
      }
      if (sink.writeQueueFull()) {
        ReadGate.stop(source);
      }
    });
    sink.drainHandler(v -> {
      if (!sourceEnded && !throttled) {
        ReadGate.start(source);
      }
    });
    source.endHandler(v -> sourceEnded());
    if (isTls(source)) {
      from.eventHandler(event -> {
        if (event instanceof SslCloseCompletionEvent) {
          // Netty fires this while still unwrapping, and records decoded before it may still sit in the
          // SslHandler (reading may be stopped for back-pressure). Closing the channel makes the decoder hand
          // over everything it holds before the channel goes inactive; the end handler then runs last.
          source.close();
        }
      });
    }
    source.exceptionHandler(e -> fail("source: " + describe(e)));
    sink.exceptionHandler(e -> fail("sink: " + describe(e)));
    sink.closeHandler(v -> {
      if (!closingSink) {
        fail("the receiving side closed its data connection early");
      }
    });
    if (isTls(sink)) {
      to.eventHandler(event -> {
        // The receiver's close_notify before we finished sending: it ended the data connection early and whatever
        // is still in flight is lost. Without this check an upload the upstream cut short with a clean TLS close
        // (and then 226) was reported 226 to the client (issue #8: no partial upload is reported as 226).
        if (event instanceof SslCloseCompletionEvent && !closingSink) {
          fail("the receiving side ended its data connection (TLS close_notify) before all data was sent");
        }
      });
    }
    // the sink delivers nothing in a transfer; read it anyway so a peer's stray bytes or TLS records
    // (session tickets) are consumed, never left unread
    to.messageHandler(ReferenceCountUtil::release);
    ReadGate.start(sink);
    long wait = throttle != null ? throttle.waitNanos() : 0;
    if (wait > 0) {
      pauseFor(wait); // the early bytes already used up the allowance
    } else {
      ReadGate.start(source);
    }
  }

  /**
   * Bandwidth limit: stop reading the source (TCP back-pressure makes the sender wait, nothing is buffered here)
   * and resume from a timer once the bytes already relayed are paid for; never a sleep on the event loop.
   */
  private void pauseFor(long nanos) {
    throttled = true;
    ReadGate.stop(source);
    vertx.setTimer(Math.max(1, (nanos + 999_999) / 1_000_000), t -> {
      if (done.future().isComplete() || sourceEnded) {
        return;
      }
      // a read under way when reading stopped may have added to the debt
      long more = throttle.waitNanos();
      if (more > 0) {
        pauseFor(more);
        return;
      }
      throttled = false;
      if (!sink.writeQueueFull()) {
        ReadGate.start(source);
      }
    });
  }

  private void sourceEnded() {
    if (sourceEnded || done.future().isComplete()) {
      return;
    }
    sourceEnded = true;
    closingSink = true;
    if (ticketsAtStart >= 0) {
      awaitNewTicket(System.nanoTime() + TICKET_WAIT_NANOS);
      return;
    }
    closeSink();
  }

  /**
   * TLS 1.3 with OpenSSL: vsftpd sends a new session ticket after each upload, and BoringSSL drops tickets that
   * arrive once we started the shutdown. This wait (brief, bounded) was the remedy against vsftpd's 522 when each
   * ticket could be used once; since the session offers its newest ticket again (tls.TicketReuse) a lost one no
   * longer leaves it without, and the wait only keeps the ticket fresh (measured with it, see FACTS).
   */
  private void awaitNewTicket(long deadlineNanos) {
    if (done.future().isComplete()) {
      return;
    }
    if (TicketWatch.ticketsReceived(sink) <= ticketsAtStart) {
      if (System.nanoTime() < deadlineNanos) {
        vertx.setTimer(1, t -> awaitNewTicket(deadlineNanos));
        return;
      }
      if (tickets != null) {
        tickets.noneCame();
      }
    } else if (tickets != null) {
      tickets.came();
    }
    closeSink();
  }

  private void closeSink() {
    SslHandler ssl = sslHandler(sink);
    if (ssl != null) {
      ssl.setCloseNotifyReadTimeoutMillis(CLOSE_NOTIFY_READ_TIMEOUT_MS);
    }
    // close() flushes every queued write before the FIN / close_notify (VertxConnection.writeClose)
    sink.close().onComplete(ar -> {
      source.close();
      if (ar.succeeded()) {
        done.tryComplete(bytes);
      } else {
        done.tryFail("closing the receiving side failed: " + describe(ar.cause()));
      }
    });
  }

  private void fail(String reason) {
    if (done.tryFail(reason)) {
      closingSink = true;
      closeFailed(source);
      closeFailed(sink);
    }
  }

  private void closeFailed(NetSocket socket) {
    if (socket == upstream) {
      reset(socket);
    } else {
      socket.close();
    }
  }

  /**
   * Ends a data connection so that its peer cannot mistake it for a complete transfer: no TLS close_notify (which
   * says "end of file" as clearly as a complete transfer's, RFC 8446 §6.1) and a TCP reset (SO_LINGER 0). Used for
   * the upstream side of a failed or aborted transfer (issue #8): a server that got a close_notify in the middle of
   * an upload stored the partial file as complete. Must run on the socket's event loop.
   */
  public static void reset(NetSocket socket) {
    Channel channel = ((NetSocketInternal) socket).channelHandlerContext().channel();
    // linger first: removing the SslHandler fires a close event on which a relay may close the socket at once
    if (channel.isActive()) {
      channel.config().setOption(ChannelOption.SO_LINGER, 0);
    }
    SslHandler ssl = channel.pipeline().get(SslHandler.class);
    if (ssl != null) {
      // out of the pipeline before the close: closing through the SslHandler would send close_notify
      channel.pipeline().remove(ssl);
    }
    socket.close();
  }

  static boolean isTls(NetSocket socket) {
    return sslHandler(socket) != null;
  }

  static SslHandler sslHandler(NetSocket socket) {
    if (socket instanceof NetSocketInternal internal) {
      return internal.channelHandlerContext().pipeline().get(SslHandler.class);
    }
    return null;
  }

  private static String describe(Throwable e) {
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
