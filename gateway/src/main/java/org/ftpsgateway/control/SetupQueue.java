package org.ftpsgateway.control;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Bounds the upstream session setups (TCP connect, greeting, {@code AUTH TLS}, handshake, {@code PBSZ}/{@code PROT})
 * in flight at once, per gateway. Without a bound, hundreds of clients arriving together start hundreds of TLS
 * handshakes that share a few cores: every one of them progresses slowly and most cross
 * {@code timeouts.connectSeconds} together (measured: 259-446 of 500 sessions failed on 2 cores, 0 with the bound).
 * With it, setups run a few at a time and each finishes quickly; the others wait here, first come first served,
 * and their clients simply get the upstream's greeting later.
 *
 * <p>Shared by every listener and event loop, so it is thread-safe (one lock, held only to move counters and the
 * queue). A ticket's {@link Ticket#admitted()} completes on the event loop that asked for it, so the session never
 * sees another thread.
 */
public final class SetupQueue {

  private final int maxInFlight;
  private final Object lock = new Object();
  /** Waiting tickets in arrival order; a set so that a client leaving the queue costs O(1). */
  private final LinkedHashSet<Ticket> waiting = new LinkedHashSet<>();
  private int inFlight;

  /** @param maxInFlight setups at once; 0 or less = no bound (every setup starts at once) */
  public SetupQueue(int maxInFlight) {
    this.maxInFlight = maxInFlight;
  }

  public int maxInFlight() {
    return maxInFlight;
  }

  /** Setups running now. */
  public int inFlight() {
    synchronized (lock) {
      return inFlight;
    }
  }

  /** Setups waiting for a slot now. */
  public int queued() {
    synchronized (lock) {
      return waiting.size();
    }
  }

  /**
   * Asks for a slot; {@code context} is the caller's event loop. The ticket must end with {@link Ticket#release()}
   * (setup done, or the session went away), whether or not it was admitted.
   */
  Ticket enter(Context context) {
    Ticket ticket = new Ticket(context);
    synchronized (lock) {
      if (maxInFlight <= 0 || inFlight < maxInFlight) {
        inFlight++;
        ticket.state = Ticket.State.ADMITTED;
      } else {
        waiting.add(ticket);
        return ticket;
      }
    }
    // a free slot: the caller is on its event loop already, no hop needed
    ticket.admitted.complete();
    return ticket;
  }

  /** Frees a slot and admits the next waiting tickets, each on its own event loop. */
  private void freeSlot() {
    List<Ticket> admit = new ArrayList<>(1);
    synchronized (lock) {
      inFlight--;
      Iterator<Ticket> it = waiting.iterator();
      while (it.hasNext() && (maxInFlight <= 0 || inFlight < maxInFlight)) {
        Ticket next = it.next();
        it.remove();
        next.state = Ticket.State.ADMITTED;
        inFlight++;
        admit.add(next);
      }
    }
    for (Ticket t : admit) {
      t.context.runOnContext(v -> t.admitted.complete());
    }
  }

  /** One session's place in the queue, then its slot. */
  final class Ticket {

    private enum State { WAITING, ADMITTED, RELEASED }

    private final Context context;
    private final Promise<Void> admitted = Promise.promise();
    /** Guarded by the queue's lock. */
    private State state = State.WAITING;

    private Ticket(Context context) {
      this.context = context;
    }

    /** Completes (on the caller's event loop) when the setup may start. Never fails. */
    Future<Void> admitted() {
      return admitted.future();
    }

    /** True while the ticket waits for a slot. */
    boolean waiting() {
      synchronized (lock) {
        return state == State.WAITING;
      }
    }

    /**
     * Leaves the queue, or gives the slot back; idempotent. A session that goes away while admitted (even if
     * the admission has not reached its event loop yet) frees the slot here, so none is ever lost.
     */
    void release() {
      boolean hadSlot;
      synchronized (lock) {
        if (state == State.RELEASED) {
          return;
        }
        hadSlot = state == State.ADMITTED;
        if (!hadSlot) {
          waiting.remove(this);
        }
        state = State.RELEASED;
      }
      if (hadSlot) {
        freeSlot();
      }
    }
  }
}
