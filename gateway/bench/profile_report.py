"""Summarise an async-profiler 'collapsed' stack file of the gateway (gateway/bench/profile.sh).

    python3 profile_report.py FILE                  # share of samples per category
    python3 profile_report.py FILE --callers FRAME  # the most common stacks through FRAME (what calls it)
    python3 profile_report.py FILE --threads        # share of samples per thread (profiled with 'threads')

Categories are tried in order; a sample counts for the first that matches any frame of its stack, so a socket
write made while wrapping TLS counts as TLS wrap, and "kernel" is the part of a category spent in kernel frames.
"""
import collections
import sys

CATEGORIES = [
    ("JIT compiler", ["CompileBroker", "C2Compiler", "C1Compiler"]),
    ("GC", ["G1", "GCTaskThread", "ConcurrentGCThread", "SerialHeap"]),
    ("TLS CPU metering (thread clock reads)", ["getCurrentThreadCpuTime", "getThreadTotalCpuTime"]),
    ("TLS decrypt (unwrap)", ["OpenSslEngine.unwrap", "SSLEngineImpl.unwrap"]),
    ("TLS encrypt (wrap)", ["OpenSslEngine.wrap", "SSLEngineImpl.wrap"]),
    ("socket write", ["IOUtil.write", "FileDispatcherImpl.write", "SocketDispatcher.write", "writev"]),
    ("socket read", ["IOUtil.read", "SocketDispatcher.read"]),
    ("event loop wait (epoll)", ["epoll", "EPollSelector", "SelectorImpl.select"]),
    ("Vert.x write queue", ["OutboundMessageQueue", "VertxConnection"]),
    ("Netty, other", ["io/netty"]),
    ("Vert.x, other", ["io/vertx"]),
    ("gateway, other", ["org/ftpsgateway"]),
]


def read(path):
    with open(path) as f:
        for line in f:
            stack, n = line.rstrip("\n").rsplit(" ", 1)
            yield stack.split(";"), int(n)


def categories(path):
    total, by, kernel = 0, collections.Counter(), collections.Counter()
    for frames, n in read(path):
        total += n
        stack = ";".join(frames)
        name = next((c for c, keys in CATEGORIES if any(k in stack for k in keys)), "other")
        by[name] += n
        if frames[-1].endswith("_[k]"):
            kernel[name] += n
    print(f"| category | share of {total} CPU samples | of which in the kernel |")
    print("|---|---|---|")
    for name, n in by.most_common():
        print(f"| {name} | {100 * n / total:.1f} % | {100 * kernel[name] / total:.1f} % |")
    print(f"| total | 100 % | {100 * sum(kernel.values()) / total:.1f} % |")


def callers(path, frame, depth=8):
    total, stacks = 0, collections.Counter()
    for frames, n in read(path):
        total += n
        idx = [i for i, f in enumerate(frames) if frame in f]
        if idx:
            i = idx[-1]
            stacks[" <- ".join(f.split("/")[-1][:60] for f in reversed(frames[max(0, i - depth):i + 1]))] += n
    for s, n in stacks.most_common(15):
        print(f"{100 * n / total:5.1f} % {s}")


def threads(path):
    """With async-profiler's 'threads' option the first frame of each stack names the thread ('[name tid=N]')."""
    total, by = 0, collections.Counter()
    for frames, n in read(path):
        total += n
        first = frames[0]
        by[first.strip("[]").split(" tid=")[0] if first.startswith("[") else "(no thread frame)"] += n
    print(f"| thread | share of {total} CPU samples |")
    print("|---|---|")
    for name, n in by.most_common(8):
        print(f"| {name} | {100 * n / total:.1f} % |")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[2] == "--threads":
        threads(sys.argv[1])
    elif len(sys.argv) == 4 and sys.argv[2] == "--callers":
        callers(sys.argv[1], sys.argv[3])
    elif len(sys.argv) == 2:
        categories(sys.argv[1])
    else:
        sys.exit(__doc__)
