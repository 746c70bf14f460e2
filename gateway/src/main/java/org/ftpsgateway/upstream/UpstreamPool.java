package org.ftpsgateway.upstream;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.logging.Logger;
import org.ftpsgateway.config.PortRange;
import org.ftpsgateway.config.TimeoutsConfig;
import org.ftpsgateway.config.UpstreamConfig;
import org.ftpsgateway.config.UpstreamGroup;
import org.ftpsgateway.data.PassivePortPool;
import org.ftpsgateway.metrics.TlsCpuMeter;
import org.ftpsgateway.tls.BoringSslSuites;
import org.ftpsgateway.tls.UpstreamTls;

/**
 * The running form of one named upstream: its servers, in the order {@code balance} gives for each new session, and
 * the port pool its active-mode data connections listen on. Built once at start; shared by every listener and event
 * loop that uses the upstream.
 */
public final class UpstreamPool {

  private static final Logger LOG = Logger.getLogger(UpstreamPool.class.getName());

  private final UpstreamGroup config;
  private final List<UpstreamServer> servers;
  private final PassivePortPool activePorts;
  private final AtomicLong nextStart = new AtomicLong();

  /** {@code activePorts}: the pool for {@code activePorts}, or null (any free port). */
  public UpstreamPool(UpstreamGroup config, List<UpstreamServer> servers, PassivePortPool activePorts) {
    this.config = config;
    this.servers = List.copyOf(servers);
    this.activePorts = activePorts;
  }

  /** One {@link UpstreamTls} per server (trust, client key, SNI name), built once; its own active port pool. */
  public static UpstreamPool create(UpstreamGroup config, TimeoutsConfig timeouts, TlsCpuMeter cpu) {
    return create(config, timeouts, cpu, PassivePortPool::new);
  }

  /**
   * As {@link #create(UpstreamGroup, TimeoutsConfig, TlsCpuMeter)}, taking the active port pool of a range from
   * {@code activePortPools}: a reload that keeps the range keeps the pool, so new sessions never pick a port that a
   * session in flight still listens on.
   */
  public static UpstreamPool create(UpstreamGroup config, TimeoutsConfig timeouts, TlsCpuMeter cpu,
                                    Function<PortRange, PassivePortPool> activePortPools) {
    List<UpstreamServer> servers = new ArrayList<>();
    for (UpstreamConfig server : config.servers()) {
      UpstreamTls tls = new UpstreamTls(server, timeouts, useOpenSsl(server), cpu);
      servers.add(new UpstreamServer(config.name(), server, tls));
    }
    PortRange range = config.first().activePorts();
    return new UpstreamPool(config, servers, range == null ? null : activePortPools.apply(range));
  }

  /**
   * Whether this server's connections use OpenSSL: as {@link #useOpenSsl(UpstreamConfig.SslEngine)}, except that
   * {@code auto} takes the JDK engine when {@code cipherSuites} leaves out a TLS 1.3 suite, which BoringSSL would offer
   * anyway ({@link BoringSslSuites}; {@code openssl} with such a list is refused by the config check).
   */
  public static boolean useOpenSsl(UpstreamConfig server) {
    boolean openSsl = useOpenSsl(server.sslEngine());
    if (openSsl && server.sslEngine() == UpstreamConfig.SslEngine.AUTO) {
      List<String> extra = BoringSslSuites.offeredAgainstConfig(server.protocols(), server.tlsOptions().cipherSuites());
      if (!extra.isEmpty()) {
        LOG.warning("upstream " + server.host() + ":" + server.port() + ": cipherSuites leaves out " + extra
            + ", which the OpenSSL engine offers with TLS 1.3 whatever the list says: using the JDK engine to keep"
            + " the list (more CPU per byte). To keep OpenSSL, list all of " + BoringSslSuites.TLS13
            + " or take TLSv1.3 out of protocols");
        return false;
      }
    }
    return openSsl;
  }

  /** Whether {@code choice} means OpenSSL on this machine. */
  public static boolean useOpenSsl(UpstreamConfig.SslEngine choice) {
    return switch (choice) {
      case JDK -> false;
      case OPENSSL -> true;
      // OpenSSL (BoringSSL) when it loads: the same session reuse as the JDK's in the interop suite, at a fraction
      // of the CPU per byte (the JDK's AES-GCM on direct buffers dominates a transfer's profile)
      case AUTO -> io.netty.handler.ssl.OpenSsl.isAvailable();
    };
  }

  public String name() {
    return config.name();
  }

  public UpstreamGroup config() {
    return config;
  }

  public List<UpstreamServer> servers() {
    return servers;
  }

  /** With {@code dataMode: active}: the ports to listen on for the upstream, or null for any free port. */
  public PassivePortPool activePorts() {
    return activePorts;
  }

  /**
   * The servers a new session tries, in order: as {@code balance} says, then every server whose last attempt failed
   * moved behind the others (still tried: the probe's verdict may be up to {@code probeSeconds} old).
   */
  public List<UpstreamServer> candidates() {
    List<UpstreamServer> order = new ArrayList<>(servers);
    switch (config.balance()) {
      case ROUND_ROBIN -> Collections.rotate(order, -(int) Math.floorMod(nextStart.getAndIncrement(), order.size()));
      // List.sort is stable: equal counts keep the configured order
      case LEAST_SESSIONS -> order.sort(Comparator.comparingInt(UpstreamServer::sessions));
      case FIRST_AVAILABLE -> {
      }
    }
    order.sort(Comparator.comparing(s -> s.health().failing()));
    return order;
  }

  /** Null when at least one server is healthy, else why not (a lone server's own reason, as before upstreams). */
  public String notReadyReason() {
    if (servers.size() == 1) {
      return servers.get(0).health().notReadyReason();
    }
    List<String> reasons = new ArrayList<>();
    for (UpstreamServer s : servers) {
      String why = s.health().notReadyReason();
      if (why == null) {
        return null;
      }
      reasons.add(s.where() + ": " + why);
    }
    return "upstream " + name() + ": no healthy server (" + String.join("; ", reasons) + ")";
  }
}
