package org.ftpsgateway.upstream;

import java.util.concurrent.atomic.AtomicInteger;
import org.ftpsgateway.config.UpstreamConfig;
import org.ftpsgateway.metrics.UpstreamHealth;
import org.ftpsgateway.tls.UpstreamTls;

/**
 * One server of a named upstream: its settings, its TLS contexts (sessions take a fresh {@link UpstreamTls.SessionTls}
 * each), its health as sessions and the probe last found it, and how many sessions it carries now. Shared by every
 * event loop: the counters are atomic, the health fields volatile.
 */
public final class UpstreamServer {

  private final String upstreamName;
  private final UpstreamConfig config;
  private final UpstreamTls tls;
  private final UpstreamHealth health = new UpstreamHealth();
  private final AtomicInteger sessions = new AtomicInteger();

  public UpstreamServer(String upstreamName, UpstreamConfig config, UpstreamTls tls) {
    this.upstreamName = upstreamName;
    this.config = config;
    this.tls = tls;
  }

  /** The name of the upstream this server belongs to (the metric label). */
  public String upstreamName() {
    return upstreamName;
  }

  public UpstreamConfig config() {
    return config;
  }

  public UpstreamTls tls() {
    return tls;
  }

  public UpstreamHealth health() {
    return health;
  }

  /** Sessions of this gateway connected to this server now (least-sessions balancing). */
  public int sessions() {
    return sessions.get();
  }

  public void sessionStarted() {
    sessions.incrementAndGet();
  }

  public void sessionEnded() {
    sessions.decrementAndGet();
  }

  /** host:port, as logs and replies name it. */
  public String where() {
    return io.vertx.core.net.SocketAddress.inetSocketAddress(config.port(), config.host()).toString();
  }

  @Override
  public String toString() {
    return upstreamName + "/" + where();
  }
}
