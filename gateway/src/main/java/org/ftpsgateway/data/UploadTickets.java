package org.ftpsgateway.data;

/**
 * What one session has learned about its upstream's TLS 1.3 session tickets on upload data connections. vsftpd sends
 * a new ticket when an upload ends, and the next data connection resumes with it (see {@link DataRelay}; without it
 * the session offers its previous ticket again, tls.TicketReuse); ProFTPD and pure-ftpd send
 * none, and waiting for one would add the whole wait to every upload. A session whose server never sent one stops
 * waiting after the first wait in vain; once a ticket came, it always waits (a late ticket under load must not
 * turn the next transfers into 522s). Used on the session's event loop only.
 */
public final class UploadTickets {

  private boolean seen;
  private boolean missed;

  /** Whether to wait for a ticket before closing an upload's data connection. */
  boolean expected() {
    return seen || !missed;
  }

  /** A ticket arrived at the end of an upload. */
  void came() {
    seen = true;
  }

  /** A wait ended without a ticket. */
  void noneCame() {
    missed = true;
  }
}
