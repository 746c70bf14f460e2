package org.ftpsgateway.support;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** Requests to the operator API on the metrics port, with or without credentials. */
public final class AdminHttp {

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final int port;

  public AdminHttp(int port) {
    this.port = port;
  }

  public static String bearer(String token) {
    return "Bearer " + token;
  }

  public static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** {@code authorization} null: none sent. */
  public HttpResponse<String> get(String path, String authorization) throws Exception {
    return send("GET", path, authorization);
  }

  public HttpResponse<String> post(String path, String authorization) throws Exception {
    return send("POST", path, authorization);
  }

  public HttpResponse<String> send(String method, String path, String authorization, String... headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody());
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
