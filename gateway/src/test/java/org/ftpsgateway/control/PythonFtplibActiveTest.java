package org.ftpsgateway.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.ftpsgateway.support.GatewayFixture.randomBytes;
import static org.ftpsgateway.support.GatewayFixture.sha256;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.ftpsgateway.support.ActiveMode;
import org.ftpsgateway.support.GatewayFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Python's ftplib with {@code set_pasv(False)} (a real legacy-style active client, the interop suite's
 * {@code src/it/ftplib-active.py}) through the gateway, with an active upstream and a fixed source port: active on
 * both sides. Skipped where python3 is missing.
 */
class PythonFtplibActiveTest {


  @TempDir
  Path work;

  @Test
  void ftplibActiveSessionThroughAnActiveUpstream() throws Exception {
    int sourcePort = ActiveMode.freeSourcePort();
    Path script = Path.of("src", "it", "ftplib-active.py");
    assumeTrue(Files.isRegularFile(script), "no " + script);
    assumeTrue(run(List.of("python3", "--version")).exit() == 0, "no python3");
    try (GatewayFixture fx = GatewayFixture.start("127.0.0.1", GatewayFixture.SERVER_PROTOCOLS,
        c -> ActiveMode.withSourcePort(ActiveMode.activeUpstream(c, null), sourcePort),
        null)) {
      byte[] content = randomBytes(1 << 20, 71);
      Files.write(fx.root().resolve("py.bin"), content);
      Path upload = Files.write(work.resolve("up.bin"), content);
      Result r = run(List.of("python3", script.toString(), "127.0.0.1", Integer.toString(fx.port()),
          GatewayFixture.USER, GatewayFixture.PASSWORD, "session", "py.bin", work.resolve("down").toString(),
          upload.toString(), "py-up"));
      assertThat(r.exit()).as(r.output()).isZero();
      assertThat(sha256(Files.readAllBytes(work.resolve("down.1")))).isEqualTo(sha256(content));
      assertThat(sha256(Files.readAllBytes(work.resolve("down.2")))).isEqualTo(sha256(content));
      assertThat(sha256(fx.root().resolve("py-up.1"))).isEqualTo(sha256(content));
      assertThat(sha256(fx.root().resolve("py-up.2"))).isEqualTo(sha256(content));
      assertThat(r.output()).contains("*cmd* 'PORT ").doesNotContain("*cmd* 'PASV", "*cmd* 'EPSV")
          .doesNotContain(GatewayFixture.PASSWORD);
      assertThat(r.output().lines().filter(l -> l.startsWith("*data-peer* ")).toList())
          .as("six data connections, each from the source port").hasSize(6)
          .allMatch(l -> l.endsWith(" " + sourcePort));
    }
  }

  private record Result(int exit, String output) {
  }

  private static Result run(List<String> command) throws Exception {
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (java.io.IOException e) {
      return new Result(-1, e.getMessage());
    }
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Result(-1, new String(out, StandardCharsets.UTF_8));
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }
}
