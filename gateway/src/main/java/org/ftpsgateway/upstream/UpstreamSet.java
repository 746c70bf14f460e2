package org.ftpsgateway.upstream;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.ListenerConfig;
import org.ftpsgateway.config.PortRange;
import org.ftpsgateway.config.UpstreamGroup;
import org.ftpsgateway.data.PassivePortPool;
import org.ftpsgateway.metrics.TlsCpuMeter;

/**
 * The running upstreams of one configuration: a pool per upstream, the router over them and their probes. A reload
 * builds a new set and retires the old one; sessions in flight keep the pools they picked.
 */
public final class UpstreamSet {

  /** A running health check of one server. */
  @FunctionalInterface
  public interface Probe {
    Future<Void> stop();
  }

  /** Starts probing {@code server} now and every {@code periodSeconds}. */
  @FunctionalInterface
  public interface Prober {
    Probe start(UpstreamServer server, int periodSeconds);
  }

  /**
   * Active-mode port pools by range, kept for the gateway's life across reloads: a reload that keeps a range keeps
   * its pool, so new sessions never pick a port that a session in flight still listens on.
   */
  public static final class ActivePorts {
    private final Map<PortRange, PassivePortPool> pools = new ConcurrentHashMap<>();

    PassivePortPool pool(PortRange range) {
      return pools.computeIfAbsent(range, PassivePortPool::new);
    }
  }

  private final GatewayConfig config;
  private final List<UpstreamPool> pools;
  private final Router router;
  private final List<UpstreamPool> used;
  private final List<Probe> probes = new CopyOnWriteArrayList<>();

  private UpstreamSet(GatewayConfig config, List<UpstreamPool> pools) {
    this.config = config;
    this.pools = List.copyOf(pools);
    this.router = new Router(this.pools, config.routes(), config.allowUserAtHost());
    this.used = usedBy(config);
  }

  /** Builds a pool per upstream (one UpstreamTls per server: reads caFile and client keys, so blocking). */
  public static UpstreamSet build(GatewayConfig config, TlsCpuMeter upstreamTlsCpu, ActivePorts activePorts) {
    List<UpstreamPool> pools = new ArrayList<>();
    for (UpstreamGroup group : config.upstreams()) {
      UpstreamPool pool = UpstreamPool.create(group, config.timeouts(), upstreamTlsCpu, activePorts::pool);
      pool.servers().forEach(server -> server.tls().warnAboutTrust());
      pools.add(pool);
    }
    return new UpstreamSet(config, pools);
  }

  public GatewayConfig config() {
    return config;
  }

  public List<UpstreamPool> pools() {
    return pools;
  }

  public Router router() {
    return router;
  }

  /** The pool a listener's sessions start on. */
  public UpstreamPool poolOf(ListenerConfig listener) {
    return router.pool(config.upstreamOf(listener).name());
  }

  /**
   * Readiness: every upstream a listener starts its sessions on (routed-only upstreams are probed too, but a user
   * routed to one that is down gets 421 without making the whole gateway unready).
   */
  private List<UpstreamPool> usedBy(GatewayConfig c) {
    List<UpstreamPool> out = new ArrayList<>();
    for (ListenerConfig l : c.listeners()) {
      UpstreamPool pool = poolOf(l);
      if (!out.contains(pool)) {
        out.add(pool);
      }
    }
    return List.copyOf(out);
  }

  /** Null when every upstream a listener uses has a healthy server, else the first one's reason. */
  public String notReadyReason() {
    for (UpstreamPool pool : used) {
      String why = pool.notReadyReason();
      if (why != null) {
        return why;
      }
    }
    return null;
  }

  /** A server that stays keeps its health until its new probe reports: readiness does not flap on a reload. */
  public void inheritHealth(UpstreamSet previous) {
    for (UpstreamPool pool : pools) {
      for (UpstreamServer server : pool.servers()) {
        previous.pools.stream().flatMap(p -> p.servers().stream())
            .filter(s -> s.where().equals(server.where()))
            .findFirst().ifPresent(old -> server.health().copyFrom(old.health()));
      }
    }
  }

  public void startProbes(Prober prober) {
    for (UpstreamPool pool : pools) {
      for (UpstreamServer server : pool.servers()) {
        probes.add(prober.start(server, pool.config().probeSeconds()));
      }
    }
  }

  public List<Future<?>> stopProbes() {
    List<Future<?>> all = new ArrayList<>();
    probes.forEach(p -> all.add(p.stop()));
    return all;
  }
}
