package org.ftpsgateway;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.ftpsgateway.admin.AdminApi;
import org.ftpsgateway.admin.AdminToken;
import org.ftpsgateway.audit.AuditLog;
import org.ftpsgateway.config.ConfigException;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.ListenerConfig;
import org.ftpsgateway.config.TlsMode;
import org.ftpsgateway.control.Admission;
import org.ftpsgateway.control.ListenerContext;
import org.ftpsgateway.control.ListenerVerticle;
import org.ftpsgateway.control.SetupQueue;
import org.ftpsgateway.metrics.GatewayMetrics;
import org.ftpsgateway.metrics.MetricsServer;
import org.ftpsgateway.tls.CertificateWatch;
import org.ftpsgateway.tls.ClientSideTls;
import org.ftpsgateway.upstream.UpstreamSet;

/**
 * The running gateway, wired: listener verticles per configured listener, the upstreams and their probes
 * ({@link HotReload}), the certificate watch and the metrics endpoint.
 */
public final class Gateway {

  /** A started listener and the port it actually bound. */
  public record BoundListener(String name, String host, int port) {
  }

  /** What every listener's sessions share. */
  private record Shared(GatewayMetrics metrics, AuditLog audit, Admission admission, SetupQueue setups) {
  }

  /** The listeners of one start: their contexts, their client-side TLS and the verticle deployments. */
  private record Listeners(List<ListenerContext> contexts, List<ClientSideTls> clientTls, List<String> deployments) {
  }

  /** The metrics endpoint, when it runs, and the operator API's token (null: no admin.tokenFile). */
  private record Endpoint(MetricsServer server, int port, AdminToken token) {
    static final Endpoint OFF = new Endpoint(null, -1, null);
  }

  private final Vertx vertx;
  private final Shared shared;
  private final Listeners listeners;
  private final List<BoundListener> bound;
  private final HotReload reload;
  private final Endpoint endpoint;
  private final CertificateWatch certificates;

  private Gateway(Vertx vertx, Shared shared, Listeners listeners, List<BoundListener> bound, HotReload reload,
                  Endpoint endpoint) {
    this.vertx = vertx;
    this.shared = shared;
    this.listeners = listeners;
    this.bound = List.copyOf(bound);
    this.reload = reload;
    this.endpoint = endpoint;
    this.certificates = CertificateWatch.start(vertx, listeners.clientTls());
  }

  /** Without metrics (tests that do not look at them). */
  public static Future<Gateway> start(Vertx vertx, GatewayConfig config) {
    return start(vertx, config, GatewayMetrics.disabled());
  }

  /**
   * Starts every listener, the probe and (with a Prometheus registry and {@code metrics.enabled}) the metrics
   * endpoint.
   */
  public static Future<Gateway> start(Vertx vertx, GatewayConfig config, GatewayMetrics metrics) {
    Shared shared = new Shared(metrics,
        new AuditLog(config.logging().json() ? AuditLog.Format.JSON : AuditLog.Format.TEXT, config.audit().sha256()),
        new Admission(config.limits()), new SetupQueue(config.limits().maxConcurrentSetups()));
    metrics.setupQueue(shared.setups()::queued, shared.setups()::inFlight);
    UpstreamSet.ActivePorts activePorts = new UpstreamSet.ActivePorts();
    UpstreamSet upstreams = UpstreamSet.build(config, metrics.upstreamTlsCpu(), activePorts);
    Listeners listeners;
    try {
      listeners = contexts(vertx, config, shared, upstreams);
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }
    HotReload reload = new HotReload(metrics, activePorts,
        new HotReload.Targets(listeners.contexts(), shared.admission()), upstreams);
    List<Future<BoundListener>> started = new ArrayList<>();
    for (ListenerContext context : listeners.contexts()) {
      started.add(deploy(vertx, context, listeners.deployments()));
    }
    return Future.all(started).map(all -> started.stream().map(Future::result).toList())
        .<Gateway>compose(bound -> {
          reload.startProbes();
          return endpoint(vertx, config, metrics, reload, shared.admission())
              .map(endpoint -> new Gateway(vertx, shared, listeners, bound, reload, endpoint))
              .onFailure(e -> reload.stopProbes());
        }).recover(e -> {
          for (String id : listeners.deployments()) {
            vertx.undeploy(id);
          }
          return Future.failedFuture(e);
        });
  }

  /** A context per listener, with its client-side TLS; a TLS file that does not load is a config error. */
  private static Listeners contexts(Vertx vertx, GatewayConfig config, Shared shared, UpstreamSet upstreams)
      throws ConfigException {
    List<ListenerContext> contexts = new ArrayList<>();
    List<ClientSideTls> clientTls = new ArrayList<>();
    for (ListenerConfig lc : config.listeners()) {
      ListenerContext context = new ListenerContext(vertx, lc, HotReload.routing(upstreams, lc),
          config.timeouts(), shared.metrics(), shared.audit(), shared.admission(), shared.setups());
      if (lc.tls() != TlsMode.NONE) {
        ClientSideTls tls = ClientSideTls.create("listeners[" + contexts.size() + "]",
            lc.clientTls(), lc.host(), ListenerVerticle.useOpenSsl(config.tlsEngine()));
        tls.warnIfGenerated(lc.name());
        tls.measureWith(shared.metrics().clientTlsCpu());
        shared.metrics().listenerCertificate(lc.name(), tls::notAfterEpochSeconds);
        context.clientTls(tls);
        clientTls.add(tls);
      }
      contexts.add(context);
    }
    return new Listeners(contexts, clientTls, new CopyOnWriteArrayList<>());
  }

