package org.ftpsgateway.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.Stream;
import org.ftpsgateway.config.PortRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PassivePortPoolTest {

  static Stream<Arguments> ranges() {
    return Stream.of(arguments(new PortRange(30000, 30000)), arguments(new PortRange(30000, 30004)),
        arguments(new PortRange(65500, 65535)), arguments(new PortRange(1, 3)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ranges")
  void handsOutEveryPortOnceThenNothing(PortRange range) {
    PassivePortPool pool = new PassivePortPool(range);
    List<Integer> ports = new ArrayList<>();
    for (int i = 0; i < range.size(); i++) {
      OptionalInt port = pool.acquire();
      assertThat(port).isPresent();
      ports.add(port.getAsInt());
    }
    assertThat(ports).doesNotHaveDuplicates().allMatch(p -> p >= range.first() && p <= range.last());
    assertThat(pool.inUse()).isEqualTo(range.size());
    assertThat(pool.acquire()).isEmpty();
    assertThat(pool.inUse()).isEqualTo(range.size());

    pool.release(ports.get(0));
    assertThat(pool.acquire()).hasValue(ports.get(0));
    assertThat(pool.acquire()).isEmpty();
  }

  /** Operations on a pool of 30000-30004: positive = acquire expecting that port (0 = none), negative = release. */
  static Stream<Arguments> sequences() {
    return Stream.of(
        arguments("in order from the first", new int[] {30000, 30001, 30002}),
        arguments("a released port is the last to come back",
            new int[] {30000, 30001, -30000, 30002, 30003, 30004, 30000, 0}),
        arguments("round robin wraps to the lowest free port",
            new int[] {30000, 30001, 30002, 30003, 30004, -30001, -30003, 30001, 30003, 0}),
        arguments("after release of all, the rotation continues",
            new int[] {30000, 30001, -30000, -30001, 30002, 30003, 30004, 30000, 30001, 0}),
        arguments("skips held ports", new int[] {30000, 30001, 30002, -30000, 30003, 30004, 30000, 0}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sequences")
  void roundRobin(String name, int[] operations) {
    PassivePortPool pool = new PassivePortPool(new PortRange(30000, 30004));
    int held = 0;
    for (int op : operations) {
      if (op < 0) {
        pool.release(-op);
        held--;
      } else if (op == 0) {
        assertThat(pool.acquire()).isEmpty();
      } else {
        assertThat(pool.acquire()).hasValue(op);
        held++;
      }
      assertThat(pool.inUse()).isEqualTo(held);
    }
  }

  static Stream<Arguments> badReleases() {
    return Stream.of(
        arguments("never acquired", new int[] {}, 30001),
        arguments("released twice", new int[] {30000}, 30000),
        arguments("below the range", new int[] {}, 29999),
        arguments("above the range", new int[] {}, 30005),
        arguments("zero", new int[] {}, 0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badReleases")
  void refusesToReleaseAPortItDoesNotHold(String name, int[] releasedBefore, int port) {
    PassivePortPool pool = new PassivePortPool(new PortRange(30000, 30004));
    pool.acquire();
    for (int p : releasedBefore) {
      pool.release(p);
    }
    int inUse = pool.inUse();
    assertThatThrownBy(() -> pool.release(port)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(Integer.toString(port));
    assertThat(pool.inUse()).isEqualTo(inUse);
  }

  @Test
  void neverHandsOutOnePortTwiceUnderConcurrency() throws Exception {
    PortRange range = new PortRange(40000, 40007);
    PassivePortPool pool = new PassivePortPool(range);
    AtomicIntegerArray holders = new AtomicIntegerArray(range.size());
    int threads = 8;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService executor = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        results.add(executor.submit(() -> {
          start.await();
          int conflicts = 0;
          List<Integer> mine = new ArrayList<>();
          for (int i = 0; i < 20_000; i++) {
            if (mine.size() < 2) {
              OptionalInt port = pool.acquire();
              if (port.isPresent()) {
                if (holders.getAndIncrement(port.getAsInt() - range.first()) != 0) {
                  conflicts++;
                }
                mine.add(port.getAsInt());
              }
            }
            if (!mine.isEmpty() && (i % 3 == 0 || mine.size() == 2)) {
              int port = mine.remove(0);
              holders.decrementAndGet(port - range.first());
              pool.release(port);
            }
          }
          for (int port : mine) {
            holders.decrementAndGet(port - range.first());
            pool.release(port);
          }
          return conflicts;
        }));
      }
      start.countDown();
      for (Future<Integer> result : results) {
        assertThat(result.get(20, TimeUnit.SECONDS)).isZero();
      }
    } finally {
      executor.shutdownNow();
    }
    assertThat(pool.inUse()).isZero();
    for (int i = 0; i < range.size(); i++) {
      assertThat(holders.get(i)).isZero();
    }
    for (int i = 0; i < range.size(); i++) {
      assertThat(pool.acquire()).isPresent();
    }
    assertThat(pool.acquire()).isEmpty();
  }
}
