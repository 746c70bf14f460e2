package org.ftpsgateway.support;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** The gateway's {@code ftpgw.rejected.connections} counter, read by reason. */
public final class Rejections {

  private Rejections() {
  }

  public static double count(MeterRegistry registry, String reason) {
    Counter c = registry.find("ftpgw.rejected.connections").tag("reason", reason).counter();
    return c == null ? 0 : c.count();
  }
}
