package org.ftpsgateway.support;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Prometheus' promtool (Debian: apt-get install prometheus), when installed: tests check their output with it. */
public final class Promtool {

  /** Why a check was skipped, for the test report. */
  public static final String MISSING = "promtool is not on PATH (apt-get install prometheus)";

  private Promtool() {
  }

  /** promtool on PATH, or null. */
  public static Path find() {
    return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .map(d -> Path.of(d, "promtool")).filter(Files::isExecutable).findFirst().orElse(null);
  }
}
