#!/usr/bin/env bash
# Scale-out behind a real load balancer: HAProxy (Debian's) in front of 3 gateway replicas, PROXY protocol v2 on the
# control port AND on the passive range, as a cloud balancer (AWS NLB with proxy protocol v2, a LoadBalancer Service
# with the proxy-protocol annotation) forwards them.
#
#   bash gateway/src/it/scaleout.sh          # alone, as root, from the repo root, after mvn package
#   (interop.sh runs it too; IT_SKIP_SCALEOUT=1 skips it there)
#
#   client 127.0.0.3x/4x --plain FTP--> HAProxy 127.0.0.1:2490 + 127.0.0.1:34900-34919 (send-proxy-v2, source 127.0.0.9)
#       --> gateway gwN on 127.0.0.2N:2490 + passive 34900-34919 (acceptProxyProtocol, proxyProtocolFrom 127.0.0.9/32,
#           passiveAddress fromProxyHeader)  --explicit FTPS--> vsftpd-tls13 (127.0.0.1:2322)
#
# HAProxy picks the replica by the client's source address (balance source, hash-type consistent) in both the
# control and the passive backend; the passive backend's servers track the control backend's, so both agree on
# which replicas are up, and a data connection reaches the replica that holds its control connection.
# Checks (exit code = number of failures):
# Uploads are named upload/scaleout-* (interop.sh clears upload/it-* when it starts).
#  1. 12 clients (each its own loopback address) download file1M and upload it in PASV mode, all at once:
#     every checksum right, sessions spread over all 3 replicas
#  2. each replica's audit log names the real client addresses (127.0.0.3x/4x), never the balancer's (127.0.0.9)
#  3. one replica is killed (SIGKILL); once HAProxy sees it down, 12 new sessions (the same clients) all succeed
#     on the 2 others, checksums right
# Knobs: GATEWAY_JAR, IT_SKIP_INSTALL=1, IT_KEEP_SERVERS=1, IT_SCALEOUT_SERVER (default vsftpd-tls13), IT_JAVA_OPTS.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

GATEWAY_JAR="${GATEWAY_JAR:-$REPO_ROOT/gateway/target/ftps-gateway.jar}"
SERVER="${IT_SCALEOUT_SERVER:-vsftpd-tls13}"
LB_HOST=127.0.0.1
LB_SOURCE=127.0.0.9
PORT=2490
PASV_MIN=34900
PASV_MAX=34919
STATS_PORT=2499
REPLICAS="1 2 3"
CLIENTS=$(seq 31 42)
SO="$RUN/scaleout"
FAILS=0
PASSES=0

say() { echo "[scaleout] $(date +%T) $*"; }
pass() { PASSES=$((PASSES + 1)); echo "PASS: $*"; }
fail() { FAILS=$((FAILS + 1)); echo "FAIL: $*"; }
replica_host() { echo "127.0.0.2$1"; }
replica_metrics() { echo $((PORT + $1)); }
listening_on() { ss -Hltn "src $1 and sport = :$2" 2>/dev/null | grep -q .; }  # listening_on HOST PORT

if [ "$(id -u)" != 0 ]; then echo "scaleout.sh must run as root (servers, PAM logins, user files)" >&2; exit 1; fi
[ -s "$GATEWAY_JAR" ] || { echo "gateway jar not found: $GATEWAY_JAR (mvn package first, or set GATEWAY_JAR)" >&2; exit 1; }
if [ "${IT_SKIP_INSTALL:-0}" != 1 ] && ! [ -s "$DATA/SHA256SUMS" ]; then
  bash "$IT_DIR/install-servers.sh" || { echo "install failed" >&2; exit 1; }
fi
if ! command -v haproxy >/dev/null; then
  say "apt-get install haproxy"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q haproxy >"$LOGS/scaleout-apt.log" 2>&1 \
    || { echo "apt-get install haproxy failed: see $LOGS/scaleout-apt.log" >&2; exit 1; }
