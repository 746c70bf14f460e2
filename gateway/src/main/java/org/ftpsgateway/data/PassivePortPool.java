package org.ftpsgateway.data;

import java.util.BitSet;
import java.util.OptionalInt;
import org.ftpsgateway.config.PortRange;

/**
 * The ports of one listener's passive range that no session holds. Hands ports out round-robin, so a port just
 * released (its last connection possibly in TIME_WAIT) is the last to be taken again. Thread-safe: sessions on
 * every event loop share a listener's pool.
 */
public final class PassivePortPool {

  private final PortRange range;
  private final BitSet inUse;
  private int next;
  private int used;

  public PassivePortPool(PortRange range) {
    this.range = range;
    this.inUse = new BitSet(range.size());
  }

  /** A free port, now held by the caller; empty when every port of the range is held. */
  public synchronized OptionalInt acquire() {
    int size = range.size();
    for (int i = 0; i < size; i++) {
      int index = (next + i) % size;
      if (!inUse.get(index)) {
        inUse.set(index);
        next = (index + 1) % size;
        used++;
        return OptionalInt.of(range.first() + index);
      }
    }
    return OptionalInt.empty();
  }

  /** Gives a port back. Releasing a port that is not held is a bug in the caller. */
  public synchronized void release(int port) {
    int index = port - range.first();
    if (index < 0 || index >= range.size() || !inUse.get(index)) {
      throw new IllegalStateException("port " + port + " is not held from " + range);
    }
    inUse.clear(index);
    used--;
  }

  public synchronized int inUse() {
    return used;
  }

  public PortRange range() {
    return range;
  }
}
