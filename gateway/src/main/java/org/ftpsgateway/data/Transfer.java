package org.ftpsgateway.data;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * One data transfer: waits until both data connections exist (the client's and the upstream's, in either
 * order), relays, and releases everything on every path (success, failure, ABOR, timeout). Runs on the control
 * session's event loop.
 */
public final class Transfer {

  private final Vertx vertx;
  private final LongConsumer byteCounter;
  private final Throttle throttle;
  private final UploadTickets tickets;
  private final Future<ClientData> clientReady;
  private String clientFailure;
  private final Direction direction;
  private final ClientDataChannel clientSide;
  private final Future<ClientData> upstreamSide;
  private final Promise<Long> done = Promise.promise();
  private final long timer;
  private DataRelay relay;
  /** audit.sha256: the content's digest, updated by the relay; null when not asked for. */
  private ContentDigest digest;
  private boolean clientConnected;
  private String abortReason;

  /**
   * @param timeoutMillis how long both connections together may take to be established
   */
  /** A data connection ready for the relay, with what it already delivered (decrypted) during set-up. */
  public record ClientData(NetSocket socket, EarlyData early) {
  }

  public Transfer(Vertx vertx, Direction direction, ClientDataChannel clientSide, Future<ClientData> upstreamSide,
                  long timeoutMillis, LongConsumer byteCounter) {
    this(vertx, direction, clientSide, upstreamSide, timeoutMillis, byteCounter,
        s -> Future.succeededFuture(new ClientData(s, EarlyData.capture(s))));
  }

  /**
   * @param prepareClient turns the raw client data connection into one ready to relay (TLS for PROT P); fails
   *     with a sentence, which starts with an FTP code when the client must get that reply
   */
  public Transfer(Vertx vertx, Direction direction, ClientDataChannel clientSide, Future<ClientData> upstreamSide,
                  long timeoutMillis, LongConsumer byteCounter,
                  Function<NetSocket, Future<ClientData>> prepareClient) {
    this(vertx, direction, clientSide, upstreamSide, timeoutMillis, byteCounter, prepareClient, null);
  }

  /** @param throttle the bandwidth limits of the relay, or null for none */
  public Transfer(Vertx vertx, Direction direction, ClientDataChannel clientSide, Future<ClientData> upstreamSide,
                  long timeoutMillis, LongConsumer byteCounter,
                  Function<NetSocket, Future<ClientData>> prepareClient, Throttle throttle) {
    this(vertx, direction, clientSide, upstreamSide, timeoutMillis, byteCounter, prepareClient, throttle, null);
  }

  /** @param tickets the session's knowledge of its upstream's upload tickets (null: always wait for one) */
  public Transfer(Vertx vertx, Direction direction, ClientDataChannel clientSide, Future<ClientData> upstreamSide,
                  long timeoutMillis, LongConsumer byteCounter,
                  Function<NetSocket, Future<ClientData>> prepareClient, Throttle throttle,
                  UploadTickets tickets) {
    this.throttle = throttle;
    this.tickets = tickets;
    this.clientReady = clientSide.connection().compose(prepareClient);
    this.byteCounter = byteCounter;
    this.vertx = vertx;
    this.direction = direction;
    this.clientSide = clientSide;
    this.upstreamSide = upstreamSide;
    this.timer = vertx.setTimer(timeoutMillis, t -> fail("data connection not established within "
        + (timeoutMillis / 1000) + " s"));
    clientSide.connection().onSuccess(s -> clientConnected = true);
    clientReady.onComplete(ar -> {
      if (ar.succeeded()) {
        if (done.future().isComplete()) {
          ar.result().early().release();
        } else {
          maybeStart();
        }
      } else {
        clientFailure = ar.cause().getMessage();
        fail("client data connection failed: " + ar.cause().getMessage());
      }
    });
    upstreamSide.onComplete(ar -> {
      if (ar.succeeded()) {
        if (done.future().isComplete()) {
          ar.result().early().release();
          DataRelay.reset(ar.result().socket());
        } else {
          maybeStart();
        }
      } else {
        fail("upstream data connection failed: " + ar.cause().getMessage());
      }
    });
    done.future().onComplete(ar -> {
      vertx.cancelTimer(timer);
      clientSide.close();
    });
  }

  public Direction direction() {
    return direction;
  }

  /** Completes with the number of bytes relayed once both data connections are properly closed. */
  public Future<Long> completion() {
    return done.future();
  }

  /** Whether the client's data connection was ever established (tells 425 from 426 on failure). */
  public boolean clientConnected() {
    return clientConnected;
  }

  /** Why the client's data connection could not be used (e.g. "522 ..."), or null. */
  public String clientFailure() {
    return clientFailure;
  }

  public boolean isAborted() {
    return abortReason != null;
  }

  /** Whether the upstream data connection came up (TLS handshake done). */
  public boolean upstreamConnected() {
    return upstreamSide.succeeded();
  }

  public long bytes() {
    return relay != null ? relay.bytes() : 0;
  }

  /** Digests the content as it passes (audit.sha256). Call before the relay starts, i.e. right after construction. */
  public void digest(ContentDigest d) {
    this.digest = d;
  }

  /**
   * The hex SHA-256 of everything relayed, or null when not digested. For a transfer that did not complete it is
   * the digest of the bytes that did pass.
   */
  public String sha256() {
    return digest == null ? null : digest.hex();
  }

  /** The upstream announced the transfer ({@code 150}/{@code 125}). */
  public void begin() {
    if (!done.future().isComplete()) {
      clientSide.begin();
    }
  }

  /** Stops the transfer at once (ABOR, upstream error reply, session end). */
  public void abort(String reason) {
    if (abortReason == null && !done.future().isComplete()) {
      abortReason = reason;
    }
    fail(reason);
  }

  /**
   * Ends a transfer in which nothing moved for too long (a stalled upstream or client). Unlike {@link #abort} this
   * is a failure, not the client's ABOR: a {@code 226} the upstream may still send is not passed on.
   */
  public void timeOut(String reason) {
    fail(reason);
  }

  private void maybeStart() {
    if (relay != null || done.future().isComplete()) {
      return;
    }
    if (!clientReady.succeeded() || !upstreamSide.succeeded()) {
      return;
    }
    vertx.cancelTimer(timer);
    NetSocket c = clientReady.result().socket();
    // what each side delivered while the other was not ready yet: taken now, as the relay takes over
    List<ByteBuf> early = clientReady.result().early().take();
    NetSocket u = upstreamSide.result().socket();
    List<ByteBuf> upstreamEarly = upstreamSide.result().early().take();
    if (direction == Direction.DOWNLOAD) {
      early.forEach(ByteBuf::release);
      relay = DataRelay.start(vertx, u, c, byteCounter, upstreamEarly, u, throttle, tickets, digest);
    } else {
      upstreamEarly.forEach(ByteBuf::release);
      relay = DataRelay.start(vertx, c, u, byteCounter, early, u, throttle, tickets, digest);
    }
    relay.completion().onComplete(ar -> {
      if (ar.succeeded()) {
        done.tryComplete(ar.result());
      } else {
        done.tryFail(ar.cause());
      }
    });
  }

  private void fail(String reason) {
    if (done.future().isComplete()) {
      return;
    }
    if (relay != null) {
      relay.abort(reason);
    } else {
      if (clientReady.succeeded()) {
        clientReady.result().early().release();
      }
      if (upstreamSide.succeeded()) {
        upstreamSide.result().early().release();
        DataRelay.reset(upstreamSide.result().socket());
      }
    }
    done.tryFail(reason);
  }
}
