package org.ftpsgateway.support;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.ftpsgateway.Gateway;
import org.ftpsgateway.config.DataMode;
import org.ftpsgateway.config.UpstreamConfig;
import org.ftpsgateway.metrics.GatewayMetrics;

/**
 * A gateway with default settings in front of a {@link ScriptedFtpsServer} (trusting its certificate, EPSV
 * upstream), for tests whose upstream behaves the way a real server does but MINA does not (reply orders, answers
 * before login).
 */
public final class ScriptedGateway implements AutoCloseable {

  private final Vertx vertx;
  private final Gateway gateway;

  private ScriptedGateway(Vertx vertx, Gateway gateway) {
    this.vertx = vertx;
    this.gateway = gateway;
  }

  /** Starts a gateway for {@code server}; {@code dir} receives the CA file. */
  public static ScriptedGateway start(ScriptedFtpsServer server, Path dir) throws Exception {
    Path ca = server.writeCaFile(dir.resolve("scripted-upstream-ca.pem"));
    Vertx vertx = Vertx.vertx();
    try {
      Gateway gateway = Gateway.start(vertx, GatewayFixture.config(server.port(),
              FreePorts.range(GatewayFixture.PASSIVE_PORTS), UpstreamConfig.DEFAULT_PROTOCOLS, ca, "127.0.0.1",
              DataMode.EPSV), GatewayMetrics.disabled())
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      return new ScriptedGateway(vertx, gateway);
    } catch (Exception e) {
      GatewayFixture.stop(null, vertx);
      throw e;
    }
  }

  public int port() {
    return gateway.listeners().get(0).port();
  }

  @Override
  public void close() throws Exception {
    GatewayFixture.stop(gateway, vertx);
  }
}
