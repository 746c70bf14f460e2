package org.ftpsgateway.tls;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;

/**
 * Makes every upstream data connection of one FTP session resume that session's TLS session, also under TLS 1.3
 * when the server sends no new ticket.
 *
 * <p>Why: TLS 1.3 resumes with tickets, and both TLS engines treat a ticket as single-use: the JDK removes it from
 * its cache when it offers it, BoringSSL marks TLS 1.3 sessions single-use and Netty drops them. A server that sends a new ticket on every data connection keeps the
 * client supplied. ProFTPD 1.3.8 (mod_tls) does not on uploads: on a data connection opened for STOR/APPE/STOU it
 * suppresses TLS 1.3 tickets (its Issue #959), so after an upload the client has no ticket left, the next data
 * connection does a full handshake and ProFTPD refuses it ("client did not reuse TLS session", 425). ProFTPD itself
 * accepts any ticket of the same FTP session as often as it is offered (stateless tickets carrying a per-session
 * value it compares with the control connection's), and so does vsftpd. RFC 8446 §C.4 advises against reuse because
 * it lets observers link connections; FTPS servers demand exactly that link (a data connection must resume its
 * control connection's session), so nothing is given away. Reuse without 0-RTT data carries no replay risk
 * (RFC 8446 §8 concerns early data only; the gateway sends none).
 *
 * <p>So the gateway keeps the newest ticket of the session and offers it again whenever the engine has none left.
 * One instance per FTP session (one TLS context per session, see {@link UpstreamTls}).
 */
public interface TicketReuse {

  /** The name under which a handshaken upstream session carries its {@code TicketReuse}. */
  String SESSION_KEY = "org.ftpsgateway.tls.TicketReuse";

  /**
   * Before the handshake of a new connection of this session: arms {@code engine} (or the session's cache) with the
   * newest ticket if the engine would otherwise offer none.
   */
  void arm(SSLEngine engine);

  /** How many tickets (new sessions) this session has received so far; -1 when not counted. */
  long received();

  /** Whether the session holds a ticket to resume with (offered again if need be). */
  boolean holdsTicket();

  /** The session's {@code TicketReuse}, or null when {@code session} is not one of the gateway's upstream sessions. */
  static TicketReuse of(SSLSession session) {
    return session != null && session.getValue(SESSION_KEY) instanceof TicketReuse r ? r : null;
  }

  /** Nothing to do: contexts that resume by other means. */
  TicketReuse NONE = new TicketReuse() {
    @Override
    public void arm(SSLEngine engine) {
    }

    @Override
    public long received() {
      return -1;
    }

    @Override
    public boolean holdsTicket() {
      return false;
    }
  };
}
