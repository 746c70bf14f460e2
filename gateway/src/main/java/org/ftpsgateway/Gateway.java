package org.ftpsgateway;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.ftpsgateway.audit.AuditLog;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.ListenerConfig;
import org.ftpsgateway.control.Admission;
import org.ftpsgateway.control.ListenerContext;
import org.ftpsgateway.control.ListenerVerticle;
import org.ftpsgateway.control.SetupQueue;
import org.ftpsgateway.control.UpstreamProbe;
import org.ftpsgateway.metrics.GatewayMetrics;
import org.ftpsgateway.metrics.MetricsServer;
import org.ftpsgateway.config.PortRange;
import org.ftpsgateway.config.UpstreamGroup;
import org.ftpsgateway.data.PassivePortPool;
import org.ftpsgateway.upstream.Router;
import org.ftpsgateway.upstream.UpstreamPool;
import org.ftpsgateway.upstream.UpstreamServer;

/** The running gateway: listener verticles per configured listener, the upstream probe, the metrics endpoint. */
public final class Gateway {

  /** A started listener and the port it actually bound. */
  public record BoundListener(String name, String host, int port) {
  }

  private final Vertx vertx;
  private final List<String> deployments;
  private final List<BoundListener> listeners;
  private final GatewayMetrics metrics;
  private final List<ListenerContext> contexts;
  /** What a reload replaces: the config, the upstreams and their probes. Guarded by {@code this}. */
  private Upstreams upstreams;
  /** The upstreams listeners start sessions on, for readiness (read by the metrics endpoint's event loop). */
  private final AtomicReference<List<UpstreamPool>> used;
  /** Active-mode port pools by range, shared by the upstreams of every configuration loaded. */
  private final Map<PortRange, PassivePortPool> activePortPools;
  private final AtomicInteger reloads = new AtomicInteger();
  private final AtomicInteger refusedReloads = new AtomicInteger();
  private final MetricsServer metricsServer;
  private final int metricsPort;

  private final Admission admission;
  private final List<Long> certificateTimers = new CopyOnWriteArrayList<>();
  private final SetupQueue setups;

  /** The running upstreams of one configuration: pools, router, probes. */
  private record Upstreams(GatewayConfig config, List<UpstreamPool> pools, Router router, List<UpstreamProbe> probes) {

    /**
     * Builds a pool per upstream (one UpstreamTls per server: reads caFile and client keys, so blocking), with the
     * active port pools of {@code activePortPools} (kept for the gateway's life, across reloads).
     */
    static Upstreams build(GatewayConfig config, GatewayMetrics metrics,
                           Map<PortRange, PassivePortPool> activePortPools) {
      List<UpstreamPool> pools = new ArrayList<>();
      for (UpstreamGroup group : config.upstreams()) {
        UpstreamPool pool = UpstreamPool.create(group, config.timeouts(), metrics.upstreamTlsCpu(),
            range -> activePortPools.computeIfAbsent(range, PassivePortPool::new));
        pool.servers().forEach(server -> server.tls().warnAboutTrust());
        pools.add(pool);
      }
      metrics.retainUpstreams(pools.stream().flatMap(p -> p.servers().stream())
          .map(s -> new GatewayMetrics.UpstreamKey(s.upstreamName(), s.where())).collect(Collectors.toSet()));
      return new Upstreams(config, pools, new Router(pools, config.routes(), config.allowUserAtHost()),
          new CopyOnWriteArrayList<>());
    }

    UpstreamPool poolOf(ListenerConfig listener) {
      return router.pool(config.upstreamOf(listener).name());
    }

    /**
     * Readiness: every upstream a listener starts its sessions on (routed-only upstreams are probed too, but a user
     * routed to one that is down gets 421 without making the whole gateway unready).
     */
    List<UpstreamPool> used() {
      List<UpstreamPool> used = new ArrayList<>();
      for (ListenerConfig l : config.listeners()) {
        UpstreamPool pool = poolOf(l);
        if (!used.contains(pool)) {
          used.add(pool);
        }
      }
      return used;
    }

