package org.ftpsgateway.data;

import java.util.ArrayList;
import java.util.List;

/**
 * The bandwidth limits one data relay obeys: the session's bucket and the listener's (shared by its sessions).
 * Every byte is taken from each bucket; the relay waits for the slowest. A relay without limits gets no throttle
 * at all ({@link #of} returns null), so the unlimited path does no accounting.
 */
public final class Throttle {

  private final List<TokenBucket> buckets;

  private Throttle(List<TokenBucket> buckets) {
    this.buckets = buckets;
  }

  /** The throttle of the non-null buckets, or null when there is none. */
  public static Throttle of(TokenBucket... buckets) {
    List<TokenBucket> list = new ArrayList<>();
    for (TokenBucket b : buckets) {
      if (b != null) {
        list.add(b);
      }
    }
    return list.isEmpty() ? null : new Throttle(List.copyOf(list));
  }

  /** Accounts {@code n} bytes; nanoseconds to pause before reading more, or 0. */
  long take(long n) {
    long wait = 0;
    for (TokenBucket b : buckets) {
      wait = Math.max(wait, b.take(n));
    }
    return wait;
  }

  /** Nanoseconds still to wait (a pause may have to be extended by what a read delivered after it began). */
  long waitNanos() {
    long wait = 0;
    for (TokenBucket b : buckets) {
      wait = Math.max(wait, b.waitNanos());
    }
    return wait;
  }
}
