package org.ftpsgateway.data;

/** A data connection set up by PASV/EPSV/PORT/EPRT, both ends, waiting for its transfer command. */
public record PreparedData(ClientDataChannel client, UpstreamEnd upstream) {

  /** Releases both ends. */
  public void close() {
    client.close();
    upstream.close();
  }
}
