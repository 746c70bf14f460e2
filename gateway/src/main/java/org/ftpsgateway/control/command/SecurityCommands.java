package org.ftpsgateway.control.command;

import java.util.Locale;
import org.ftpsgateway.config.ClientTlsConfig;
import org.ftpsgateway.protocol.FtpCommand;
import org.ftpsgateway.protocol.FtpReply;

/**
 * RFC 4217 on the client side: AUTH, PBSZ, PROT, CCC. The gateway answers them itself; the upstream is secured on
 * the gateway's own terms, so they never go upstream.
 */
final class SecurityCommands {

  private SecurityCommands() {
  }

  /** A plain-FTP listener has no security verbs at all. */
  private static boolean unavailable(FtpCommand command, Session session) {
    if (session.clientTlsOffered()) {
      return false;
    }
    session.answer(502, command.verb()
        + " not available: this listener speaks plain FTP (the gateway secures the upstream)");
    return true;
  }

  private static String argument(FtpCommand command) {
    return command.argument().strip().toUpperCase(Locale.ROOT);
  }

  static void auth(FtpCommand command, Session session) {
    if (unavailable(command, session)) {
      return;
    }
    if (session.controlTls()) {
      session.answer(503, "Already using TLS.");
      return;
    }
    String arg = argument(command);
    boolean ok = arg.equals("TLS") || arg.equals("TLS-C")
        || (session.listener().clientTls().allowAuthSsl() && arg.equals("SSL"));
    if (!ok) {
      session.answer(504, "AUTH " + arg + " not supported (use AUTH TLS).");
      return;
    }
    // the reply goes out in clear, then the handshake starts (RFC 4217 §4)
    session.startTls(FtpReply.of(234, "AUTH " + arg + " successful, start the TLS handshake."));
  }

  static void pbsz(FtpCommand command, Session session) {
    if (unavailable(command, session)) {
      return;
    }
    if (!session.controlTls()) {
      session.answer(503, "PBSZ requires AUTH first.");
    } else {
      session.answer(200, "PBSZ=0");
    }
  }

  static void prot(FtpCommand command, Session session) {
    if (unavailable(command, session)) {
      return;
    }
    ClientTlsConfig tlsConfig = session.listener().clientTls();
    String arg = argument(command);
    if (!session.controlTls()) {
      session.answer(503, "PROT requires AUTH first.");
    } else if (arg.equals("P")) {
      session.protectData(true);
      session.answer(200, "Protection level set to Private.");
    } else if (arg.equals("C")) {
      if (tlsConfig.requireProtectedData()) {
        session.answer(534, "Request denied for policy reasons: data connections must be protected.");
      } else {
        session.protectData(false);
        session.answer(200, "Protection level set to Clear.");
      }
    } else if (arg.equals("S") || arg.equals("E")) {
      session.answer(536, "Protection level not supported.");
    } else {
      session.answer(504, "Unknown protection level.");
    }
  }

  static void ccc(FtpCommand command, Session session) {
    if (unavailable(command, session)) {
      return;
    }
    session.answer(534, "CCC refused: the control channel stays protected.");
  }
}
