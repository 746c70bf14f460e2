#!/usr/bin/env bash
# ftps-gateway soak run (issue #8, "Load"): SOAK_SESSIONS concurrent plain-FTP sessions doing mixed transfers
# (downloads and uploads of random sizes 1 KB - 20 MB, listings) for SOAK_SECONDS through the gateway jar against
# vsftpd (explicit FTPS, TLS 1.2 + 1.3, require_ssl_reuse). Every transfer's SHA-256 is compared (downloads
# against the served file, uploads against the file vsftpd wrote). Prints a table: sessions, transfers, bytes,
# failures, checksum mismatches, gateway heap (/metrics jvm_memory_used_bytes{area="heap"}) and open descriptors
# (/proc/<pid>/fd) at start, peak and end. Not part of .ci/run.
#
#   bash gateway/bench/soak.sh                          # 200 sessions, 600 s (as root, after `mvn package`)
#   SOAK_SECONDS=120 bash gateway/bench/soak.sh         # shorter
#
# Knobs (environment):
#   SOAK_SECONDS=600  SOAK_SESSIONS=200  SOAK_MAX_MB=20 (largest transfer)  SOAK_RAMP_MS=20 (start stagger)
#   SOAK_RUN=/tmp/ftpgw-soak (run dir: PKI, configs, logs, results)   SOAK_OUT=$SOAK_RUN/results.md
#   GATEWAY_JAR=<repo>/gateway/target/ftps-gateway.jar   SOAK_JAVA_OPTS="-XX:+ExitOnOutOfMemoryError"
#   SOAK_USER=ftpgwsoak SOAK_PASS=ftpgwsoak-pass   (a local user the run creates; its files live in its home)
#
# Uses the interop suite's unpacked vsftpd (/opt/ftpgw-it, from gateway/src/it/install-servers.sh; run that
# first) and its PAM service, but its own PKI, run dir and ports, so it can run beside the suite and the bench:
#   vsftpd 127.0.0.1:2621 (passive: any free port), gateway 127.0.0.1:2611 (passive 35000-35999),
#   gateway metrics 127.0.0.1:2651.
# The gateway runs with its default configuration except those addresses (and metrics on, for the heap figure).
# Everything the run started is stopped on exit; only recorded pids are signalled, never names.
set -uo pipefail
SOAK_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export FTPGW_IT_RUN="${SOAK_RUN:-/tmp/ftpgw-soak}"   # lib.sh derives $RUN, $PKI... from it: not the suite's
. "$SOAK_DIR/../src/it/lib.sh"

if [ "$(id -u)" != 0 ]; then echo "soak.sh must run as root (vsftpd, PAM logins, /proc of the gateway)" >&2; exit 1; fi

SECONDS_TOTAL=${SOAK_SECONDS:-600}
SESSIONS=${SOAK_SESSIONS:-200}
MAX_MB=${SOAK_MAX_MB:-20}
RAMP_MS=${SOAK_RAMP_MS:-20}
JAVA_OPTS=${SOAK_JAVA_OPTS:--XX:+ExitOnOutOfMemoryError}
GATEWAY_JAR=${GATEWAY_JAR:-$REPO_ROOT/gateway/target/ftps-gateway.jar}
OUT=${SOAK_OUT:-$RUN/results.md}
VSFTPD_PORT=2621
GW_PORT=2611
GW_METRICS=2651
GW_PASV="35000-35999"
SUSER=${SOAK_USER:-ftpgwsoak}
SPASS=${SOAK_PASS:-ftpgwsoak-pass}
SHOME="/home/$SUSER"

say() { echo "[soak] $(date +%T) $*" >&2; }

for c in python3 openssl java ss; do command -v "$c" >/dev/null || { echo "$c not found" >&2; exit 1; }; done
[ -x "$VSFTPD" ] || { echo "missing $VSFTPD: run gateway/src/it/install-servers.sh first" >&2; exit 1; }
[ -s "$GATEWAY_JAR" ] || { echo "gateway jar not found: $GATEWAY_JAR (mvn package, or set GATEWAY_JAR)" >&2; exit 1; }
[ -f "/etc/pam.d/$PAM_SERVICE" ] || { echo "missing PAM service $PAM_SERVICE: run install-servers.sh" >&2; exit 1; }
for p in $VSFTPD_PORT $GW_PORT $GW_METRICS; do
  if port_listening "$p"; then echo "port $p is taken (pid $(listener_pid "$p")); not starting" >&2; exit 1; fi
done

