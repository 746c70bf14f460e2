package org.ftpsgateway.data;

/**
 * What the gateway has learned about one upstream server's TLS 1.3 session tickets on upload data connections.
 * vsftpd sends a new ticket when an upload ends, and the next data connection resumes with it (see
 * {@link DataRelay}; without one the session offers its previous ticket again, tls.TicketReuse); ProFTPD and
 * pure-ftpd send none, and waiting for one adds the whole wait ({@link DataRelay#TICKET_WAIT_NANOS}, 2 s) to the
 * upload. Kept per server, shared by its sessions (issue 19): with a per-session memory, a client that opens one
 * session per file (curl) waited 2 s at the end of every upload to pure-ftpd, about half the rate of a 1 GiB upload.
 *
 * <p>A server that never sent one after a wait in vain is not waited for again; once a ticket came, it always is
 * (a late ticket under load must not turn the next transfers into 522s). Used by sessions on every event loop:
 * the fields are volatile; a race costs at most one more wait.
 */
public final class UploadTickets {

  private volatile boolean seen;
  private volatile boolean missed;

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