fi
mkdir -p "$SO" "$PIDS" "$LOGS"
rm -rf "${SO:?}"/* 2>/dev/null || true
SUM=$(sha256sum < "$DATA/file1M" | cut -d' ' -f1)
cp "$GATEWAY_JAR" "$SO/gateway.jar"   # a rebuild during the run must not change the jar under test

STARTED_SERVER=""
cleanup() {
  local rc=$? r
  trap - EXIT INT TERM
  stop_pidfile "$PIDS/scaleout-haproxy.pid"
  for r in $REPLICAS; do stop_pidfile "$PIDS/scaleout-gw$r.pid"; done
  if [ -n "$STARTED_SERVER" ] && [ "${IT_KEEP_SERVERS:-0}" != 1 ]; then
    # an interop.sh run that began meanwhile found the server running and counts on it: leave it to that run
    if pgrep -f 'src/it/interop\.sh' >/dev/null; then
      echo "INFO: leaving $STARTED_SERVER running: an interop.sh run uses it"
    else
      bash "$IT_DIR/stop-servers.sh" "$STARTED_SERVER" >/dev/null 2>&1 || true
    fi
  fi
  rm -f "$FTP_HOME"/upload/scaleout-* 2>/dev/null || true
  exit $rc
}
trap cleanup EXIT
trap 'echo "interrupted" >&2; exit 130' INT TERM

# ------------------------------------------------------------------ upstream, replicas, balancer
if ! port_listening "$(server_port "$SERVER")"; then
  bash "$IT_DIR/start-servers.sh" "$SERVER" >/dev/null || { echo "could not start $SERVER" >&2; exit 1; }
  STARTED_SERVER=$SERVER
fi

for r in $REPLICAS; do
  cat > "$SO/gw$r.yaml" <<YAML
# written by scaleout.sh: replica $r of 3 behind HAProxy
listeners:
  - name: ftp
    host: "$(replica_host "$r")"
    port: $PORT
    passivePorts: $PASV_MIN-$PASV_MAX
    acceptProxyProtocol: true
    proxyProtocolFrom: [$LB_SOURCE/32]
    passiveAddress: fromProxyHeader
upstream:
  host: 127.0.0.1
  port: $(server_port "$SERVER")
  tls: explicit
  serverName: 127.0.0.1
  caFile: $PKI/ca.crt
timeouts:
  connectSeconds: 10
metrics:
  host: 127.0.0.1
  port: $(replica_metrics "$r")
YAML
  # shellcheck disable=SC2086
  setsid java ${IT_JAVA_OPTS:-} -jar "$SO/gateway.jar" --config "$SO/gw$r.yaml" </dev/null >"$LOGS/scaleout-gw$r.log" 2>&1 &
  echo $! > "$PIDS/scaleout-gw$r.pid"
done
for r in $REPLICAS; do
  for _ in $(seq 1 300); do
    listening_on "$(replica_host "$r")" "$PORT" && listening_on 127.0.0.1 "$(replica_metrics "$r")" && break
    pid_alive "$PIDS/scaleout-gw$r.pid" || break
    sleep 0.1
  done
  if ! listening_on "$(replica_host "$r")" "$PORT"; then
    tail -n 30 "$LOGS/scaleout-gw$r.log"
    echo "FAIL: replica gw$r did not start (log: $LOGS/scaleout-gw$r.log)"; exit 1
  fi
done
say "3 replicas listening on 127.0.0.21-23:$PORT (passive $PASV_MIN-$PASV_MAX each)"

{
  cat <<CFG
# written by scaleout.sh
global
  maxconn 2000
defaults
  mode tcp
  timeout connect 5s
  timeout client 120s
  timeout server 120s
listen stats
  bind 127.0.0.1:$STATS_PORT
  mode http
  stats enable
  stats uri /stats
frontend ftp_control
  bind $LB_HOST:$PORT
  default_backend gw_control
frontend ftp_passive
  bind $LB_HOST:$PASV_MIN-$PASV_MAX
  default_backend gw_passive
backend gw_control
  # the client's address picks the replica, the same in both backends; consistent hashing moves only the clients
  # of a replica that goes down (avalanche: client addresses differ in few bits)
  balance source
  hash-type consistent sdbm avalanche
CFG
  for r in $REPLICAS; do
    # health check on the replica's metrics port: an explicit port means no PROXY header on the check
    echo "  server gw$r $(replica_host "$r"):$PORT id $r send-proxy-v2 source $LB_SOURCE check port $(replica_metrics "$r") addr 127.0.0.1 inter 300ms fall 2 rise 2"
  done
  cat <<CFG
backend gw_passive
  balance source
  hash-type consistent sdbm avalanche
CFG
  for r in $REPLICAS; do
    # no port: the connection goes to the port the client reached (the passive port the replica announced)
    echo "  server gw$r $(replica_host "$r") id $r send-proxy-v2 source $LB_SOURCE track gw_control/gw$r"
  done
} > "$SO/haproxy.cfg"
haproxy -c -q -f "$SO/haproxy.cfg" || { echo "FAIL: haproxy -c refused $SO/haproxy.cfg"; exit 1; }
setsid haproxy -db -f "$SO/haproxy.cfg" </dev/null >"$LOGS/scaleout-haproxy.log" 2>&1 &
echo $! > "$PIDS/scaleout-haproxy.pid"

# status of server gwN in backend gw_control from the stats CSV (UP, DOWN, ...)
lb_status() { curl -s "http://127.0.0.1:$STATS_PORT/stats;csv" | awk -F, -v s="gw$1" '$1 == "gw_control" && $2 == s {print $18}'; }
for _ in $(seq 1 100); do
  [ "$(lb_status 1)$(lb_status 2)$(lb_status 3)" = UPUPUP ] && break
  sleep 0.1
done
[ "$(lb_status 1)$(lb_status 2)$(lb_status 3)" = UPUPUP ] \
  || { echo "FAIL: HAProxy does not see 3 replicas up: $(lb_status 1) $(lb_status 2) $(lb_status 3)"; exit 1; }
say "HAProxy $(haproxy -v | head -1 | awk '{print $3}') on $LB_HOST:$PORT and :$PASV_MIN-$PASV_MAX, replicas UP UP UP"

# ------------------------------------------------------------------ sessions
# session TAG CLIENT-IP: a download and an upload of file1M in PASV mode (227 names the balancer: fromProxyHeader)
session() {
  local tag=$1 ip=$2 up="scaleout-$1-$2.bin" rc=0
  local -a c=(curl -sS -v --connect-timeout 10 --max-time 60 --interface "$ip" --disable-epsv -u "$FTP_USER:$FTP_PASS")
  "${c[@]}" "ftp://$LB_HOST:$PORT/file1M" -o "$SO/$tag-$ip.dl" 2>"$SO/$tag-$ip.get.err" || rc=$?
  "${c[@]}" -T "$DATA/file1M" "ftp://$LB_HOST:$PORT/upload/$up" 2>"$SO/$tag-$ip.put.err" || rc=$((rc + 100))
  echo "$rc" > "$SO/$tag-$ip.rc"
}
# round TAG: all clients at once; every download and upload must arrive whole
round() {
  local tag=$1 ip bad=0 n=0 got pids=()
  for c in $CLIENTS; do session "$tag" "127.0.0.$c" & pids+=($!); done
  wait "${pids[@]}"   # the sessions only: the replicas and HAProxy are background jobs of this shell too
  for c in $CLIENTS; do
    ip="127.0.0.$c"; n=$((n + 1))
    got=$({ sha256sum < "$SO/$tag-$ip.dl"; } 2>/dev/null | cut -d' ' -f1)
    if [ "$got" != "$SUM" ]; then
      bad=$((bad + 1)); echo "  $ip download: $(grep -E '^curl: ' "$SO/$tag-$ip.get.err" | tail -1) (sha ${got:0:12})"
    fi
    got=$({ sha256sum < "$FTP_HOME/upload/scaleout-$tag-$ip.bin"; } 2>/dev/null | cut -d' ' -f1)
    if [ "$got" != "$SUM" ]; then
      bad=$((bad + 1)); echo "  $ip upload: $(grep -E '^curl: ' "$SO/$tag-$ip.put.err" | tail -1) (sha ${got:0:12})"
    fi
    grep -qE '^< 227 .*\(127,0,0,1,' "$SO/$tag-$ip.get.err" || { bad=$((bad + 1)); echo "  $ip: no 227 naming the balancer"; }
  done
  if [ "$bad" = 0 ]; then
    pass "$tag: $n clients, $((2 * n)) sessions through HAProxy (PASV, 227 names 127.0.0.1), file1M down and up, every sha256 right"
  else
    fail "$tag: $bad of $((3 * n)) transfer checks failed"
  fi
}
# sessions_on N TAG: the uploads of round TAG that replica N logged as ok (one per client and round)
sessions_on() { grep -cE "transfer .*path=scaleout-$2-[0-9.]+\.bin .*outcome=ok" "$LOGS/scaleout-gw$1.log" 2>/dev/null || true; }

say "round 1: $(echo $CLIENTS | wc -w) clients at once"
round r1
spread=""
for r in $REPLICAS; do spread="$spread gw$r=$(sessions_on "$r" r1)"; done
if echo "$spread" | grep -qE '=0( |$)'; then
  fail "round 1 did not reach every replica (uploads per replica:$spread)"
else
  pass "round 1 spread over all 3 replicas (uploads per replica:$spread)"
fi

# the audit names the real clients: the addresses curl bound, never the balancer's
seen=$(cat "$LOGS"/scaleout-gw?.log | grep -oE 'transfer .*client=[0-9.]+' | grep -oE 'client=[0-9.]+' | sort -u | tr '\n' ' ')
if cat "$LOGS"/scaleout-gw?.log | grep -E 'transfer |session ' | grep -qE "client=($LB_SOURCE|127\.0\.0\.1) "; then
  fail "an audit line names the balancer ($LB_SOURCE) or 127.0.0.1 as the client"
elif [ "$(echo "$seen" | wc -w)" -ne "$(echo $CLIENTS | wc -w)" ]; then
  fail "audit client addresses: $seen (expected the $(echo $CLIENTS | wc -w) client addresses)"
else
  pass "audit logs name the real clients ($(echo "$seen" | wc -w) addresses: ${seen% }), never $LB_SOURCE"
fi

# ------------------------------------------------------------------ one replica killed
victim=2
victim_pid=$(cat "$PIDS/scaleout-gw$victim.pid")
kill -KILL "$victim_pid" 2>/dev/null
wait "$victim_pid" 2>/dev/null   # reaped here: no "Killed" job notice in the output
for _ in $(seq 1 100); do [ "$(lb_status $victim)" = DOWN ] && break; sleep 0.1; done
if [ "$(lb_status $victim)" != DOWN ]; then
  fail "HAProxy did not mark the killed replica gw$victim down ($(lb_status $victim))"
else
  say "gw$victim killed (SIGKILL); HAProxy: gw1 $(lb_status 1), gw2 $(lb_status 2), gw3 $(lb_status 3)"
  round r2
  spread=""
  for r in 1 3; do spread="$spread gw$r=$(sessions_on "$r" r2)"; done
  pass "after the kill every new session was served by the remaining replicas (uploads per replica:$spread)"
fi

echo "scaleout: $PASSES passed, $FAILS failed (logs: $LOGS/scaleout-*.log, transcripts: $SO)"
[ "$FAILS" = 0 ] && echo "INFO: HAProxy + 3 replicas, PROXY v2 on control and data: all sessions intact, spread, real clients logged, survived a killed replica"
exit "$FAILS"
