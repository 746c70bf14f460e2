package org.ftpsgateway.control;

import java.util.Set;

/**
 * Where a client's session is, and which verbs each state allows (MINA FtpServer's
 * {@code NON_AUTHENTICATED_COMMANDS} is the model for {@link #AWAITING_LOGIN}).
 *
 * <p>Before login the allow-list is enforced for the verbs the gateway handles itself (the command table's: PASV,
 * EPSV, PORT, EPRT, the transfer verbs, ABOR...): those get {@code 530} from the gateway, as the upstream would
 * answer, instead of an error of the gateway's own making (a data port the upstream refused). Every other verb
 * passes through and the upstream answers it (its 530, or its reply to a pre-login verb we do not know of).
 */
public enum SessionState {
  /** Waiting for a setup slot, connecting and securing the upstream: no greeting yet, client commands wait. */
  CONNECTING,
  /** Greeted; no successful login yet. */
  AWAITING_LOGIN,
  /** The upstream accepted the login (230). */
  LOGGED_IN,
  /** A transfer runs: the next command waits for its completion reply; only ABOR acts at once (RFC 959 §4.1.3). */
  TRANSFERRING,
  /** Ended; everything released. */
  CLOSED;

  /**
   * The verbs a client may send before login: identify (RFC 959 §4.1.1), secure the control connection
   * (RFC 4217 §4-6), learn about the server (RFC 2389 FEAT, SYST, HELP, OPTS), and leave.
   */
  static final Set<String> NON_AUTHENTICATED = Set.of("USER", "PASS", "ACCT", "AUTH", "PBSZ", "PROT", "CCC",
      "FEAT", "OPTS", "SYST", "HELP", "NOOP", "QUIT", "REIN",
      // RFC 7151 HOST comes before USER; RFC 2640 LANG and STAT (RFC 959 §4.1.3) are commonly answered too
      "HOST", "LANG", "STAT");

  /** Whether the session takes the next command from its queue in this state. */
  boolean takesCommands() {
    return this == AWAITING_LOGIN || this == LOGGED_IN;
  }

  /** Whether a client command (upper case) is allowed in this state. */
  boolean allows(String verb) {
    return switch (this) {
      case CONNECTING, CLOSED -> false;
      case AWAITING_LOGIN -> NON_AUTHENTICATED.contains(verb);
      case LOGGED_IN -> true;
      case TRANSFERRING -> verb.equals("ABOR");
    };
  }
}
