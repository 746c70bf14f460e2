package org.ftpsgateway.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  @Test
  void startsFullThenMakesCallersWaitForTheirDebt() {
    TokenBucket b = new TokenBucket(1000, 100, now::get);
    assertThat(b.take(100)).isZero();
    assertThat(b.take(50)).isEqualTo(50_000_000L); // 50 bytes at 1000 B/s: 50 ms
    assertThat(b.waitNanos()).isEqualTo(50_000_000L);
    now.addAndGet(20_000_000L);
    assertThat(b.waitNanos()).isEqualTo(30_000_000L);
    now.addAndGet(30_000_000L);
    assertThat(b.waitNanos()).isZero();
  }

  @Test
  void savesUpAtMostItsCapacity() {
    TokenBucket b = new TokenBucket(1000, 100, now::get);
    now.addAndGet(60_000_000_000L); // a minute idle
    assertThat(b.take(100)).isZero();
    assertThat(b.take(1)).isEqualTo(1_000_000L);
  }

  @Test
  void keepsTheAverageRateWhateverTheChunkSizes() {
    TokenBucket b = new TokenBucket(1_000_000, 125_000, now::get);
    long start = now.get();
    long sent = 0;
    int[] chunks = {65536, 1, 16384, 100_000, 7, 65536};
    for (int i = 0; sent < 10_000_000; i++) {
      int n = chunks[i % chunks.length];
      sent += n;
      now.addAndGet(b.take(n)); // the caller waits exactly what it is told
    }
    double seconds = (now.get() - start) / 1e9;
    // 10 MB at 1 MB/s, less the 125 KB saved up at the start
    assertThat(seconds).isBetween((sent - 125_000) / 1e6 - 0.001, (sent - 125_000) / 1e6 + 0.001);
  }

  @Test
  void aClockGoingBackDoesNotMintTokens() {
    TokenBucket b = new TokenBucket(1000, 100, now::get);
    b.take(100);
    now.addAndGet(-5_000_000_000L);
    assertThat(b.take(10)).isEqualTo(10_000_000L);
  }

  @Test
  void throttleWaitsForTheSlowestBucket() {
    TokenBucket session = new TokenBucket(1000, 10, now::get);
    TokenBucket listener = new TokenBucket(500, 10, now::get);
    Throttle t = Throttle.of(session, null, listener);
    assertThat(t.take(60)).isEqualTo(100_000_000L); // 50 bytes of debt at 500 B/s
    assertThat(Throttle.of(null, null)).isNull();
  }

  @Test
  void tryTakeNeverGoesIntoDebt() {
    TokenBucket b = new TokenBucket(3 / 60.0, 3, now::get); // 3 per minute
    assertThat(b.tryTake(1)).isTrue();
    assertThat(b.tryTake(1)).isTrue();
    assertThat(b.tryTake(1)).isTrue();
    assertThat(b.tryTake(1)).isFalse();
    assertThat(b.tryTake(1)).as("a refusal takes nothing").isFalse();
    now.addAndGet(20_000_000_000L); // one token per 20 s
    assertThat(b.tryTake(1)).isTrue();
    assertThat(b.tryTake(1)).isFalse();
    assertThat(b.isFull()).isFalse();
    now.addAndGet(60_000_000_000L);
    assertThat(b.isFull()).isTrue();
  }

  @Test
  void refusesNonPositiveRates() {
    assertThatThrownBy(() -> new TokenBucket(0, 1, now::get)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TokenBucket(1, 0, now::get)).isInstanceOf(IllegalArgumentException.class);
  }
}
