package org.ftpsgateway.metrics;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.atomic.LongAdder;

/**
 * CPU time the gateway's threads spend inside one side's TLS engines, split into handshake and record
 * (encryption/decryption) work. Measured, not estimated, as thread CPU time ({@code CLOCK_THREAD_CPUTIME_ID}):
 * with the JDK engine around every {@code SSLEngine.wrap}/{@code unwrap} and delegated handshake task
 * ({@link MeasuringSslEngine}); with the OpenSSL engine, which Netty only drives natively when unwrapped, around
 * the SslHandler in the pipeline after the handshake ({@link TlsCpuHandlers}: record phase only). Each reading
 * costs a few hundred nanoseconds, a few per 16 KiB record.
 */
public final class TlsCpuMeter {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final LongAdder handshakeNanos = new LongAdder();
  /**
   * Record-phase work is measured on one event in this many and counted this many times. Reading a thread's CPU
   * clock is a system call (about a microsecond here, no vDSO for CPU clocks); around every 16 KB TLS record it
   * cost as much CPU as the encryption itself (measured: 0.3-0.5 s/GB with metrics on against off). Record events
   * of a bulk transfer are alike, so a systematic 1-in-8 sample keeps the sum within a few percent; handshakes,
   * few and each different, are all measured.
   */
  public static final int RECORD_SAMPLE_EVERY = 8;

  private final LongAdder recordNanos = new LongAdder();
  private final boolean enabled;

  public TlsCpuMeter(boolean enabled) {
    this.enabled = enabled && THREADS.isCurrentThreadCpuTimeSupported();
  }

  public boolean enabled() {
    return enabled;
  }

  /** Thread CPU time now, in nanoseconds (0 when measuring is off). */
  public long now() {
    return enabled ? THREADS.getCurrentThreadCpuTime() : 0;
  }

  public void add(boolean handshake, long startNanos) {
    if (!enabled) {
      return;
    }
    long spent = THREADS.getCurrentThreadCpuTime() - startNanos;
    if (spent > 0) {
      (handshake ? handshakeNanos : recordNanos).add(spent);
    }
  }

  /** Adds an amount measured elsewhere (pipeline measurement). */
  public void addNanos(boolean handshake, long nanos) {
    if (enabled && nanos > 0) {
      (handshake ? handshakeNanos : recordNanos).add(nanos);
    }
  }

  /** A context whose engines are measured by this meter (JDK engines; unchanged when measuring is off). */
  public io.netty.handler.ssl.SslContext wrap(io.netty.handler.ssl.SslContext context) {
    return enabled ? new MeasuringSslContext(context, this) : context;
  }

  public double handshakeSeconds() {
    return handshakeNanos.sum() / 1e9;
  }

  public double recordSeconds() {
    return recordNanos.sum() / 1e9;
  }
}
