package org.ftpsgateway.protocol;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parse and format the address arguments of the data-connection commands and replies: {@code 227} (RFC 959
 * §4.1.2), {@code 229} (RFC 2428 §3), {@code PORT} (RFC 959) and {@code EPRT} (RFC 2428 §2). Pure functions;
 * every number is range-checked.
 */
public final class DataAddresses {

  // no digit or comma next to the six numbers: find() must not take "234,..." out of "1234,..." nor the first six
  // of seven numbers
  private static final Pattern SIX_NUMBERS =
      Pattern.compile("(?<![\\d,])(\\d{1,3}),(\\d{1,3}),(\\d{1,3}),(\\d{1,3}),(\\d{1,3}),(\\d{1,3})(?![\\d,])");
  // RFC 2428 §3: "(<d><d><d><port><d>)", the delimiter any printable ASCII char (| recommended)
  private static final Pattern EPSV_REPLY = Pattern.compile("\\(([!-~])\\1\\1(\\d{1,5})\\1\\)");

  private DataAddresses() {
  }

  /** The address and port of a {@code 227} reply's text ("Entering Passive Mode (h1,h2,h3,h4,p1,p2)"). */
  public static Optional<HostPort> parsePasvReply(String text) {
    Matcher m = SIX_NUMBERS.matcher(text);
    return m.find() ? sixNumbers(m) : Optional.empty();
  }

  /** The port of a {@code 229} reply's text ("Entering Extended Passive Mode (|||port|)"). */
  public static Optional<Integer> parseEpsvReply(String text) {
    Matcher m = EPSV_REPLY.matcher(text);
    if (!m.find()) {
      return Optional.empty();
    }
    int port = Integer.parseInt(m.group(2));
    return port >= 1 && port <= 65535 ? Optional.of(port) : Optional.empty();
  }

  /** {@code PORT h1,h2,h3,h4,p1,p2}: the whole argument must be the six numbers. */
  public static Optional<HostPort> parsePortArgument(String argument) {
    Matcher m = SIX_NUMBERS.matcher(argument.strip());
    return m.matches() ? sixNumbers(m) : Optional.empty();
  }

  /** {@code EPRT |1|132.235.1.2|6275|} or {@code EPRT |2|1080::8:800:200C:417A|5282|}. */
  public static Optional<HostPort> parseEprtArgument(String argument) {
    String arg = argument.strip();
    if (arg.length() < 7) {
      return Optional.empty();
    }
    char d = arg.charAt(0);
    if (d < '!' || d > '~' || arg.charAt(arg.length() - 1) != d) {
      return Optional.empty();
    }
    String[] parts = arg.substring(1, arg.length() - 1).split(Pattern.quote(String.valueOf(d)), -1);
    if (parts.length != 3) {
      return Optional.empty();
    }
    int port = parseInt(parts[2], 1, 65535);
    String host = parts[1];
    if (port < 0) {
      return Optional.empty();
    }
    if (parts[0].equals("1") && isIpv4Literal(host)) {
      return Optional.of(new HostPort(host, port));
    }
    if (parts[0].equals("2") && isIpv6Literal(host)) {
      return Optional.of(new HostPort(host, port));
    }
    return Optional.empty();
  }

  public static String formatPasvReplyText(String ipv4, int port) {
    return "Entering Passive Mode (" + formatPortArgument(ipv4, port) + ").";
  }

  /** {@code h1,h2,h3,h4,p1,p2}, the argument of {@code PORT} (RFC 959 §4.1.2). */
  public static String formatPortArgument(String ipv4, int port) {
    return ipv4.replace('.', ',') + "," + (port >> 8) + "," + (port & 0xFF);
  }

  /** {@code |1|addr|port|} for IPv4, {@code |2|addr|port|} for IPv6, the argument of {@code EPRT} (RFC 2428 §2). */
  public static String formatEprtArgument(String host, int port) {
    return (isIpv4Literal(host) ? "|1|" : "|2|") + host + "|" + port + "|";
  }

  public static String formatEpsvReplyText(int port) {
    return "Entering Extended Passive Mode (|||" + port + "|)";
  }

  public static boolean isIpv4Literal(String host) {
    String[] parts = host.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || parseInt(p, 0, 255) < 0) {
        return false;
      }
    }
    return true;
  }

  public static boolean isIpv6Literal(String host) {
    if (host.indexOf(':') < 0 || host.length() > 45) {
      return false;
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
      if (!ok) {
        return false;
      }
    }
    try {
      // a literal never triggers a name lookup
      return InetAddress.getByName(host) instanceof Inet6Address
          || host.contains("::ffff:");
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static Optional<HostPort> sixNumbers(Matcher m) {
    int[] n = new int[6];
    for (int i = 0; i < 6; i++) {
      n[i] = parseInt(m.group(i + 1), 0, 255);
      if (n[i] < 0) {
        return Optional.empty();
      }
    }
    int port = n[4] * 256 + n[5];
    if (port == 0) {
      return Optional.empty();
    }
    return Optional.of(new HostPort(n[0] + "." + n[1] + "." + n[2] + "." + n[3], port));
  }

  private static int parseInt(String s, int min, int max) {
    if (s.isEmpty() || s.length() > 5) {
      return -1;
    }
    int v = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v >= min && v <= max ? v : -1;
  }
}
