package org.ftpsgateway.control.command;

import java.util.Optional;
import java.util.logging.Logger;
import org.ftpsgateway.data.ClientActiveChannel;
import org.ftpsgateway.data.PreparedData;
import org.ftpsgateway.protocol.Addresses;
import org.ftpsgateway.protocol.DataAddresses;
import org.ftpsgateway.protocol.FtpCommand;
import org.ftpsgateway.protocol.HostPort;
import org.ftpsgateway.protocol.UpstreamRefusal;

/**
 * PORT and EPRT from the client: the gateway will connect to the client's address itself (once the upstream
 * announces the transfer) and prepares the upstream's end (upstream.dataMode).
 */
final class ActiveCommands {

  private static final Logger LOG = Logger.getLogger(ActiveCommands.class.getName());

  private ActiveCommands() {
  }

  static void port(FtpCommand command, Session session) {
    active(command, session, false);
  }

  static void eprt(FtpCommand command, Session session) {
    active(command, session, true);
  }

  private static void active(FtpCommand command, Session session, boolean extended) {
    if (session.epsvAll()) {
      session.answer(504, command.verb() + " not allowed after EPSV ALL.");
      return;
    }
    Optional<HostPort> target = extended
        ? DataAddresses.parseEprtArgument(command.argument())
        : DataAddresses.parsePortArgument(command.argument());
    if (target.isEmpty()) {
      String arg = command.argument().strip();
      if (extended && arg.length() > 2 && !arg.startsWith("|1|") && !arg.startsWith("|2|")) {
        session.answer(522, "Network protocol not supported, use (1,2)");
      } else {
        session.answer(501, "Syntax error in parameters or arguments.");
      }
      return;
    }
    HostPort hp = target.get();
    String clientAddress = session.clientAddress();
    // RFC 2577 §3 (FTP bounce): data connections go only to the client itself, never to a privileged port
    if (!Addresses.sameHost(hp.host(), clientAddress) && !session.listener().allowForeignActive()) {
      LOG.warning(() -> session.id() + " refused " + command.verb() + " to a third host " + hp + " (client is "
          + clientAddress + ")");
      session.metrics().rejected("bounce");
      session.answer(504, "Data connections go only to the client's own address.");
      return;
    }
    if (hp.port() < 1024) {
      session.metrics().rejected("privileged_port");
      session.answer(504, "Data connections to privileged ports are refused.");
      return;
    }
    session.closePrepared();
    String local = session.localAddress().host();
    int timeoutMillis = session.timeouts().dataConnectSeconds() * 1000;
    session.upstreamEnd().onComplete(ar -> {
      if (session.closed()) {
        if (ar.succeeded()) {
          ar.result().close();
        }
        return;
      }
      if (ar.failed()) {
        // the upstream's 530 (logged out) reaches the client as it is, not as a network failure
        session.reply(UpstreamRefusal.clientReply(ar.cause()));
        session.done();
        return;
      }
      session.prepare(new PreparedData(new ClientActiveChannel(session.vertx(), hp, local,
          session.listener().activeSourcePort(), timeoutMillis), ar.result()));
      session.answer(200, command.verb() + " command successful.");
    });
  }
}
