package org.ftpsgateway.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One command line from a client (RFC 959 §5.3): the verb, upper-cased, and the argument exactly as sent (8-bit
 * transparent, ISO-8859-1 in and out, so UTF-8 path names pass through unchanged).
 */
public record FtpCommand(String verb, String argument) {

  /**
   * Parses a line without its terminator. Returns null when the line is not a command at all (empty, or a verb
   * that is not 3 or 4 ASCII letters): the caller answers {@code 500}.
   */
  public static FtpCommand parse(String line) {
    int space = line.indexOf(' ');
    String verb = space < 0 ? line : line.substring(0, space);
    String argument = space < 0 ? "" : line.substring(space + 1);
    if (verb.length() < 3 || verb.length() > 4) {
      return null;
    }
    for (int i = 0; i < verb.length(); i++) {
      char c = verb.charAt(i);
      if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
        return null;
      }
    }
    return new FtpCommand(verb.toUpperCase(Locale.ROOT), argument);
  }

  public boolean hasArgument() {
    return !argument.isEmpty();
  }

  /** The line as it goes upstream: the verb as the client spelled it is normalised, the argument untouched. */
  public byte[] toBytes() {
    String line = argument.isEmpty() ? verb : verb + " " + argument;
    return (line + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
  }

  /** Safe for logs: never the password (nor an ACCT, which may carry one). */
  public String forLog() {
    if (verb.equals("PASS") || verb.equals("ACCT")) {
      return verb + " ****";
    }
    String line = argument.isEmpty() ? verb : verb + " " + argument;
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }

  /** A client-given name (a user) safe for one log line: at most 64 characters, control characters as '?'. */
  public static String printable(String s) {
    if (s == null) {
      return "-";
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && i < 64; i++) {
      char c = s.charAt(i);
      sb.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return forLog();
  }
}
