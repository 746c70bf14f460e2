package org.ftpsgateway.protocol;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Collection;

/**
 * An IPv4 or IPv6 network in CIDR notation (RFC 4632 §3.1, RFC 4291 §2.3): {@code 10.0.0.0/8}, {@code ::1/128}.
 * A bare address is a single host. Pure and immutable; never resolves names.
 *
 * <p>IPv4-mapped IPv6 (RFC 4291 §2.5.5.2): a client on a dual-stack socket shows up as {@code ::ffff:10.1.2.3},
 * which is the IPv4 host {@code 10.1.2.3} and is matched by IPv4 blocks; a block written in the mapped form
 * ({@code ::ffff:10.0.0.0/104}) is the IPv4 block {@code 10.0.0.0/8}.
 */
public final class CidrBlock {

  private final byte[] network;
  private final int prefix;

  private CidrBlock(byte[] network, int prefix) {
    this.network = network;
    this.prefix = prefix;
  }

  /** Every IPv4 address. */
  public static final CidrBlock ALL_IPV4 = parse("0.0.0.0/0");
  /** Every IPv6 address. */
  public static final CidrBlock ALL_IPV6 = parse("::/0");

  /**
   * Parses {@code address[/prefix]}.
   *
   * @throws IllegalArgumentException with a sentence when the text is not a CIDR block, or has bits set beyond the
   *     prefix (a typo such as {@code 10.1.2.3/8} is refused rather than silently widened)
   */
  public static CidrBlock parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty CIDR block");
    }
    String t = text.strip();
    int slash = t.indexOf('/');
    String addressText = slash < 0 ? t : t.substring(0, slash);
    InetAddress address = Addresses.literal(addressText);
    if (address == null || addressText.startsWith("[") || addressText.indexOf('%') >= 0) {
      throw new IllegalArgumentException("'" + text + "' is not an IP address or CIDR block");
    }
    byte[] bytes = address.getAddress();
    int bits = bytes.length * 8;
    // an IPv4-mapped literal is parsed into an IPv4 address: its prefix counts the 96 bits of the mapping too
    int offset = address instanceof Inet4Address && addressText.indexOf(':') >= 0 ? 96 : 0;
    int length = bits + offset;
    if (slash >= 0) {
      String p = t.substring(slash + 1);
      if (!p.matches("\\d{1,3}")) {
        throw new IllegalArgumentException("'" + text + "' has no valid prefix length after '/'");
      }
      length = Integer.parseInt(p);
      if (length > bits + offset) {
        throw new IllegalArgumentException("'" + text + "': prefix length " + length + " exceeds " + (bits + offset));
      }
      if (length < offset) {
        throw new IllegalArgumentException("'" + text + "': an IPv4-mapped block needs a prefix of at least 96");
      }
    }
    int prefix = length - offset;
    byte[] network = mask(bytes, prefix);
    if (!Arrays.equals(network, bytes)) {
      throw new IllegalArgumentException("'" + text + "' has host bits set (did you mean "
          + format(network, prefix) + "?)");
    }
    return new CidrBlock(network, prefix);
  }

  /** Whether {@code host} (an address literal, possibly IPv4-mapped) lies in this block; names never match. */
  public boolean contains(String host) {
    InetAddress a = Addresses.literal(host);
    return a != null && contains(a);
  }

  public boolean contains(InetAddress address) {
    byte[] bytes = address.getAddress();
    return bytes.length == network.length && Arrays.equals(mask(bytes, prefix), network);
  }

  /** Whether any block of {@code blocks} contains {@code host}. */
  public static boolean anyContains(Collection<CidrBlock> blocks, String host) {
    InetAddress a = Addresses.literal(host);
    if (a == null) {
      return false;
    }
    for (CidrBlock b : blocks) {
      if (b.contains(a)) {
        return true;
      }
    }
    return false;
  }

  public int prefixLength() {
    return prefix;
  }

  private static byte[] mask(byte[] bytes, int prefix) {
    byte[] out = bytes.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] = (byte) (out[i] & (0xff00 >> keep));
    }
    return out;
  }

  private static String format(byte[] network, int prefix) {
    try {
      return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e); // only thrown for lengths other than 4 and 16
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CidrBlock c && c.prefix == prefix && Arrays.equals(c.network, network);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(network) + prefix;
  }

  /** The canonical form, e.g. {@code 10.0.0.0/8}, {@code 2001:db8:0:0:0:0:0:0/32}. */
  @Override
  public String toString() {
    return format(network, prefix);
  }
}
