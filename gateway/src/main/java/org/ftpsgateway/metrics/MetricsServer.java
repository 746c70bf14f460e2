package org.ftpsgateway.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.Supplier;

/**
 * The operator's HTTP endpoint: {@code /metrics} (Prometheus text, or OpenMetrics when the scraper asks for it),
 * {@code /healthz} (the process is alive) and {@code /readyz} (200 when ready, else 503 with the reason); and,
 * handed to the operator API ({@code org.ftpsgateway.admin}), {@code /api/v1/...} and {@code /status}.
 */
public final class MetricsServer {

  private static final String OPENMETRICS = "application/openmetrics-text";
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final Vertx vertx;
  private final PrometheusMeterRegistry registry;
  private final Supplier<String> notReadyReason;
  /** The operator API and status page, or null (none). */
  private final Handler<HttpServerRequest> admin;
  private HttpServer server;

  /**
   * @param notReadyReason null when ready, else why not
   */
  public MetricsServer(Vertx vertx, PrometheusMeterRegistry registry, Supplier<String> notReadyReason) {
    this(vertx, registry, notReadyReason, null);
  }

  /** @param admin serves {@code /status} and everything under {@code /api/v1/}; null for none */
  public MetricsServer(Vertx vertx, PrometheusMeterRegistry registry, Supplier<String> notReadyReason,
                       Handler<HttpServerRequest> admin) {
    this.vertx = vertx;
    this.registry = registry;
    this.notReadyReason = notReadyReason;
    this.admin = admin;
  }

  public Future<Integer> start(String host, int port) {
    server = vertx.createHttpServer();
    server.requestHandler(this::handle);
    return server.listen(port, host).map(HttpServer::actualPort);
  }

  public Future<Void> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void handle(HttpServerRequest request) {
    String path = request.path();
    if (admin != null && (path.equals("/status") || path.equals("/api/v1") || path.startsWith("/api/v1/"))) {
      admin.handle(request);
      return;
    }
    switch (path) {
      case "/metrics" -> {
        String accept = request.getHeader("Accept");
        String type = accept != null && accept.contains(OPENMETRICS)
            ? "application/openmetrics-text; version=1.0.0; charset=utf-8" : PROMETHEUS_TEXT;
        // scraping walks every meter: off the event loop
        vertx.executeBlocking(() -> registry.scrape(type.startsWith(OPENMETRICS) ? OPENMETRICS : PROMETHEUS_TEXT))
            .onSuccess(body -> request.response().putHeader("Content-Type", type).end(body))
            .onFailure(e -> request.response().setStatusCode(500).end("scrape failed: " + e.getMessage() + "\n"));
      }
      case "/healthz" -> request.response().putHeader("Content-Type", "text/plain").end("ok\n");
      case "/readyz" -> {
        String reason = notReadyReason.get();
        if (reason == null) {
          request.response().putHeader("Content-Type", "text/plain").end("ready\n");
        } else {
          request.response().setStatusCode(503).putHeader("Content-Type", "text/plain")
              .end("not ready: " + reason + "\n");
        }
      }
      default -> request.response().setStatusCode(404).end("not found (try /metrics, /healthz, /readyz"
          + (admin != null ? ", /status, /api/v1/sessions" : "") + ")\n");
    }
  }
}
