package org.ftpsgateway.data;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;

/**
 * One data transfer: waits until both data connections exist (the client's and the upstream's, in either
 * order), relays, and releases everything on every path (success, failure, ABOR, timeout). Runs on the control
 * session's event loop.
 */
public final class Transfer {

  private final Vertx vertx;
  private final java.util.function.LongConsumer byteCounter;
  private final Direction direction;
  private final ClientDataChannel clientSide;
  private final Future<NetSocket> upstreamSide;
  private final Promise<Long> done = Promise.promise();
  private final long timer;
  private DataRelay relay;
  private boolean clientConnected;
  private String abortReason;

  /**
   * @param timeoutMillis how long both connections together may take to be established
   */
  public Transfer(Vertx vertx, Direction direction, ClientDataChannel clientSide, Future<NetSocket> upstreamSide,
                  long timeoutMillis, java.util.function.LongConsumer byteCounter) {
    this.byteCounter = byteCounter;
    this.vertx = vertx;
    this.direction = direction;
    this.clientSide = clientSide;
    this.upstreamSide = upstreamSide;
    this.timer = vertx.setTimer(timeoutMillis, t -> fail("data connection not established within "
        + (timeoutMillis / 1000) + " s"));
    clientSide.connection().onComplete(ar -> {
      if (ar.succeeded()) {
        clientConnected = true;
        maybeStart();
      } else {
        fail("client data connection failed: " + ar.cause().getMessage());
      }
    });
    upstreamSide.onComplete(ar -> {
      if (ar.succeeded()) {
        if (done.future().isComplete()) {
          ar.result().close();
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

  private void maybeStart() {
    if (relay != null || done.future().isComplete()) {
      return;
    }
    Future<NetSocket> client = clientSide.connection();
    if (!client.succeeded() || !upstreamSide.succeeded()) {
      return;
    }
    vertx.cancelTimer(timer);
    NetSocket c = client.result();
    NetSocket u = upstreamSide.result();
    relay = direction == Direction.DOWNLOAD
        ? DataRelay.start(vertx, u, c, byteCounter) : DataRelay.start(vertx, c, u, byteCounter);
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
    } else if (upstreamSide.succeeded()) {
      upstreamSide.result().close();
    }
    done.tryFail(reason);
  }
}
