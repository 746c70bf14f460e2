#!/usr/bin/env bash
# A real Prometheus scrapes a gateway whose upstream is cut, with no client connected: the upstream alerts of
# deploy/prometheus/alerts.yaml must fire (FtpsGatewayUpstreamServerDown, FtpsGatewayUpstreamUnreachable), resolve
# when the upstream is back, and FtpsGatewayDown must fire when the gateway itself is gone.
#
#   bash gateway/src/it/prometheus-alerts.sh     # from the repo root, after `mvn -DskipTests package`
#
# Pieces, all on 127.0.0.1:
#   upstream:  the demo's embedded FTPS server (`java -jar ftps-gateway.jar --demo`; its own gateway on 2021/9464 is
#              not used), reached through socat on a free port: stopping socat takes the upstream away
#   gateway:   from a config file, upstream = the socat port, upstream.probeSeconds 1 (the probe, not a client,
#              notices), metrics on a free port
#   prometheus: Debian's (apt-get install prometheus), 1 s scrape and evaluation interval, the rules of
#              deploy/prometheus/alerts.yaml rendered with every `for:` set to 0s (their real durations, 1-15 min,
#              only delay the firing; the expressions are the file's, unchanged)
# Needs: java, curl, jq, socat, prometheus, promtool, python3. Exit 0 = every check passed.
# Called from interop.sh (IT_SKIP_PROMETHEUS_ALERTS=1 skips it there).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
# shellcheck source=demo-lib.sh
. "$REPO_ROOT/gateway/src/it/demo-lib.sh"
RULES="$REPO_ROOT/deploy/prometheus/alerts.yaml"
FAILS=0
T0=$(date +%s%3N)

say() { echo "[prometheus-alerts] $(date +%T) +$(( ($(date +%s%3N) - T0) / 1000 ))s $*"; }
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }

for c in jq socat prometheus promtool; do
  command -v "$c" >/dev/null || { echo "$c not found (apt-get install -y prometheus jq socat)" >&2; exit 1; }
done
# until SECONDS CONDITION...: polls the condition every 0.5 s; true as soon as it holds
until_true() {
  local deadline=$(( $(date +%s) + $1 )); shift
  while :; do
    "$@" && return 0
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}

# ---- upstream: the demo's FTPS server behind socat
start_demo
FWD_PORT=$(free_port)
start_forwarder() {
  socat "TCP-LISTEN:$FWD_PORT,bind=127.0.0.1,reuseaddr,fork" "TCP:127.0.0.1:$SERVER_PORT" &
  FWD_PID=$!
  PIDS+=("$FWD_PID")
}
start_forwarder
say "upstream: demo FTPS server 127.0.0.1:$SERVER_PORT behind socat 127.0.0.1:$FWD_PORT (pid $FWD_PID)"

# ---- the gateway under watch
start_gateway ftp "$FWD_PORT" 40720-40739 ", probeSeconds: 1"
LPORT=$GW_PORT; MPORT=$GW_METRICS
say "gateway pid $GW_PID: listener 127.0.0.1:$LPORT, metrics 127.0.0.1:$MPORT"

# ---- Prometheus with the rules, for: 0s
sed -E 's/^([[:space:]]*)for:[[:space:]]*[0-9]+[smhd]+[[:space:]]*$/\1for: 0s/' "$RULES" > "$WORK/alerts-for0.yaml"
echo "rules: $(grep -c 'alert:' "$WORK/alerts-for0.yaml") alerts from ${RULES#"$REPO_ROOT"/}, $(grep -cE '^[[:space:]]*for:' "$RULES") 'for:' durations set to 0s"
promtool check rules "$WORK/alerts-for0.yaml" | tail -1
PROM_PORT=$(free_port)
cat > "$WORK/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - $WORK/alerts-for0.yaml
scrape_configs:
  - job_name: ftps-gateway
    static_configs:
      - targets: ["127.0.0.1:$MPORT"]
YAML
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$PROM_PORT" >"$WORK/prometheus.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$PROM_PORT/-/ready" || { tail -20 "$WORK/prometheus.log"; echo "prometheus not ready" >&2; exit 1; }
say "prometheus $(prometheus --version 2>&1 | head -1 | grep -oE 'version [0-9.]+') on 127.0.0.1:$PROM_PORT"

