package org.ftpsgateway.protocol;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The PROXY protocol header (HAProxy, "proxy-protocol.txt"), versions 1 (text) and 2 (binary): encoding for the
 * upstream control connection, parsing for connections accepted behind a load balancer. No I/O; addresses are
 * literals, never resolved.
 */
public final class ProxyProtocol {

  /** Version 1: the longest header, CRLF included (spec §2.1). */
  public static final int V1_MAX_LENGTH = 107;
  /** Version 2 signature (spec §2.2). */
  static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};
  /**
   * Version 2: the most address and TLV bytes accepted after the 16-byte header. The spec allows 65535; what load
   * balancers send (addresses plus a few TLVs) fits easily, and a bound keeps a pre-login read small.
   */
  public static final int V2_MAX_PAYLOAD = 2048;
  /** The most bytes a header can take: the caller's read bound. */
  public static final int MAX_HEADER_LENGTH = 16 + V2_MAX_PAYLOAD;

  private static final byte[] V1_PREFIX = "PROXY ".getBytes(StandardCharsets.US_ASCII);

  private ProxyProtocol() {
  }

  /** Which header to send upstream. */
  public enum Version { V1, V2 }

  /**
   * A parsed header.
   *
   * @param source the client as the proxy saw it; null for LOCAL / UNKNOWN (use the connection's own address)
   * @param destination the address the client connected to; null with source
   * @param length bytes the header took: what follows belongs to the application
   */
  public record Header(InetSocketAddress source, InetSocketAddress destination, int length) {
    public boolean hasAddresses() {
      return source != null;
    }
  }

  // ---- encoding ----

  /** The header naming a proxied TCP connection from {@code source} to {@code destination}. */
  public static byte[] encode(Version version, InetSocketAddress source, InetSocketAddress destination) {
    InetAddress s = source.getAddress();
    InetAddress d = destination.getAddress();
    boolean ipv4 = s instanceof Inet4Address && d instanceof Inet4Address;
    if (!ipv4) {
      // mixed families are sent as IPv6 with the IPv4 side mapped (RFC 4291 §2.5.5.2)
      s = toIpv6(s);
      d = toIpv6(d);
    }
    if (version == Version.V1) {
      String line = "PROXY " + (ipv4 ? "TCP4 " : "TCP6 ") + s.getHostAddress() + " " + d.getHostAddress() + " "
          + source.getPort() + " " + destination.getPort() + "\r\n";
      return line.getBytes(StandardCharsets.US_ASCII);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(V2_SIGNATURE);
    out.write(0x21); // version 2, command PROXY
    out.write(ipv4 ? 0x11 : 0x21); // AF_INET / AF_INET6, STREAM
    int length = ipv4 ? 12 : 36;
    out.write(length >> 8);
    out.write(length & 0xff);
    out.writeBytes(s.getAddress());
    out.writeBytes(d.getAddress());
    out.write(source.getPort() >> 8);
    out.write(source.getPort() & 0xff);
    out.write(destination.getPort() >> 8);
    out.write(destination.getPort() & 0xff);
    return out.toByteArray();
  }

  /**
   * A header that carries no client: v2 LOCAL, v1 UNKNOWN. For connections the gateway makes on its own behalf
   * (the health probe), which the spec says to send that way (§2.2, "LOCAL": health checks).
   */
  public static byte[] local(Version version) {
    if (version == Version.V1) {
      return "PROXY UNKNOWN\r\n".getBytes(StandardCharsets.US_ASCII);
    }
    byte[] out = Arrays.copyOf(V2_SIGNATURE, 16);
    out[12] = 0x20; // version 2, command LOCAL
    return out; // family UNSPEC, length 0
  }

  private static InetAddress toIpv6(InetAddress a) {
    if (a instanceof Inet6Address) {
      return a;
    }
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    System.arraycopy(a.getAddress(), 0, mapped, 12, 4);
    try {
      // getByAddress would turn a mapped address back into IPv4: build the Inet6Address explicitly
      return Inet6Address.getByAddress(null, mapped, -1);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // 16 bytes never fail
    }
  }

  // ---- parsing ----

  /**
   * Parses the header at the start of {@code data[0..length)}.
   *
   * @return the header, or null when more bytes are needed (never more than {@link #MAX_HEADER_LENGTH} in all)
   * @throws IllegalArgumentException with a sentence when the bytes are not a valid header
   */
  public static Header parse(byte[] data, int length) {
    if (length == 0) {
      return null;
    }
    if (startsWith(data, length, V1_PREFIX)) {
      return length < V1_PREFIX.length ? null : parseV1(data, length);
    }
    if (startsWith(data, length, V2_SIGNATURE)) {
      return length < 16 ? null : parseV2(data, length);
    }
    throw new IllegalArgumentException("not a PROXY protocol header");
  }

  /** Whether the first bytes agree with {@code prefix} as far as both go. */
  private static boolean startsWith(byte[] data, int length, byte[] prefix) {
    for (int i = 0; i < Math.min(length, prefix.length); i++) {
      if (data[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static Header parseV1(byte[] data, int length) {
    int end = -1;
    for (int i = 0; i < Math.min(length, V1_MAX_LENGTH) - 1; i++) {
      if (data[i] == '\r' && data[i + 1] == '\n') {
        end = i;
        break;
      }
    }
    if (end < 0) {
      if (length >= V1_MAX_LENGTH) {
        throw new IllegalArgumentException("PROXY v1 header without CRLF within " + V1_MAX_LENGTH + " bytes");
      }
      return null;
    }
    for (int i = 0; i < end; i++) {
      if (data[i] < 0x20 || data[i] > 0x7e) {
        throw new IllegalArgumentException("PROXY v1 header with a control or non-ASCII byte");
      }
    }
    String line = new String(data, 0, end, StandardCharsets.US_ASCII);
    String[] f = line.split(" ", -1);
    if (f.length >= 2 && f[1].equals("UNKNOWN")) {
      return new Header(null, null, end + 2); // spec: the rest of the line is ignored
    }
    if (f.length != 6 || !(f[1].equals("TCP4") || f[1].equals("TCP6"))) {
      throw new IllegalArgumentException("PROXY v1 header is not 'PROXY TCP4|TCP6 src dst sport dport'");
    }
    boolean ipv4 = f[1].equals("TCP4");
    InetAddress src = v1Address(f[2], ipv4);
    InetAddress dst = v1Address(f[3], ipv4);
    return new Header(new InetSocketAddress(src, v1Port(f[4])), new InetSocketAddress(dst, v1Port(f[5])), end + 2);
  }

  private static InetAddress v1Address(String text, boolean ipv4) {
    InetAddress a = ipv4 ? (DataAddresses.isIpv4Literal(text) ? Addresses.literal(text) : null)
        : text.indexOf(':') >= 0 && text.indexOf('%') < 0 && !text.startsWith("[") ? Addresses.literal(text) : null;
    if (a == null) {
      throw new IllegalArgumentException("PROXY v1 header: '" + text + "' is not an " + (ipv4 ? "IPv4" : "IPv6")
          + " address");
    }
    return a;
  }

  private static int v1Port(String text) {
    // spec §2.1: decimal, 0-65535, no leading zero
    if (!text.matches("0|[1-9][0-9]{0,4}") || Integer.parseInt(text) > 65535) {
      throw new IllegalArgumentException("PROXY v1 header: '" + text + "' is not a port");
    }
    return Integer.parseInt(text);
  }

  private static Header parseV2(byte[] data, int length) {
    int verCmd = data[12] & 0xff;
    if (verCmd >> 4 != 2) {
      throw new IllegalArgumentException("PROXY v2 header with version " + (verCmd >> 4));
    }
    int command = verCmd & 0x0f;
    if (command > 1) {
      throw new IllegalArgumentException("PROXY v2 header with unknown command " + command);
    }
    int family = data[13] & 0xff;
    int payload = ((data[14] & 0xff) << 8) | (data[15] & 0xff);
    if (payload > V2_MAX_PAYLOAD) {
      throw new IllegalArgumentException("PROXY v2 header longer than " + V2_MAX_PAYLOAD + " bytes (" + payload + ")");
    }
    if (length < 16 + payload) {
      return null;
    }
    int total = 16 + payload;
    // LOCAL (health checks), or a family other than TCP over IPv4/IPv6: keep the connection's own addresses (§2.2)
    if (command == 0 || (family != 0x11 && family != 0x21)) {
      return new Header(null, null, total);
    }
    int size = family == 0x11 ? 4 : 16;
    if (payload < 2 * size + 4) {
      throw new IllegalArgumentException("PROXY v2 header too short for its address family (" + payload + " bytes)");
    }
    InetAddress src = v2Address(Arrays.copyOfRange(data, 16, 16 + size));
    InetAddress dst = v2Address(Arrays.copyOfRange(data, 16 + size, 16 + 2 * size));
    int p = 16 + 2 * size;
    int sport = ((data[p] & 0xff) << 8) | (data[p + 1] & 0xff);
    int dport = ((data[p + 2] & 0xff) << 8) | (data[p + 3] & 0xff);
    return new Header(new InetSocketAddress(src, sport), new InetSocketAddress(dst, dport), total);
  }

  private static InetAddress v2Address(byte[] bytes) {
    try {
      return InetAddress.getByAddress(bytes); // raw bytes: no lookup
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // 4 and 16 bytes never fail
    }
  }
}
