package org.ftpsgateway;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.ftpsgateway.audit.AuditLog;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.ListenerConfig;
import org.ftpsgateway.control.Admission;
import org.ftpsgateway.control.ListenerContext;
import org.ftpsgateway.control.ListenerVerticle;
import org.ftpsgateway.control.UpstreamProbe;
import org.ftpsgateway.metrics.GatewayMetrics;
import org.ftpsgateway.metrics.MetricsServer;
import org.ftpsgateway.config.UpstreamGroup;
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
  private final List<UpstreamProbe> probes;
  private final MetricsServer metricsServer;
  private final int metricsPort;

  private final Admission admission;
  private final List<Long> certificateTimers = new CopyOnWriteArrayList<>();

  private Gateway(Vertx vertx, List<String> deployments, List<BoundListener> listeners, List<UpstreamProbe> probes,
                  MetricsServer metricsServer, int metricsPort, Admission admission) {
    this.admission = admission;
    this.vertx = vertx;
    this.deployments = deployments;
    this.listeners = listeners;
    this.probes = probes;
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
    List<UpstreamPool> pools = new ArrayList<>();
    for (UpstreamGroup group : config.upstreams()) {
      UpstreamPool pool = UpstreamPool.create(group, config.timeouts(), metrics.upstreamTlsCpu());
      pool.servers().forEach(server -> server.tls().warnAboutTrust());
      pools.add(pool);
    }
    Router router = new Router(pools, config.routes(), config.allowUserAtHost());
    // readiness: every upstream a listener starts its sessions on has a healthy server (routed-only upstreams are
    // probed too, but a user routed to one that is down gets 421 without making the whole gateway unready)
    List<UpstreamPool> used = new ArrayList<>();
    List<Future<BoundListener>> started = new ArrayList<>();
    List<String> deployments = new CopyOnWriteArrayList<>();
    List<ListenerContext> contexts = new ArrayList<>();
    List<org.ftpsgateway.tls.ClientSideTls> clientTls = new ArrayList<>();
    for (ListenerConfig lc : config.listeners()) {
      UpstreamPool pool = router.pool(config.upstreamOf(lc).name());
      if (!used.contains(pool)) {
        used.add(pool);
      }
      ListenerContext context = new ListenerContext(vertx, lc, new ListenerContext.Routing(pool, router),
          config.timeouts(), metrics, audit, admission);
      contexts.add(context);
      if (lc.tls() != org.ftpsgateway.config.TlsMode.NONE) {
        try {
          var tls = org.ftpsgateway.tls.ClientSideTls.create("listeners[" + contexts.indexOf(context) + "]",
              lc.clientTls(), lc.host(), ListenerVerticle.useOpenSsl(config.tlsEngine()));
          tls.warnIfGenerated(lc.name());
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
      List<UpstreamProbe> probes = new ArrayList<>();
      for (UpstreamPool pool : pools) {
        for (UpstreamServer server : pool.servers()) {
          UpstreamProbe probe = new UpstreamProbe(contexts.get(0), server);
          probe.start(pool.config().probeSeconds());
          probes.add(probe);
        }
      }
      if (!config.metrics().enabled() || !(metrics.registry() instanceof PrometheusMeterRegistry prometheus)) {
        return Future.succeededFuture(new Gateway(vertx, deployments, listeners, probes, null, -1, admission));
      }
      MetricsServer server = new MetricsServer(vertx, prometheus, () -> notReadyReason(used));
      return server.start(config.metrics().host(), config.metrics().port())
          .recover(e -> Future.failedFuture("metrics endpoint cannot listen on " + config.metrics().host() + ":"
              + config.metrics().port() + ": " + e.getMessage()))
          .map(port -> new Gateway(vertx, deployments, listeners, probes, server, port, admission))
          .onFailure(e -> probes.forEach(UpstreamProbe::stop));
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

  public Future<Void> stop() {
    certificateTimers.forEach(vertx::cancelTimer);
    List<Future<?>> all = new ArrayList<>();
    for (String id : deployments) {
      all.add(vertx.undeploy(id));
    }
    probes.forEach(p -> all.add(p.stop()));
    if (metricsServer != null) {
      all.add(metricsServer.stop());
    }
    return Future.join(all).mapEmpty();
  }
}
