package org.ftpsgateway.data;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import java.util.Locale;
import java.util.function.LongConsumer;
import java.util.logging.Logger;
import org.ftpsgateway.audit.AuditLog;
import org.ftpsgateway.metrics.GatewayMetrics;
import org.ftpsgateway.protocol.FtpCommand;
import org.ftpsgateway.protocol.FtpReply;
import org.ftpsgateway.protocol.Verbs;
import org.ftpsgateway.tls.UploadTickets;

/**
 * The life of one session's transfers, one at a time: the transfer command goes upstream, the data connections of
 * both sides are set up (the client's as prepared by PASV/EPSV/PORT/EPRT, the upstream's secured by the session),
 * the relay runs, and the two final replies (the upstream's and the client's) are matched: the client gets its
 * completion reply only once every byte arrived (RFC 959 §4.2). Each transfer is counted and audited once.
 *
 * <p>Threading: created by the session and called only on the session's event loop, as are all the futures it
 * waits on (the session's sockets were all made from that loop): no locks, no volatile.
 */
public final class TransferCoordinator {

  private static final Logger LOG = Logger.getLogger(TransferCoordinator.class.getName());

  /** What a transfer needs from its session. Called on the session's event loop. */
  public interface Session {
    /** For log lines. */
    String id();

    /**
     * Sends a command line (CRLF included) upstream; its final reply completes the future, 1xx replies go to
     * {@code preliminary} (none when null).
     */
    Future<FtpReply> send(byte[] line, Handler<FtpReply> preliminary);

    /**
     * Sends ABOR upstream for the transfer command that still waits for its reply; completes with ABOR's reply,
     * after the transfer command's own (the upstream's replies put in RFC 959 order).
     */
    Future<FtpReply> abortUpstream();

    /** Writes a reply to the client (does not end the command). */
    void reply(FtpReply reply);

    /** The current command is answered: take the next. */
    void done();

    /** Whether the session has ended. */
    boolean closed();

    /** A transfer began ({@code true}) or ended: the session's state follows. */
    void transferring(boolean active);

    /** Data moved: the stall timer starts again. */
    void progress();

    /** Connects and secures the upstream's end of the data connection. */
    Future<Transfer.ClientData> connectUpstream(UpstreamEnd end);

    /** Whether the connected upstream server sends TLS 1.3 tickets on upload data connections (learned per server). */
    UploadTickets uploadTickets();

    /** The client's data connection as the relay gets it: TLS after PROT P, else as it is. */
    Future<Transfer.ClientData> secureClient(NetSocket socket);

    /** The per-listener meters. */
    GatewayMetrics.Listener listenerMetrics();

    /** An audit event already naming the listener, session, client, user and upstream. */
    AuditLog.Event audit(String name);

    /** audit.sha256: whether file transfers carry the SHA-256 of their content in the audit line. */
    boolean digestFiles();

    /** The TLS of the last upstream data connection (protocol and cipher), and whether it resumed the session. */
    String lastDataTls();

    boolean lastDataResumed();
  }

  /**
   * The transfer in flight, as the operator API shows it.
   *
   * @param download whether the bytes flow to the client (else from it, or a listing)
   */
  public record Running(String command, String path, long bytes, boolean download) {
  }

  private final Vertx vertx;
  private final Session session;
  private final long dataConnectMillis;
  /** limits.bytesPerSecond of this session and the listener's bytesPerSecond; null when both are unlimited. */
  private final Throttle throttle;

  private Transfer transfer;
  /** Completes once the transfer in flight has its final reply (an ABOR's reply must come after it). */
  private Promise<Void> answered = Promise.promise();
  private FtpCommand command;
  private long startedNanos;
  private int transfers;
  private long bytesDown;
  private long bytesUp;

  public TransferCoordinator(Vertx vertx, Session session, long dataConnectMillis, Throttle throttle) {
    this.vertx = vertx;
    this.session = session;
    this.dataConnectMillis = dataConnectMillis;
    this.throttle = throttle;
  }

  /** Whether a transfer is in flight (from its command until its completion reply). */
  public boolean active() {
    return transfer != null;
  }

  /** The transfer in flight, or null. */
  public Running running() {
    if (transfer == null || command == null) {
      return null;
    }
    return new Running(command.verb(), command.argument(), transfer.bytes(),
        transfer.direction() == Direction.DOWNLOAD);
  }

