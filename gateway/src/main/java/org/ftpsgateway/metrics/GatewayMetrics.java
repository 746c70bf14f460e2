package org.ftpsgateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.LongConsumer;
import java.util.function.ToDoubleFunction;

/**
 * Every meter of the gateway: names, labels and buckets in one place. Labels stay low-cardinality: never a file
 * name, user name or client address. Built on an injected registry; {@link #disabled()} gives an instance whose
 * methods do nothing, so {@code metrics.enabled: false} costs nothing on the data path.
 */
public final class GatewayMetrics {

  public static final String SIDE_UPSTREAM = "upstream";
  public static final String SIDE_CLIENT = "client";
  /** {@code side} of {@code ftpgw_certificate_expiry_timestamp_seconds} for a listener's own certificate. */
  public static final String SIDE_LISTENER = "listener";

  /**
   * Every {@code reason} of {@code ftpgw_rejected_connections_total} the code can give; each series exists from the
   * start at 0, so rates and alerts see 0 rather than no data. A new reason belongs here
   * (MetricsEndpointTest finds the ones the sources use).
   */
  public static final List<String> REJECTION_REASONS = List.of(
      // admission (Admission.Refusal): the client gets 421
      "shutting_down", "login_failures", "rate", "max_sessions", "max_sessions_per_client",
      // waiting for an upstream setup slot, the PROXY header of a balancer
      "setup_queue_timeout", "proxy_protocol",
      // data connections: hijack and bounce protection, the passive pool, TLS session reuse
      "hijack", "upstream_hijack", "bounce", "privileged_port", "passive_ports_exhausted", "tls_session_not_reused");
  /** Every {@code outcome} of {@code ftpgw_sessions_total} (ControlSession.close). */
  public static final List<String> SESSION_OUTCOMES = List.of("quit", "client_closed", "client_tls_failed",
      "idle_timeout", "login_timeout", "login_failures", "setup_queue_timeout", "shutdown", "upstream_failed",
      "upstream_closed", "upstream_timeout", "closed_by_operator");
  /** Every {@code command} of {@code ftpgw_transfers_total}: the verbs that open a data connection. */
  public static final List<String> TRANSFER_COMMANDS = List.of("RETR", "STOR", "STOU", "APPE", "LIST", "NLST", "MLSD");
  public static final List<String> TRANSFER_OUTCOMES = List.of("ok", "aborted", "failed");

  private static final Duration[] TIME_BUCKETS = {
      Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
      Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
      Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
      Duration.ofSeconds(60), Duration.ofSeconds(300), Duration.ofSeconds(1800)};
  private static final double[] SIZE_BUCKETS = {1, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10};

  private final MeterRegistry registry;
  private final TlsCpuMeter upstreamTlsCpu;
  private final TlsCpuMeter clientTlsCpu;
  /** {@code ftpgw_upstream_up} by (upstream, host:port): 1 or 0 after the latest connection attempt. */
  private final Map<UpstreamKey, AtomicInteger> upstreamUp = new ConcurrentHashMap<>();
  /** {@code ftpgw_certificate_expiry_timestamp_seconds{side="upstream"}} by upstream/server: notAfter seconds. */
  private final Map<String, AtomicLong> upstreamCertificates = new ConcurrentHashMap<>();

