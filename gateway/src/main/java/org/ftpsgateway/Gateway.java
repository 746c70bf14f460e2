package org.ftpsgateway;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.ListenerConfig;
import org.ftpsgateway.control.ListenerContext;
import org.ftpsgateway.control.ListenerVerticle;

/** The running gateway: one deployment of listener verticles per configured listener. */
public final class Gateway {

  /** A started listener and the port it actually bound. */
  public record BoundListener(String name, String host, int port) {
  }

  private final Vertx vertx;
  private final List<String> deployments;
  private final List<BoundListener> listeners;

  private Gateway(Vertx vertx, List<String> deployments, List<BoundListener> listeners) {
    this.vertx = vertx;
    this.deployments = deployments;
    this.listeners = listeners;
  }

  /**
   * Starts every listener. A listener on port 0 (tests) gets one instance, since instances on an ephemeral port
   * would each bind a different port.
   */
  public static Future<Gateway> start(Vertx vertx, GatewayConfig config) {
    List<Future<BoundListener>> started = new ArrayList<>();
    List<String> deployments = new CopyOnWriteArrayList<>();
    for (ListenerConfig lc : config.listeners()) {
      ListenerContext context = new ListenerContext(vertx, lc, config.upstream(), config.timeouts());
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
    return Future.all(started).map(all -> {
      List<BoundListener> bound = new ArrayList<>();
      for (Future<BoundListener> f : started) {
        bound.add(f.result());
      }
      return new Gateway(vertx, deployments, bound);
    }).recover(e -> {
      for (String id : deployments) {
        vertx.undeploy(id);
      }
      return Future.failedFuture(e);
    });
  }

  public List<BoundListener> listeners() {
    return listeners;
  }

  public int port(String listenerName) {
    return listeners.stream().filter(l -> l.name().equals(listenerName)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no listener " + listenerName)).port();
  }

  public Future<Void> stop() {
    List<Future<Void>> all = new ArrayList<>();
    for (String id : deployments) {
      all.add(vertx.undeploy(id));
    }
    return Future.join(all).mapEmpty();
  }
}
