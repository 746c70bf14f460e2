package org.ftpsgateway.metrics;

/**
 * What readiness knows about the upstream: the outcome of the latest secured connection attempt (a session's or
 * the periodic probe's). Written from any event loop, read by the readiness endpoint.
 */
public final class UpstreamHealth {

  private volatile boolean known;
  private volatile String lastFailure;

  public void succeeded() {
    lastFailure = null;
    known = true;
  }

  public void failed(String reason) {
    lastFailure = reason;
    known = true;
  }

  /** Takes over another record's verdict (a reload rebuilds the servers; readiness must not flap meanwhile). */
  public void copyFrom(UpstreamHealth other) {
    lastFailure = other.lastFailure;
    known = other.known;
  }

  /** Whether the latest attempt failed (unknown counts as not failing: nothing speaks against the server yet). */
  public boolean failing() {
    return known && lastFailure != null;
  }

  /** Null when the latest attempt succeeded, else why not ready. */
  public String notReadyReason() {
    if (!known) {
      return "upstream not probed yet";
    }
    String failure = lastFailure;
    return failure == null ? null : "upstream unusable: " + failure;
  }
}
