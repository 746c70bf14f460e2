#!/usr/bin/env python3
"""Client side and measurements of gateway/bench/bench.sh (python3 standard library only).

bench.sh starts the servers and proxies and calls `ftpbench.py run ...` with a JSON list of paths
(name, kind direct|modproxy|gateway, backend, port, pid of the proxy or server, metrics port).
This script then measures, on 127.0.0.1, in one run and interleaved so that machine noise hits
every path alike:
  * throughput: curl downloads/uploads of a big file (median of --runs), checked with cmp;
    CPU of the proxy alone per GB (utime+stime of the proxy's process tree from /proc, including
    reaped session children via cutime/cstime), and for the gateway its ftpgw_tls_cpu_seconds_total
  * session latency: python ftplib connect + login + RETR 1 MiB + QUIT, back-to-back and spaced 1 s
    (direct FTPS: ftplib.FTP_TLS with the control connection's TLS session reused on data connections)
  * parallel sessions: N threads start together, each a full session with a checked download
  * memory: resident memory of the proxy with N idle logged-in sessions (RSS and PSS summed over
    the process tree: mod_proxy forks one process per session)
and prints a markdown report. Every TLS leg to a server offers one protocol version and one AES-256-GCM suite
(--tls-version, --cipher; bench.sh configures mod_proxy and the gateways alike), each path's negotiated TLS is
printed next to its figures, and a ratio between two paths that negotiated differently is printed as "n/c" with
the reason. Other subcommands are handy by hand:
  ftpbench.py session PORT [--tls]         one timed session
  ftpbench.py parallel PORT N FILE [--tls] one parallel test
  ftpbench.py idle PORT N PID [--tls]      idle-session memory of the process tree of PID
"""
import argparse
import concurrent.futures
import ftplib
import json
import os
import re
import socket
import ssl
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
GB = 1e9          # MB/s and "per GB" use decimal units (10^6, 10^9 bytes), like curl
MiB = 1024 * 1024


