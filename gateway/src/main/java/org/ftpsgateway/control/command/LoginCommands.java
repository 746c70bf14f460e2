package org.ftpsgateway.control.command;

import org.ftpsgateway.protocol.FtpCommand;
import org.ftpsgateway.protocol.FtpReply;

/**
 * USER and PASS: relayed to the upstream, which does the authentication. The gateway routes the USER (routes:, USER
 * name@host) before login, watches the outcome (the session's state, failed-login limits), and finishes the
 * upstream session's security after login before the client sees 230.
 */
final class LoginCommands {

  private LoginCommands() {
  }

  /** listeners[].clientTls.requireTls: no credentials over a clear control connection. */
  private static boolean tlsMissing(Session session) {
    if (session.clientTlsOffered() && session.listener().clientTls().requireTls() && !session.controlTls()) {
      session.answer(530, "TLS required: send AUTH TLS first.");
      return true;
    }
    return false;
  }

  static void user(FtpCommand command, Session session) {
    if (tlsMissing(session)) {
      return;
    }
    session.user(command.argument());
    if (session.loggedIn()) {
      // after login the session stays on the upstream where its files are
      send(command, session);
      return;
    }
    session.routeUser(command).onComplete(ar -> {
      if (ar.failed()) {
        session.upstreamFailed(ar.cause().getMessage());
        return;
      }
      send(ar.result(), session);
    });
  }

  static void pass(FtpCommand command, Session session) {
    if (tlsMissing(session)) {
      return;
    }
    send(command, session);
  }

  private static void send(FtpCommand command, Session session) {
    session.send(command, session::reply).onComplete(ar -> {
      if (ar.failed()) {
        return; // the upstream is gone: the session answers the client and ends
      }
      FtpReply r = ar.result();
      if (r.code() == 230) {
        session.loginSucceeded();
      } else if (command.verb().equals("PASS") && r.code() == 530 && session.loginFailed()) {
        session.reply(r);
        session.metrics().rejected("login_failures");
        session.reply(FtpReply.of(421, "Too many failed logins from your address, try again later."));
        session.close("login_failures", "too many failed logins");
        return;
      }
      if (r.code() != 230) {
        session.reply(r);
        session.done();
        return;
      }
      // the client sees 230 only once the upstream session is what the config asks for
      session.secureUpstreamAfterLogin().onComplete(p -> {
        if (p.succeeded()) {
          session.reply(r);
          session.done();
        } else {
          session.fatal(p.cause().getMessage());
        }
      });
    });
  }
}
