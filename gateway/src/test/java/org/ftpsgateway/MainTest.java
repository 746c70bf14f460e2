package org.ftpsgateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MainTest {

  @TempDir
  static Path dir;

  /** What one run printed and returned. */
  private record Run(int code, String out, String err) {
    List<String> errLines() {
      return err.lines().toList();
    }
  }

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
         PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      code = Main.run(args, o, e);
    }
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static Stream<Arguments> informational() {
    return Stream.of(
        arguments(new String[] {"--help"}, "Usage: java -jar ftps-gateway.jar"),
        arguments(new String[] {"-h"}, "Usage: java -jar ftps-gateway.jar"),
        arguments(new String[] {"--version"}, "ftps-gateway "),
        arguments(new String[] {"-V"}, "ftps-gateway "),
        arguments(new String[] {"--log-level", "debug", "--help"}, "Usage: java -jar ftps-gateway.jar"),
        arguments(new String[] {"--help", "--bogus"}, "Usage: java -jar ftps-gateway.jar"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("informational")
  void informationalOptionsPrintAndSucceed(String[] args, String outStart) {
    Run run = run(args);
    assertThat(run.code()).isZero();
    assertThat(run.out()).startsWith(outStart);
    assertThat(run.err()).isEmpty();
  }

  @Test
  void versionIsOneLineWithTheProjectVersion() {
    Run run = run("--version");
    assertThat(run.out().lines()).hasSize(1);
    assertThat(run.out()).doesNotContain("${").doesNotContain("unknown");
  }

  static Stream<Arguments> usageErrors() {
    return Stream.of(
        arguments(new String[] {"--bogus"}, "ftps-gateway: unknown argument '--bogus'"),
        arguments(new String[] {"config.yaml"}, "ftps-gateway: unknown argument 'config.yaml'"),
        arguments(new String[] {}, "ftps-gateway: give --config FILE or --demo"),
        arguments(new String[] {"--check-config"}, "ftps-gateway: give --config FILE or --demo"),
        arguments(new String[] {"--config"}, "ftps-gateway: --config needs a file name"),
        arguments(new String[] {"--log-level"}, "ftps-gateway: --log-level needs a level"),
        arguments(new String[] {"--log-level", "loud", "--help"}, "ftps-gateway: unknown log level 'loud'"),
        arguments(new String[] {"--demo", "--config", "x.yaml"}, "ftps-gateway: --demo runs its own configuration"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("usageErrors")
  void usageErrorsExitWithTwoAndOneLine(String[] args, String errStart) {
    Run run = run(args);
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.errLines()).hasSize(1);
    assertThat(run.err()).startsWith(errStart);
    assertThat(run.out()).isEmpty();
  }

  /** Configuration files and the text the one error line must hold after the prefix. */
  static Stream<Arguments> configErrors() {
    return Stream.of(
        arguments("missing file", null, "nonexistent.yaml"),
        arguments("unknown key", "listeners:\n  - port: 2121\nupstream:\n  host: x\n  hots: y\n", "upstream.hots"),
        arguments("value with a line break", "listeners:\n  - port: \"21\\n22\"\nupstream:\n  host: x\n",
            "listeners[0].port"),
        arguments("not YAML", "upstream: [unclosed\n", "as YAML"),
        arguments("upstream and upstreams", "listeners:\n  - port: 2121\nupstream:\n  host: x\n"
            + "upstreams:\n  - { name: a, host: y }\n", "upstreams: give either upstream"),
        arguments("route to nowhere", "listeners:\n  - port: 2121\nupstream:\n  host: x\n"
            + "routes:\n  - { user: bob, upstream: b }\n", "routes[0].upstream: no upstream named 'b'"),
        arguments("two listeners on one port", "listeners:\n  - { name: a, port: 2121, passivePorts: 30000-30009 }\n"
            + "  - { name: b, port: 2121, passivePorts: 30010-30019 }\nupstream:\n  host: x\n",
            "listeners[1].port: 0.0.0.0:2121 is also the port of listeners[0] (0.0.0.0:2121)"),
        arguments("listener key material that does not load", "listeners:\n  - { port: 2121, tls: explicit,"
            + " certFile: /dev/null, keyFile: /dev/null }\nupstream:\n  host: x\n", "listeners[0].certFile: "));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configErrors")
  void configErrorsExitWithTwoAndOneLineNamingTheKey(String name, String yaml, String mentioned) throws IOException {
    Path file = dir.resolve(name.replace(' ', '-') + ".yaml");
    if (yaml == null) {
      file = dir.resolve("nonexistent.yaml");
    } else {
      Files.writeString(file, yaml);
    }
    for (String[] args : new String[][] {{"--config", file.toString()}, {"--check-config", "-c", file.toString()}}) {
      Run run = run(args);
      assertThat(run.code()).isEqualTo(2);
      assertThat(run.errLines()).hasSize(1);
      assertThat(run.err()).startsWith("ftps-gateway: config error:").contains(mentioned);
      assertThat(run.out()).isEmpty();
    }
  }

  @Test
  void checkConfigPrintsOnlyTheEffectiveConfigurationAsJsonOnStdout() throws IOException {
    Path file = Files.writeString(dir.resolve("valid.yaml"), """
        listeners:
          - name: public
            port: 2121
            passivePorts: 30000-30009
        upstream:
          host: ftps.example.com
        """);
    Run run = run("--config", file.toString(), "--check-config");
    assertThat(run.code()).isZero();
    // what `--check-config FILE | jq .` reads: one JSON document and nothing else
    JsonObject effective = new JsonObject(run.out());
    assertThat(effective.getJsonArray("listeners").getJsonObject(0).getString("passivePorts")).isEqualTo("30000-30009");
    assertThat(effective.getJsonObject("upstream").getString("host")).isEqualTo("ftps.example.com");
    assertThat(effective.getJsonObject("metrics").getInteger("port")).isEqualTo(9464);
    assertThat(run.errLines()).containsExactly("ftps-gateway: configuration " + file
        + " is valid; the effective configuration is on stdout");
  }

  @Test
  void checkConfigShowsNamedUpstreamsAndRoutes() throws IOException {
    Path file = Files.writeString(dir.resolve("upstreams.yaml"), """
        listeners:
          - { name: public, port: 2121, passivePorts: 30000-30009, upstream: partners }
        upstreams:
          - { name: files, host: ftps.example.com }
          - name: partners
            balance: round-robin
            servers: [{ host: p1.example.com }, { host: p2.example.com, port: 2121 }]
        routes:
          - { user: "acme-*", upstream: files, rewriteUser: acme }
        """);
    Run run = run("--config", file.toString(), "--check-config");
    assertThat(run.code()).isZero();
    assertThat(run.out()).contains("\"upstreams\" : [").contains("\"name\" : \"partners\"")
        .contains("\"balance\" : \"round-robin\"").contains("\"host\" : \"p2.example.com\"")
        .contains("\"port\" : 2121").contains("\"rewriteUser\" : \"acme\"").contains("\"upstream\" : \"partners\"")
        .doesNotContain("\"upstream\" : {");
    assertThat(run.errLines()).hasSize(1);
  }
}
