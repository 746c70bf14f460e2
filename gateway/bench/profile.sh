#!/usr/bin/env bash
# CPU profile of the gateway relaying 1 GiB down and 1 GiB up (issue #6): where the CPU per GB goes.
#
#   BENCH_KEEP=1 BENCH_BACKENDS=pureftpd BENCH_PATHS=direct bash gateway/bench/bench.sh   # servers up, once
#   bash gateway/bench/profile.sh                                                          # then this
#
# Starts its own gateway (the jar under test, the bench's gateway config for pure-ftpd on another port), warms
# it up (PROFILE_WARM rounds of the file each way: the JIT settles), then for each direction attaches
# async-profiler (the Maven Central artifact tools.profiler:async-profiler, fetched with mvn), transfers the file
# with curl, and prints the process CPU per GB split into user and system time and the share of CPU samples per
# category (socket reads/writes in the kernel, TLS, Vert.x write queue, JIT...). Collapsed stacks are kept in
# $PROFILE_OUT for flame graphs or further digging (profile_report.py FILE --callers FRAME).
# The gateway and the direct FTPS reference offer the server the same single suite, AES-256-GCM (TLS 1.2
# ECDHE-RSA-AES256-GCM-SHA384, or with PROFILE_TLS=tls13 TLS 1.3 TLS_AES_256_GCM_SHA384; issue 19: a ratio
# between different ciphers measures the ciphers). The samples are
# also split per thread: a relay whose two sockets sit on different event loops shows two busy event-loop threads.
# After the profile, PROFILE_AB rounds of unprofiled transfers, gateway and direct FTPS interleaved, give the
# medians and the ratio gateway / direct for each direction (the figure a fix must move).
# Knobs: PROFILE_BACKEND_PORT=2531 (pure-ftpd of the bench)  PROFILE_PORT=2600  PROFILE_FILE=file1024M
#        PROFILE_WARM=3  PROFILE_ENGINE=openssl  PROFILE_JAVA_OPTS="-Xmx512m"  PROFILE_OUT=/tmp/ftpgw-profile
#        PROFILE_EVENT=cpu (or itimer where perf events are not allowed)  PROFILE_AB=3 (0: none)
#        PROFILE_DIRS="down up"  PROFILE_TLS=tls12 (or tls13)  PROFILE_GW_YAML_EXTRA="" (yaml lines appended to the gateway's config, for A/B)
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# the interop suite's settings ($REPO_ROOT, $PKI) and lab parts (start and wait with a pid file)
. "$BENCH_DIR/../src/it/lib.sh"
BACKEND_PORT=${PROFILE_BACKEND_PORT:-2531}
PORT=${PROFILE_PORT:-2600}
FILE=${PROFILE_FILE:-file1024M}
WARM=${PROFILE_WARM:-3}
ENGINE=${PROFILE_ENGINE:-openssl}
OUT=${PROFILE_OUT:-/tmp/ftpgw-profile}
EVENT=${PROFILE_EVENT:-cpu}
AB=${PROFILE_AB:-3}
DIRS=${PROFILE_DIRS:-down up}
# the one suite every TLS leg offers (OpenSSL name for curl, IANA name for the gateway); PROFILE_TLS=tls13 needs
# servers that offer TLS 1.3 (bench.sh with BENCH_UPSTREAM_TLS=tls13 BENCH_KEEP=1)
case "${PROFILE_TLS:-tls12}" in
  tls12) PROTOCOL=TLSv1.2; CIPHER_IANA=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
         CURL_TLS=(--tlsv1.2 --tls-max 1.2 --ciphers ECDHE-RSA-AES256-GCM-SHA384) ;;
  tls13) PROTOCOL=TLSv1.3; CIPHER_IANA=TLS_AES_256_GCM_SHA384
         CURL_TLS=(--tlsv1.3 --tls13-ciphers TLS_AES_256_GCM_SHA384) ;;
  *) echo "PROFILE_TLS must be tls12 or tls13" >&2; exit 2 ;;
