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
# Knobs: PROFILE_BACKEND_PORT=2531 (pure-ftpd of the bench)  PROFILE_PORT=2600  PROFILE_FILE=file1024M
#        PROFILE_WARM=3  PROFILE_ENGINE=openssl  PROFILE_JAVA_OPTS="-Xmx512m"  PROFILE_OUT=/tmp/ftpgw-profile
#        PROFILE_EVENT=cpu (or itimer where perf events are not allowed)
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
  protocols: [TLSv1.2]
  sslEngine: $ENGINE
metrics:
  enabled: true
  host: 127.0.0.1
  port: $((PORT + 1))
YAML
# shellcheck disable=SC2086
lab_launch "$OUT/gateway.pid" "$OUT/gateway.log" java ${PROFILE_JAVA_OPTS:--Xmx512m} -jar "$JAR" --config "$OUT/gateway.yaml"
trap 'stop_pidfile "$OUT/gateway.pid"' EXIT
lab_wait "$OUT/gateway.pid" "$PORT" 20 || { echo "the gateway did not start; see $OUT/gateway.log" >&2; exit 1; }
GW=$(cat "$OUT/gateway.pid")
URL="ftp://$USER_:$PASS_@127.0.0.1:$PORT/bench"
for i in $(seq "$WARM"); do
  curl -sS -o /dev/null "$URL/$FILE"
  curl -sS -T "$HOME_/bench/$FILE" "$URL/upload/profile-warm"
done
ticks() { awk '{print $14, $15}' "/proc/$GW/stat"; }
HZ=$(getconf CLK_TCK)
BYTES=$(stat -c %s "$HOME_/bench/$FILE")
for dir in down up; do
  java "$OUT/Attach.java" "$GW" "$LIB" "start,event=$EVENT,interval=997us" > /dev/null
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
done
rm -f "$HOME_/bench/upload/profile" "$HOME_/bench/upload/profile-warm"