    void startProbes(ListenerContext context) {
      for (UpstreamPool pool : pools) {
        for (UpstreamServer server : pool.servers()) {
          UpstreamProbe probe = new UpstreamProbe(context, server);
          probe.start(pool.config().probeSeconds());
          probes.add(probe);
        }
      }
    }

    List<Future<?>> stopProbes() {
      List<Future<?>> all = new ArrayList<>();
      probes.forEach(p -> all.add(p.stop()));
      return all;
    }
  }

  private Gateway(Vertx vertx, List<String> deployments, List<BoundListener> listeners, Upstreams upstreams,
                  AtomicReference<List<UpstreamPool>> used, List<ListenerContext> contexts, GatewayMetrics metrics,
                  Map<PortRange, PassivePortPool> activePortPools, MetricsServer metricsServer, int metricsPort,
                  Admission admission, SetupQueue setups) {
    this.activePortPools = activePortPools;
    this.upstreams = upstreams;
    this.used = used;
    this.contexts = contexts;
    this.metrics = metrics;
    this.admission = admission;
    this.setups = setups;
    this.vertx = vertx;
    this.deployments = deployments;
    this.listeners = listeners;
    this.metricsServer = metricsServer;
    this.metricsPort = metricsPort;
  }

  /** Without metrics (tests that do not look at them). */
  public static Future<Gateway> start(Vertx vertx, GatewayConfig config) {
    return start(vertx, config, GatewayMetrics.disabled());
  }

  /**
   * Starts every listener, the probe and (with a Prometheus registry and {@code metrics.enabled}) the metrics
   * endpoint. A listener on port 0 (tests) gets one instance, since instances on an ephemeral port would each bind
   * a different port.
   */
  public static Future<Gateway> start(Vertx vertx, GatewayConfig config, GatewayMetrics metrics) {
    AuditLog audit = new AuditLog(config.logging().json() ? AuditLog.Format.JSON : AuditLog.Format.TEXT);
    Admission admission = new Admission(config.limits());
    SetupQueue setups = new SetupQueue(config.limits().maxConcurrentSetups());
    metrics.setupQueue(setups::queued, setups::inFlight);
    Map<PortRange, PassivePortPool> activePortPools = new ConcurrentHashMap<>();
    Upstreams upstreams = Upstreams.build(config, metrics, activePortPools);
    AtomicReference<List<UpstreamPool>> used = new AtomicReference<>(upstreams.used());
    List<Future<BoundListener>> started = new ArrayList<>();
    List<String> deployments = new CopyOnWriteArrayList<>();
    List<ListenerContext> contexts = new ArrayList<>();
    List<org.ftpsgateway.tls.ClientSideTls> clientTls = new ArrayList<>();
    for (ListenerConfig lc : config.listeners()) {
      ListenerContext context = new ListenerContext(vertx, lc,
          new ListenerContext.Routing(upstreams.poolOf(lc), upstreams.router()),
          config.timeouts(), metrics, audit, admission, setups);
      contexts.add(context);
      if (lc.tls() != org.ftpsgateway.config.TlsMode.NONE) {
        try {
          var tls = org.ftpsgateway.tls.ClientSideTls.create("listeners[" + contexts.indexOf(context) + "]",
              lc.clientTls(), lc.host(), ListenerVerticle.useOpenSsl(config.tlsEngine()));
          tls.warnIfGenerated(lc.name());
          tls.measureWith(metrics.clientTlsCpu());
          metrics.listenerCertificate(lc.name(), tls::notAfterEpochSeconds);
          context.clientTls(tls);
          clientTls.add(tls);
        } catch (org.ftpsgateway.config.ConfigException e) {
          return Future.failedFuture(e.getMessage());
        }
      }
      int instances = lc.port() == 0 ? 1 : Math.max(1, Runtime.getRuntime().availableProcessors());
      List<ListenerVerticle> verticles = new CopyOnWriteArrayList<>();
      started.add(vertx.deployVerticle(() -> {
        ListenerVerticle v = new ListenerVerticle(context);
        verticles.add(v);
        return v;
      }, new DeploymentOptions().setInstances(instances)).map(id -> {
        deployments.add(id);
        return new BoundListener(lc.name(), lc.host(), verticles.get(0).actualPort());
      }).recover(e -> Future.failedFuture("listener " + lc.name() + " cannot listen on " + lc.host() + ":"
          + lc.port() + ": " + e.getMessage())));
    }
    Future<List<BoundListener>> bound = Future.all(started).map(all -> {
      List<BoundListener> out = new ArrayList<>();
      for (Future<BoundListener> f : started) {
        out.add(f.result());
      }
      return out;
    });
    return bound.<Gateway>compose(listeners -> {
      upstreams.startProbes(contexts.get(0));
      if (!config.metrics().enabled() || !(metrics.registry() instanceof PrometheusMeterRegistry prometheus)) {
        return Future.succeededFuture(new Gateway(vertx, deployments, listeners, upstreams, used, contexts, metrics,
            activePortPools, null, -1, admission, setups));
      }
      MetricsServer server = new MetricsServer(vertx, prometheus, () -> notReadyReason(used.get()));
      return server.start(config.metrics().host(), config.metrics().port())
          .recover(e -> Future.failedFuture("metrics endpoint cannot listen on " + config.metrics().host() + ":"
              + config.metrics().port() + ": " + e.getMessage()))
          .map(port -> new Gateway(vertx, deployments, listeners, upstreams, used, contexts, metrics,
              activePortPools, server, port, admission, setups))
          .onFailure(e -> upstreams.stopProbes());
    }).map(gateway -> gateway.watchCertificates(clientTls)).recover(e -> {
      for (String id : deployments) {
        vertx.undeploy(id);
      }
      return Future.failedFuture(e);
    });
  }