esac
JAR=${GATEWAY_JAR:-$REPO_ROOT/gateway/target/ftps-gateway.jar}
USER_=${BENCH_USER:-ftpgwbench}; PASS_=${BENCH_PASS:-ftpgwbench-pass}; HOME_=/home/$USER_
AP_VERSION=4.1
mkdir -p "$OUT"

port_listening "$BACKEND_PORT" \
  || { echo "no FTPS server on 127.0.0.1:$BACKEND_PORT: start the bench's servers first (see the top of this file)" >&2; exit 1; }
[ -s "$HOME_/bench/$FILE" ] || { echo "$HOME_/bench/$FILE missing: run the bench once" >&2; exit 1; }

# async-profiler's native library, from Maven Central
AP_JAR="$HOME/.m2/repository/tools/profiler/async-profiler/$AP_VERSION/async-profiler-$AP_VERSION.jar"
[ -s "$AP_JAR" ] || mvn -q -B dependency:get -Dartifact="tools.profiler:async-profiler:$AP_VERSION" >&2
LIB="$OUT/linux-x64/libasyncProfiler.so"
[ -s "$LIB" ] || (cd "$OUT" && unzip -o -q "$AP_JAR" 'linux-x64/*')
# jcmd JVMTI.agent_load splits its argument at commas: attach through the Attach API instead
cat > "$OUT/Attach.java" <<'JAVA'
public class Attach {
  public static void main(String[] a) throws Exception {
    var vm = com.sun.tools.attach.VirtualMachine.attach(a[0]);
    try { vm.loadAgentPath(a[1], a[2]); } finally { vm.detach(); }
  }
}
JAVA

# BoringSSL (the openssl engine) offers every TLS 1.3 suite whatever cipherSuites says, and the gateway refuses such a
# list with sslEngine openssl: there the bench's servers pin the TLS 1.3 suite (as in bench.sh)
SUITES_LINE="  cipherSuites: [$CIPHER_IANA]"
[ "$ENGINE" = openssl ] && [ "$PROTOCOL" = TLSv1.3 ] && SUITES_LINE=""
cat > "$OUT/gateway.yaml" <<YAML
listeners:
  - name: profile
    host: 127.0.0.1
    port: $PORT
    tls: none
    passivePorts: 36000-36099
    passiveAddress: 127.0.0.1
upstream:
  host: 127.0.0.1
  port: $BACKEND_PORT
  tls: explicit
  serverName: 127.0.0.1
  caFile: $PKI/ca.crt
  protocols: [$PROTOCOL]
$SUITES_LINE
  sslEngine: $ENGINE
metrics:
  enabled: true
  host: 127.0.0.1
  port: $((PORT + 1))
${PROFILE_GW_YAML_EXTRA:-}
YAML
# shellcheck disable=SC2086
lab_launch "$OUT/gateway.pid" "$OUT/gateway.log" java ${PROFILE_JAVA_OPTS:--Xmx512m} -jar "$JAR" --config "$OUT/gateway.yaml"
trap 'stop_pidfile "$OUT/gateway.pid"' EXIT
lab_wait "$OUT/gateway.pid" "$PORT" 20 || { echo "the gateway did not start; see $OUT/gateway.log" >&2; exit 1; }
GW=$(cat "$OUT/gateway.pid")
URL="ftp://$USER_:$PASS_@127.0.0.1:$PORT/bench"
DIRECT="ftp://$USER_:$PASS_@127.0.0.1:$BACKEND_PORT/bench"
DIRECT_TLS=(--ssl-reqd --cacert "$PKI/ca.crt" "${CURL_TLS[@]}")
# one transfer, prints curl's MB/s (10^6 bytes/s over the whole session); $1 = gw|direct, $2 = down|up
transfer() {
  local base=$URL tls=() w='%{speed_download}'
  [ "$1" = direct ] && { base=$DIRECT; tls=("${DIRECT_TLS[@]}"); }
  if [ "$2" = down ]; then
    curl -sS "${tls[@]}" -o /dev/null -w "$w" "$base/$FILE"
  else
    curl -sS "${tls[@]}" -T "$HOME_/bench/$FILE" -w '%{speed_upload}' "$base/upload/profile-$1"
  fi | awk '{printf "%.0f\n", $1 / 1e6}'
}
for i in $(seq "$WARM"); do
  curl -sS -o /dev/null "$URL/$FILE"
  curl -sS -T "$HOME_/bench/$FILE" "$URL/upload/profile-warm"
