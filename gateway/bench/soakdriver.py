#!/usr/bin/env python3
"""Client side of gateway/bench/soak.sh: N concurrent plain-FTP sessions through the gateway for a fixed time.

Each session logs in and loops until the deadline: download a served file (SHA-256 compared with the file's),
upload random bytes (SHA-256 compared with the file the server wrote, read from disk: this runs as root on the
server's machine), or list the directory (LIST or NLST, the served names must be there). Sizes are log-uniform
between 1 KB and --max-mb MB. A failed command or connection counts as a failure; the session reconnects.

A monitor samples the gateway's heap (sum of jvm_memory_used_bytes{area="heap"} on /metrics) and its open
descriptors (/proc/<pid>/fd) every second: start (before the first session), peak, end (after every session quit
and a short settle). Prints a markdown report and writes it to --out.
"""
import argparse
import ftplib
import hashlib
import math
import os
import random
import re
import shutil
import socket
import sys
import threading
import time
import urllib.request

KB = 1000
POOL_FILES = 24
CHUNK = 64 * 1024


def log_uniform(rnd, lo, hi):
    return int(math.exp(rnd.uniform(math.log(lo), math.log(hi))))


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.downloads = self.uploads = self.listings = 0
        self.bytes_down = self.bytes_up = 0
        self.failures = 0
        self.mismatches = 0
        self.logins = 0
        self.samples = []  # first failure messages

    def add(self, **kw):
        with self.lock:
            for k, v in kw.items():
                setattr(self, k, getattr(self, k) + v)

    def fail(self, what, err):
        with self.lock:
            self.failures += 1
            if len(self.samples) < 10:
                self.samples.append(f"{what}: {type(err).__name__}: {err}")

    def mismatch(self, what):
        with self.lock:
            self.mismatches += 1
            if len(self.samples) < 10:
                self.samples.append(f"checksum mismatch: {what}")


class SliceReader:
    """A file-like view of a slice of the shared random buffer (no copy of the whole upload)."""

    def __init__(self, buf, offset, size):
        self.mv = memoryview(buf)[offset:offset + size]
        self.pos = 0

    def read(self, n=-1):
        if n is None or n < 0:
            n = len(self.mv) - self.pos
        out = bytes(self.mv[self.pos:self.pos + n])
        self.pos += len(out)
        return out


def heap_bytes(url):
    text = urllib.request.urlopen(url, timeout=5).read().decode()
    total = 0.0
    for line in text.splitlines():
        if line.startswith("jvm_memory_used_bytes{") and 'area="heap"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return int(total)


def metric(url, name):
    text = urllib.request.urlopen(url, timeout=5).read().decode()
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            total += float(line.rsplit(" ", 1)[1])
    return total


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


class Monitor(threading.Thread):
    def __init__(self, url, pid):
        super().__init__(daemon=True)
        self.url, self.pid = url, pid
        self.stop_flag = threading.Event()
        self.peak_heap = self.peak_fds = 0

    def sample(self):
        h, f = heap_bytes(self.url), fd_count(self.pid)
        self.peak_heap = max(self.peak_heap, h)
        self.peak_fds = max(self.peak_fds, f)
        return h, f

    def run(self):
        while not self.stop_flag.wait(1.0):
            try:
                self.sample()
            except Exception:
                pass


def session(idx, args, pool, buf, stats, deadline, start_at):
    rnd = random.Random(idx * 7919 + int(time.time()))
    time.sleep(max(0.0, start_at - time.time()))
    ftp = None
    n = 0
    names = [name for name, _, _ in pool]
    while time.time() < deadline:
        try:
            if ftp is None:
                ftp = ftplib.FTP(timeout=120)
                ftp.connect("127.0.0.1", args.port)
                ftp.login(args.user, args.password)
                ftp.cwd("soak")
                ftp.voidcmd("TYPE I")
                stats.add(logins=1)
            op = rnd.random()
            if op < 0.45:
                name, size, digest = pool[rnd.randrange(len(pool))]
                h = hashlib.sha256()
                got = [0]

                def sink(b, h=h, got=got):
                    h.update(b)
                    got[0] += len(b)
                ftp.retrbinary(f"RETR pool/{name}", sink, blocksize=CHUNK)
                stats.add(downloads=1, bytes_down=got[0])
                if got[0] != size or h.hexdigest() != digest:
                    stats.mismatch(f"RETR pool/{name}: {got[0]} of {size} bytes")
            elif op < 0.85:
                size = log_uniform(rnd, KB, args.max_mb * 1000 * KB)
                offset = rnd.randrange(len(buf) - size + 1)
                expected = hashlib.sha256(memoryview(buf)[offset:offset + size]).hexdigest()
                name = f"s{idx}-{n}.bin"
                n += 1
                ftp.storbinary(f"STOR up/{name}", SliceReader(buf, offset, size), blocksize=CHUNK)
                stats.add(uploads=1, bytes_up=size)
                path = os.path.join(args.data, "up", name)
                h = hashlib.sha256()
                with open(path, "rb") as f:
                    for block in iter(lambda: f.read(1 << 20), b""):
                        h.update(block)
                if h.hexdigest() != expected:
                    stats.mismatch(f"STOR up/{name}: {os.path.getsize(path)} of {size} bytes")
                os.unlink(path)
            else:
                if rnd.random() < 0.5:
                    lines = []
                    ftp.retrlines("LIST pool", lines.append)
                    listed = " ".join(lines)
                else:
                    listed = " ".join(ftp.nlst("pool"))
                stats.add(listings=1)
                missing = [x for x in names if x not in listed]
                if missing:
                    stats.fail("listing", Exception(f"missing {missing[:3]}"))
        except (ftplib.Error, OSError, EOFError) as e:
            stats.fail(f"session {idx}", e)
            try:
                if ftp is not None:
                    ftp.close()
            except Exception:
                pass
            ftp = None
            time.sleep(0.5)
    if ftp is not None:
        try:
            ftp.quit()
        except Exception as e:
            stats.fail(f"session {idx} QUIT", e)
            ftp.close()