  public int transfers() {
    return transfers;
  }

  public long bytesDown() {
    return bytesDown;
  }

  public long bytesUp() {
    return bytesUp;
  }

  private void current(Transfer t) {
    if (t != null) {
      answered = Promise.promise();
    }
    transfer = t;
    session.transferring(t != null);
  }

  /** The transfer in flight got its final reply (or the session ended): it is no longer current. */
  private void answered() {
    current(null);
    answered.tryComplete();
  }

  /** Runs {@code command} over {@code data}, prepared by the client's PASV/EPSV/PORT/EPRT. */
  public void start(FtpCommand command, Direction direction, PreparedData data) {
    Future<Transfer.ClientData> upstreamData = session.connectUpstream(data.upstream());
    LongConsumer bytes = direction == Direction.DOWNLOAD
        ? session.listenerMetrics().downloadBytes() : session.listenerMetrics().uploadBytes();
    Transfer t = new Transfer(vertx, direction, data.client(), upstreamData, dataConnectMillis, n -> {
      bytes.accept(n);
      session.progress();
    }, session::secureClient, throttle, session.uploadTickets());
    if (session.digestFiles() && Verbs.FILES.contains(command.verb())) {
      t.digest(new ContentDigest());
    }
    current(t);
    // an upstream listener (active mode) keeps its accepted connection open: it goes when the transfer is over
    t.completion().onComplete(c -> data.upstream().close());
    long started = System.nanoTime();
    this.command = command;
    this.startedNanos = started;
    session.send(command.toBytes(), prelim -> {
      if (data.client() instanceof ClientActiveChannel) {
        // active mode: announce the transfer once the connection to the client is up, as vsftpd and ProFTPD do,
        // so a client that cannot be reached (or a source port that cannot be bound) gets a prompt 425 instead
        // of a 150 and then a wait in accept() until its own timeout
        t.begin();
        data.client().connection().onSuccess(s -> session.reply(prelim));
      } else {
        session.reply(prelim);
        t.begin();
      }
    }).onComplete(ar -> {
      if (ar.failed()) {
        t.abort("upstream control connection lost");
        if (transfer == t) {
          // not yet accounted for by the session's end: the audit and the counters still get this failed transfer
          answered();
          log(command, t, started, "failed: upstream control connection lost");
        }
        return;
      }
      FtpReply r = ar.result();
      if (!r.isPositiveCompletion() || t.isAborted()) {
        // when the client's data connection had already failed (client unreachable, source port not bindable,
        // nobody at the passive port), the upstream's error (426) only follows from closing its side: 425
        String clientFirst = t.isAborted() || t.clientConnected() ? null : t.clientFailure();
        // an error instead of 150 (550 no such file...): drop the pending data connections at once
        t.abort("upstream answered " + r.code());
        FtpReply own = clientFailureReply(t);
        session.reply(own != null ? own : clientFirst != null
            ? FtpReply.of(425, "Can't open data connection: " + clientFirst)
            // ABOR cut the transfer before the upstream's data connection was up: its 425 is about the gateway's
            // own connection; the client, whose connection was open, reads the abort (RFC 959 §4.1.3: 426)
            : r.code() == 425 && t.isAborted() && t.clientConnected()
            ? FtpReply.of(426, "Connection closed; transfer aborted.") : r);
        answered();
        log(command, t, started, "upstream " + r.code());
        session.done();
        return;
      }
      t.begin();
      // RFC 959: the completion reply follows the data; hold it until every byte reached the client (downloads)
      // or the upstream confirmed the close (uploads)
      t.completion().onComplete(c -> {
        if (session.closed()) {
          answered();
          return;
        }
        if (c.succeeded()) {
          session.reply(r);
          log(command, t, started, "ok");
        } else if (t.isAborted()) {
          session.reply(FtpReply.of(426, "Connection closed; transfer aborted."));
          log(command, t, started, "aborted");
        } else {
          String reason = c.cause().getMessage();
          session.reply(failureReply(t, reason));
          log(command, t, started, "failed: " + reason);
        }
        answered();
        session.done();
      });
    });
  }

