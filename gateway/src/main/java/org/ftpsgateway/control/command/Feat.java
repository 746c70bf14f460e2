package org.ftpsgateway.control.command;

import java.util.List;
import org.ftpsgateway.protocol.FtpCommand;

/**
 * FEAT (RFC 2389): the upstream's features, without its security verbs (the gateway secures the upstream itself),
 * with EPSV (the gateway serves it whatever the upstream does) and the client side's own security features.
 */
final class Feat {

  private Feat() {
  }

  static void feat(FtpCommand command, Session session) {
    List<String> own = !session.clientTlsOffered() ? List.of()
        : session.listener().clientTls().allowAuthSsl() ? List.of("AUTH TLS", "AUTH SSL", "PBSZ", "PROT")
        : List.of("AUTH TLS", "PBSZ", "PROT");
    session.relay(command, r -> FeatFilter.filter(r, own));
  }
}