mkdir -p "$RUN" "$PKI" "$CONF" "$PIDS" "$LOGS" "$RUN/empty"
chown root:root "$RUN/empty"; chmod 555 "$RUN/empty"
rm -f "$LOGS"/* 2>/dev/null
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

# ------------------------------------------------------------------ PKI of this run (CA + server cert for 127.0.0.1)
if ! lab_cert_ok "$PKI" server; then
  say "generating a CA and a server certificate in $PKI"
  lab_ca "$PKI" "/O=ftpgw-soak/CN=ftpgw-soak CA" && lab_server_cert "$PKI" ftpgw-soak || exit 1
fi

# ------------------------------------------------------------------ the login user (cheap hash: logins are not the subject)
if ! id "$SUSER" >/dev/null 2>&1; then
  say "creating user $SUSER"
  useradd -m -d "$SHOME" -s /bin/bash "$SUSER" || exit 1
fi
echo "$SUSER:$SPASS" | chpasswd -c SHA512 -s 1000 || exit 1
SDATA="$SHOME/soak"
mkdir -p "$SDATA/pool" "$SDATA/up"
rm -f "$SDATA"/up/* 2>/dev/null
chown -R "$SUSER:$SUSER" "$SDATA"; chmod 755 "$SHOME" "$SDATA"

# ------------------------------------------------------------------ cleanup
STARTED=()
cleanup() {
  local rc=$? f
  trap - EXIT INT TERM
  for f in "${STARTED[@]}"; do stop_pidfile "$f"; done
  rm -f "$SDATA"/up/* 2>/dev/null
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

launch() {  # launch NAME PORT CMD...: own process group, pid recorded, wait until listening (labparts.sh)
  local name=$1 port=$2 pidf="$PIDS/$1.pid"; shift 2
  lab_launch "$pidf" "$LOGS/$name.stdout" "$@"
  STARTED+=("$pidf")
  if ! lab_wait "$pidf" "$port" 60; then
    echo "$name did not start; last lines of $LOGS/$name.stdout:" >&2; tail -n 30 "$LOGS/$name.stdout" >&2; return 1
  fi
  say "$name: pid $(cat "$pidf") listening on 127.0.0.1:$port"
}

# ------------------------------------------------------------------ vsftpd (the interop suite's template)
lab_server_vars soak-vsftpd "$VSFTPD_PORT" 0 0 tls13
lab_render "$IT_DIR/conf/vsftpd.conf.in" "$CONF/soak-vsftpd.conf" "${LAB_VARS[@]}"
# hundreds of sessions: lift the session caps; passive ports from the kernel (a range of 0-0), as the bench does;
# no per-command protocol log (it would grow by gigabytes)
sed -i -e 's/^max_clients=.*/max_clients=4000/' -e 's/^max_per_ip=.*/max_per_ip=4000/' \
    -e 's/^log_ftp_protocol=.*/log_ftp_protocol=NO/' -e 's/^debug_ssl=.*/debug_ssl=NO/' "$CONF/soak-vsftpd.conf"
lab_render "$IT_DIR/conf/openssl-server.cnf.in" "$CONF/soak-vsftpd.openssl.cnf" "${LAB_VARS[@]}"
lab_vsftpd_cmd "$CONF/soak-vsftpd.conf"
OPENSSL_CONF="$CONF/soak-vsftpd.openssl.cnf" launch soak-vsftpd "$VSFTPD_PORT" "${LAB_CMD[@]}" || exit 1

# ------------------------------------------------------------------ the gateway: defaults except addresses
JAR="$RUN/gateway-under-test.jar"
cp "$GATEWAY_JAR" "$JAR.tmp" && mv "$JAR.tmp" "$JAR"
cat > "$CONF/soak-gateway.yaml" <<YAML
# written by gateway/bench/soak.sh: the default configuration except addresses and ports
listeners:
  - name: soak
    host: 127.0.0.1
    port: $GW_PORT
    passivePorts: $GW_PASV
upstream:
  host: 127.0.0.1
  port: $VSFTPD_PORT
  serverName: 127.0.0.1
  caFile: $PKI/ca.crt
metrics:
  enabled: true
  host: 127.0.0.1
  port: $GW_METRICS
YAML
envargs=()
while IFS= read -r v; do envargs+=(-u "$v"); done < <(env | grep -o '^FTPGW_[A-Za-z0-9_]*' || true)
# shellcheck disable=SC2086
launch soak-gateway "$GW_PORT" env "${envargs[@]}" java $JAVA_OPTS -jar "$JAR" --config "$CONF/soak-gateway.yaml" \
  || exit 1
GW_PID=$(cat "$PIDS/soak-gateway.pid")
for ((i = 0; i < 100; i++)); do
  curl -fsS "http://127.0.0.1:$GW_METRICS/metrics" >/dev/null 2>&1 && break; sleep 0.1
done

MACHINE="$(nproc) vCPU ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
JAVA_V="$(java -version 2>&1 | sed -n 2p)"
GIT="$(cd "$REPO_ROOT" && git log -1 --format='%h %s' 2>/dev/null | cut -c1-80)"
say "driver: $SESSIONS sessions for $SECONDS_TOTAL s (transfers 1 KB - $MAX_MB MB)"
python3 "$SOAK_DIR/soakdriver.py" --port "$GW_PORT" --user "$SUSER" --password "$SPASS" --data "$SDATA" \
  --owner "$SUSER" --sessions "$SESSIONS" --seconds "$SECONDS_TOTAL" --max-mb "$MAX_MB" --ramp-ms "$RAMP_MS" \
  --metrics "http://127.0.0.1:$GW_METRICS/metrics" --pid "$GW_PID" --out "$OUT" \
  --machine "$MACHINE" --java "$JAVA_V" --git "$GIT" \
  --command "SOAK_SECONDS=$SECONDS_TOTAL SOAK_SESSIONS=$SESSIONS bash gateway/bench/soak.sh"
rc=$?
if grep -q "Exception\|SEVERE" "$LOGS/soak-gateway.stdout"; then
  say "the gateway log has exceptions or SEVERE lines: $LOGS/soak-gateway.stdout"
fi
say "done, exit $rc; report: $OUT, logs: $LOGS"
exit $rc