query() { curl -sS --max-time 5 -G "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1"; }
value() { query "$1" | jq -r '.data.result[0].value[1] // "none"'; }
alerts() { curl -sS --max-time 5 "http://127.0.0.1:$PROM_PORT/api/v1/alerts"; }
firing() {  # firing NAME: the alert is in state firing
  alerts | jq -e --arg n "$1" '[.data.alerts[] | select(.labels.alertname == $n and .state == "firing")] | length > 0' >/dev/null
}
not_active() { ! alerts | jq -e --arg n "$1" '[.data.alerts[] | select(.labels.alertname == $n)] | length > 0' >/dev/null; }
show_alerts() {
  alerts | jq -r '.data.alerts[] | "  \(.state) \(.labels.alertname) severity=\(.labels.severity) \(.labels | del(.alertname, .severity, .job, .instance) | to_entries | map("\(.key)=\(.value)") | join(" ")) since \(.activeAt)"'
}
SERVER="127.0.0.1:$FWD_PORT"

# ---- 1. upstream up, scraped
upstream_up_is() { [ "$(value "ftpgw_upstream_up{server=\"$SERVER\"}")" = "$1" ]; }
if until_true 30 upstream_up_is 1; then
  say "ftpgw_upstream_up{upstream=\"default\",server=\"$SERVER\"} = 1 in Prometheus"
else
  fail "ftpgw_upstream_up{server=\"$SERVER\"} never 1: $(query "ftpgw_upstream_up")"
fi
for a in FtpsGatewayUpstreamServerDown FtpsGatewayUpstreamUnreachable; do
  not_active "$a" || fail "$a active while the upstream is up"
done

# ---- 2. cut the upstream, no client connected: the alerts fire
kill "$FWD_PID"; wait "$FWD_PID" 2>/dev/null || true
CUT=$(date +%s%3N)
say "socat stopped: upstream $SERVER cut; sessions open: $(curl -s "http://127.0.0.1:$MPORT/api/v1/sessions" | jq length)"
for a in FtpsGatewayUpstreamServerDown FtpsGatewayUpstreamUnreachable; do
  if until_true 60 firing "$a"; then
    say "$a firing $(( ($(date +%s%3N) - CUT) ))ms after the cut"
  else
    fail "$a not firing 60 s after the cut"
  fi
done
show_alerts
say "ftpgw_upstream_up = $(value "ftpgw_upstream_up{server=\"$SERVER\"}"), ftpgw_sessions_active = $(value 'sum(ftpgw_sessions_active)'), /readyz: $(curl -s "http://127.0.0.1:$MPORT/readyz")"
[ "$(value 'sum(ftpgw_sessions_active)')" = 0 ] || fail "a session was open: the alert must not need one"

# ---- 3. upstream back: the alerts resolve
start_forwarder
BACK=$(date +%s%3N)
for a in FtpsGatewayUpstreamServerDown FtpsGatewayUpstreamUnreachable; do
  if until_true 60 not_active "$a"; then
    say "$a resolved $(( ($(date +%s%3N) - BACK) ))ms after socat came back"
  else
    fail "$a still active 60 s after the upstream came back"
  fi
done

# ---- 4. the gateway gone (killed, as by the OOM killer): FtpsGatewayDown
GONE=$(date +%s%3N)
kill -KILL "$GW_PID"; wait "$GW_PID" 2>/dev/null || true
if until_true 60 firing FtpsGatewayDown; then
  say "FtpsGatewayDown firing $(( ($(date +%s%3N) - GONE) ))ms after the gateway stopped"
else
  fail "FtpsGatewayDown not firing 60 s after the gateway stopped"
fi
show_alerts

if [ "$FAILS" = 0 ]; then
  say "PASS"
  echo "INFO: upstream cut: FtpsGatewayUpstreamServerDown and FtpsGatewayUpstreamUnreachable fired with no session, resolved when it came back; FtpsGatewayDown fired when the gateway was killed"
else say "$FAILS check(s) failed"; tail -20 "$WORK/ftp.log"; fi
exit "$FAILS"