  /**
   * Deploys a listener's verticles, one per core. A listener on port 0 (tests) gets one instance, since instances on
   * an ephemeral port would each bind a different port.
   */
  private static Future<BoundListener> deploy(Vertx vertx, ListenerContext context, List<String> deployments) {
    ListenerConfig lc = context.listener();
    int instances = lc.port() == 0 ? 1 : Math.max(1, Runtime.getRuntime().availableProcessors());
    List<ListenerVerticle> verticles = new CopyOnWriteArrayList<>();
    return vertx.deployVerticle(() -> {
      ListenerVerticle v = new ListenerVerticle(context);
      verticles.add(v);
      return v;
    }, new DeploymentOptions().setInstances(instances)).map(id -> {
      deployments.add(id);
      return new BoundListener(lc.name(), lc.host(), verticles.get(0).actualPort());
    }).recover(e -> Future.failedFuture("listener " + lc.name() + " cannot listen on " + lc.host() + ":"
        + lc.port() + ": " + e.getMessage()));
  }

  /** The metrics endpoint, with readiness from the upstreams; off without a Prometheus registry or when disabled. */
  private static Future<Endpoint> endpoint(Vertx vertx, GatewayConfig config, GatewayMetrics metrics,
                                           HotReload reload, Admission admission) {
    if (!config.metrics().enabled() || !(metrics.registry() instanceof PrometheusMeterRegistry prometheus)) {
      return Future.succeededFuture(Endpoint.OFF);
    }
    String tokenFile = config.admin().tokenFile();
    Future<AdminToken> token = tokenFile == null ? Future.succeededFuture() : AdminToken.load(vertx, tokenFile);
    return token.compose(t -> {
      MetricsServer server = new MetricsServer(vertx, prometheus, reload::notReadyReason,
          new AdminApi(vertx, admission.sessions(), t));
      return server.start(config.metrics().host(), config.metrics().port())
          .recover(e -> {
            if (t != null) {
              t.stop();
            }
            return Future.failedFuture("metrics endpoint cannot listen on " + config.metrics().host() + ":"
                + config.metrics().port() + ": " + e.getMessage());
          })
          .map(port -> new Endpoint(server, port, t));
    });
  }

  /**
   * Hot reload (see {@link HotReload}). Blocking (reads CA and key files): call it from a worker or signal thread.
   * Throws {@link ConfigException} (the old configuration stays) when the new upstreams cannot be built.
   */
  public void reload(GatewayConfig fresh) throws ConfigException {
    reload.apply(fresh);
  }

  /** Reloads applied since start. */
  public int reloads() {
    return reload.reloads();
  }

  /** Reloads refused since start (invalid file, or upstream TLS material that does not load). */
  public int refusedReloads() {
    return reload.refusedReloads();
  }

  /** A reload that failed validation before reaching {@link #reload}: counted; the old configuration stays. */
  public void reloadRefused() {
    reload.refused();
  }

  public List<BoundListener> listeners() {
    return bound;
  }

  public int port(String listenerName) {
    return bound.stream().filter(l -> l.name().equals(listenerName)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no listener " + listenerName)).port();
  }

  /** The metrics endpoint's port, or -1 when it is off. */
  public int metricsPort() {
    return endpoint.port();
  }

  /**
   * Graceful shutdown: new connections get {@code 421}, idle sessions are closed with {@code 421}, sessions with
   * a transfer in flight end after it; completes when no session is left or after {@code graceSeconds}.
   */
  public Future<Void> drain(int graceSeconds) {
    shared.admission().drain();
    Promise<Void> drained = Promise.promise();
    awaitNoSession(drained, System.nanoTime() + graceSeconds * 1_000_000_000L);
    return drained.future();
  }

  /**
   * Completes {@code drained} once no session is left, or at {@code deadline}: looks now, then every 50 ms with a
   * one-shot timer. Not a periodic timer cancelled from its own handler: with an initial delay of 0, Vert.x 5.0.7 can
   * run the first tick before {@code setPeriodic} has stored the timer's future, {@code cancelTimer} then throws a
   * NullPointerException inside the handler, and the drain never completed: a SIGTERM with no session waited the
   * whole grace period (about one stop in four).
   */
  private void awaitNoSession(Promise<Void> drained, long deadline) {
    if (shared.admission().openSessions() == 0 || System.nanoTime() - deadline >= 0) {
      drained.tryComplete();
      return;
    }
    vertx.setTimer(50, t -> awaitNoSession(drained, deadline));
  }

  public int openSessions() {
    return shared.admission().openSessions();
  }

  /** The upstream setups in flight and waiting (limits.maxConcurrentSetups). */
  public SetupQueue setups() {
    return shared.setups();
  }

  public Future<Void> stop() {
    certificates.stop();
    List<Future<?>> all = new ArrayList<>();
    for (String id : listeners.deployments()) {
      all.add(vertx.undeploy(id));
    }
    all.addAll(reload.stopProbes());
    if (endpoint.server() != null) {
      all.add(endpoint.server().stop());
    }
    if (endpoint.token() != null) {
      endpoint.token().stop();
    }
    return Future.join(all).mapEmpty();
  }
}
