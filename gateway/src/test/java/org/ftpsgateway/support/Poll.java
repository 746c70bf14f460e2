package org.ftpsgateway.support;

import java.time.Duration;
import java.util.OptionalLong;

/** Waits for a condition by polling it until a deadline, instead of sleeping a fixed time and hoping. */
public final class Poll {

  /** A condition that may throw (most ask the network). */
  @FunctionalInterface
  public interface Check {
    boolean holds() throws Exception;
  }

  /** A reading that may throw. */
  @FunctionalInterface
  public interface Reading {
    long value() throws Exception;
  }

  private static final long INTERVAL_MILLIS = 20;

  private Poll() {
  }

  /** True as soon as {@code check} holds; false if it still does not at {@code timeout}. */
  public static boolean until(Duration timeout, Check check) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (check.holds()) {
        return true;
      }
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      Thread.sleep(INTERVAL_MILLIS);
    }
  }

  /**
   * The value of {@code reading} once it has not changed for {@code quiet} (something settling: a queue filling up,
   * sockets closing on other threads); empty if it still changes at {@code timeout}.
   */
  public static OptionalLong settled(Duration timeout, Duration quiet, Reading reading) throws Exception {
    long[] last = {reading.value()};
    long[] since = {System.nanoTime()};
    boolean still = until(timeout, () -> {
      long now = reading.value();
      if (now != last[0]) {
        last[0] = now;
        since[0] = System.nanoTime();
      }
      return System.nanoTime() - since[0] >= quiet.toNanos();
    });
    return still ? OptionalLong.of(last[0]) : OptionalLong.empty();
  }
}
