package org.ftpsgateway.control.command;

import org.ftpsgateway.protocol.FtpCommand;
import org.ftpsgateway.protocol.FtpReply;

/** QUIT: the upstream's goodbye is passed on (a gateway one if the upstream is gone), then the session ends. */
final class Quit {

  private Quit() {
  }

  static void quit(FtpCommand command, Session session) {
    session.send(command, session::reply).onComplete(ar -> {
      session.reply(ar.succeeded() ? ar.result() : FtpReply.of(221, "Goodbye."));
      session.close("quit", "client sent QUIT");
    });
  }
}
