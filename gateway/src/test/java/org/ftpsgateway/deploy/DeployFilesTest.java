package org.ftpsgateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

  @Test
  void shippedConfigNamesEveryKeyOfTheReference() throws IOException {
    List<String> reference = referenceKeys(Files.readString(ROOT.resolve("README.md")));
    // the table lists some 70 keys; fewer means the README's layout changed and this parse reads nothing
    assertThat(reference).hasSizeGreaterThan(60).contains("listeners.certReloadSeconds", "metrics.host");
    Set<String> shipped = yamlKeyPaths(Files.readAllLines(ROOT.resolve("conf/gateway.yaml")));
    assertThat(reference).as("keys of the README's reference missing from conf/gateway.yaml (active or commented)")
        .allSatisfy(key -> assertThat(shipped).contains(key));
  }

  @Test
  void containerPublishesThePassiveRangeOfTheShippedConfig() throws IOException {
    Matcher range = Pattern.compile("(?m)^\\s+passivePorts:\\s*(\\d+-\\d+)").matcher(
        Files.readString(ROOT.resolve("conf/gateway.yaml")));
    assertThat(range.find()).isTrue();
    String containerfile = Files.readString(CONTAINERFILE);
    assertThat(containerfile).containsPattern("(?m)^EXPOSE .*\\b" + range.group(1) + "\\b")
        .contains("-p " + range.group(1) + ":" + range.group(1));
  }

  @Test
  void debianPackagePutsTheFilesWhereTheUnitAndTheCommandLook() throws IOException {
    String pom = Files.readString(ROOT.resolve("gateway/pom.xml"));
    List<String> command = execStart();
    String config = command.get(command.indexOf("--config") + 1);
    // conf/gateway.yaml goes to the directory the unit reads it from, and dpkg keeps it as a conffile
    assertThat(pom).containsPattern("conf/gateway.yaml</src>\\s*<type>file</type>\\s*<mapper><type>perm</type><prefix>"
        + Pattern.quote(config.substring(0, config.lastIndexOf('/'))) + "</prefix>");
    assertThat(Files.readAllLines(ROOT.resolve("deploy/debian/control/conffiles"))).containsExactly(config);
    // the unit's jar path is rewritten to where the package puts the jar, which is where the command runs it from
    String packagedJar = "/usr/share/ftps-gateway/ftps-gateway.jar";
    assertThat(pom).contains("<prefix>/usr/share/ftps-gateway</prefix>")
        .contains("from=\"-jar " + command.get(command.indexOf("-jar") + 1) + "\"")
        .contains("to=\"-jar " + packagedJar + "\"");
    assertThat(Files.readString(ROOT.resolve("deploy/debian/ftps-gateway"))).contains("-jar " + packagedJar + " \"$@\"");
    // postinst makes the user the unit runs as
    assertThat(Files.readString(ROOT.resolve("deploy/debian/control/postinst")))
        .contains("user=" + unitValue("User"), "adduser --system");
  }

  /**
   * The keys of the README's "Configuration reference" table as dotted paths without list markers
   * ({@code listeners.certFile}). A cell like {@code `metrics.enabled` / `host` / `port`} names siblings.
   */
  private static List<String> referenceKeys(String readme) {
    String table = readme.substring(readme.indexOf("## Configuration reference"));
    table = table.substring(0, table.indexOf("\n#", 1));
    List<String> keys = new ArrayList<>();
    Pattern name = Pattern.compile("`([A-Za-z\\[\\].]+)`");
    for (String row : table.lines().filter(l -> l.startsWith("| `")).toList()) {
      String cell = row.substring(1, row.indexOf('|', 1));
      Matcher m = name.matcher(cell);
      String parent = "";
      while (m.find()) {
        String key = m.group(1).replace("[]", "");
        if (parent.isEmpty() || key.contains(".")) {
          parent = key.contains(".") ? key.substring(0, key.lastIndexOf('.') + 1) : "";
          keys.add(key);
        } else {
          keys.add(parent + key);
        }
      }
    }
    return keys;
  }

  /**
   * The dotted paths of every key in a YAML file written the way conf/gateway.yaml is, counting commented-out keys
   * ({@code    # certFile: ...}, {@code #   - name: files}) as keys: their indentation is the column of the
   * {@code #} plus the spaces after {@code "# "}. List items add no path segment.
   */
  private static Set<String> yamlKeyPaths(List<String> lines) {
    Pattern keyLine = Pattern.compile("^( *)(?:# ?( *))?(- +)?([A-Za-z][A-Za-z0-9]*):(?: |$)");
    Set<String> paths = new HashSet<>();
    Deque<Map.Entry<Integer, String>> stack = new ArrayDeque<>();
    for (String line : lines) {
      Matcher m = keyLine.matcher(line);
      if (!m.find()) {
        continue;
      }
      int indent = m.group(1).length() + (m.group(2) == null ? 0 : m.group(2).length())
          + (m.group(3) == null ? 0 : m.group(3).length());
      while (!stack.isEmpty() && stack.peek().getKey() >= indent) {
        stack.pop();
      }
      String path = stack.isEmpty() ? m.group(4) : stack.peek().getValue() + "." + m.group(4);
      paths.add(path);
      stack.push(Map.entry(indent, path));
    }
    return paths;
  }

  private static String unitValue(String key) throws IOException {
    return Files.readAllLines(UNIT).stream().filter(l -> l.startsWith(key + "=")).findFirst().orElseThrow()
        .substring(key.length() + 1);
  }

  private static List<String> execStart() throws IOException {
    return List.of(unitValue("ExecStart").split(" "));
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
