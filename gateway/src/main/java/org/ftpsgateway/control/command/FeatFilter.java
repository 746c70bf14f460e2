package org.ftpsgateway.control.command;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.ftpsgateway.protocol.FtpReply;
import org.ftpsgateway.protocol.Verbs;

/**
 * Rewrites the upstream's {@code FEAT} reply (RFC 2389 §3.2) for a client side without TLS: the security
 * features (RFC 4217 {@code AUTH}, {@code PBSZ}, {@code PROT}, {@code CCC}) are the gateway's business upstream
 * and must not be offered to a client that cannot use them. {@code EPSV} is always offered: the gateway serves it
 * whatever the upstream supports.
 */
final class FeatFilter {

  private FeatFilter() {
  }

  static FtpReply filter(FtpReply reply) {
    return filter(reply, List.of());
  }

  /** Filters, then offers the gateway's own security features ({@code AUTH TLS}, {@code PBSZ}, {@code PROT}). */
  static FtpReply filter(FtpReply reply, List<String> ownSecurity) {
    FtpReply filtered = filterUpstream(reply);
    if (ownSecurity.isEmpty() || filtered.code() != 211 || filtered.lines().size() < 2) {
      return filtered;
    }
    List<String> lines = new ArrayList<>(filtered.lines());
    String last = lines.remove(lines.size() - 1);
    for (String feature : ownSecurity) {
      lines.add(" " + feature);
    }
    lines.add(last);
    return new FtpReply(211, lines);
  }

  private static FtpReply filterUpstream(FtpReply reply) {
    if (reply.code() != 211) {
      return reply;
    }
    if (reply.lines().size() < 2) {
      // "211 No features" (RFC 2389 §3.2): the gateway still has one
      return new FtpReply(211, List.of("211-Features:", " EPSV", "211 End"));
    }
    List<String> lines = reply.lines();
    List<String> out = new ArrayList<>(lines.size() + 1);
    out.add(lines.get(0));
    boolean epsv = false;
    for (int i = 1; i < lines.size() - 1; i++) {
      String line = lines.get(i);
      String feature = firstWord(line);
      if (Verbs.SECURITY.contains(feature)) {
        continue;
      }
      epsv |= feature.equals("EPSV");
      out.add(line);
    }
    if (!epsv) {
      out.add(" EPSV");
    }
    out.add(lines.get(lines.size() - 1));
    return new FtpReply(reply.code(), out);
  }

  private static String firstWord(String line) {
    String t = line.strip();
    int space = t.indexOf(' ');
    return (space < 0 ? t : t.substring(0, space)).toUpperCase(Locale.ROOT);
  }
}
