package org.ftpsgateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.ftpsgateway.config.PortRange;

/**
 * Ports a test may use, found by binding instead of written into the test: tests of several builds (and of other
 * programs) run on the same machine at once, and any fixed port may be held by one of them.
 *
 * <p>A range is needed where the code under test takes a range (passive ports, upstream active ports): a block of
 * contiguous ports is picked at random in {@link #LOW}-{@link #HIGH}, below Linux's ephemeral range (32768-60999),
 * so no outgoing connection of any program takes one of them at random, and each port is bound once to check it is
 * free. A range is released before the test binds it, so another program can still take a port in between; the
 * gateway and MINA both skip a passive port they cannot bind, and the random start makes two tests picking the same
 * block unlikely.
 */
public final class FreePorts {

  static final int LOW = 20_000;
  static final int HIGH = 32_000;
  private static final int ATTEMPTS = 100;

  private FreePorts() {
  }

  /** One port free on every local address right now (the system picks it). */
  public static int one() {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(0));
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port", e);
    }
  }

  /** {@code size} contiguous ports, each free on every local address right now. */
  public static PortRange range(int size) {
    return ranges(size).get(0);
  }

  /**
   * Disjoint ranges of the given sizes, each of contiguous ports free right now. Ranges one test uses together must
   * come from one call: found one by one, two of them may overlap (nothing holds a range until the test binds it).
   */
  public static List<PortRange> ranges(int... sizes) {
    int total = java.util.Arrays.stream(sizes).sum();
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      int first = ThreadLocalRandom.current().nextInt(LOW, HIGH - total);
      if (allFree(first, total)) {
        List<PortRange> ranges = new ArrayList<>(sizes.length);
        for (int size : sizes) {
          ranges.add(new PortRange(first, first + size - 1));
          first += size;
        }
        return ranges;
      }
    }
    throw new IllegalStateException("no " + total + " free contiguous ports in " + LOW + "-" + HIGH + " after "
        + ATTEMPTS + " tries");
  }

  /** Binds every port of the block at once (wildcard address: free there means free on every address). */
  private static boolean allFree(int first, int size) {
    List<ServerSocket> held = new ArrayList<>(size);
    try {
      for (int port = first; port < first + size; port++) {
        ServerSocket s = new ServerSocket();
        held.add(s);
        s.setReuseAddress(false);
        s.bind(new InetSocketAddress(port));
      }
      return true;
    } catch (IOException taken) {
      return false;
    } finally {
      for (ServerSocket s : held) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing a probe socket: nothing to do
        }
      }
    }
  }
}
