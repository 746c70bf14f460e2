package org.ftpsgateway.protocol;

/** An address literal (IPv4 dotted quad or IPv6 text) and a TCP port, as carried by PASV/EPSV/PORT/EPRT. */
public record HostPort(String host, int port) {

  public HostPort {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  @Override
  public String toString() {
    return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
  }
}
