package org.ftpsgateway.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The version of this build, from the properties file Maven filters at package time ("unknown" outside a build). */
public final class BuildInfo {

  private BuildInfo() {
  }

  public static String version() {
    try (InputStream in = BuildInfo.class.getResourceAsStream("/ftps-gateway-version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
