#!/usr/bin/env python3
"""Probe how an explicit-FTPS server treats TLS session reuse on upload data connections.

Usage: tls-reuse-probe.py PORT [control|latest] [clean|abrupt] [COUNT]
  control: every data connection resumes the control connection's TLS session
  latest:  every data connection resumes the newest session seen (ticket from the previous data connection)
  clean:   end each upload with a close_notify exchange (SSL unwrap), abrupt: just close the socket
Prints one result per upload: reused|NEW (did the data connection resume?) and the server's reply.
Uses the interop suite's defaults (FTPGW_IT_RUN, FTPGW_IT_USER, FTPGW_IT_PASS); uploads to upload/probe-N.bin.
Example (servers from start-servers.sh): python3 tls-reuse-probe.py 2322 control abrupt
"""
import ftplib, os, ssl, sys

port = int(sys.argv[1])
which = sys.argv[2] if len(sys.argv) > 2 else "control"
close = sys.argv[3] if len(sys.argv) > 3 else "clean"
count = int(sys.argv[4]) if len(sys.argv) > 4 else 6
run = os.environ.get("FTPGW_IT_RUN", "/tmp/ftpgw-it")
user = os.environ.get("FTPGW_IT_USER", "ftpgwit")
password = os.environ.get("FTPGW_IT_PASS", "ftpgwit-pass")
ctx = ssl.create_default_context(cafile=os.path.join(run, "pki", "ca.crt"))
data = open(os.path.join(run, "data", "file1M"), "rb").read()


class Probe(ftplib.FTP_TLS):
    latest = None

    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        sess = self.sock.session if which == "control" or Probe.latest is None else Probe.latest
        return self.context.wrap_socket(conn, server_hostname=self.host, session=sess), size


f = Probe(context=ctx, timeout=10)
f.connect("127.0.0.1", port)
f.login(user, password)
f.prot_p()
f.voidcmd("NOOP")
results = []
for i in range(count):
    try:
        f.voidcmd("TYPE I")
        conn = f.transfercmd("STOR upload/probe-%d.bin" % i)
        conn.sendall(data)
        reused = conn.session_reused
        if which == "latest":          # read the NewSessionTicket the server sent on this connection
            conn.settimeout(0.3)
            try:
                conn.recv(1)
            except Exception:
                pass
            Probe.latest = conn.session
            conn.settimeout(10)
        if close == "clean":
            try:
                conn = conn.unwrap()
            except Exception:
                pass
        conn.close()
        results.append(("reused" if reused else "NEW") + ":" + f.voidresp()[:3])
    except Exception as e:  # noqa: BLE001 - report and go on
        results.append("ERR:" + str(e)[:60])
        try:
            f.voidcmd("NOOP")
        except Exception:
            pass
print("port %d %s/%s: %s" % (port, which, close, " ".join(results)))
try:
    for i in range(count):
        try:
            f.delete("upload/probe-%d.bin" % i)
        except ftplib.Error:
            pass
    f.quit()
except Exception:
    pass