  /** One server of a named upstream, as {@code ftpgw_upstream_up} labels it. */
  public record UpstreamKey(String upstream, String server) {
  }

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
      Gauge.builder("ftpgw.build.info", () -> 1).strongReference(true)
          .description("Always 1; the version label says which build runs").tags("version", BuildInfo.version())
          .register(registry);
      REJECTION_REASONS.forEach(reason -> rejectedCounter(reason));
      for (String result : new String[] {"ok", "failed"}) {
        loginCounter(result);
      }
      // the handshakes the gateway makes: upstream control and data connections
      for (String channel : new String[] {"control", "data"}) {
        for (boolean resumed : new boolean[] {false, true}) {
          for (String outcome : new String[] {"ok", "failed"}) {
            handshakeCounter(SIDE_UPSTREAM, channel, resumed, outcome);
          }
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

  /** {@code passivePortsCapacity}: the size of the listener's passive range. */
  public Listener listener(String name, IntSupplier passivePortsInUse, int passivePortsCapacity) {
    return new Listener(name, passivePortsInUse, passivePortsCapacity);
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
      handshakeCounter(side, channel, resumed, outcome).increment();
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
      rejectedCounter(reason).increment();
    }
  }

  public void login(boolean ok) {
    if (registry != null) {
      loginCounter(ok ? "ok" : "failed").increment();
    }
  }

  private Counter handshakeCounter(String side, String channel, boolean resumed, String outcome) {
    return Counter.builder("ftpgw.tls.handshakes")
        .description("TLS handshakes by side, channel, session resumption and outcome")
        .tags("side", side, "channel", channel, "resumed", Boolean.toString(resumed), "outcome", outcome)
        .register(registry);
  }

  private Counter rejectedCounter(String reason) {
    return Counter.builder("ftpgw.rejected.connections")
        .description("Connections and data-connection requests refused (hijack, bounce, limits)")
        .tags("reason", reason).register(registry);
  }

  private Counter loginCounter(String result) {
    return Counter.builder("ftpgw.logins").description("Logins relayed, by upstream result")
        .tags("result", result).register(registry);
  }

  /**
   * The latest connection attempt to one upstream server (a session's setup or the probe's): {@code up} when it
   * got through connect, greeting, TLS, PBSZ and PROT. The series appears with the first attempt (the probe makes
   * one at start), so it is 1 or 0, never a guess.
   */
  public void upstreamUp(String upstream, String server, boolean up) {
    if (registry != null) {
      upstreamUp.computeIfAbsent(new UpstreamKey(upstream, server), k -> {
        AtomicInteger state = new AtomicInteger();
        Gauge.builder("ftpgw.upstream.up", state, AtomicInteger::get).strongReference(true)
            .description("1 when the latest connection to the upstream server (session setup or probe) succeeded,"
                + " else 0")
            .tags("upstream", k.upstream(), "server", k.server()).register(registry);
        return state;
      }).set(up ? 1 : 0);
    }
  }

  /**
   * The upstream servers configured now (after a start or reload): the up and certificate series of servers no
   * longer configured are removed, so a server taken out of the configuration raises no alert.
   */
  public void retainUpstreams(Set<UpstreamKey> configured) {
    if (registry == null) {
      return;
    }
    upstreamUp.keySet().removeIf(k -> {
      if (configured.contains(k)) {
        return false;
      }
      registry.find("ftpgw.upstream.up").tags("upstream", k.upstream(), "server", k.server()).meters()
          .forEach(registry::remove);
      return true;
    });
    Set<String> names = new java.util.HashSet<>();
    configured.forEach(k -> names.add(certificateName(k.upstream(), k.server())));
    upstreamCertificates.keySet().removeIf(name -> {
      if (names.contains(name)) {
        return false;
      }
      registry.find("ftpgw.certificate.expiry.timestamp").tags("side", SIDE_UPSTREAM, "name", name).meters()
          .forEach(registry::remove);
      return true;
    });
  }

  /** The leaf certificate an upstream server presented (accepted or not: an expired one is the case to see). */
  public void upstreamCertificate(String upstream, String server, X509Certificate leaf) {
    if (registry != null && leaf != null) {
      upstreamCertificates.computeIfAbsent(certificateName(upstream, server), name -> {
        AtomicLong notAfter = new AtomicLong();
        certificateExpiry(SIDE_UPSTREAM, name, notAfter, AtomicLong::get);
        return notAfter;
      }).set(leaf.getNotAfter().toInstant().getEpochSecond());
    }
  }

  /** A listener's certificate; {@code notAfterSeconds} reads the one in use now, so a reload shows at once. */
  public void listenerCertificate(String listener, java.util.function.LongSupplier notAfterSeconds) {
    if (registry != null) {
      certificateExpiry(SIDE_LISTENER, listener, notAfterSeconds, s -> s.getAsLong());
    }
  }

  private static String certificateName(String upstream, String server) {
    return upstream + "/" + server;
  }

  private <T> void certificateExpiry(String side, String name, T state, ToDoubleFunction<T> notAfterSeconds) {
    Gauge.builder("ftpgw.certificate.expiry.timestamp", state, notAfterSeconds).strongReference(true)
        .baseUnit("seconds")
        .description("notAfter of a certificate in Unix seconds: side=listener the gateway's own, side=upstream the"
            + " leaf an upstream server presented last")
        .tags("side", side, "name", name).register(registry);
  }

  /** The meters of one listener, resolved once so the data path only increments. */
  public final class Listener {
    private final String name;
    private final AtomicInteger active = new AtomicInteger();
    private final LongConsumer downloadBytes;
    private final LongConsumer uploadBytes;
    private final LongConsumer controlIn;
    private final LongConsumer controlOut;

    private Listener(String name, IntSupplier passivePortsInUse, int passivePortsCapacity) {
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
      Gauge.builder("ftpgw.passive.ports.capacity", () -> passivePortsCapacity).strongReference(true)
          .description("Size of the listener's passive port range (listener.passivePorts)").tags("listener", name)
          .register(registry);
      SESSION_OUTCOMES.forEach(this::sessionCounter);
      for (String command : TRANSFER_COMMANDS) {
        for (String outcome : TRANSFER_OUTCOMES) {
          transferCounter(command, outcome);
        }
      }
    }

    private Counter sessionCounter(String outcome) {
      return Counter.builder("ftpgw.sessions").description("Client sessions ended, by how they ended")
          .tags("listener", name, "outcome", outcome).register(registry);
    }

    private Counter transferCounter(String command, String outcome) {
      return Counter.builder("ftpgw.transfers").description("Transfers by command and outcome")
          .tags("listener", name, "command", command, "outcome", outcome).register(registry);
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
        sessionCounter(outcome).increment();
      }
    }

    /** {@code outcome}: ok, aborted or failed. */
    public void transfer(String command, String outcome, long nanos, long bytes) {
      if (registry == null) {
        return;
      }
      transferCounter(command, outcome).increment();
      Timer.builder("ftpgw.transfer.duration").description("Transfer duration, command to completion reply")
          .tags("listener", name, "command", command)
          .serviceLevelObjectives(TIME_BUCKETS).register(registry).record(nanos, TimeUnit.NANOSECONDS);
      DistributionSummary.builder("ftpgw.transfer.size").baseUnit("bytes").description("Bytes per transfer")
          .tags("listener", name, "command", command)
          .serviceLevelObjectives(SIZE_BUCKETS).register(registry).record(bytes);
    }
  }
}
