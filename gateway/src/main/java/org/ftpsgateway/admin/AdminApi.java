package org.ftpsgateway.admin;

import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.logging.Logger;
import org.ftpsgateway.control.SessionRegistry;

/**
 * The operator's endpoints on the metrics port: {@code GET /api/v1/sessions} (every open session as JSON),
 * {@code POST /api/v1/sessions/{id}/close} (ends one) and {@code GET /status} (the same as a page for a browser).
 *
 * <p>Access: with admin.tokenFile every request needs the token ({@code Authorization: Bearer}, or basic auth with
 * the token as password); without it reads are open (the port binds 127.0.0.1 by default) and writes are refused
 * (403). A write proved by basic auth, which a browser adds by itself, must also carry {@value #WRITE_HEADER}: a
 * header a page on another site cannot add without a CORS preflight this server never grants (no CSRF).
 */
public final class AdminApi implements Handler<HttpServerRequest> {

  private static final Logger LOG = Logger.getLogger(AdminApi.class.getName());
  static final String SESSIONS = "/api/v1/sessions";
  static final String WRITE_HEADER = "X-Ftpgw-Request";
  private static final String REALM = "Basic realm=\"ftps-gateway\"";

  private final Vertx vertx;
  private final SessionRegistry sessions;
  /** Null: no admin.tokenFile. */
  private final AdminToken token;
  private final String page;

  public AdminApi(Vertx vertx, SessionRegistry sessions, AdminToken token) {
    this.vertx = vertx;
    this.sessions = sessions;
    this.token = token;
    this.page = statusPage().replace("__WRITES__", Boolean.toString(token != null));
  }

  @Override
  public void handle(HttpServerRequest request) {
    AdminToken.Check proof = token == null ? AdminToken.Check.NONE : token.check(request.getHeader("Authorization"));
    if (token != null && (proof == AdminToken.Check.NONE || proof == AdminToken.Check.WRONG)) {
      request.response().setStatusCode(401).putHeader("WWW-Authenticate", REALM)
          .putHeader("Content-Type", "text/plain").end("authentication required\n");
      return;
    }
    String path = request.path();
    if (path.equals("/status")) {
      if (!get(request)) {
        return;
      }
      request.response().putHeader("Content-Type", "text/html; charset=utf-8")
          .putHeader("Cache-Control", "no-store").putHeader("X-Frame-Options", "DENY")
          .putHeader("Content-Security-Policy", "default-src 'self'; script-src 'unsafe-inline' 'self'; "
              + "style-src 'unsafe-inline'; frame-ancestors 'none'")
          .end(page);
      return;
    }
    if (path.equals(SESSIONS)) {
      if (get(request)) {
        list(request);
      }
      return;
    }
    String rest = path.startsWith(SESSIONS + "/") ? path.substring(SESSIONS.length() + 1) : "";
    if (rest.endsWith("/close") && rest.indexOf('/') == rest.length() - "/close".length() && rest.length() > 6) {
      if (request.method() != HttpMethod.POST) {
        request.response().setStatusCode(405).putHeader("Allow", "POST").end("use POST\n");
        return;
      }
      if (token == null) {
        request.response().setStatusCode(403).putHeader("Content-Type", "text/plain")
            .end("writes need admin.tokenFile\n");
        return;
      }
      if (proof == AdminToken.Check.BASIC && request.getHeader(WRITE_HEADER) == null) {
        request.response().setStatusCode(403).putHeader("Content-Type", "text/plain")
            .end("a write with basic auth needs the " + WRITE_HEADER + " header\n");
        return;
      }
      close(request, rest.substring(0, rest.length() - "/close".length()));
      return;
    }
    request.response().setStatusCode(404).putHeader("Content-Type", "text/plain")
        .end("not found (try " + SESSIONS + ", /status)\n");
  }

  private static boolean get(HttpServerRequest request) {
    if (request.method() == HttpMethod.GET || request.method() == HttpMethod.HEAD) {
      return true;
    }
    request.response().setStatusCode(405).putHeader("Allow", "GET").end("use GET\n");
    return false;
  }

  private void list(HttpServerRequest request) {
    Context here = vertx.getOrCreateContext();
    sessions.snapshot(here).onComplete(ar -> {
      HttpServerResponse response = request.response();
      if (ar.failed()) {
        response.setStatusCode(500).end("cannot list sessions: " + ar.cause().getMessage() + "\n");
        return;
      }
      JsonArray all = new JsonArray();
      ar.result().forEach(info -> all.add(json(info)));
      response.putHeader("Content-Type", "application/json").putHeader("Cache-Control", "no-store")
          .end(all.encode());
    });
  }

  static JsonObject json(SessionRegistry.Info info) {
    var t = info.transfer();
    return new JsonObject().put("id", info.id()).put("listener", info.listener()).put("client", info.client())
        .put("user", info.user()).put("upstream", info.upstream()).put("since", info.since().toString())
        .put("bytesDown", info.bytesDown()).put("bytesUp", info.bytesUp())
        .put("transfer", t == null ? null : new JsonObject().put("command", t.command()).put("path", t.path())
            .put("bytes", t.bytes()));
  }

  private void close(HttpServerRequest request, String id) {
    sessions.close(id, vertx.getOrCreateContext()).onComplete(ar -> {
      if (ar.succeeded() && ar.result()) {
        LOG.info(() -> "operator API: closed session " + id + " (from " + request.remoteAddress() + ")");
        request.response().putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("id", id).put("closed", true).encode());
      } else {
        request.response().setStatusCode(404).putHeader("Content-Type", "text/plain")
            .end("no open session " + id + "\n");
      }
    });
  }

  private static String statusPage() {
    try (InputStream in = AdminApi.class.getResourceAsStream("status.html")) {
      if (in == null) {
        throw new IllegalStateException("status.html missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
