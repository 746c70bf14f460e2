package org.ftpsgateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.function.LongConsumer;

/**
 * Every meter of the gateway: names, labels and buckets in one place. Labels stay low-cardinality: never a file
 * name, user name or client address. Built on an injected registry; {@link #disabled()} gives an instance whose
 * methods do nothing, so {@code metrics.enabled: false} costs nothing on the data path.
 */
public final class GatewayMetrics {

  public static final String SIDE_UPSTREAM = "upstream";
  public static final String SIDE_CLIENT = "client";

  private static final Duration[] TIME_BUCKETS = {
      Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
      Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
      Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
      Duration.ofSeconds(60), Duration.ofSeconds(300), Duration.ofSeconds(1800)};
  private static final double[] SIZE_BUCKETS = {1, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10};

  private final MeterRegistry registry;
  private final TlsCpuMeter upstreamTlsCpu;
  private final TlsCpuMeter clientTlsCpu;

  private GatewayMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.upstreamTlsCpu = new TlsCpuMeter(registry != null);
    this.clientTlsCpu = new TlsCpuMeter(registry != null);
    if (registry != null) {
      for (String phase : new String[] {"handshake", "record"}) {
        for (TlsCpuMeter meter : new TlsCpuMeter[] {upstreamTlsCpu, clientTlsCpu}) {
          FunctionCounter.builder("ftpgw.tls.cpu", meter,
                  m -> phase.equals("handshake") ? m.handshakeSeconds() : m.recordSeconds())
              .baseUnit("seconds")
              .description("CPU time the gateway's threads spent inside TLS engines (thread CPU time around"
                  + " SSLEngine wrap/unwrap and handshake tasks)")
              .tags("side", meter == upstreamTlsCpu ? SIDE_UPSTREAM : "client", "phase", phase)
              .register(registry);
        }
      }
    }
  }

  public static GatewayMetrics create(MeterRegistry registry) {
    return new GatewayMetrics(registry);
  }

  public static GatewayMetrics disabled() {
    return new GatewayMetrics(null);
  }

  public boolean enabled() {
    return registry != null;
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Measures the upstream side's TLS engines (JDK engines wrapped by UpstreamTls, OpenSSL from the pipeline). */
  public TlsCpuMeter upstreamTlsCpu() {
    return upstreamTlsCpu;
  }

  /** Measures the TLS towards clients of TLS listeners (from the pipeline, both engines). */
  public TlsCpuMeter clientTlsCpu() {
    return clientTlsCpu;
  }

  public Listener listener(String name, IntSupplier passivePortsInUse) {
    return new Listener(name, passivePortsInUse);
  }

  /** {@code upstream}: the configured upstream's name (a handful per gateway, never a client-chosen value). */
  public void upstreamConnect(String upstream, long nanos) {
    if (registry != null) {
      Timer.builder("ftpgw.upstream.connect")
          .description("Upstream control connection set-up: TCP, greeting, AUTH TLS, handshake, PBSZ, PROT")
          .tag("upstream", upstream)
          .serviceLevelObjectives(TIME_BUCKETS)
          .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * The upstream setup queue of the gateway (one per gateway, no labels): setups waiting for a slot and setups
   * running. A queue that stays long means clients wait for their greeting: more cores, or a higher
   * {@code limits.maxConcurrentSetups} if the upstream has CPU to spare.
   */
  public void setupQueue(IntSupplier queued, IntSupplier inFlight) {
    if (registry != null) {
      Gauge.builder("ftpgw.upstream.setups.queued", queued, IntSupplier::getAsInt).strongReference(true)
          .description("Upstream session setups waiting for a slot (limits.maxConcurrentSetups)")
          .register(registry);
      Gauge.builder("ftpgw.upstream.setups.in.flight", inFlight, IntSupplier::getAsInt).strongReference(true)
          .description("Upstream session setups running: connect, greeting, AUTH TLS, handshake, PBSZ, PROT")
          .register(registry);
    }
  }

  /** One TLS handshake. {@code outcome} is ok or failed. */
  public void tlsHandshake(String side, String channel, boolean resumed, String outcome, long nanos) {
    if (registry != null) {
      Counter.builder("ftpgw.tls.handshakes")
          .description("TLS handshakes by side, channel, session resumption and outcome")
          .tags("side", side, "channel", channel, "resumed", Boolean.toString(resumed), "outcome", outcome)
          .register(registry).increment();
      if (outcome.equals("ok")) {
        Timer.builder("ftpgw.tls.handshake")
            .description("Duration of successful TLS handshakes (data connections: TCP connect included)")
            .tags("side", side, "channel", channel)
            .serviceLevelObjectives(TIME_BUCKETS)
            .register(registry).record(nanos, TimeUnit.NANOSECONDS);
      }
    }
  }

  /** A connection or command refused for safety: hijack, bounce, limits. */
  public void rejected(String reason) {
    if (registry != null) {
      Counter.builder("ftpgw.rejected.connections")
          .description("Connections and data-connection requests refused (hijack, bounce, limits)")
          .tags("reason", reason).register(registry).increment();
    }
  }

  public void login(boolean ok) {
    if (registry != null) {
      Counter.builder("ftpgw.logins").description("Logins relayed, by upstream result")
          .tags("result", ok ? "ok" : "failed").register(registry).increment();
    }
  }

  /** The meters of one listener, resolved once so the data path only increments. */
  public final class Listener {
    private final String name;
    private final AtomicInteger active = new AtomicInteger();
    private final LongConsumer downloadBytes;
    private final LongConsumer uploadBytes;
    private final LongConsumer controlIn;
    private final LongConsumer controlOut;

    private Listener(String name, IntSupplier passivePortsInUse) {
      this.name = name;
      if (registry == null) {
        downloadBytes = n -> { };
        uploadBytes = n -> { };
        controlIn = n -> { };
        controlOut = n -> { };
        return;
      }
      downloadBytes = bytes("ftpgw.data.bytes", "download", "Data bytes relayed (download: upstream to client)");
      uploadBytes = bytes("ftpgw.data.bytes", "upload", "Data bytes relayed (upload: client to upstream)");
      controlIn = bytes("ftpgw.control.bytes", "download", "Control bytes from the upstream (replies)");
      controlOut = bytes("ftpgw.control.bytes", "upload", "Control bytes to the upstream (commands)");
      // strong references: Micrometer holds gauge state weakly, and a lambda nobody else keeps would read NaN
      Gauge.builder("ftpgw.sessions.active", active, AtomicInteger::get).strongReference(true)
          .description("Client sessions open now").tags("listener", name).register(registry);
      Gauge.builder("ftpgw.passive.ports.in.use", passivePortsInUse, s -> s.getAsInt()).strongReference(true)
          .description("Passive ports held by sessions").tags("listener", name).register(registry);
    }

    private LongConsumer bytes(String meter, String direction, String description) {
      Counter c = Counter.builder(meter).baseUnit("bytes").description(description)
          .tags("listener", name, "direction", direction).register(registry);
      return c::increment;
    }

    public String name() {
      return name;
    }

    public LongConsumer downloadBytes() {
      return downloadBytes;
    }

    public LongConsumer uploadBytes() {
      return uploadBytes;
    }

    public LongConsumer controlIn() {
      return controlIn;
    }

    public LongConsumer controlOut() {
      return controlOut;
    }

    public void sessionStarted() {
      active.incrementAndGet();
    }

    /** {@code outcome}: quit, client_closed, idle_timeout, upstream_failed, upstream_closed, upstream_timeout, error. */
    public void sessionEnded(String outcome) {
      active.decrementAndGet();
      if (registry != null) {
        Counter.builder("ftpgw.sessions").description("Client sessions ended, by how they ended")
            .tags("listener", name, "outcome", outcome).register(registry).increment();
      }
    }

    /** {@code outcome}: ok, aborted or failed. */
    public void transfer(String command, String outcome, long nanos, long bytes) {
      if (registry == null) {
        return;
      }
      Counter.builder("ftpgw.transfers").description("Transfers by command and outcome")
          .tags("listener", name, "command", command, "outcome", outcome).register(registry).increment();
      Timer.builder("ftpgw.transfer.duration").description("Transfer duration, command to completion reply")
          .tags("listener", name, "command", command)
          .serviceLevelObjectives(TIME_BUCKETS).register(registry).record(nanos, TimeUnit.NANOSECONDS);
      DistributionSummary.builder("ftpgw.transfer.size").baseUnit("bytes").description("Bytes per transfer")
          .tags("listener", name, "command", command)
          .serviceLevelObjectives(SIZE_BUCKETS).register(registry).record(bytes);
    }
  }
}
