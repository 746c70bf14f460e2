package org.ftpsgateway.data;

import org.ftpsgateway.protocol.HostPort;

/**
 * The upstream's end of the next data connection: an address to connect to (EPSV/PASV upstream), or, with
 * {@code upstream.dataMode: active}, a listener the upstream connects to after EPRT/PORT.
 */
public record UpstreamEnd(HostPort address, ClientPassiveListener listener) {

  /** Releases the listener, if any. */
  public void close() {
    if (listener != null) {
      listener.close();
    }
  }
}
