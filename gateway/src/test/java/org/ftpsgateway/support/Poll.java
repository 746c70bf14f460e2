package org.ftpsgateway.support;

import java.time.Duration;

/** Waits for a condition by polling it until a deadline, instead of sleeping a fixed time and hoping. */
public final class Poll {

  /** A condition that may throw (most ask the network). */
  @FunctionalInterface
  public interface Check {
    boolean holds() throws Exception;
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
}
