package org.ftpsgateway.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.ftpsgateway.config.DataMode;
import org.ftpsgateway.config.GatewayConfig;
import org.ftpsgateway.config.ListenerConfig;
import org.ftpsgateway.config.MetricsConfig;
import org.ftpsgateway.config.PortRange;
import org.ftpsgateway.config.TimeoutsConfig;
import org.ftpsgateway.config.TlsMode;
import org.ftpsgateway.config.UpstreamConfig;

/**
 * {@code --demo}: an embedded FTPS server with sample files, and the configuration of a gateway in front of it on
 * {@value #PORT}. Close it to stop the server.
 *
 * @param banner what to print once the gateway listens: how to try it with curl
 */
public record DemoBootstrap(DemoFtpsServer server, GatewayConfig config, String banner) implements AutoCloseable {

  /** Listener of the demo, a fixed contract: the README tells newcomers to use it. */
  public static final int PORT = 2021;

  /** Writes the sample files into a new temporary directory and starts the FTPS server on them. */
  public static DemoBootstrap start() throws Exception {
    DemoFtpsServer server = DemoFtpsServer.start(0, "40100-40199", Map.of("demo", "demo"), sampleFiles(),
        List.of("TLSv1.2", "TLSv1.3"));
    GatewayConfig config = new GatewayConfig(
        List.of(new ListenerConfig("demo", "127.0.0.1", PORT, TlsMode.NONE, new PortRange(40000, 40099),
            "127.0.0.1", false)),
        new UpstreamConfig("127.0.0.1", server.port(), TlsMode.EXPLICIT, "127.0.0.1",
            server.certificatePem().toString(), UpstreamConfig.DEFAULT_PROTOCOLS, DataMode.EPSV),
        TimeoutsConfig.defaults(),
        new MetricsConfig(true, MetricsConfig.DEFAULT_HOST, MetricsConfig.DEFAULT_PORT));
    String banner = String.join("\n",
        "ftps-gateway demo: embedded FTPS server (explicit TLS required, certificate generated and verified)"
            + " on 127.0.0.1:" + server.port() + ", serving " + server.root(),
        "  list:     curl ftp://demo:demo@127.0.0.1:" + PORT + "/",
        "  download: curl -O ftp://demo:demo@127.0.0.1:" + PORT + "/hello.txt",
        "  upload:   curl -T README.md ftp://demo:demo@127.0.0.1:" + PORT + "/upload/",
        "  metrics:  curl http://127.0.0.1:" + MetricsConfig.DEFAULT_PORT + "/metrics",
        "Press Ctrl+C to stop.");
    return new DemoBootstrap(server, config, banner);
  }

  private static Path sampleFiles() throws IOException {
    Path root = Files.createTempDirectory("ftpgw-demo");
    Files.writeString(root.resolve("hello.txt"), "Hello from the FTPS server behind ftps-gateway.\n");
    byte[] sample = new byte[1 << 20];
    // a fixed seed: the same sample-1M.bin (and checksum) on every run
    new Random(42).nextBytes(sample);
    Files.write(root.resolve("sample-1M.bin"), sample);
    Files.createDirectories(root.resolve("upload"));
    return root;
  }

  @Override
  public void close() {
    server.close();
  }
}
