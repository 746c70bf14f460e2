package org.ftpsgateway.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** This JVM's open file descriptors (Linux), for the tests that check the gateway leaves none behind. */
public final class Descriptors {

  private Descriptors() {
  }

  public static long open() throws Exception {
    try (var files = Files.list(Path.of("/proc/self/fd"))) {
      return files.count();
    }
  }

  /**
   * The count once it is at most {@code limit}, or the last count seen at {@code timeout}: sockets close
   * asynchronously (event loops, MINA's threads), so the count settles some time after the sessions end.
   */
  public static long settleTo(long limit, Duration timeout) throws Exception {
    long[] last = {open()};
    Poll.until(timeout, () -> (last[0] = open()) <= limit);
    return last[0];
  }
}