def log(msg):
    print(f"[ftpbench] {time.strftime('%H:%M:%S')} {msg}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------ /proc
def _stat(pid):
    """(ppid, utime+stime+cutime+cstime in ticks, rss pages, utime+cutime, stime+cstime) of pid, or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except OSError:
        return None
    rest = s[s.rindex(")") + 2:].split()
    # rest[0] = state (field 3); field n is rest[n - 3]
    return (int(rest[1]), int(rest[11]) + int(rest[12]) + int(rest[13]) + int(rest[14]), int(rest[21]),
            int(rest[11]) + int(rest[13]), int(rest[12]) + int(rest[14]))


def tree(pid):
    """pid and all its descendants (by ppid), with their /proc/PID/stat figures."""
    procs = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            st = _stat(int(d))
            if st:
                procs[int(d)] = st
    if pid not in procs:
        return {}
    children = {}
    for p, st in procs.items():
        children.setdefault(st[0], []).append(p)
    out, todo = {}, [pid]
    while todo:
        p = todo.pop()
        if p in procs and p not in out:
            out[p] = procs[p]
            todo.extend(children.get(p, []))
    return out


def tree_cpu(pid):
    """CPU seconds of pid and its live descendants; reaped children are in the parent's cutime/cstime.
    pid may be a list: the sum over those trees (a backend of several server instances, the scale test)."""
    if isinstance(pid, (list, tuple)):
        return sum(tree_cpu(p) for p in pid)
    return sum(st[1] for st in tree(pid).values()) / CLK_TCK


def tree_cpu_split(pid):
    """(user, system) CPU seconds of pid and its live descendants (as tree_cpu)."""
    t = tree(pid).values()
    return sum(st[3] for st in t) / CLK_TCK, sum(st[4] for st in t) / CLK_TCK


def tree_mem(pid):
    """(processes, sum VmRSS MiB, sum Pss MiB) of the process tree of pid."""
    t = tree(pid)
    rss = pss = 0
    for p in t:
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss += int(line.split()[1])
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except OSError:
            pass
    return len(t), rss / 1024, pss / 1024


def metrics(port):
    """Prometheus text of the gateway's /metrics as {name: sum over label sets} and {name{labels}: value}."""
    if not port:
        return {}, {}
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
            text = r.read().decode()
    except Exception:
        return {}, {}
    sums, full = {}, {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)", line)
        if not m:
            continue
        try:
            v = float(m.group(3))
        except ValueError:
            continue
        sums[m.group(1)] = sums.get(m.group(1), 0.0) + v
        full[m.group(1) + (m.group(2) or "")] = v
    return sums, full


def settle(path, timeout=20.0):
    """Wait until the proxy has no session left (mod_proxy: no child processes; gateway: no active
    session in its metrics); the proxy's CPU accounting is then complete."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if path["kind"] == "gateway":
            s, _ = metrics(path.get("metrics_port"))
            if s.get("ftpgw_sessions_active", 0) == 0:
                return True
        elif path["kind"] == "modproxy":
            if len(tree(path["pid"])) <= 1:
                return True
        else:
            # direct: the server's session processes are not measured, but let them finish
            if len(tree(path["pid"])) <= 1:
                return True
        time.sleep(0.05)
    return False


# ------------------------------------------------------------------ FTP sessions (python ftplib)
class ReuseFTP_TLS(ftplib.FTP_TLS):
    """FTP_TLS whose data connections resume the control connection's TLS session (vsftpd's
    require_ssl_reuse and ProFTPD refuse data connections that do not)."""

    def ntransfercmd(self, cmd, rest=None):
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:
            conn = self.context.wrap_socket(conn, server_hostname=self.host, session=self.sock.session)
        return conn, size


# ------------------------------------------------------------------ one TLS policy for every path (issue 19)
def curl_tls_args(tls_version, cipher):
    """curl options for direct FTPS that offer only the bench's protocol version and suite (none: curl's defaults)"""
    if not cipher:
        return []
    if tls_version == "TLSv1.3":
        return ["--tlsv1.3", "--tls13-ciphers", cipher]
    return ["--tlsv1.2", "--tls-max", "1.2", "--ciphers", cipher]


def tls_context(ca, tls_version, cipher):
    """ftplib's context for direct FTPS with the same policy as curl's. Python's ssl cannot narrow the TLS 1.3
    suites, so with TLS 1.3 only the version is pinned (these sessions measure latency, not bulk throughput)."""
    ctx = ssl.create_default_context(cafile=ca)
    if cipher and tls_version == "TLSv1.3":
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    elif cipher:
        ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_ciphers(cipher)
    return ctx


def tls_key(desc):
    """(protocol, bulk cipher) of a negotiated TLS description such as "TLSv1.2 ECDHE-RSA-AES256-GCM-SHA384"
    (OpenSSL name) or "TLSv1.3 TLS_AES_256_GCM_SHA384" / "TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" (standard
    names): the key exchange does not change the cost per byte, the protocol and the bulk cipher do"""
    if not desc:
        return None
    version, _, name = desc.partition(" ")
    n = name.upper().replace("_", "-")
    m = re.search(r"AES-?(128|256)-GCM", n)
    if "CHACHA20" in n:
        bulk = "ChaCha20-Poly1305"
    elif m:
        bulk = f"AES-{m.group(1)}-GCM"
    else:
        bulk = name
    return version, bulk


class Client:
    def __init__(self, port, tls, user, password, ca, tls_version=None, cipher=None):
        self.port, self.tls, self.user, self.password = port, tls, user, password
        self.ctx = None
        if tls:
            self.ctx = tls_context(ca, tls_version, cipher)

    def login(self, timeout=60, timings=None):
        if self.tls:
            ftp = ReuseFTP_TLS(context=self.ctx, timeout=timeout)
        else:
            ftp = ftplib.FTP(timeout=timeout)
        t0 = time.perf_counter()
        ftp.connect("127.0.0.1", self.port)  # returns once the 220 greeting arrived
        if timings is not None:
            timings["greeting_s"] = time.perf_counter() - t0
        ftp.login(self.user, self.password)
        if self.tls:
            ftp.prot_p()
        return ftp

    def session(self, remote, expect, timeout=60, timings=None):
        """connect + login + RETR + QUIT; returns (seconds, tls description or None). With a dict as
        timings, also the time from connect to the greeting ("greeting_s")."""
        t0 = time.perf_counter()
        ftp = self.login(timeout, timings)
        try:
            buf = bytearray()
            ftp.retrbinary("RETR " + remote, buf.extend, blocksize=256 * 1024)
            tls = f"{ftp.sock.version()} {ftp.sock.cipher()[0]}" if self.tls else None
            ftp.quit()
        finally:
            ftp.close()
        dt = time.perf_counter() - t0
        if expect is not None and bytes(buf) != expect:
            raise RuntimeError(f"downloaded {len(buf)} bytes differ from the original ({len(expect)} bytes)")
        return dt, tls


def err_text(e):
    s = f"{type(e).__name__}: {e}".replace("\n", " ").strip()
    return s[:200]


def parallel(client, n, remote, expect, timeout=300, ramp_ms=0.0):
    """n sessions released together (threads wait on a barrier; with ramp_ms > 0 session i starts
    i * ramp_ms later); returns dict with wall time (release to last session done), failures, errors,
    and the peak number of sessions in flight.

    Beware of a server's listen backlog: vsftpd 3.0.3 listens with a hard-coded backlog of 32. With
    hundreds of connects at once its accept queue overflows, Linux drops the final ACK of the handshake,
    the client believes it is connected, the server never sees the connection, and the session hangs
    until its timeout (measured: 214 of 500 direct sessions to vsftpd; a 2 ms ramp did not help)."""
    barrier = threading.Barrier(n + 1)
    durations, errors, greetings = [], [], []
    lock = threading.Lock()
    state = {"in": 0, "peak": 0}

    def worker(i):
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            return
        if ramp_ms > 0:
            delay = t0 + i * ramp_ms / 1000.0 - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        with lock:
            state["in"] += 1
            state["peak"] = max(state["peak"], state["in"])
        timings = {}
        try:
            dt, _ = client.session(remote, expect, timeout=timeout, timings=timings)
            with lock:
                durations.append(dt)
        except Exception as e:  # noqa: BLE001 - every failure is a result
            with lock:
                errors.append(err_text(e))
        if "greeting_s" in timings:
            with lock:
                greetings.append(timings["greeting_s"])
        with lock:
            state["in"] -= 1

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(n)]
    old = threading.stack_size(512 * 1024)
    for t in threads:
        t.start()
    threading.stack_size(old)
    t0 = time.perf_counter() + 0.05
    barrier.wait()
    for t in threads:
        t.join(timeout + 60)
    wall = time.perf_counter() - t0
    hung = sum(1 for t in threads if t.is_alive())
    if hung:
        errors.extend(["thread did not finish"] * hung)
    summary = {}
    for e in errors:
        summary[e] = summary.get(e, 0) + 1
    return {
        "sessions": n, "ok": len(durations), "failures": len(errors), "wall_s": wall, "ramp_ms": ramp_ms,
        "session_median_s": statistics.median(durations) if durations else None,
        "session_max_s": max(durations) if durations else None, "peak_in_flight": state["peak"],
        "greeting_median_s": statistics.median(greetings) if greetings else None,
        "greeting_p95_s": sorted(greetings)[int(0.95 * (len(greetings) - 1))] if greetings else None,
        "greeting_max_s": max(greetings) if greetings else None,
        "errors": sorted(summary.items(), key=lambda kv: -kv[1])[:8],
    }


def idle(client, n, pid, timeout=60, workers=32, hold=2.0, move=None, expect=None, others=None):
    """Open n logged-in sessions, measure the memory of pid's process tree, check they are all
    alive (NOOP), close them (QUIT). With move (a remote file) each session downloads it once after the
    login (compared with expect) before it idles: the scale test. others: {name: pid or [pids]} whose CPU
    during the opening is reported beside the proxy's (the server instances behind it)."""
    before = tree_mem(pid)
    conns, errors, open_times = [], [], []
    lock = threading.Lock()

    def opener(_):
        try:
            t = time.perf_counter()
            ftp = client.login(timeout)
            with lock:
                conns.append(ftp)
            if move is not None:
                buf = bytearray()
                ftp.retrbinary("RETR " + move, buf.extend, blocksize=64 * 1024)
                if expect is not None and bytes(buf) != expect:
                    raise RuntimeError(f"downloaded {len(buf)} bytes differ from the original ({len(expect)} bytes)")
            with lock:
                open_times.append(time.perf_counter() - t)
        except Exception as e:  # noqa: BLE001
            with lock:
                errors.append(err_text(e))

    cpu0 = {"proxy": tree_cpu(pid)} | {k: tree_cpu(v) for k, v in (others or {}).items()}
    own0 = sum(os.times()[:2])
    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(workers) as ex:
        list(ex.map(opener, range(n)))
    open_s = time.perf_counter() - t0
    # CPU seconds each side spent while the sessions were opened ("client": this python process)
    open_cpu = {"proxy": tree_cpu(pid) - cpu0["proxy"], "client": sum(os.times()[:2]) - own0}
    open_cpu |= {k: tree_cpu(v) - cpu0[k] for k, v in (others or {}).items()}
    time.sleep(hold)
    during = tree_mem(pid)
    noop_fail = []

    def noop(ftp):
        try:
            ftp.voidcmd("NOOP")
        except Exception as e:  # noqa: BLE001
            with lock:
                noop_fail.append(err_text(e))

    with concurrent.futures.ThreadPoolExecutor(workers) as ex:
        list(ex.map(noop, list(conns)))

    def closer(ftp):
        try:
            ftp.quit()
        except Exception:  # noqa: BLE001
            pass
        try:
            ftp.close()
        except Exception:  # noqa: BLE001
            pass

    with concurrent.futures.ThreadPoolExecutor(workers) as ex:
        list(ex.map(closer, list(conns)))
    summary = {}
    for e in errors + noop_fail:
        summary[e] = summary.get(e, 0) + 1
    return {
        "sessions": n, "opened": len(conns), "failures": len(errors) + len(noop_fail), "open_s": open_s,
        "procs_before": before[0], "rss_before_mib": before[1], "pss_before_mib": before[2],
        "procs": during[0], "rss_mib": during[1], "pss_mib": during[2],
        "open_cpu_s": open_cpu, "session_open_median_s": med(open_times),
        "errors": sorted(summary.items(), key=lambda kv: -kv[1])[:8],
    }


