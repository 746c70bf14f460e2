package org.ftpsgateway;

import io.vertx.core.Future;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.ftpsgateway.config.ConfigException;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.ListenerConfig;
import org.ftpsgateway.control.Admission;
import org.ftpsgateway.control.ListenerContext;
import org.ftpsgateway.control.UpstreamProbe;
import org.ftpsgateway.metrics.GatewayMetrics;
import org.ftpsgateway.upstream.UpstreamSet;

/**
 * Hot reload: new sessions use a fresh configuration's upstreams, routes, listeners' upstream choice, upstream TLS
 * material and limits; sessions in flight keep the upstream, TLS state and throttle they started with (they hold
 * their own references), so no transfer is dropped. What binds sockets or is fixed per listener (see
 * {@link ConfigDiff}) needs a restart: a change there is logged and otherwise ignored.
 */
final class HotReload {

  private static final Logger LOG = Logger.getLogger(HotReload.class.getName());

  /** What a reload swaps the upstreams of: the listeners and the session limits they admit with. */
  record Targets(List<ListenerContext> contexts, Admission admission) {
  }

  private final GatewayMetrics metrics;
  private final UpstreamSet.ActivePorts activePorts;
  private final Targets targets;
  /** Replaced under {@code this}; read without the lock by the metrics endpoint's event loop (readiness). */
  private volatile UpstreamSet current;
  private final AtomicInteger reloads = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();

  HotReload(GatewayMetrics metrics, UpstreamSet.ActivePorts activePorts, Targets targets, UpstreamSet initial) {
    this.metrics = metrics;
    this.activePorts = activePorts;
    this.targets = targets;
    this.current = initial;
  }

  /** How a listener routes its new sessions over {@code upstreams}. */
  static ListenerContext.Routing routing(UpstreamSet upstreams, ListenerConfig listener) {
    return new ListenerContext.Routing(upstreams.poolOf(listener), upstreams.router());
  }

  /** Probes the current upstreams (at start; a reload probes the set it installs). */
  synchronized void startProbes() {
    current.startProbes(this::probe);
  }

  /** Any listener's context serves a probe: it only lends Vert.x, the timeouts and the metrics. */
  private UpstreamSet.Probe probe(org.ftpsgateway.upstream.UpstreamServer server, int periodSeconds) {
    UpstreamProbe probe = new UpstreamProbe(targets.contexts().get(0), server);
    probe.start(periodSeconds);
    return probe::stop;
  }

  synchronized List<Future<?>> stopProbes() {
    return current.stopProbes();
  }

  /** Null when the upstreams the listeners start sessions on are healthy, else why not (for {@code /readyz}). */
  String notReadyReason() {
    return current.notReadyReason();
  }

  /**
   * Applies {@code fresh} to new sessions. Blocking (reads CA and key files): call it from a worker or signal thread.
   * Throws {@link ConfigException} (the old configuration stays) when the new upstreams cannot be built.
   */
  synchronized void apply(GatewayConfig fresh) throws ConfigException {
    UpstreamSet next;
    try {
      next = UpstreamSet.build(fresh, metrics.upstreamTlsCpu(), activePorts);
    } catch (RuntimeException e) {
      refused.incrementAndGet();
      throw new ConfigException("upstreams", "cannot build the upstream TLS settings: " + e.getMessage());
    }
    UpstreamSet previous = current;
    next.inheritHealth(previous);
    List<String> restart = ConfigDiff.restartNeeded(previous.config(), fresh);
    for (ListenerContext context : targets.contexts()) {
      ListenerConfig lc = fresh.listeners().stream().filter(l -> l.name().equals(context.listener().name()))
          .findFirst().orElse(context.listener());
      context.routing(routing(next, lc));
    }
    targets.admission().limits(fresh.limits());
    current = next;
    metrics.retainUpstreams(next.pools().stream().flatMap(p -> p.servers().stream())
        .map(s -> new GatewayMetrics.UpstreamKey(s.upstreamName(), s.where())).collect(Collectors.toSet()));
    next.startProbes(this::probe);
    previous.stopProbes();
    reloads.incrementAndGet();
    LOG.info("configuration reloaded: " + fresh.upstreams().size() + " upstream(s), " + fresh.routes().size()
        + " route(s); new sessions use them, sessions in flight keep theirs" + (restart.isEmpty() ? ""
        : "; changed but applied only at restart: " + String.join(", ", restart)));
  }

  /** A reload that failed validation before reaching {@link #apply}: counted; the old configuration stays. */
  void refused() {
    refused.incrementAndGet();
  }

  int reloads() {
    return reloads.get();
  }

  int refusedReloads() {
    return refused.get();
  }
}