  /** Null when every upstream in {@code used} has a healthy server, else the first one's reason. */
  private static String notReadyReason(List<UpstreamPool> used) {
    for (UpstreamPool pool : used) {
      String why = pool.notReadyReason();
      if (why != null) {
        return why;
      }
    }
    return null;
  }

  /**
   * Checks the listeners' certificate files on a worker thread every {@code certReloadSeconds}; cert-manager and
   * Kubernetes rotate secrets in place, so a changed file is picked up without a restart.
   */
  private Gateway watchCertificates(List<org.ftpsgateway.tls.ClientSideTls> all) {
    for (var tls : all) {
      if (tls.reloadSeconds() > 0) {
        certificateTimers.add(vertx.setPeriodic(tls.reloadSeconds() * 1000L,
            t -> vertx.executeBlocking(tls::reloadIfChanged, false)));
      }
    }
    return this;
  }

  /**
   * Hot reload: new sessions use {@code fresh}'s upstreams, routes, listeners' upstream choice, upstream TLS
   * material and limits; sessions in flight keep the upstream, TLS state and throttle they started with (they hold
   * their own references), so no transfer is dropped. What binds sockets or is fixed per listener (listeners' host,
   * port, TLS, passive ports, bytesPerSecond, allowClients, timeouts, metrics) needs a restart: a change there is
   * logged and otherwise ignored. Blocking (reads CA and key files): call it from a worker or signal thread. Throws
   * {@link org.ftpsgateway.config.ConfigException} (the old configuration stays) when the new upstreams cannot be
   * built.
   */
  public synchronized void reload(GatewayConfig fresh) throws org.ftpsgateway.config.ConfigException {
    Upstreams next;
    try {
      next = Upstreams.build(fresh, metrics, activePortPools);
    } catch (RuntimeException e) {
      refusedReloads.incrementAndGet();
      throw new org.ftpsgateway.config.ConfigException("upstreams", "cannot build the upstream TLS settings: "
          + e.getMessage());
    }
    // a server that stays keeps its health until its new probe reports: readiness does not flap on a reload
    for (UpstreamPool pool : next.pools()) {
      for (UpstreamServer server : pool.servers()) {
        upstreams.pools().stream().flatMap(p -> p.servers().stream())
            .filter(s -> s.where().equals(server.where()))
            .findFirst().ifPresent(old -> server.health().copyFrom(old.health()));
      }
    }
    List<String> restart = restartNeeded(upstreams.config(), fresh);
    for (ListenerContext context : contexts) {
      ListenerConfig lc = fresh.listeners().stream().filter(l -> l.name().equals(context.listener().name()))
          .findFirst().orElse(context.listener());
      context.routing(new ListenerContext.Routing(next.poolOf(lc), next.router()));
    }
    admission.limits(fresh.limits());
    Upstreams previous = upstreams;
    upstreams = next;
    used.set(next.used());
    next.startProbes(contexts.get(0));
    previous.stopProbes();
    reloads.incrementAndGet();
    java.util.logging.Logger.getLogger(Gateway.class.getName()).info("configuration reloaded: "
        + fresh.upstreams().size() + " upstream(s), " + fresh.routes().size() + " route(s); new sessions use them,"
        + " sessions in flight keep theirs" + (restart.isEmpty() ? ""
        : "; changed but applied only at restart: " + String.join(", ", restart)));
  }

