#!/usr/bin/env bash
# Prints the import graph between the gateway's packages and fails (exit 1) when it has a cycle.
# An edge A -> B means a main class of package A names a class of package B, through an import line or a fully
# qualified name written inline (org.ftpsgateway.b.Type). Test sources are not counted: tests may reach anywhere.
# Usage: gateway/tools/package-graph.sh [source root, default gateway/src/main/java next to this script]
set -euo pipefail
root="${1:-$(cd "$(dirname "$0")/.." && pwd)/src/main/java}"
base="org.ftpsgateway"
exec python3 - "$root" "$base" <<'PY'
import os, re, sys

root, base = sys.argv[1], sys.argv[2]
name = re.compile(re.escape(base) + r"((?:\.[a-z_][a-z0-9_]*)*)\.[A-Z]")
edges = {}
for directory, _, files in os.walk(root):
    for f in files:
        if not f.endswith(".java"):
            continue
        text = open(os.path.join(directory, f), encoding="utf-8").read()
        pkg = re.search(r"^package\s+([\w.]+)\s*;", text, re.M).group(1)
        # comments mention packages without depending on them
        code = re.sub(r"/\*.*?\*/|//[^\n]*", "", text, flags=re.S)
        code = re.sub(r"^package[^\n]*", "", code, flags=re.M)
        src = pkg[len(base):].lstrip(".") or "(root)"
        edges.setdefault(src, {})
        for m in name.finditer(code):
            dst = m.group(1).lstrip(".") or "(root)"
            if dst != src:
                edges[src].setdefault(dst, set()).add(f[:-5])
        for m in re.finditer(r"^import\s+(?:static\s+)?" + re.escape(base) + r"\.([\w.]+)\s*;", code, re.M):
            pkgparts = []
            for part in m.group(1).split("."):
                if not part[:1].islower():
                    break  # the class; a static import's member follows it
                pkgparts.append(part)
            dst = ".".join(pkgparts) or "(root)"
            if dst != src:
                edges[src].setdefault(dst, set()).add(f[:-5])

for src in sorted(edges):
    targets = sorted(edges[src])
    print(f"{src} -> {', '.join(targets) if targets else '(nothing)'}")

# cycles: strongly connected components with more than one package (Tarjan)
index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]
def visit(v):
    index[v] = low[v] = counter[0]; counter[0] += 1
    stack.append(v); on.add(v)
    for w in edges.get(v, {}):
        if w not in index:
            visit(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop(); on.discard(w); comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            sccs.append(sorted(comp))
sys.setrecursionlimit(10000)
for v in sorted(edges):
    if v not in index:
        visit(v)
if not sccs:
    print("no cycle")
    sys.exit(0)
for comp in sccs:
    print("CYCLE among: " + ", ".join(comp))
    for a in comp:
        for b in sorted(edges.get(a, {})):
            if b in comp:
                print(f"  {a} -> {b} (in {', '.join(sorted(edges[a][b]))})")
sys.exit(1)
PY
