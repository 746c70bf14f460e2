package org.ftpsgateway.data;

import io.vertx.core.Future;

/** A data connection set up by PASV/EPSV/PORT/EPRT, both ends, waiting for its transfer command. */
public record PreparedData(ClientDataChannel client, UpstreamEnd upstream) {

  /**
   * Releases both ends. Completes when the client end is closed, i.e. a passive port is back in its pool: a PASV
   * that replaces an earlier one waits for this, or with a small range it could find its own old port still taken.
   */
  public Future<Void> close() {
    upstream.close();
    return client.close();
  }
}