done
ticks() { awk '{print $14, $15}' "/proc/$GW/stat"; }
HZ=$(getconf CLK_TCK)
BYTES=$(stat -c %s "$HOME_/bench/$FILE")
for dir in $DIRS; do
  java "$OUT/Attach.java" "$GW" "$LIB" "start,event=$EVENT,interval=997us,threads" > /dev/null
  read -r u0 s0 < <(ticks); t0=$(date +%s.%N)
  if [ "$dir" = down ]; then curl -sS -o /dev/null "$URL/$FILE"; else curl -sS -T "$HOME_/bench/$FILE" "$URL/upload/profile"; fi
  read -r u1 s1 < <(ticks); t1=$(date +%s.%N)
  java "$OUT/Attach.java" "$GW" "$LIB" "stop,file=$OUT/$dir.collapsed,collapsed" > /dev/null
  python3 - "$dir" "$BYTES" "$t0" "$t1" "$u0" "$u1" "$s0" "$s1" "$HZ" <<'PY'
import sys
d, b, t0, t1, u0, u1, s0, s1, hz = sys.argv[1], int(sys.argv[2]), *map(float, sys.argv[3:])
gb = b / 1e9
print(f"{d}: {b / (t1 - t0) / 1e6:.0f} MB/s (profiler attached), CPU {((u1 - u0) + (s1 - s0)) / hz / gb:.2f} s/GB = "
      f"user {(u1 - u0) / hz / gb:.2f} + system {(s1 - s0) / hz / gb:.2f}")
PY
  python3 "$BENCH_DIR/profile_report.py" "$OUT/$dir.collapsed"
  python3 "$BENCH_DIR/profile_report.py" "$OUT/$dir.collapsed" --threads
done
if [ "$AB" -gt 0 ]; then
  for dir in $DIRS; do
    gw=(); direct=(); cpu=()
    for i in $(seq "$AB"); do
      read -r u0 s0 < <(ticks)
      gw+=("$(transfer gw "$dir")")
      read -r u1 s1 < <(ticks)
      cpu+=("$((u1 - u0)):$((s1 - s0))")
      direct+=("$(transfer direct "$dir")")
    done
    python3 - "$dir" "${gw[*]}" "${direct[*]}" "${cpu[*]}" "$BYTES" "$HZ" <<'PY'
import statistics, sys
d, gw, direct = sys.argv[1], [float(x) for x in sys.argv[2].split()], [float(x) for x in sys.argv[3].split()]
cpu = [tuple(int(v) for v in c.split(":")) for c in sys.argv[4].split()]
gb, hz = int(sys.argv[5]) / 1e9, float(sys.argv[6])
g, r = statistics.median(gw), statistics.median(direct)
user = statistics.median(u / hz / gb for u, _ in cpu)
system = statistics.median(s / hz / gb for _, s in cpu)
print(f"{d} unprofiled, interleaved, median of {len(gw)}: gateway {g:.0f} MB/s {sorted(gw)}, "
      f"direct FTPS {r:.0f} MB/s {sorted(direct)}, gateway / direct {g / r:.2f}; "
      f"gateway CPU user {user:.2f} + system {system:.2f} s/GB")
PY
  done
fi
rm -f "$HOME_/bench/upload/profile" "$HOME_/bench/upload/profile-warm" "$HOME_/bench/upload/profile-gw" "$HOME_/bench/upload/profile-direct"
