package org.ftpsgateway.control.command;

import io.vertx.core.Future;
import java.util.function.IntConsumer;
import java.util.logging.Logger;
import org.ftpsgateway.data.ClientPassiveListener;
import org.ftpsgateway.data.PreparedData;
import org.ftpsgateway.data.UpstreamEnd;
import org.ftpsgateway.protocol.Addresses;
import org.ftpsgateway.protocol.DataAddresses;
import org.ftpsgateway.protocol.FtpCommand;
import org.ftpsgateway.protocol.UpstreamRefusal;

/**
 * PASV and EPSV from the client: the gateway listens for the client's data connection on its own passive port and
 * prepares the upstream's end (upstream.dataMode), whatever the upstream would have answered: every data
 * connection runs through the gateway.
 */
final class PassiveCommands {

  private static final Logger LOG = Logger.getLogger(PassiveCommands.class.getName());

  private PassiveCommands() {
  }

  static void pasv(FtpCommand command, Session session) {
    if (session.epsvAll()) {
      session.answer(504, "PASV not allowed after EPSV ALL.");
      return;
    }
    String announce = session.listener().pasvAddress(session.localAddress().host(), session.destination().host());
    if (announce == null) {
      session.answer(425, "PASV needs an IPv4 address; use EPSV on this connection");
      return;
    }
    open(session, port -> session.answer(227, DataAddresses.formatPasvReplyText(announce, port)));
  }

  static void epsv(FtpCommand command, Session session) {
    String arg = command.argument().strip();
    boolean clientIpv6 = Addresses.ipv4(session.localAddress().host()) == null;
    if (arg.equalsIgnoreCase("ALL")) {
      // RFC 2428 §4: from now on only EPSV may set up data connections
      session.epsvAll(true);
      session.closePrepared();
      session.answer(200, "EPSV ALL ok.");
      return;
    }
    if (!arg.isEmpty() && !(arg.equals("1") && !clientIpv6) && !(arg.equals("2") && clientIpv6)) {
      session.answer(522, "Network protocol not supported, use (" + (clientIpv6 ? "2" : "1") + ")");
      return;
    }
    open(session, port -> session.answer(229, DataAddresses.formatEpsvReplyText(port)));
  }

  /** Opens both ends, then answers with the passive port through {@code announce}. */
  private static void open(Session session, IntConsumer announce) {
    session.closePrepared()
        .transform(released -> session.upstreamEnd())
        .compose(up -> listen(session, up))
        .onComplete(ar -> {
          if (session.closed()) {
            if (ar.succeeded()) {
              ar.result().close();
            }
            return;
          }
          if (ar.failed()) {
            LOG.warning(() -> session.id() + " passive setup failed: " + ar.cause().getMessage());
            if (String.valueOf(ar.cause().getMessage()).contains("no passive port available")) {
              session.metrics().rejected("passive_ports_exhausted");
            }
            // the upstream's 530 (logged out) reaches the client as it is, not as a network failure
            session.reply(UpstreamRefusal.clientReply(ar.cause()));
            session.done();
            return;
          }
          session.prepare(ar.result());
          announce.accept(((ClientPassiveListener) ar.result().client()).port());
        });
  }

  /**
   * The gateway's passive port for the client; only the client's own address may connect (hijack check), as the
   * PROXY header names it behind a balancer (the prelude).
   */
  private static Future<PreparedData> listen(Session session, UpstreamEnd up) {
    return ClientPassiveListener.open(session.vertx(), session.passivePorts(), session.localAddress().host(),
            session.clientAddress(), session.timeouts().dataConnectSeconds() * 1000L,
            () -> session.metrics().rejected("hijack"), session.dataPrelude())
        .onFailure(e -> up.close())
        .map(listener -> new PreparedData(listener, up));
  }
}
