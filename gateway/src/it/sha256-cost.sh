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
JAR="${GATEWAY_JAR:-$REPO_ROOT/gateway/target/ftps-gateway.jar}"
GIB="${SHA_COST_GIB:-1}"
RUNS="${SHA_COST_RUNS:-3}"
WORK="$(mktemp -d /tmp/ftpgw-sha-cost.XXXXXX)"
PIDS=()
cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
[ -s "$JAR" ] || { echo "jar not found: $JAR" >&2; exit 1; }
for p in 2021 9464; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "port $p in use: the demo needs it" >&2; exit 1; fi
done
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_http() {
  local i
  for ((i = 0; i < 300; i++)); do curl -sf --max-time 2 "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done
  return 1
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

java -Djava.io.tmpdir="$WORK" -jar "$JAR" --demo >"$WORK/demo.log" 2>&1 &
PIDS+=($!)
wait_http http://127.0.0.1:9464/healthz || { cat "$WORK/demo.log"; exit 1; }
ROOT=$(grep -oE 'serving /[^ ]+' "$WORK/demo.log" | head -1 | cut -d' ' -f2)
SPORT=$(grep -oE 'embedded FTPS server .* on 127\.0\.0\.1:[0-9]+' "$WORK/demo.log" | grep -oE '[0-9]+$' | head -1)
CERT=$(ls "$WORK"/ftpgw-demo-tls*/server.pem | head -1)
head -c "${GIB}G" /dev/urandom > "$ROOT/file.bin"
head -c "$((GIB * 1024))M" /dev/urandom > "$WORK/up.bin"
BYTES=$(stat -c %s "$ROOT/file.bin")

declare -A PORT PID
start_gateway() {  # start_gateway NAME SHA256 PASSIVE-RANGE
  local lport mport
  lport=$(free_port); mport=$(free_port)
  cat > "$WORK/$1.yaml" <<YAML
listeners:
  - {name: $1, host: 127.0.0.1, port: $lport, tls: none, passivePorts: $3}
upstream: {host: 127.0.0.1, port: $SPORT, tls: explicit, serverName: 127.0.0.1, caFile: $CERT}
metrics: {host: 127.0.0.1, port: $mport}
audit: {sha256: $2}
YAML
  java -jar "$JAR" --config "$WORK/$1.yaml" >"$WORK/$1.log" 2>&1 &
  PID[$1]=$!; PIDS+=($!); PORT[$1]=$lport
  wait_http "http://127.0.0.1:$mport/healthz" || { cat "$WORK/$1.log"; exit 1; }
}
start_gateway plain false 40740-40749
start_gateway sha256 true 40750-40759

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
