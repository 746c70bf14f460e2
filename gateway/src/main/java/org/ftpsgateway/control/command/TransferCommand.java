package org.ftpsgateway.control.command;

import org.ftpsgateway.data.Direction;
import org.ftpsgateway.data.PreparedData;
import org.ftpsgateway.protocol.FtpCommand;
import org.ftpsgateway.protocol.Verbs;

/**
 * Every verb that opens a data connection ({@link Verbs#DATA}: RETR, STOR, LIST, ...): checks that a data connection
 * was prepared and may be used, then hands it to the session's transfer coordinator.
 */
final class TransferCommand {

  private TransferCommand() {
  }

  static void transfer(FtpCommand command, Session session) {
    if (session.clientTlsOffered() && !session.protectData()
        && session.listener().clientTls().requireProtectedData()) {
      session.answer(521, "Data connections must be encrypted: send PROT P.");
      return;
    }
    PreparedData data = session.takePrepared();
    if (data == null) {
      session.answer(425, "Use PASV, EPSV, PORT or EPRT first.");
      return;
    }
    if (data.client().connection().failed()) {
      data.close();
      session.answer(425, "Can't open data connection: " + data.client().connection().cause().getMessage());
      return;
    }
    session.startTransfer(command, Direction.of(command.verb()), data);
  }
}
