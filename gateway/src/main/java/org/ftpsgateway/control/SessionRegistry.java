package org.ftpsgateway.control;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.ftpsgateway.data.TransferCoordinator;

/**
 * Every open session, by id: what the operator API lists and closes, and what a shutdown drains. Sessions register
 * when admitted and leave when they end.
 *
 * <p>Threading: each session lives on its own event loop and its state is plain fields read only there. A snapshot
 * therefore asks each session on its own context ({@link Context#runOnContext}) for an immutable {@link Info} and
 * hands the answers back on the caller's context: no field is read across threads, no lock is taken, and nothing
 * is kept up to date while nobody looks. The map itself is concurrent (sessions on any loop come and go).
 */
public final class SessionRegistry {

  /** One session as the operator sees it, taken on the session's event loop. */
  public record Info(String id, String listener, String client, String user, String upstream, Instant since,
                     long bytesDown, long bytesUp, TransferCoordinator.Running transfer) {
  }

  private final Map<String, ControlSession> sessions = new ConcurrentHashMap<>();

  void add(ControlSession session) {
    sessions.put(session.id(), session);
  }

  boolean remove(ControlSession session) {
    return sessions.remove(session.id(), session);
  }

  public int size() {
    return sessions.size();
  }

  /** Runs {@code action} on each session's event loop (shutdown). */
  void forEach(java.util.function.Consumer<ControlSession> action) {
    for (ControlSession s : sessions.values()) {
      s.eventLoopContext().runOnContext(v -> action.accept(s));
    }
  }

  /**
   * Every open session, oldest first; completes on {@code caller}. A session that ends while asked is left out.
   */
  public Future<List<Info>> snapshot(Context caller) {
    List<Future<Info>> answers = new ArrayList<>();
    for (ControlSession s : sessions.values()) {
      Promise<Info> answer = Promise.promise();
      s.eventLoopContext().runOnContext(v -> {
        Info info = s.closed() ? null : s.info();
        caller.runOnContext(w -> answer.complete(info));
      });
      answers.add(answer.future());
    }
    Promise<List<Info>> all = Promise.promise();
    Future.join(answers).onComplete(ar -> caller.runOnContext(v -> all.complete(answers.stream()
        .map(Future::result).filter(java.util.Objects::nonNull)
        .sorted(Comparator.comparing(Info::since).thenComparing(Info::id)).toList())));
    return all.future();
  }

  /**
   * Ends the session {@code id} on its event loop as the operator asked (the client gets 421); completes with false
   * when no such session is open. Completes on {@code caller}.
   */
  public Future<Boolean> close(String id, Context caller) {
    ControlSession s = sessions.get(id);
    if (s == null) {
      return Future.succeededFuture(false);
    }
    Promise<Boolean> closed = Promise.promise();
    s.eventLoopContext().runOnContext(v -> {
      boolean wasOpen = !s.closed();
      s.closeByOperator();
      caller.runOnContext(w -> closed.complete(wasOpen));
    });
    return closed.future();
  }
}