# ------------------------------------------------------------------ curl transfers
def curl_xfer(path, a, direction, fname, tag):
    """One curl download or upload through path; returns a result dict (never raises)."""
    src = os.path.join(a.home, "bench", fname)
    size = os.path.getsize(src)
    url = f"ftp://127.0.0.1:{path['port']}/bench/"
    cmd = ["curl", "-sS", "--connect-timeout", "10", "--max-time", str(max(300, size // 20_000_000)),
           "-u", f"{a.user}:{a.password}"]
    if path["kind"] == "direct":
        # -v: curl prints "* SSL connection using TLSv1.3 / TLS_AES_256_GCM_SHA384" per connection
        cmd += ["--ssl-reqd", "--cacert", a.ca, "-v"] + curl_tls_args(a.tls_version, a.cipher)
    w = " %{time_pretransfer} %{time_starttransfer} %{time_total}"
    if direction == "down":
        dest = os.path.join(a.dl_dir, f"dl-{path['name']}.bin") if a.verify else "/dev/null"
        cmd += ["-o", dest, "-w", "%{speed_download} %{size_download}" + w, url + fname]
    else:
        dest = os.path.join(a.home, "bench", "upload", f"{path['name']}-{tag}.bin")
        if os.path.exists(dest):
            os.unlink(dest)
        cmd += ["-T", src, "-w", "%{speed_upload} %{size_upload}" + w, url + "upload/" + os.path.basename(dest)]
    settle(path)
    m0, _ = metrics(path.get("metrics_port"))
    u0, k0 = tree_cpu_split(path["pid"])
    c0 = u0 + k0
    p = subprocess.run(cmd, capture_output=True, text=True)
    settled = settle(path)
    u1, k1 = tree_cpu_split(path["pid"])
    c1 = u1 + k1
    m1, _ = metrics(path.get("metrics_port"))
    res = {"path": path["name"], "dir": direction, "tag": tag, "rc": p.returncode, "bytes": size}
    negotiated = re.findall(r"^\* SSL connection using (TLSv1\.[0-9]) / (\S+)", p.stderr, re.M)
    if negotiated:
        res["tls"] = sorted({f"{v} {c}" for v, c in negotiated})
    # without -v's transcript: only curl's own messages
    stderr = "\n".join(x for x in p.stderr.splitlines() if not x.startswith(("* ", "> ", "< ", "{ ", "} ")))
    try:
        speed, moved, t_pre, t_start, t_total = p.stdout.split()
        res.update(mbps=float(speed) / 1e6, moved=int(float(moved)), t_pre=float(t_pre),
                   t_start=float(t_start), t_total=float(t_total))
    except ValueError:
        res.update(mbps=None, moved=None)
    if path["kind"] != "direct":
        res["cpu_s"] = c1 - c0
        res["cpu_s_per_gb"] = (c1 - c0) / (size / GB)
        res["cpu_user_s_per_gb"] = (u1 - u0) / (size / GB)
        res["cpu_sys_s_per_gb"] = (k1 - k0) / (size / GB)
        if not settled:
            res["note"] = "proxy sessions did not settle within 20 s: CPU figure may be incomplete"
    if m0 and m1:
        tls = m1.get("ftpgw_tls_cpu_seconds_total", 0) - m0.get("ftpgw_tls_cpu_seconds_total", 0)
        res["tls_cpu_s_per_gb"] = tls / (size / GB)
        res["gw_data_bytes"] = m1.get("ftpgw_data_bytes_total", 0) - m0.get("ftpgw_data_bytes_total", 0)
    ok = p.returncode == 0 and res.get("moved") == size
    if ok and (direction == "up" or a.verify):
        c = subprocess.run(["cmp", "-s", src, dest])
        if c.returncode != 0:
            ok = False
            got = os.path.getsize(dest) if os.path.exists(dest) else "no"
            res["error"] = f"content differs from the original ({got} bytes stored/received, {size} expected)"
    elif not ok:
        got = ""
        if direction == "up":
            got = f", {os.path.getsize(dest) if os.path.exists(dest) else 'no'} bytes stored"
        res["error"] = f"curl exit {p.returncode}, {res.get('moved')} of {size} bytes{got}: " \
                       + stderr.strip().replace("\n", " ")[:200]
    res["ok"] = ok
    for f in (dest,):
        if f != "/dev/null" and os.path.exists(f):
            os.unlink(f)
    return res


# ------------------------------------------------------------------ openssl speed
def openssl_speed(seconds, alg="aes-256-gcm"):
    try:
        p = subprocess.run(["openssl", "speed", "-evp", alg, "-seconds", str(seconds), "-bytes", "16384"],
                           capture_output=True, text=True, timeout=seconds * 10 + 30)
        m = re.search(r"^" + re.escape(alg) + r"\s+([0-9.]+)k", p.stdout, re.M | re.I)
        if m:
            return float(m.group(1)) * 1000 / 1e6  # 1000s of bytes/s -> MB/s
    except Exception as e:  # noqa: BLE001
        log(f"openssl speed failed: {e}")
    return None


# ------------------------------------------------------------------ TLS description per path
def tls_of(path, start_offsets):
    """Negotiated upstream TLS of a proxy path, from the proxy's log written since the offsets: the most frequent
    description and every distinct one (more than one: the path is not comparable with any other)."""
    f = path.get("log")
    if not f or not os.path.exists(f):
        return None, []
    with open(f, "rb") as fh:
        fh.seek(start_offsets.get(f, 0))
        text = fh.read().decode(errors="replace")
    if path["kind"] == "modproxy":
        m = re.findall(r"(TLSv1\.[0-9]) connection created, using cipher ([A-Z0-9-]+)", text)
    else:
        m = re.findall(r"(TLSv1\.[0-9]) (TLS_[A-Z0-9_]+)", text)
    if not m:
        return None, []
    return " ".join(max(set(m), key=m.count)), sorted({" ".join(x) for x in m})


def log_offsets(paths):
    out = {}
    for p in paths:
        f = p.get("log")
        if f and os.path.exists(f):
            out[f] = os.path.getsize(f)
    return out


# ------------------------------------------------------------------ the whole run
def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def run(a):
    paths = json.load(open(a.paths))
    versions = json.load(open(a.versions))
    par_specs = []
    for spec in a.par.split():
        n, mb = spec.split("x")
        par_specs.append((int(n), int(mb)))
    R = {"versions": versions, "command": a.command, "paths": paths, "failures": [],
         "settings": {"runs": a.runs, "file_mb": a.file_mb, "warmup_mb": a.warmup_mb, "lat_n": a.lat_n,
                      "lat_spaced": a.lat_spaced, "par": par_specs, "idle": a.idle, "verify": a.verify,
                      "smoke": a.smoke, "scale": a.scale, "scale_modproxy": a.scale_modproxy,
                      "idle_hold": a.idle_hold},
         "load_start": open("/proc/loadavg").read().split()[:3]}
    fails = R["failures"]

    R["load"] = []

    def phase(name):
        R["load"].append((name, time.strftime("%H:%M:%S"), open("/proc/loadavg").read().split()[0]))

    def fail(path, phase, text):
        fails.append({"path": path, "phase": phase, "error": text})
        log(f"FAIL {path} {phase}: {text}")

    clients = {p["name"]: Client(p["port"], p["kind"] == "direct", a.user, a.password, a.ca, a.tls_version, a.cipher)
               for p in paths}
    ref1m = open(os.path.join(a.home, "bench", "file1M"), "rb").read()
    offsets0 = log_offsets(paths)

    R["aes_gcm_mbps"] = R["chacha_mbps"] = None
    if a.speed_seconds > 0:
        log(f"openssl speed -evp aes-256-gcm / chacha20-poly1305 ({a.speed_seconds} s each, 16 KiB blocks, one core)")
        R["aes_gcm_mbps"] = openssl_speed(a.speed_seconds)
        R["chacha_mbps"] = openssl_speed(a.speed_seconds, "chacha20-poly1305")

    # reachability: one session per path; a dead path is reported, not measured
    alive = []
    for p in paths:
        for attempt in range(3):
            try:
                dt, tls = clients[p["name"]].session("bench/file1M", ref1m, timeout=30)
                p["client_tls"] = tls
                alive.append(p)
                break
            except Exception as e:  # noqa: BLE001
                fail(p["name"], f"first session, attempt {attempt + 1}/3", err_text(e))
    R["alive"] = [p["name"] for p in alive]

    fname = f"file{a.file_mb}M"
    phase("warm-up + throughput")
    if a.warmup_mb > 0:
        log(f"warm-up: one untimed download + upload of {a.warmup_mb} MiB per path")
        for p in alive:
            for d in ("down", "up"):
                r = curl_xfer(p, a, d, f"file{a.warmup_mb}M", "warmup")
                if not r["ok"]:
                    fail(p["name"], f"warm-up {d}", r.get("error", "?"))

    R["xfers"] = []
    for run_i in range(1, a.runs + 1):
        for d in ("down", "up"):
            for p in alive:
                r = curl_xfer(p, a, d, fname, str(run_i))
                R["xfers"].append(r)
                extra = f" cpu {r['cpu_s_per_gb']:.2f} s/GB" if "cpu_s_per_gb" in r else ""
                log(f"run {run_i}/{a.runs} {d:4} {p['name']:22} "
                    f"{(r['mbps'] or 0):8.1f} MB/s{extra}{'' if r['ok'] else '  FAILED'}")
                if not r["ok"]:
                    fail(p["name"], f"{d} run {run_i}", r.get("error", "?"))

    phase("latency")
    log(f"latency: {a.lat_n} back-to-back sessions per path, then {a.lat_spaced} x (1 s pause + session) per path")
    lat = {p["name"]: {"b2b": [], "spaced": []} for p in alive}
    for p in alive:
        for _ in range(a.lat_n):
            try:
                dt, _ = clients[p["name"]].session("bench/file1M", ref1m, timeout=30)
                lat[p["name"]]["b2b"].append(dt)
            except Exception as e:  # noqa: BLE001
                fail(p["name"], "latency back-to-back", err_text(e))
        settle(p)
    for _ in range(a.lat_spaced):
        for p in alive:
            time.sleep(1.0)
            try:
                dt, _ = clients[p["name"]].session("bench/file1M", ref1m, timeout=30)
                lat[p["name"]]["spaced"].append(dt)
            except Exception as e:  # noqa: BLE001
                fail(p["name"], "latency spaced", err_text(e))
    R["latency"] = lat

    R["parallel"] = {}
    phase("parallel")
    for n, mb in par_specs:
        ref = open(os.path.join(a.home, "bench", f"file{mb}M"), "rb").read()
        for p in alive:
            settle(p, 60)
            time.sleep(0.1 if a.smoke else 0.5)
            log(f"parallel: {n} sessions x {mb} MiB via {p['name']}")
            r = parallel(clients[p["name"]], n, f"bench/file{mb}M", ref, timeout=a.par_timeout, ramp_ms=a.par_ramp_ms)
            R["parallel"][f"{p['name']}|{n}x{mb}"] = r
            g = r.get("greeting_median_s")
            greet = (f"; connect->greeting median {g:.2f} s, p95 {r['greeting_p95_s']:.2f} s, max "
                     f"{r['greeting_max_s']:.2f} s" if g is not None else "")
            log(f"  wall {r['wall_s']:.2f} s, {r['failures']} failures{greet} {r['errors'][:3] if r['errors'] else ''}")
            for e, c in r["errors"]:
                fail(p["name"], f"parallel {n}x{mb}MiB", f"{c} x {e}")
        del ref

    def held(test, count, settle_s, what, options):
        """The idle and scale tests: count(p) sessions held open through each proxy p (one proxy at a time)."""
        out = {}
        for p in alive:
            if p["kind"] == "direct":
                continue
            n = count(p)
            if n <= 0:
                continue
            settle(p, 60)
            log(f"{test}: {n} {what} via {p['name']}")
            r = idle(clients[p["name"]], n, p["pid"], hold=a.idle_hold, **options(p))
            out[p["name"]] = r
            log(f"  opened {r['opened']} in {r['open_s']:.1f} s, {r['failures']} failures; RSS {r['rss_mib']:.0f} MiB "
                f"(before {r['rss_before_mib']:.0f}), PSS {r['pss_mib']:.0f} MiB, {r['procs']} processes; CPU while "
                f"opening {r['open_cpu_s']}")
            for e, c in r["errors"]:
                fail(p["name"], f"{test} {n}", f"{c} x {e}")
            if not settle(p, settle_s):
                log(f"  {p['name']}: sessions still open {settle_s} s after QUIT")
        return out

    phase("idle")
    R["idle"] = held("idle", lambda p: a.idle, 120, "logged-in sessions", lambda p: {}) if a.idle > 0 else {}

    # scale: many logged-in sessions through one proxy, each having moved a little, then idle (issue 19)
    R["scale"] = {}
    phase("scale")
    if a.scale > 0:
        small = open(os.path.join(a.home, "bench", "scale64K"), "rb").read()
        # every instance of the backend (the scale test runs several when one server's user cap is too small)
        servers = {p["backend"]: [p["pid"]] + p.get("extra_pids", []) for p in paths
                   if p["kind"] == "direct" and p.get("pid")}
        # mod_proxy forks a process per session (~1.4 MiB PSS each): it gets its own, smaller count
        count = lambda p: min(a.scale, a.scale_modproxy) if p["kind"] == "modproxy" else a.scale  # noqa: E731
        R["scale"] = held("scale", count, 180, "sessions (login + RETR 64 KiB each, then idle)", lambda p: {
            "timeout": 120, "move": "bench/scale64K", "expect": small,
            "others": {"server": servers[p["backend"]]} if p["backend"] in servers else {}})

    for p in paths:
        if p["kind"] == "direct":
            # what curl negotiated on the throughput transfers (ftplib's first session if there were none)
            seen = [t for r in R["xfers"] if r["path"] == p["name"] for t in r.get("tls", [])]
            p["tls"] = max(set(seen), key=seen.count) if seen else p.get("client_tls")
            p["tls_all"] = sorted(set(seen))
        else:
            p["tls"], p["tls_all"] = tls_of(p, offsets0)
    phase("end")
    R["load_end"] = open("/proc/loadavg").read().split()[:3]
    R["end"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    json.dump(R, open(a.json, "w"), indent=1)
    md = report(R)
    with open(a.out, "w") as f:
        f.write(md)
    print(md)
    if fails:
        log(f"{len(fails)} failure(s); see the report's Failures section")
    return 1 if (fails and a.strict) else 0


# ------------------------------------------------------------------ report
def fmt(x, nd=1, unit=""):
    if x is None:
        return "–"
    return f"{x:.{nd}f}{unit}"


def ratio(x, y):
    if x is None or y is None or y == 0:
        return None
    return x / y


def report(R):
    v, s = R["versions"], R["settings"]
    paths = R["paths"]
    by = {p["name"]: p for p in paths}
    alive = set(R.get("alive", []))
    xf = {}
    for r in R.get("xfers", []):
        xf.setdefault((r["path"], r["dir"]), []).append(r)

    def mbps(name, d):
        rs = xf.get((name, d), [])
        return med([r["mbps"] for r in rs if r["ok"]])

    def cpu(name, d, key="cpu_s_per_gb"):
        rs = xf.get((name, d), [])
        return med([r.get(key) for r in rs if r["ok"]])

    def nfail(name):
        return sum(1 for f in R["failures"] if f["path"] == name)

    def peer(p, kind):
        for q in paths:
            if q["backend"] == p["backend"] and q["kind"] == kind:
                return q["name"]
        return None

    nc_reasons = []

    def not_comparable(name, ref):
        """None when paths name and ref negotiated the same protocol and bulk cipher, else why not (noted once)"""
        p, q = by[name], by[ref]
        why = None
        for x in (p, q):
            if len(x.get("tls_all") or []) > 1:
                why = f"{label(x)} → {x['backend']} negotiated more than one: {', '.join(x['tls_all'])}"
        if why is None:
            kp, kq = tls_key(p.get("tls")), tls_key(q.get("tls"))
            if kp is None or kq is None:
                why = (f"negotiated TLS unknown: {label(p)} → {p['backend']} {p.get('tls') or '?'}, "
                       f"{label(q)} → {q['backend']} {q.get('tls') or '?'}")
            elif kp != kq:
                why = f"{label(p)} → {p['backend']} {p['tls']} vs {label(q)} → {q['backend']} {q['tls']}"
        if why and why not in nc_reasons:
            nc_reasons.append(why)
        return why

    def cmp_ratio(name, ref, x, y, nd=2):
        """x / y as text, "n/c" if the two paths negotiated differently, "" without a reference"""
        if not ref or ref == name:
            return ""
        return "n/c" if not_comparable(name, ref) else fmt(ratio(x, y), nd)

    def nc_notes():
        if nc_reasons:
            w("n/c = not comparable, the paths negotiated a different TLS protocol or cipher: "
              + "; ".join(nc_reasons) + ".\n")
            nc_reasons.clear()

    lat = R.get("latency", {})

    def lat_ms(name, k):
        x = med(lat.get(name, {}).get(k, []))
        return None if x is None else x * 1000

    floor = R.get("aes_gcm_mbps")
    floor_s_gb = (GB / (floor * 1e6)) if floor else None
    out = []
    w = out.append
    title = "ftps-gateway benchmark" + (" (SMOKE: small, not a measurement)" if s["smoke"] == 1 else "")
    w(f"# {title}\n")
    w(f"- date: {v['date']} (ended {R.get('end', '?')}); load average (1/5/15 min) at start {' '.join(R['load_start'])}, "
      f"at end {' '.join(R.get('load_end', ['?']))}; 1-min load when each phase began: "
      + ", ".join(f"{n} {t} **{l}**" for n, t, l in R.get("load", [])))
    w(f"- machine: {v['nproc']} vCPU {v['cpu']}, {v['mem']}, kernel {v['kernel']}, {v['os']}")
    w(f"- servers (Debian packages, unpacked): {v['packages']} ({v['mod_proxy']})")
    w(f"- gateway: {v['jar']}; git {v['git']}; {v['java']}; JVM options `{v['java_opts']}`"
      + (f"; env `{v['gw_env']}`" if v.get("gw_env") else ""))
    w(f"- clients: {v['curl']} (throughput), {v['python']} ftplib (sessions); {v['openssl']}")
    w(f"- command: `{R['command']}`")
    tls_note = ("servers offer TLS 1.2 only, so every upstream leg is TLS 1.2" if v["upstream_tls"] == "tls12" else
                "servers offer TLS 1.2 and 1.3; mod_proxy is pinned to TLS 1.2 (it truncates uploads with 1.3)")
    if v.get("cipher"):
        tls_note += (f"; every path offers the server only {v['tls_version']} with {v['cipher']} (direct: curl "
                     f"options; gateway: `upstream.protocols` + `upstream.cipherSuites`; mod_proxy: "
                     f"`ProxyTLSCipherSuite` {v['cipher_tls12']}, TLS 1.2)")
    else:
        tls_note += "; BENCH_SAME_CIPHER=0: every path offers its own defaults"
    w(f"- upstream TLS: {tls_note}; negotiated per path next to its figures, ratios only between paths that "
      f"negotiated the same protocol and bulk cipher")
    w(f"- settings: throughput file {s['file_mb']} MiB, median of {s['runs']} run(s)"
      f"{', after an untimed ' + str(s['warmup_mb']) + ' MiB warm-up per path' if s['warmup_mb'] else ''}; "
      f"transfers interleaved across paths; latency {s['lat_n']} back-to-back + {s['lat_spaced']} spaced sessions; "
      f"parallel {', '.join(f'{n} x {mb} MiB' for n, mb in s['par'])}; {s['idle']} idle sessions; "
      f"downloads {'compared with cmp' if s['verify'] else 'checked by size only'}, uploads compared on the server's disk")
    w("")
    w("MB/s = 10^6 bytes/s (curl's average over the whole session), GB = 10^9 bytes. Ratios are the result: "
      "this is a shared, noisy 2-core VM, so absolute numbers move ±30 % between runs; ratios come from the same run "
      "with interleaved transfers. `×mp` = ratio to mod_proxy with the same backend, `×direct` = ratio to direct FTPS "
      "to the same backend. Proxy CPU = utime+stime of the proxy's whole process tree (mod_proxy: the master and "
      "its per-session children) during the transfer, per GB relayed.\n")

    w(f"## Throughput and CPU ({s['file_mb']} MiB file, median of {s['runs']})\n")
    w("| path | backend | negotiated (TLS to the server) | ↓ MB/s | ↑ MB/s | ↓ ×mp | ↑ ×mp | ↓ ×direct | ↑ ×direct "
      "| proxy CPU s/GB ↓ | ↑ | gw TLS CPU s/GB ↓ | ↑ | failures |")
    w("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for p in paths:
        n = p["name"]
        if n not in alive:
            w(f"| {label(p)} | {p['backend']} | | dead | | | | | | | | | | {nfail(n)} |")
            continue
        mp, dr = peer(p, "modproxy"), peer(p, "direct")
        cells = [label(p), p["backend"], p.get("tls") or "?", fmt(mbps(n, "down"), 0), fmt(mbps(n, "up"), 0)]
        for ref in (mp, dr):
            for d in ("down", "up"):
                cells.append(cmp_ratio(n, ref, mbps(n, d), mbps(ref, d)))
        for d in ("down", "up"):
            cells.append(fmt(cpu(n, d), 2) if p["kind"] != "direct" else "")
        for d in ("down", "up"):
            cells.append(fmt(cpu(n, d, "tls_cpu_s_per_gb"), 2) if p["kind"] == "gateway" else "")
        cells.append(str(nfail(n)))
        w("| " + " | ".join(cells) + " |")
    w("")
    nc_notes()
    chacha = R.get("chacha_mbps")
    chacha_s_gb = (GB / (chacha * 1e6)) if chacha else None
    w(f"Crypto floor, `openssl speed -evp` on one core, 16 KiB blocks: AES-256-GCM **{fmt(floor, 0)} MB/s = "
      f"{fmt(floor_s_gb, 3)} s/GB**, ChaCha20-Poly1305 {fmt(chacha, 0)} MB/s = {fmt(chacha_s_gb, 3)} s/GB. "
      f"Relaying 1 GB through the gateway costs one decryption (download) or encryption (upload) of it on the "
      f"upstream leg. The gateway's own `ftpgw_tls_cpu_seconds_total` per GB next to its whole-process CPU "
      f"(target: process CPU ≤ 2.5 × the AES-256-GCM floor = {fmt(floor_s_gb * 2.5 if floor_s_gb else None, 3)} s/GB):\n")
    w("| gateway path | negotiated | TLS CPU s/GB ↓ | ↑ | process CPU s/GB ↓ | ↑ | process ×AES floor ↓ | ↑ "
      "| process ×floor of the negotiated cipher ↓ | ↑ |")
    w("|---|---|---|---|---|---|---|---|---|---|")
    for p in paths:
        if p["kind"] != "gateway" or p["name"] not in alive:
            continue
        n = p["name"]
        t = [cpu(n, d, "tls_cpu_s_per_gb") for d in ("down", "up")]
        c = [cpu(n, d) for d in ("down", "up")]
        neg = p.get("tls") or "?"
        own = chacha_s_gb if "CHACHA" in neg.upper() else floor_s_gb
        w(f"| {label(p)} → {p['backend']} | {neg} | {fmt(t[0], 3)} | {fmt(t[1], 3)} | {fmt(c[0], 3)} | {fmt(c[1], 3)} | "
          f"{fmt(ratio(c[0], floor_s_gb), 2)} | {fmt(ratio(c[1], floor_s_gb), 2)} | "
          f"{fmt(ratio(c[0], own), 2)} | {fmt(ratio(c[1], own), 2)} |")
    w("")
    w("Where the proxy CPU goes: user time (the proxy's own work: TLS, copying, its event loop) and system time "
      "(the kernel: socket reads and writes; on loopback the sender's write also runs the receiver's TCP input). "
      "Every relay pays the system part for reading 1 GB from one socket and writing it to another; the crypto "
      "floor compares with the user part:\n")
    w("| path | backend | user s/GB ↓ | ↑ | system s/GB ↓ | ↑ | user ×AES floor ↓ | ↑ |")
    w("|---|---|---|---|---|---|---|---|")
    for p in paths:
        if p["kind"] == "direct" or p["name"] not in alive:
            continue
        n = p["name"]
        us = [cpu(n, d, "cpu_user_s_per_gb") for d in ("down", "up")]
        ks = [cpu(n, d, "cpu_sys_s_per_gb") for d in ("down", "up")]
        w(f"| {label(p)} | {p['backend']} | {fmt(us[0], 2)} | {fmt(us[1], 2)} | {fmt(ks[0], 2)} | {fmt(ks[1], 2)} | "
          f"{fmt(ratio(us[0], floor_s_gb), 2)} | {fmt(ratio(us[1], floor_s_gb), 2)} |")
    w("")

    w("## Sessions\n")
    hdr = ["path", "backend", "latency b2b ms", "spaced ms", "b2b ×mp", "b2b − direct ms"]
    for n_, mb in s["par"]:
        hdr.append(f"{n_} × {mb} MiB: wall s (failures)")
    hdr += [f"RSS {s['idle']} idle MiB", "PSS MiB", "idle before → with (RSS MiB, processes)"]
    w("| " + " | ".join(hdr) + " |")
    w("|" + "---|" * len(hdr))
    for p in paths:
        n = p["name"]
        if n not in alive:
            continue
        mp, dr = peer(p, "modproxy"), peer(p, "direct")
        b2b = lat_ms(n, "b2b")
        if dr and dr != n and not_comparable(n, dr):
            minus_direct = "n/c"
        elif dr and dr != n and b2b is not None and lat_ms(dr, "b2b") is not None:
            minus_direct = f"{b2b - lat_ms(dr, 'b2b'):+.0f}"
        else:
            minus_direct = ""
        cells = [label(p), p["backend"], fmt(b2b, 0), fmt(lat_ms(n, "spaced"), 0),
                 cmp_ratio(n, mp, b2b, lat_ms(mp, "b2b")), minus_direct]
        for n_, mb in s["par"]:
            r = R.get("parallel", {}).get(f"{n}|{n_}x{mb}")
            cells.append(f"{r['wall_s']:.2f} ({r['failures']})" if r else "–")
        r = R.get("idle", {}).get(n)
        if r:
            cells += [f"{r['rss_mib']:.0f}" + ("" if r["failures"] == 0 else f" ({r['failures']} failed)"),
                      f"{r['pss_mib']:.0f}",
                      f"{r['rss_before_mib']:.0f} → {r['rss_mib']:.0f} ({r['procs_before']} → {r['procs']} procs)"]
        else:
            cells += ["", "", ""]
        w("| " + " | ".join(cells) + " |")
    w("")
    nc_notes()

    w("Latency: python ftplib, connect + login + RETR 1 MiB + QUIT, median; b2b = back-to-back, spaced = each after "
      "1 s idle (ProFTPD's master accepts a connection only ~0.4 s after a session ended, hence mod_proxy's b2b). "
      "Parallel: all sessions released by one barrier, each a full session with a compared download; vsftpd 3.0.3 "
      "listens with a hard-coded backlog of 32, so hundreds of simultaneous connects overflow its accept queue and "
      "hang until the client's timeout (`TimeoutError`), on every path with vsftpd behind: the 500-session figure "
      "is meaningful with pure-ftpd behind (backlog 503). Idle: RSS summed over the proxy's processes as the issue "
      "asks; mod_proxy forks one process per session, so its RSS sum counts shared pages once per process, PSS "
      "shares them out.\n")

    # targets of issue 6 (pure-ftpd behind unless said)
    gws = [p for p in paths if p["kind"] == "gateway" and p["name"] in alive]
    if gws:
        w("## Targets (issues 6 and 19; each gateway row against mod_proxy and direct FTPS with the same backend)\n")
        w("| target | " + " | ".join(f"{label(p)} → {p['backend']}" for p in gws) + " |")
        w("|---|" + "---|" * len(gws))

        def row(name, fn):
            cells = []
            for p in gws:
                try:
                    val, ok = fn(p)
                except Exception:  # noqa: BLE001
                    val, ok = None, None
                mark = "" if ok is None else (" ✅" if ok else " ❌")
                cells.append((val if val is not None else "–") + mark)
            w(f"| {name} | " + " | ".join(cells) + " |")

        def comparable(p, kind):
            q = peer(p, kind)
            return q is not None and not not_comparable(p["name"], q)

        def thr(p, d, ref, limit):
            if not comparable(p, ref):
                return "n/c", None
            r = ratio(mbps(p["name"], d), mbps(peer(p, ref), d))
            return (fmt(r, 2) + "×", r >= limit) if r is not None else (None, None)

        row("download ≥ 1.5 × mod_proxy", lambda p: thr(p, "down", "modproxy", 1.5))
        row("upload ≥ 1.15 × mod_proxy (issue 19)", lambda p: thr(p, "up", "modproxy", 1.15))
        row("upload ≥ 1.5 × mod_proxy (issue 6)", lambda p: thr(p, "up", "modproxy", 1.5))
        row("download ≥ 0.9 × direct FTPS", lambda p: thr(p, "down", "direct", 0.9))
        row("upload ≥ 0.9 × direct FTPS", lambda p: thr(p, "up", "direct", 0.9))

        def cpu_floor(p, d):
            c = cpu(p["name"], d)
            if c is None or floor_s_gb is None:
                return None, None
            return f"{c / floor_s_gb:.2f}× floor", c <= 2.5 * floor_s_gb

        def cpu_mp(p, d):
            if not comparable(p, "modproxy"):
                return "n/c", None
            c, m = cpu(p["name"], d), cpu(peer(p, "modproxy"), d)
            if c is None or m is None:
                return None, None
            return f"{c:.2f} vs {m:.2f} s/GB", c < m

        row("CPU/GB ↓ ≤ 2.5 × AES-256-GCM floor", lambda p: cpu_floor(p, "down"))
        row("CPU/GB ↑ ≤ 2.5 × AES-256-GCM floor", lambda p: cpu_floor(p, "up"))
        def user_floor(p, d):
            c = cpu(p["name"], d, "cpu_user_s_per_gb")
            if c is None or floor_s_gb is None:
                return None, None
            return f"{c / floor_s_gb:.2f}× floor", c <= 2.5 * floor_s_gb

        row("user CPU/GB ↓ ≤ 2.5 × floor (issue 19)", lambda p: user_floor(p, "down"))
        row("user CPU/GB ↑ ≤ 2.5 × floor (issue 19)", lambda p: user_floor(p, "up"))
        row("CPU/GB ↓ below mod_proxy", lambda p: cpu_mp(p, "down"))
        row("CPU/GB ↑ below mod_proxy", lambda p: cpu_mp(p, "up"))

        def lat_mp(p):
            if not comparable(p, "modproxy"):
                return "n/c", None
            a_, b_ = lat_ms(p["name"], "b2b"), lat_ms(peer(p, "modproxy"), "b2b")
            r = ratio(a_, b_)
            return (f"{r:.2f}×", r <= 0.25) if r is not None else (None, None)

        def lat_dir(p):
            if not comparable(p, "direct"):
                return "n/c", None
            a_, b_ = lat_ms(p["name"], "b2b"), lat_ms(peer(p, "direct"), "b2b")
            if a_ is None or b_ is None:
                return None, None
            return f"{a_ - b_:+.0f} ms", a_ - b_ <= 10

        row("latency b2b ≤ 1/4 of mod_proxy", lat_mp)
        row("latency b2b within 10 ms of direct", lat_dir)
        big = max(s["par"], key=lambda x: x[0]) if s["par"] else None
        if big:
            def par_ok(p):
                r = R.get("parallel", {}).get(f"{p['name']}|{big[0]}x{big[1]}")
                return (f"{r['failures']} failures", r["failures"] == 0) if r else (None, None)
            row(f"{big[0]} parallel sessions, 0 failures", par_ok)
        if s["idle"]:
            def idle_ok(p):
                r = R.get("idle", {}).get(p["name"])
                return (f"{r['rss_mib']:.0f} MiB", r["rss_mib"] < 300 and r["failures"] == 0) if r else (None, None)
            row(f"{s['idle']} idle sessions < 300 MB RSS", idle_ok)
        w("")
        nc_notes()

    if s.get("scale"):
        n = s["scale"]
        w(f"## Scale: up to {n} sessions through one proxy\n")
        w(f"Logged-in sessions opened by 32 threads, each downloading 64 KiB once (compared) and then idle ({n} through "
          f"each gateway, at most {s.get('scale_modproxy', n)} through mod_proxy: a process per session); memory "
          f"after {s.get('idle_hold', 2)} s of idle. Per session = (RSS with them − RSS before) / sessions; for "
          "mod_proxy PSS too, which shares the common pages out. CPU during the opening: seconds each process spent "
          "while the sessions were being opened, and the proxy's share of the wall time (the client is this python "
          "process; the server: every instance of the backend, whole process trees).\n")
        w("| path | backend | sessions: opened (failures) | wall s to open | median s per session | "
          "RSS before → with MiB | RSS KiB / session | PSS KiB / session | proxy CPU s (share of wall) | "
          "server CPU s | client CPU s |")
        w("|---|---|---|---|---|---|---|---|---|---|---|")
        for p in paths:
            r = R.get("scale", {}).get(p["name"])
            if not r:
                continue
            c, wall, k = r["open_cpu_s"], r["open_s"], r["sessions"]
            per = lambda a_, b_: f"{(a_ - b_) * 1024 / k:.0f}"  # noqa: E731
            w(f"| {label(p)} | {p['backend']} × {p.get('instances', 1)} | {r['opened']} of {k} "
              f"({r['failures']}) | {wall:.1f} | "
              f"{fmt(r.get('session_open_median_s'), 2)} | {r['rss_before_mib']:.0f} → {r['rss_mib']:.0f} "
              f"({r['procs_before']} → {r['procs']} procs) | {per(r['rss_mib'], r['rss_before_mib'])} | "
              f"{per(r['pss_mib'], r['pss_before_mib'])} | {c['proxy']:.1f} ({100 * c['proxy'] / wall:.0f} %) | "
              f"{fmt(c.get('server'), 1)} | {c['client']:.1f} |")
        w("")

    w("## Paths and negotiated TLS\n")
    w("| path | port | pid | upstream TLS (direct: curl -v; proxies: their log) | every distinct one seen |")
    w("|---|---|---|---|---|")
    for p in paths:
        w(f"| {label(p)} → {p['backend']} | {p['port']} | {p['pid']} | {p.get('tls') or '?'} | "
          f"{', '.join(p.get('tls_all') or []) or '?'} |")
    w("")

    w("## Per-run figures (MB/s)\n")
    for p in paths:
        if p["name"] not in alive:
            continue
        parts = []
        for d in ("down", "up"):
            rs = xf.get((p["name"], d), [])
            parts.append(f"{'↓' if d == 'down' else '↑'} " + " ".join(
                (f"{r['mbps']:.0f}" if r["ok"] and r["mbps"] else "FAIL") for r in rs))
        cp = ""
        if p["kind"] != "direct":
            cp = "; CPU s/GB ↓ " + " ".join(fmt(r.get("cpu_s_per_gb"), 2) for r in xf.get((p["name"], "down"), [])) \
                 + " ↑ " + " ".join(fmt(r.get("cpu_s_per_gb"), 2) for r in xf.get((p["name"], "up"), []))
        w(f"- {label(p)} → {p['backend']}: {'; '.join(parts)}{cp}")
    w("")

    w("## Failures\n")
    if not R["failures"]:
        w("None: every transfer completed and matched the original byte for byte.")
    else:
        for f in R["failures"]:
            w(f"- {f['path']} / {f['phase']}: `{f['error']}`")
    w("")
    return "\n".join(out)


def label(p):
    return {"direct": "direct FTPS", "modproxy": "mod_proxy"}.get(p["kind"], f"gateway {p.get('engine')}")


# ------------------------------------------------------------------ CLI
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--user", default="ftpgwit")
    common.add_argument("--password", default="ftpgwit-pass")
    common.add_argument("--ca", default="/tmp/ftpgw-it/pki/ca.crt")
    common.add_argument("--home", default="/home/ftpgwit")
    r = sub.add_parser("run", parents=[common])
    r.add_argument("--paths", required=True)
    r.add_argument("--versions", required=True)
    r.add_argument("--command", default="")
    r.add_argument("--runs", type=int, default=5)
    r.add_argument("--file-mb", type=int, default=1024)
    r.add_argument("--warmup-mb", type=int, default=100)
    r.add_argument("--lat-n", type=int, default=20)
    r.add_argument("--lat-spaced", type=int, default=5)
    r.add_argument("--par", default="50x10 500x1")
    r.add_argument("--idle", type=int, default=1000)
    r.add_argument("--speed-seconds", type=int, default=3)
    r.add_argument("--idle-hold", type=float, default=2.0)
    r.add_argument("--scale", type=int, default=0, help="sessions of the scale test per proxy (0: skip)")
    r.add_argument("--scale-modproxy", type=int, default=1500, help="at most this many through mod_proxy")
    r.add_argument("--par-timeout", type=float, default=60.0)
    r.add_argument("--par-ramp-ms", type=float, default=0.0)
    r.add_argument("--verify", type=int, default=1)
    r.add_argument("--dl-dir", default="/dev/shm/ftpgw-bench")
    r.add_argument("--work", default="/tmp/ftpgw-bench/work")
    r.add_argument("--out", default="/tmp/ftpgw-bench/results.md")
    r.add_argument("--json", default="/tmp/ftpgw-bench/results.json")
    r.add_argument("--strict", type=int, default=0)
    r.add_argument("--smoke", type=int, default=0)
    r.add_argument("--tls-version", default="TLSv1.2", choices=["TLSv1.2", "TLSv1.3"])
    r.add_argument("--cipher", default="", help="the one suite direct FTPS offers (OpenSSL name); empty: curl's defaults")
    s1 = sub.add_parser("session", parents=[common])
    s1.add_argument("port", type=int)
    s1.add_argument("--tls", action="store_true")
    s1.add_argument("--file", default="bench/file1M")
    s2 = sub.add_parser("parallel", parents=[common])
    s2.add_argument("port", type=int)
    s2.add_argument("n", type=int)
    s2.add_argument("file")
    s2.add_argument("--tls", action="store_true")
    s3 = sub.add_parser("idle", parents=[common])
    s3.add_argument("port", type=int)
    s3.add_argument("n", type=int)
    s3.add_argument("pid", type=int)
    s3.add_argument("--tls", action="store_true")
    a = ap.parse_args()
    if a.cmd == "run":
        sys.exit(run(a))
    c = Client(a.port, a.tls, a.user, a.password, a.ca)
    if a.cmd == "session":
        dt, tls = c.session(a.file, None)
        print(f"{dt * 1000:.1f} ms {tls or ''}")
    elif a.cmd == "parallel":
        print(json.dumps(parallel(c, a.n, a.file, None), indent=1))
    elif a.cmd == "idle":
        print(json.dumps(idle(c, a.n, a.pid), indent=1))


if __name__ == "__main__":
    main()