  /** The keys {@link #reload} cannot apply that differ between {@code old} and {@code fresh}. */
  static List<String> restartNeeded(GatewayConfig old, GatewayConfig fresh) {
    List<String> keys = new ArrayList<>();
    List<ListenerConfig> a = old.listeners().stream().map(l -> l.withUpstream(null)).toList();
    List<ListenerConfig> b = fresh.listeners().stream().map(l -> l.withUpstream(null)).toList();
    if (!a.equals(b)) {
      keys.add("listeners");
    }
    if (!old.timeouts().equals(fresh.timeouts())) {
      keys.add("timeouts");
    }
    if (!old.metrics().equals(fresh.metrics())) {
      keys.add("metrics");
    }
    if (old.tlsEngine() != fresh.tlsEngine()) {
      keys.add("tls.engine");
    }
    if (old.logging().json() != fresh.logging().json()) {
      keys.add("logFormat");
    }
    if (old.shutdownGraceSeconds() != fresh.shutdownGraceSeconds()) {
      keys.add("shutdownGraceSeconds");
    }
    return keys;
  }

  /** Reloads applied since start. */
  public int reloads() {
    return reloads.get();
  }

  /** Reloads refused since start (invalid file, or upstream TLS material that does not load). */
  public int refusedReloads() {
    return refusedReloads.get();
  }

  /** A reload that failed validation before reaching {@link #reload}: counted; the old configuration stays. */
  public void reloadRefused() {
    refusedReloads.incrementAndGet();
  }

  public List<BoundListener> listeners() {
    return listeners;
  }

  public int port(String listenerName) {
    return listeners.stream().filter(l -> l.name().equals(listenerName)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no listener " + listenerName)).port();
  }

  /** The metrics endpoint's port, or -1 when it is off. */
  public int metricsPort() {
    return metricsPort;
  }

  /**
   * Graceful shutdown: new connections get {@code 421}, idle sessions are closed with {@code 421}, sessions with
   * a transfer in flight end after it; completes when no session is left or after {@code graceSeconds}.
   */
  public Future<Void> drain(int graceSeconds) {
    admission.drain();
    io.vertx.core.Promise<Void> drained = io.vertx.core.Promise.promise();
    long deadline = System.nanoTime() + graceSeconds * 1_000_000_000L;
    vertx.setPeriodic(0, 50, id -> {
      if (admission.openSessions() == 0 || System.nanoTime() >= deadline) {
        vertx.cancelTimer(id);
        drained.tryComplete();
      }
    });
    return drained.future();
  }

  public int openSessions() {
    return admission.openSessions();
  }

  /** The upstream setups in flight and waiting (limits.maxConcurrentSetups). */
  public SetupQueue setups() {
    return setups;
  }

  public Future<Void> stop() {
    certificateTimers.forEach(vertx::cancelTimer);
    List<Future<?>> all = new ArrayList<>();
    for (String id : deployments) {
      all.add(vertx.undeploy(id));
    }
    synchronized (this) {
      all.addAll(upstreams.stopProbes());
    }
    if (metricsServer != null) {
      all.add(metricsServer.stop());
    }
    return Future.join(all).mapEmpty();
  }
}
