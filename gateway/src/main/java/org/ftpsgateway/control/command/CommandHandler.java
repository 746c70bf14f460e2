package org.ftpsgateway.control.command;

import org.ftpsgateway.protocol.FtpCommand;

/** Handles one verb (or a family of verbs) the gateway must change; see {@link CommandTable}. */
@FunctionalInterface
public interface CommandHandler {

  /** Handles {@code command}, ending it as {@link Session} describes. Runs on the session's event loop. */
  void handle(FtpCommand command, Session session);
}