def make_pool(args, rnd):
    pool_dir = os.path.join(args.data, "pool")
    for f in os.listdir(pool_dir):
        os.unlink(os.path.join(pool_dir, f))
    pool = []
    for i in range(POOL_FILES):
        size = log_uniform(rnd, KB, args.max_mb * 1000 * KB)
        data = os.urandom(size)
        name = f"f{i:02d}-{size}.bin"
        with open(os.path.join(pool_dir, name), "wb") as f:
            f.write(data)
        shutil.chown(os.path.join(pool_dir, name), args.owner, args.owner)
        pool.append((name, size, hashlib.sha256(data).hexdigest()))
    return pool


def mib(b):
    return f"{b / 1048576:.1f} MiB"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--data", required=True, help="the served directory 'soak' in the user's home")
    ap.add_argument("--owner", required=True)
    ap.add_argument("--sessions", type=int, default=200)
    ap.add_argument("--seconds", type=int, default=600)
    ap.add_argument("--max-mb", type=int, default=20)
    ap.add_argument("--ramp-ms", type=int, default=20)
    ap.add_argument("--metrics", required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--machine", default="")
    ap.add_argument("--java", default="")
    ap.add_argument("--git", default="")
    ap.add_argument("--command", default="")
    args = ap.parse_args()

    rnd = random.Random(8)
    pool = make_pool(args, rnd)
    buf = os.urandom(args.max_mb * 1000 * KB + 1)
    stats = Stats()
    mon = Monitor(args.metrics, args.pid)
    start_heap, start_fds = mon.sample()
    mon.start()
    t0 = time.time()
    deadline = t0 + args.seconds
    threads = []
    for i in range(args.sessions):
        t = threading.Thread(target=session, args=(i, args, pool, buf, stats, deadline,
                                                   t0 + i * args.ramp_ms / 1000.0), daemon=True)
        t.start()
        threads.append(t)
    last = t0
    while any(t.is_alive() for t in threads):
        time.sleep(1)
        if time.time() - last >= 30:
            last = time.time()
            print(f"[soak] {int(last - t0)} s: {stats.downloads} down, {stats.uploads} up, {stats.listings} lists, "
                  f"{stats.failures} failures, {stats.mismatches} mismatches, heap peak {mib(mon.peak_heap)}, "
                  f"fds peak {mon.peak_fds}", file=sys.stderr, flush=True)
        if time.time() > deadline + 300:
            stats.fail("driver", Exception("sessions still running 300 s after the deadline"))
            break
    elapsed = time.time() - t0
    mon.stop_flag.set()
    # settle: every session quit; the gateway closes its upstream connections and data sockets
    open_sessions = -1
    for _ in range(30):
        time.sleep(1)
        open_sessions = int(metric(args.metrics, "ftpgw_sessions_active"))
        if open_sessions == 0:
            break
    time.sleep(2)
    end_heap, end_fds = mon.sample()

    transfers = stats.downloads + stats.uploads + stats.listings
    total_bytes = stats.bytes_down + stats.bytes_up
    rate = total_bytes / elapsed / 1048576
    lines = [
        "## Soak run",
        "",
        f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(t0))}",
        f"- machine: {args.machine}",
        f"- java: {args.java}",
        f"- gateway: {args.git}",
        f"- command: `{args.command}`",
        f"- upstream: vsftpd 3.0.3, explicit FTPS (TLS 1.2 + 1.3, require_ssl_reuse=YES); client leg plain FTP, "
        f"passive (PASV); transfer sizes log-uniform 1 KB - {args.max_mb} MB",
        "",
        "| sessions | duration | transfers (down / up / listings) | bytes (down / up) | failures | checksum mismatches |",
        "|---|---|---|---|---|---|",
        f"| {args.sessions} | {elapsed:.0f} s | {transfers} ({stats.downloads} / {stats.uploads} / {stats.listings}) "
        f"| {mib(total_bytes)} ({mib(stats.bytes_down)} / {mib(stats.bytes_up)}), {rate:.1f} MiB/s "
        f"| {stats.failures} | {stats.mismatches} |",
        "",
        "| gateway | start | peak | end |",
        "|---|---|---|---|",
        f"| heap used (jvm_memory_used_bytes{{area=\"heap\"}}) | {mib(start_heap)} | {mib(mon.peak_heap)} "
        f"| {mib(end_heap)} |",
        f"| open descriptors (/proc/<pid>/fd) | {start_fds} | {mon.peak_fds} | {end_fds} |",
        "",
        f"Sessions open on the gateway after the run: {open_sessions}; logins: {stats.logins}.",
    ]
    if stats.samples:
        lines += ["", "First failures:", ""] + [f"- {s}" for s in stats.samples]
    report = "\n".join(lines) + "\n"
    with open(args.out, "w") as f:
        f.write(report)
    print(report)
    ok = stats.failures == 0 and stats.mismatches == 0 and open_sessions == 0
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
