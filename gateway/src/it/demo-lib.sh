# Helpers of the scripts that stand on the demo (status-page.sh, prometheus-alerts.sh, sha256-cost.sh): the demo's
# embedded FTPS server as an upstream, processes stopped on exit, free ports, waits with a deadline.
# Sourced; the caller sets `set -euo pipefail` and REPO_ROOT first.
# shellcheck shell=bash

JAR="${GATEWAY_JAR:-$REPO_ROOT/gateway/target/ftps-gateway.jar}"
WORK="$(mktemp -d "/tmp/ftpgw-$(basename "$0" .sh).XXXXXX")"
PIDS=()

# every process the script started (their pids in PIDS), then the work directory
demo_cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap demo_cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_http() {  # wait_http URL [CURL-ARGS...]: up to 30 s for a 2xx
  local url=$1 i; shift
  for ((i = 0; i < 300; i++)); do
    curl -sf --max-time 2 "$@" "$url" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  return 1
}

# start_demo: `--demo` (listener 2021, metrics 9464), its files and certificate in WORK; sets DEMO_ROOT (the
# served directory), SERVER_PORT (the embedded FTPS server, explicit TLS) and SERVER_CERT (its certificate, PEM)
start_demo() {
  local p
  command -v java >/dev/null && command -v curl >/dev/null && command -v python3 >/dev/null \
    || { echo "java, curl and python3 are needed" >&2; exit 1; }
  [ -s "$JAR" ] || { echo "jar not found: $JAR (mvn -DskipTests package)" >&2; exit 1; }
  for p in 2021 9464; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "port $p in use: the demo needs it" >&2; exit 1; fi
  done
  java -Djava.io.tmpdir="$WORK" -jar "$JAR" --demo >"$WORK/demo.log" 2>&1 &
  PIDS+=($!)
  wait_http http://127.0.0.1:9464/healthz || { cat "$WORK/demo.log"; echo "demo did not start" >&2; exit 1; }
  DEMO_ROOT=$(grep -oE 'serving /[^ ]+' "$WORK/demo.log" | head -1 | cut -d' ' -f2)
  SERVER_PORT=$(grep -oE 'embedded FTPS server .* on 127\.0\.0\.1:[0-9]+' "$WORK/demo.log" | grep -oE '[0-9]+$' | head -1)
  SERVER_CERT=$(ls "$WORK"/ftpgw-demo-tls*/server.pem | head -1)
  [ -d "$DEMO_ROOT" ] && [ -n "$SERVER_PORT" ] && [ -s "$SERVER_CERT" ] \
    || { cat "$WORK/demo.log"; echo "cannot read the demo's root, server port or certificate" >&2; exit 1; }
}

# start_gateway NAME UPSTREAM-PORT PASSIVE-RANGE [UPSTREAM-EXTRA] [MORE-YAML]: a gateway from a config file (WORK/NAME.yaml,
# log WORK/NAME.log), listener NAME (plain FTP) on a free port, in front of the demo's server reached at UPSTREAM-PORT
# (SERVER_PORT, or a forwarder to it); UPSTREAM-EXTRA adds keys to upstream (", probeSeconds: 1"), MORE-YAML whole
# sections. Sets GW_PID, GW_PORT (listener) and GW_METRICS (metrics port).
start_gateway() {
  GW_PORT=$(free_port); GW_METRICS=$(free_port)
  cat > "$WORK/$1.yaml" <<YAML
listeners:
  - {name: $1, host: 127.0.0.1, port: $GW_PORT, tls: none, passivePorts: $3}
upstream: {host: 127.0.0.1, port: $2, tls: explicit, serverName: 127.0.0.1, caFile: $SERVER_CERT${4:-}}
metrics: {host: 127.0.0.1, port: $GW_METRICS}
${5:-}
YAML
  java -jar "$JAR" --config "$WORK/$1.yaml" >"$WORK/$1.log" 2>&1 &
  GW_PID=$!
  PIDS+=("$GW_PID")
  wait_http "http://127.0.0.1:$GW_METRICS/healthz" || { cat "$WORK/$1.log"; echo "gateway $1 did not start" >&2; exit 1; }
}
