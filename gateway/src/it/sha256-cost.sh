#!/usr/bin/env bash
# What audit.sha256 costs: CPU seconds of the gateway process per GiB relayed, with and without the digest.
#
#   bash gateway/src/it/sha256-cost.sh        # from the repo root, after `mvn -DskipTests package`
#   SHA_COST_GIB=1 SHA_COST_RUNS=3            # size of each transfer and runs per path (defaults)
#
# One upstream (the demo's embedded FTPS server, `--demo`), two gateways from config files that differ only in
# audit.sha256 (so both negotiate the same upstream TLS version and cipher: printed from their audit lines), the
# same curl downloads and uploads through each, alternating. The figure is the gateway JVM's utime+stime
# (/proc/PID/stat) during each transfer, divided by the bytes: it includes the TLS, the copy, GC and JIT, as an
# operator would see it. Each gateway gets a warm-up transfer first. Needs: java, curl, python3.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
# shellcheck source=demo-lib.sh
. "$REPO_ROOT/gateway/src/it/demo-lib.sh"
GIB="${SHA_COST_GIB:-1}"
RUNS="${SHA_COST_RUNS:-3}"
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

start_demo
ROOT=$DEMO_ROOT; SPORT=$SERVER_PORT; CERT=$SERVER_CERT
head -c "${GIB}G" /dev/urandom > "$ROOT/file.bin"
head -c "$((GIB * 1024))M" /dev/urandom > "$WORK/up.bin"
BYTES=$(stat -c %s "$ROOT/file.bin")

declare -A PORT PID
gateway() {  # gateway NAME SHA256 PASSIVE-RANGE
  start_gateway "$1" "$SPORT" "$3" "" "audit: {sha256: $2}"
  PID[$1]=$GW_PID; PORT[$1]=$GW_PORT
}
gateway plain false 40740-40749
gateway sha256 true 40750-40759

run() {  # run NAME get|put -> CPU seconds of the gateway for one transfer of BYTES
  local name=$1 t0 t1
  t0=$(cpu_ticks "${PID[$name]}")
  if [ "$2" = get ]; then
    curl -sS -o /dev/null "ftp://demo:demo@127.0.0.1:${PORT[$name]}/file.bin"
  else
    curl -sS -T "$WORK/up.bin" "ftp://demo:demo@127.0.0.1:${PORT[$name]}/upload/up-$name.bin"
  fi
  t1=$(cpu_ticks "${PID[$name]}")
  awk -v a="$t0" -v b="$t1" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz }'
}
for name in plain sha256; do run "$name" get >/dev/null; done   # warm-up (JIT)

declare -A ALL
for ((i = 1; i <= RUNS; i++)); do
  for dir in get put; do
    for name in plain sha256; do
      s=$(run "$name" "$dir")
      ALL[$name-$dir]="${ALL[$name-$dir]:-} $s"
    done
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
tls=$(grep -oE 'tls="[^"]+"' "$WORK/plain.log" | tail -1); tls2=$(grep -oE 'tls="[^"]+"' "$WORK/sha256.log" | tail -1)
echo "host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores (shared), $(java -version 2>&1 | head -1)"
echo "upstream TLS: plain $tls, sha256 $tls2; transfers of $BYTES bytes, $RUNS runs each, median"
printf '%-10s %-8s %-22s %s\n' path dir "CPU s/GiB (median)" "runs"
for dir in get put; do
  for name in plain sha256; do
    m=$(echo "${ALL[$name-$dir]}" | median)
    printf '%-10s %-8s %-22s %s\n' "$name" "$dir" "$(awk -v s="$m" -v g="$GIB" 'BEGIN { printf "%.2f", s / g }')" "${ALL[$name-$dir]}"
  done
done
grep -oE 'sha256=[0-9a-f]{64}' "$WORK/sha256.log" | sort | uniq -c | head -3
echo "file sha256: $(sha256sum "$ROOT/file.bin" | cut -c1-64), upload sha256: $(sha256sum "$WORK/up.bin" | cut -c1-64)"
