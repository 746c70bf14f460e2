package org.ftpsgateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The appliance and container files in {@code deploy/}: the systemd unit verifies, the install script puts the jar
 * and config where the unit looks for them, and the Containerfile copies what the Maven build makes to where its
 * ENTRYPOINT and CMD look. (deploy/container/smoke-test.sh builds the image and runs it with podman.)
 */
class DeployFilesTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path UNIT = ROOT.resolve("deploy/systemd/ftps-gateway.service");
  private static final Path INSTALL = ROOT.resolve("deploy/systemd/install.sh");
  private static final Path CONTAINERFILE = ROOT.resolve("deploy/container/Containerfile");

  @TempDir
  Path tmp;

  @Test
  void systemdUnitVerifies() throws Exception {
    assumeTrue(onPath("systemd-analyze"), "systemd-analyze is not installed");
    // verify also checks that ExecStart's program is executable
    assumeTrue(Files.isExecutable(Path.of(execStart().get(0))), execStart().get(0) + " is not installed");
    Result result = run(List.of("systemd-analyze", "verify", UNIT.toString()), null);
    // unknown or misspelled directives are only warnings: any line naming the unit counts as a failure
    assertThat(result.output().lines().filter(l -> l.contains(UNIT.getFileName().toString())))
        .as("systemd-analyze verify output: %s", result.output()).isEmpty();
    assertThat(result.code()).as("systemd-analyze verify: %s", result.output()).isZero();
  }

  @Test
  void unitIsHardenedAndRunsTheInstalledFiles() throws IOException {
    String unit = Files.readString(UNIT);
    assertThat(unit).contains("AmbientCapabilities=CAP_NET_BIND_SERVICE", "CapabilityBoundingSet=CAP_NET_BIND_SERVICE",
        "NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes", "Restart=on-failure",
        "RestartPreventExitStatus=2", "SuccessExitStatus=143", "User=ftps-gateway");
    // the JIT writes executable memory; this would kill the JVM at start
    assertThat(unit).doesNotContain("MemoryDenyWriteExecute=yes");
    List<String> command = execStart();
    assertThat(command.subList(command.indexOf("-jar"), command.size())).containsExactly(
        "-jar", "/opt/ftps-gateway/ftps-gateway.jar", "--config", "/etc/ftps-gateway/gateway.yaml");
  }

  @Test
  void installScriptPutsTheFilesWhereTheUnitLooks() throws Exception {
    assumeTrue(onPath("bash"), "bash is not installed");
    Path jar = Files.writeString(tmp.resolve("ftps-gateway.jar"), "not really a jar");
    Path root = tmp.resolve("root");
    Result first = run(List.of("bash", INSTALL.toString(), "--jar", jar.toString()), root);
    assertThat(first.code()).as(first.output()).isZero();

    List<String> command = execStart();
    Path installedJar = under(root, command.get(command.indexOf("-jar") + 1));
    Path installedConfig = under(root, command.get(command.indexOf("--config") + 1));
    assertThat(installedJar).hasSameBinaryContentAs(jar);
    assertThat(installedConfig).hasSameTextualContentAs(ROOT.resolve("conf/gateway.yaml"));
    assertThat(root.resolve("etc/systemd/system/ftps-gateway.service")).hasSameTextualContentAs(UNIT);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(installedConfig))).isEqualTo("rw-r-----");

    // a second run keeps the operator's config
    Files.writeString(installedConfig, "# edited\n", StandardCharsets.UTF_8);
    Result second = run(List.of("bash", INSTALL.toString(), "--jar", jar.toString()), root);
    assertThat(second.code()).as(second.output()).isZero();
    assertThat(second.output()).contains("kept the existing");
    assertThat(installedConfig).hasContent("# edited");
  }

  @Test
  void installScriptSaysHowToBuildAMissingJar() throws Exception {
    assumeTrue(onPath("bash"), "bash is not installed");
    Result result = run(List.of("bash", INSTALL.toString(), "--jar", tmp.resolve("missing.jar").toString()),
        tmp.resolve("root"));
    assertThat(result.code()).isEqualTo(1);
    assertThat(result.output()).contains("does not exist (build it: mvn -q package -DskipTests)");
  }

  @Test
  void containerfileCopiesWhatTheBuildMakesToWhereItRuns() throws IOException {
    String containerfile = Files.readString(CONTAINERFILE);
    Matcher copy = Pattern.compile("(?m)^COPY (\\S+) (\\S+)$").matcher(containerfile);
    List<String[]> copies = new ArrayList<>();
    while (copy.find()) {
      copies.add(new String[] {copy.group(1), copy.group(2)});
    }
    assertThat(copies).extracting(c -> c[0]).containsExactly("gateway/target/ftps-gateway.jar", "conf/gateway.yaml");
    // the jar is made by "mvn package" (after this test runs): check the shade plugin names it so
    String pom = Files.readString(ROOT.resolve("gateway/pom.xml"));
    assertThat(pom).contains("<finalName>ftps-gateway</finalName>");
    assertThat(ROOT.resolve("conf/gateway.yaml")).isRegularFile();

    Matcher entrypoint = Pattern.compile("(?m)^ENTRYPOINT \\[(.*)]$").matcher(containerfile);
    Matcher cmd = Pattern.compile("(?m)^CMD \\[(.*)]$").matcher(containerfile);
    assertThat(entrypoint.find()).isTrue();
    assertThat(cmd.find()).isTrue();
    assertThat(entrypoint.group(1)).contains("\"-jar\", \"" + copies.get(0)[1] + "\"");
    assertThat(cmd.group(1)).isEqualTo("\"--config\", \"" + copies.get(1)[1] + "\"");
    assertThat(containerfile).containsPattern("(?m)^USER 10001:10001$");
    // build.sh builds it on its own base without a container runtime (COPY only), and that base has the user
    assertThat(containerfile).doesNotContainPattern("(?m)^RUN ");
    assertThat(Files.readString(ROOT.resolve("deploy/container/build.sh"))).contains("ftpgw:x:10001:10001:");
  }

  private static List<String> execStart() throws IOException {
    String line = Files.readAllLines(UNIT).stream().filter(l -> l.startsWith("ExecStart=")).findFirst()
        .orElseThrow();
    return List.of(line.substring("ExecStart=".length()).split(" "));
  }

  private static Path under(Path root, String absolute) {
    return root.resolve(absolute.substring(1));
  }

  private static boolean onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }

  private record Result(int code, String output) {
  }

  /** Runs a command with stderr merged into stdout; {@code destdir} set becomes DESTDIR. */
  private static Result run(List<String> command, Path destdir) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    if (destdir != null) {
      builder.environment().put("DESTDIR", destdir.toString());
    }
    Path log = Files.createTempFile("deploy-files-test", ".log");
    try {
      Process process = builder.redirectOutput(log.toFile()).start();
      process.getOutputStream().close();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(command + " did not finish within 60 s: " + Files.readString(log));
      }
      return new Result(process.exitValue(), Files.readString(log));
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
