package org.ftpsgateway.data;

import java.util.function.LongSupplier;

/**
 * A token bucket: {@code rate} tokens per second, at most {@code capacity} saved up. Taking more than there is
 * leaves a debt, and the caller waits until it is paid; so a caller that cannot take "just enough" (a read
 * delivers what it delivers) still keeps the average rate exactly. Thread-safe: a listener's bucket is shared by
 * sessions on every event loop. The clock is injected for tests.
 */
public final class TokenBucket {

  private static final double NANOS_PER_SECOND = 1e9;

  private final double rate;
  private final double capacity;
  private final LongSupplier nanoTime;
  private double tokens;
  private long last;

  /** Starts full. {@code rate} (tokens per second) and {@code capacity} must be positive. */
  public TokenBucket(double rate, double capacity, LongSupplier nanoTime) {
    if (rate <= 0 || capacity <= 0) {
      throw new IllegalArgumentException("rate and capacity must be positive");
    }
    this.rate = rate;
    this.capacity = capacity;
    this.nanoTime = nanoTime;
    this.tokens = capacity;
    this.last = nanoTime.getAsLong();
  }

  /** A bucket of {@code bytesPerSecond} that saves up an eighth of a second: smooth, yet few timer wake-ups. */
  public static TokenBucket perSecond(long bytesPerSecond) {
    return new TokenBucket(bytesPerSecond, Math.max(1, bytesPerSecond / 8), System::nanoTime);
  }

  /** Takes {@code n} tokens (possibly into debt); returns how many nanoseconds until the debt is paid, or 0. */
  public synchronized long take(long n) {
    refill();
    tokens -= n;
    return debtNanos();
  }

  /** Takes {@code n} tokens if there are that many; never goes into debt. */
  public synchronized boolean tryTake(long n) {
    refill();
    if (tokens < n) {
      return false;
    }
    tokens -= n;
    return true;
  }

  /** Whether the bucket saved up all it can (its owner was quiet long enough to be forgotten). */
  public synchronized boolean isFull() {
    refill();
    return tokens >= capacity;
  }

  /** Nanoseconds until the balance is no longer negative, or 0. */
  public synchronized long waitNanos() {
    refill();
    return debtNanos();
  }

  private long debtNanos() {
    return tokens >= 0 ? 0 : (long) Math.ceil(-tokens * NANOS_PER_SECOND / rate);
  }

  private void refill() {
    long now = nanoTime.getAsLong();
    if (now > last) {
      tokens = Math.min(capacity, tokens + (now - last) * rate / NANOS_PER_SECOND);
      last = now;
    }
  }
}
