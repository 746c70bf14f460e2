package org.ftpsgateway.control;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.util.concurrent.atomic.AtomicLong;
import org.ftpsgateway.audit.AuditLog;
import org.ftpsgateway.config.ListenerConfig;
import org.ftpsgateway.config.TimeoutsConfig;
import org.ftpsgateway.data.PassivePortPool;
import org.ftpsgateway.data.TokenBucket;
import org.ftpsgateway.metrics.GatewayMetrics;
import org.ftpsgateway.metrics.TlsCpuHandlers;
import org.ftpsgateway.tls.ClientSideTls;
import org.ftpsgateway.upstream.Router;
import org.ftpsgateway.upstream.UpstreamPool;

/**
 * What the sessions of one listener share: its config, its passive port pool, its upstream (and the router that may
 * send a user elsewhere) and the session counter. One {@link NetClient} per event loop (passed per session) keeps
 * each session's control and data connections on the same client, which is what lets the TLS session cache resume
 * the control session.
 */
public final class ListenerContext {

  private final Vertx vertx;
  private final ListenerConfig listener;
  /** The upstream sessions start on, and the router: swapped together by a reload, read once per session. */
  private volatile Routing routing;
  private final TimeoutsConfig timeouts;
  private final PassivePortPool passivePorts;
  private final AtomicLong sessionIds = new AtomicLong();
  private final GatewayMetrics metrics;
  private final GatewayMetrics.Listener listenerMetrics;
  private final SetupQueue setups;

  /** The listener's upstream and the router of USER names, as one value so that a session sees a consistent pair. */
  public record Routing(UpstreamPool upstream, Router router) {
  }

  public ListenerContext(Vertx vertx, ListenerConfig listener, Routing routing, TimeoutsConfig timeouts,
                         GatewayMetrics metrics, AuditLog audit, Admission admission) {
    this(vertx, listener, routing, timeouts, metrics, audit, admission, new SetupQueue(0));
  }

  /** @param setups the gateway's bound on upstream setups in flight, shared by all its listeners */
  public ListenerContext(Vertx vertx, ListenerConfig listener, Routing routing, TimeoutsConfig timeouts,
                         GatewayMetrics metrics, AuditLog audit, Admission admission, SetupQueue setups) {
    this.setups = setups;
    this.audit = audit;
    this.admission = admission;
    this.vertx = vertx;
    this.listener = listener;
    this.routing = routing;
    this.timeouts = timeouts;
    this.passivePorts = new PassivePortPool(listener.passivePorts());
    this.metrics = metrics;
    this.listenerMetrics = metrics.listener(listener.name(), passivePorts::inUse,
        listener.passivePorts().size());
    this.dataPrelude = listener.access().acceptProxyProtocol() ? ProxyHeaderReader.dataPrelude(this)
        : org.ftpsgateway.data.ConnectionPrelude.NONE;
    this.bandwidth = listener.access().bytesPerSecond() > 0
        ? TokenBucket.perSecond(listener.access().bytesPerSecond()) : null;
  }

  private final org.ftpsgateway.data.ConnectionPrelude dataPrelude;

  /**
   * What a client's passive data connection presents before its data: behind a balancer
   * (listeners[].acceptProxyProtocol) the PROXY header that names the client, as on the control connection.
   */
  public org.ftpsgateway.data.ConnectionPrelude dataPrelude() {
    return dataPrelude;
  }

  /** listeners[].bytesPerSecond, shared by every session of the listener on every event loop; null: unlimited. */
  private final TokenBucket bandwidth;

  public TokenBucket bandwidth() {
    return bandwidth;
  }

  private final AuditLog audit;
  private ClientSideTls clientTls;

  /** TLS towards clients, or null for a plain listener. */
  public ClientSideTls clientTls() {
    return clientTls;
  }

  public void clientTls(ClientSideTls tls) {
    this.clientTls = tls;
  }
  private final Admission admission;
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

  /** Starts measuring a freshly handshaken upstream socket's TLS CPU when the engine is not wrapped (OpenSSL). */
  public void measureUpstreamTls(NetSocket socket, boolean openSsl) {
    if (metrics.enabled() && openSsl) {
      TlsCpuHandlers.install(socket, metrics.upstreamTlsCpu());
    }
  }

  public Vertx vertx() {
    return vertx;
  }

  public ListenerConfig listener() {
    return listener;
  }

  public Routing routing() {
    return routing;
  }

  /** A reload: new sessions use {@code newRouting}, sessions in flight keep what they connected to. */
  public void routing(Routing newRouting) {
    this.routing = newRouting;
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