  /**
   * ABOR while the transfer runs (RFC 959 §4.1.3: it acts on the transfer, it does not wait behind it). Completes
   * once the ABOR has its own final reply, which always follows the transfer's (426, or 226 when the upstream had
   * already finished): the client reads "426 then 226" (RFC 959 §4.1.3, §5.4) whatever the order in which the
   * client closed its data connection, the upstream answered and the relay ended. Fails when the session ended
   * first (its 421 is then the last reply).
   */
  public Future<Void> abort() {
    Transfer t = transfer;
    Future<Void> transferAnswered = answered.future();
    LOG.info(() -> session.id() + " client aborted the transfer");
    t.abort("aborted by the client (ABOR)");
    Future<FtpReply> aborReply = session.abortUpstream();
    return Future.join(aborReply, transferAnswered).transform(all -> {
      if (aborReply.failed()) {
        return Future.failedFuture(aborReply.cause());
      }
      session.reply(aborReply.result());
      return Future.succeededFuture();
    });
  }

  /**
   * No data moved for {@code seconds}: ends the stalled data connections (the upstream then answers 426) and
   * returns true, or returns false when the data side is already over and the upstream's reply is what is missing.
   */
  public boolean endStalledData(long seconds) {
    if (transfer == null || transfer.completion().isComplete()) {
      return false;
    }
    LOG.warning(() -> session.id() + " transfer stalled: no data moved for " + seconds + " s, ending its data"
        + " connections");
    transfer.timeOut("transfer stalled: no data moved for " + seconds + " s");
    return true;
  }

  /** The upstream never confirmed the transfer: the client gets its failure reply (never 226), and it is audited. */
  public void failUnconfirmed(long seconds) {
    if (transfer == null) {
      return;
    }
    Transfer t = transfer;
    String why = t.completion().failed() ? t.completion().cause().getMessage()
        : "the upstream did not confirm the transfer within " + seconds + " s";
    session.reply(failureReply(t, why));
    answered();
    log(command, t, startedNanos, "failed: " + why);
  }

  /** The session ends: a transfer in flight is aborted, audited and counted as failed, before the session line. */
  public void endWithSession(String reason) {
    if (transfer == null) {
      return;
    }
    Transfer t = transfer;
    answered();
    t.abort("session closed: " + reason);
    if (command != null) {
      log(command, t, startedNanos, "failed: session closed: " + reason);
    }
  }

  /** The client's reply for a failed transfer: 425 when its data connection never came, else 426. */
  private static FtpReply failureReply(Transfer t, String reason) {
    FtpReply own = clientFailureReply(t);
    return own != null ? own : t.clientConnected()
        ? FtpReply.of(426, "Connection closed; transfer aborted: " + reason)
        : FtpReply.of(425, "Can't open data connection: " + reason);
  }

  /** The reply a client data-connection failure asks for ("522 ..."), or null. */
  private static FtpReply clientFailureReply(Transfer t) {
    String f = t.clientFailure();
    if (f != null && f.length() > 4 && f.charAt(3) == ' ' && Character.isDigit(f.charAt(0))) {
      try {
        return FtpReply.of(Integer.parseInt(f.substring(0, 3)), f.substring(4));
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  private void log(FtpCommand command, Transfer t, long startedNanos, String outcome) {
    long nanos = System.nanoTime() - startedNanos;
    String metricOutcome = outcome.equals("ok") ? "ok" : outcome.equals("aborted") ? "aborted" : "failed";
    session.listenerMetrics().transfer(command.verb(), metricOutcome, nanos, t.bytes());
    transfers++;
    if (t.direction() == Direction.DOWNLOAD) {
      bytesDown += t.bytes();
    } else {
      bytesUp += t.bytes();
    }
    session.audit("transfer")
        .with("command", command.verb()).with("path", command.argument())
        .with("direction", t.direction().name().toLowerCase(Locale.ROOT))
        .with("bytes", t.bytes()).with("ms", nanos / 1_000_000)
        .with("tls", t.upstreamConnected() ? session.lastDataTls() : null)
        .with("resumed", t.upstreamConnected() ? session.lastDataResumed() : null)
        .with("outcome", metricOutcome).with("reason", metricOutcome.equals("ok") ? null : outcome)
        .with("sha256", t.sha256())
        .log();
  }
}
