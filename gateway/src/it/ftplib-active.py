#!/usr/bin/env python3
"""Plain-FTP client in ACTIVE mode (ftplib, set_pasv(False)) for the interop suite.

Python's ftplib sends PORT on IPv4 and EPRT |2|...| on IPv6, listens itself and waits for the
gateway to connect: the legacy-client case of issue 3. The protocol exchange goes to stdout
(ftplib debug level 1 masks the password) so interop.sh can check which commands were used.

  ftplib-active.py HOST PORT USER PASS list
  ftplib-active.py HOST PORT USER PASS get REMOTE LOCAL
  ftplib-active.py HOST PORT USER PASS put LOCAL REMOTE
  ftplib-active.py HOST PORT USER PASS session GET-REMOTE LOCAL-PREFIX PUT-LOCAL PUT-REMOTE-PREFIX
      one login: LIST, RETR x2 (to LOCAL-PREFIX.1/.2), STOR x2 (to PUT-REMOTE-PREFIX.1/.2), LIST

Every data connection the gateway opened is printed as "*data-peer* HOST PORT" (the gateway's
source address; listeners[].activeSourcePort fixes that port).

Exit 0 when every command got its positive reply; the caller compares the files (sha256).
"""
import ftplib
import sys


class ActiveFTP(ftplib.FTP):
    """Reports where each data connection came from."""

    def ntransfercmd(self, cmd, rest=None):
        conn, size = super().ntransfercmd(cmd, rest)
        peer = conn.getpeername()
        print("*data-peer* %s %d" % (peer[0], peer[1]))
        return conn, size


def main(argv):
    if len(argv) < 6:
        print(__doc__, file=sys.stderr)
        return 2
    host, port, user, password, op = argv[1], int(argv[2]), argv[3], argv[4], argv[5]
    args = argv[6:]
    ftp = ActiveFTP(timeout=30)
    ftp.set_debuglevel(1)
    ftp.connect(host, port)
    ftp.login(user, password)
    ftp.set_pasv(False)
    ftp.voidcmd("TYPE I")
    if op == "list":
        lines = []
        ftp.retrlines("LIST", lines.append)
        print("\n".join(lines))
    elif op == "get":
        get(ftp, args[0], args[1])
    elif op == "put":
        put(ftp, args[0], args[1])
    elif op == "session":
        remote, local_prefix, put_local, put_prefix = args
        ftp.retrlines("LIST", print)
        get(ftp, remote, local_prefix + ".1")
        get(ftp, remote, local_prefix + ".2")
        put(ftp, put_local, put_prefix + ".1")
        put(ftp, put_local, put_prefix + ".2")
        ftp.retrlines("LIST", print)
    else:
        print("unknown operation " + op, file=sys.stderr)
        return 2
    ftp.quit()
    return 0


def get(ftp, remote, local):
    with open(local, "wb") as out:
        ftp.retrbinary("RETR " + remote, out.write)


def put(ftp, local, remote):
    with open(local, "rb") as data:
        ftp.storbinary("STOR " + remote, data)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except ftplib.all_errors as e:
        print("FAIL: " + type(e).__name__ + ": " + str(e).replace("\n", " "))
        sys.exit(1)
