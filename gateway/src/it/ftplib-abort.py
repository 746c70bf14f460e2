#!/usr/bin/env python3
"""ABOR orderings through the gateway with Python's ftplib (issue 16), for the interop suite.

  ftplib-abort.py HOST PORT USER PASS MODE DIRECTION ORDERING BIG SMALL SMALL-SHA256 UPLOAD-NAME

MODE: pasv | active.  DIRECTION: get | put.  ORDERING:
  close-abor    the client reads (get) or sends (put) a little, closes its data connection, then ABOR
                (the reported case: ftplib against pure-ftpd behind the gateway got no reply to ABOR)
  abor-close    ABOR first, then the client closes its data connection
  abor-flowing  ABOR while the data connection is open and data flows; the client closes it only after
                the replies (get: it keeps reading until the gateway ends it)
  abor-at-end   the whole file moved (SMALL), ABOR sent before the transfer's final reply was read
  abor-idle     ABOR with no transfer at all (DIRECTION ignored)
ABOR goes as ftplib.FTP.abort() sends it: "ABOR\\r\\n" with MSG_OOB (the LF is TCP urgent data).
BIG is downloaded only in part; SMALL is a file in the user's home whose SHA-256 is SMALL-SHA256 (downloaded
whole in abor-at-end and afterwards). put sends zeros to UPLOAD-NAME (1 MiB in abor-at-end).

Checked: the transfer command gets exactly one final reply (a 4xx failure, 426 or pure-ftpd's 451 for an upload;
or 226 when it had already completed), then
ABOR gets its own (225 or 226), RFC 959 4.1.3 and 5.4; every read is bounded (15 s, a missing reply is a
failure, not a hang); afterwards NOOP gets 200 and a full download of SMALL has the right checksum.
Prints "REPLIES: ..." (the codes after the transfer command) and exits 0 when all holds.
"""
import ftplib
import hashlib
import socket
import sys
import threading

CHUNK = 64 * 1024
TIMEOUT = 15


def final(ftp):
    """The next final reply (a 1xx is skipped), as 'NNN text'."""
    while True:
        line = ftp.getmultiline()
        print("*resp* " + line)
        if not line[:1] == "1":
            return line


def send_abor(ftp):
    """ABOR as ftplib.FTP.abort() sends it, without reading the reply."""
    print("*put urgent* ABOR")
    ftp.sock.sendall(b"ABOR\r\n", socket.MSG_OOB)


def check(cond, message):
    if not cond:
        raise AssertionError(message)


def run(argv):
    host, port, user, password, mode, direction, ordering, big, small, small_sha, upload = argv[1:12]
    ftp = ftplib.FTP(timeout=TIMEOUT)
    ftp.connect(host, int(port))
    ftp.login(user, password)
    ftp.set_pasv(mode == "pasv")
    ftp.voidcmd("TYPE I")
    codes = []
    if ordering == "abor-idle":
        send_abor(ftp)
        codes.append(final(ftp)[:3])
        print("REPLIES: " + " ".join(codes))
        check(codes[0] in ("225", "226"), "ABOR without a transfer answered " + codes[0])
    else:
        at_end = ordering == "abor-at-end"
        name = small if at_end else big
        if direction == "get":
            conn = ftp.transfercmd("RETR " + name)
            get_ordering(ftp, conn, ordering)
        else:
            conn = ftp.transfercmd("STOR " + upload)
            put_ordering(ftp, conn, ordering)
        codes.append(final(ftp)[:3])
        codes.append(final(ftp)[:3])
        conn.close()
        print("REPLIES: 150 " + " ".join(codes))
        # cut short: a failure (426; pure-ftpd says 451 for an aborted upload); 226 only if it may have completed
        completed_ok = at_end or direction == "put"
        check(codes[0][0] == "4" or (completed_ok and codes[0] == "226"),
              "the transfer's final reply was %s, expected a 4xx failure%s"
              % (codes[0], " or 226" if completed_ok else ""))
        check(codes[1] in ("225", "226"), "ABOR's final reply was %s, expected 225/226" % codes[1])
    # the session goes on: no reply left over (NOOP reads its own 200), and a next transfer is whole
    resp = ftp.sendcmd("NOOP")
    check(resp[:3] == "200", "NOOP after ABOR answered " + resp)
    digest = hashlib.sha256()
    ftp.retrbinary("RETR " + small, digest.update)
    check(digest.hexdigest() == small_sha, "download of %s after ABOR: checksum mismatch" % small)
    ftp.quit()
    print("INFO: replies 150 %s; NOOP 200; %s re-downloaded intact" % (" ".join(codes), small)
          if ordering != "abor-idle" else "INFO: ABOR %s; NOOP 200; %s downloaded intact" % (codes[0], small))


def get_ordering(ftp, conn, ordering):
    if ordering == "close-abor":
        read_some(conn)
        conn.close()
        send_abor(ftp)
    elif ordering == "abor-close":
        read_some(conn)
        send_abor(ftp)
        conn.close()
    elif ordering == "abor-flowing":
        read_some(conn)
        send_abor(ftp)
        drain(conn)
    elif ordering == "abor-at-end":
        drain(conn)
        send_abor(ftp)


def put_ordering(ftp, conn, ordering):
    if ordering == "close-abor":
        conn.sendall(b"\0" * (4 * CHUNK))
        conn.close()
        send_abor(ftp)
    elif ordering == "abor-close":
        conn.sendall(b"\0" * (4 * CHUNK))
        send_abor(ftp)
        conn.close()
    elif ordering == "abor-flowing":
        stop = threading.Event()

        def writer():
            try:
                while not stop.is_set():
                    conn.sendall(b"\0" * CHUNK)
            except OSError:
                pass  # the gateway ended the data connection, as ABOR asks

        t = threading.Thread(target=writer, daemon=True)
        t.start()
        send_abor(ftp)
        # the replies are read by the caller; the writer stops once the gateway closed its end
        t.join(TIMEOUT)
        stop.set()
    elif ordering == "abor-at-end":
        conn.sendall(b"\0" * (16 * CHUNK))
        conn.close()
        send_abor(ftp)


def read_some(conn):
    got = 0
    while got < CHUNK:
        b = conn.recv(CHUNK - got)
        if not b:
            break
        got += len(b)


def drain(conn):
    try:
        while conn.recv(CHUNK):
            pass
    except OSError:
        pass  # reset: ended as well


if __name__ == "__main__":
    if len(sys.argv) != 12:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    try:
        run(sys.argv)
    except (AssertionError,) + ftplib.all_errors as e:
        print("FAIL: " + type(e).__name__ + ": " + str(e).replace("\n", " "))
        sys.exit(1)
    sys.exit(0)
