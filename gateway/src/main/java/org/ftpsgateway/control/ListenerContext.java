package org.ftpsgateway.control;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import java.util.concurrent.atomic.AtomicLong;
import org.ftpsgateway.config.ListenerConfig;
import org.ftpsgateway.config.TimeoutsConfig;
import org.ftpsgateway.config.UpstreamConfig;
import org.ftpsgateway.audit.AuditLog;
import org.ftpsgateway.data.PassivePortPool;
import org.ftpsgateway.metrics.GatewayMetrics;
import org.ftpsgateway.metrics.UpstreamHealth;
import org.ftpsgateway.tls.UpstreamTls;

/**
 * What the sessions of one listener share: its config, its passive port pool, the upstream settings and the
 * session counter. One {@link NetClient} per event loop (passed per session) keeps each session's control and
 * data connections on the same client, which is what lets the TLS session cache resume the control session.
 */
public final class ListenerContext {

  private final Vertx vertx;
  private final ListenerConfig listener;
  private final UpstreamConfig upstream;
  private final UpstreamTls upstreamTls;
  private final TimeoutsConfig timeouts;
  private final PassivePortPool passivePorts;
  private final AtomicLong sessionIds = new AtomicLong();
  private final GatewayMetrics metrics;
  private final GatewayMetrics.Listener listenerMetrics;
  private final UpstreamHealth upstreamHealth;
  private final SetupQueue setups;

  public ListenerContext(Vertx vertx, ListenerConfig listener, UpstreamConfig upstream, UpstreamTls upstreamTls,
                         TimeoutsConfig timeouts, GatewayMetrics metrics, UpstreamHealth upstreamHealth,
                         AuditLog audit, Admission admission) {
    this(vertx, listener, upstream, upstreamTls, timeouts, metrics, upstreamHealth, audit, admission,
        new SetupQueue(0));
  }

  /** @param setups the gateway's bound on upstream setups in flight, shared by all its listeners */
  public ListenerContext(Vertx vertx, ListenerConfig listener, UpstreamConfig upstream, UpstreamTls upstreamTls,
                         TimeoutsConfig timeouts, GatewayMetrics metrics, UpstreamHealth upstreamHealth,
                         AuditLog audit, Admission admission, SetupQueue setups) {
    this.setups = setups;
    this.audit = audit;
    this.admission = admission;
    this.vertx = vertx;
    this.listener = listener;
    this.upstream = upstream;
    this.upstreamTls = upstreamTls;
    this.timeouts = timeouts;
    this.passivePorts = new PassivePortPool(listener.passivePorts());
    this.metrics = metrics;
    this.listenerMetrics = metrics.listener(listener.name(), passivePorts::inUse);
    this.upstreamHealth = upstreamHealth;
    this.bandwidth = listener.access().bytesPerSecond() > 0
        ? org.ftpsgateway.data.TokenBucket.perSecond(listener.access().bytesPerSecond()) : null;
  }

  /** listeners[].bytesPerSecond, shared by every session of the listener on every event loop; null: unlimited. */
  private final org.ftpsgateway.data.TokenBucket bandwidth;

  public org.ftpsgateway.data.TokenBucket bandwidth() {
    return bandwidth;
  }

  private final AuditLog audit;
  private org.ftpsgateway.tls.ClientSideTls clientTls;

  /** TLS towards clients, or null for a plain listener. */
  public org.ftpsgateway.tls.ClientSideTls clientTls() {
    return clientTls;
  }

  public void clientTls(org.ftpsgateway.tls.ClientSideTls tls) {
    this.clientTls = tls;
  }
  private final Admission admission;
  private PassivePortPool upstreamActivePorts;

  /** With {@code upstream.dataMode: active}: the ports to listen on for the upstream, or null for any free port. */
  public PassivePortPool upstreamActivePorts() {
    return upstreamActivePorts;
  }

  /** One pool for all listeners (they share the upstream); set before the listener starts. */
  public void upstreamActivePorts(PassivePortPool pool) {
    this.upstreamActivePorts = pool;
  }

  public Admission admission() {
    return admission;
  }

  /** Upstream setups in flight and waiting, over the whole gateway. */
  public SetupQueue setups() {
    return setups;
  }

  public AuditLog audit() {
    return audit;
  }

  public GatewayMetrics metrics() {
    return metrics;
  }

  public GatewayMetrics.Listener listenerMetrics() {
    return listenerMetrics;
  }

  /** Whether upstream TLS runs on OpenSSL (then its CPU is measured from the pipeline). */
  public boolean upstreamOpenSsl() {
    return ListenerVerticle.useOpenSsl(upstream.sslEngine());
  }

  /** Starts measuring a freshly handshaken upstream socket's TLS CPU when the engine is not wrapped. */
  public void measureUpstreamTls(io.vertx.core.net.NetSocket socket) {
    if (metrics.enabled() && upstreamOpenSsl()) {
      org.ftpsgateway.metrics.TlsCpuHandlers.install(socket, metrics.upstreamTlsCpu());
    }
  }

  public UpstreamHealth upstreamHealth() {
    return upstreamHealth;
  }

  public Vertx vertx() {
    return vertx;
  }

  public ListenerConfig listener() {
    return listener;
  }

  public UpstreamConfig upstream() {
    return upstream;
  }

  public UpstreamTls upstreamTls() {
    return upstreamTls;
  }

  public TimeoutsConfig timeouts() {
    return timeouts;
  }

  public PassivePortPool passivePorts() {
    return passivePorts;
  }

  String nextSessionId() {
    return listener.name() + "-" + sessionIds.incrementAndGet();
  }
}
