#!/usr/bin/env bash
# ftps-gateway benchmark: direct FTPS vs ProFTPD mod_proxy vs the gateway, in the same run.
#
#   bash gateway/bench/bench.sh                 # full run (as root; ~15-25 min on 2 cores)
#   BENCH_SMOKE=1 bash gateway/bench/bench.sh   # smoke (~45 s): exit != 0 on any failed transfer/checksum/session
#
# Installs what it needs (the interop suite's install-servers.sh + Debian's proftpd-mod-proxy,
# unpacked the same way), starts its own vsftpd and pure-ftpd (the suite's config templates, on
# the bench's ports), ProFTPD mod_proxy in front of each, and the gateway jar in front of each with
# sslEngine jdk and openssl, then runs ftpbench.py (the client side and all measurements) and prints
# a markdown report (also written to $BENCH_OUT). Everything it started is stopped on exit.
# See README.md next to this file. Knobs (environment):
#   BENCH_SMOKE=1        small and fast; strict (exit 1 on any failure); skips install-servers.sh when
#                        its servers and PKI are there (safe right after the interop suite in .ci/run)
#   BENCH_RUNS=5         runs per throughput measurement (median)      smoke: 1
#   BENCH_FILE_MB=1024   size of the throughput file (MiB)               smoke: 16
#   BENCH_WARMUP_MB=100  one untimed download+upload per path first      smoke: 0
#   BENCH_LAT_N=20       back-to-back sessions for the latency median    smoke: 2
#   BENCH_LAT_SPACED=5   sessions spaced 1 s apart                       smoke: 0
#   BENCH_PAR="50x10 500x1"  parallel tests: SESSIONSxMiB each           smoke: "5x1"
#   BENCH_PAR_TIMEOUT=60   socket timeout of a parallel session (s)   BENCH_PAR_RAMP_MS=0  start stagger
#   BENCH_IDLE=1000      idle logged-in sessions for the memory figure   smoke: 20
#   BENCH_SCALE=0        scale test: that many sessions per proxy, each downloading 64 KiB once, then idle;
#                        memory per session, time to open them and each process's CPU share (0 = skip). Above
#                        BENCH_SCALE_PER_SERVER (4000: the users each server takes here) every backend runs as
#                        several instances (next ports) and the gateways balance over them (round-robin)
#   BENCH_SCALE_MODPROXY=1500  at most that many scale sessions through mod_proxy (a process each, ~1.4 MiB PSS)
#   BENCH_SPEED_SECONDS=3  duration of `openssl speed` (0 = skip)        smoke: 0
#   BENCH_BACKENDS="vsftpd pureftpd"   BENCH_PATHS="direct modproxy gw-jdk gw-openssl"
#   BENCH_UPSTREAM_TLS=tls12   tls12: servers offer TLS 1.2 only (everyone speaks 1.2);
#                        tls13: servers offer 1.2+1.3, direct clients and the gateway use 1.3
#                        (mod_proxy stays on 1.2: it truncates uploads with 1.3)
#   BENCH_SAME_CIPHER=1  every path offers the server one suite, AES-256-GCM of that protocol version (see
#                        "one protocol and cipher" below); 0: each path offers its own defaults. Either way the
#                        report prints what each path negotiated and "n/c" instead of a ratio between paths
#                        that negotiated differently
#   BENCH_VERIFY=1       downloads land in /dev/shm and are compared with cmp (0: /dev/null, size only)
#   BENCH_STRICT=0|1     exit 1 if anything failed (default: 1 in smoke mode, 0 otherwise)
#   BENCH_JAVA_OPTS="-Xmx512m -XX:+ExitOnOutOfMemoryError"   JVM options of the gateways (the systemd unit's)
#   BENCH_GW_ENV="FTPGW_X=y ..."   extra env for the gateways (other FTPGW_* vars are NOT passed on)
#   GATEWAY_JAR=...      jar under test (default <repo>/gateway/target/ftps-gateway.jar; copied first)
#   BENCH_SKIP_INSTALL=1 no apt / install-servers.sh     BENCH_KEEP=1  leave everything running
#   BENCH_USER=ftpgwbench BENCH_PASS=ftpgwbench-pass   the login (a local user the bench creates; its
#                        files live in its home, apart from the interop suite's user)
#   BENCH_FAST_HASH=1    give that user a cheap SHA-512 (1000 rounds) password hash: Debian's default
#                        yescrypt costs ~70 ms of server CPU per login, which would dominate session
#                        latency and the parallel/idle tests of every path alike (0 = yescrypt)
#   BENCH_RUN=/tmp/ftpgw-bench   BENCH_OUT=$BENCH_RUN/results.md
set -uo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# the interop suite's settings: $PKG_DIR $ROOT $RUN $PKI $PAM_SERVICE, binaries, port_listening / listener_pid /
# stop_pidfile, and its lab parts (labparts.sh: templates, start and wait, server command lines)
. "$BENCH_DIR/../src/it/lib.sh"

if [ "$(id -u)" != 0 ]; then echo "bench.sh must run as root (servers, PAM logins, /proc of other users)" >&2; exit 1; fi

SMOKE=${BENCH_SMOKE:-0}
if [ "$SMOKE" = 1 ]; then
  D_RUNS=1; D_FILE=16; D_WARM=0; D_LATN=2; D_LATS=0; D_PAR="5x1"; D_IDLE=20; D_SPEED=0; D_STRICT=1; D_HOLD=0.5
else
  D_RUNS=5; D_FILE=1024; D_WARM=100; D_LATN=20; D_LATS=5; D_PAR="50x10 500x1"; D_IDLE=1000; D_SPEED=3; D_STRICT=0; D_HOLD=2
fi
RUNS=${BENCH_RUNS:-$D_RUNS}
FILE_MB=${BENCH_FILE_MB:-$D_FILE}
WARMUP_MB=${BENCH_WARMUP_MB:-$D_WARM}
LAT_N=${BENCH_LAT_N:-$D_LATN}
LAT_SPACED=${BENCH_LAT_SPACED:-$D_LATS}
PAR=${BENCH_PAR:-$D_PAR}
IDLE=${BENCH_IDLE:-$D_IDLE}
SPEED_SECONDS=${BENCH_SPEED_SECONDS:-$D_SPEED}
IDLE_HOLD=${BENCH_IDLE_HOLD:-$D_HOLD}
SCALE=${BENCH_SCALE:-0}
SCALE_PER_SERVER=${BENCH_SCALE_PER_SERVER:-4000}
SCALE_MODPROXY=${BENCH_SCALE_MODPROXY:-1500}
# server instances per backend: one, or as many as the scale test's sessions need
INSTANCES=$(( SCALE > SCALE_PER_SERVER ? (SCALE + SCALE_PER_SERVER - 1) / SCALE_PER_SERVER : 1 ))
STRICT=${BENCH_STRICT:-$D_STRICT}
VERIFY=${BENCH_VERIFY:-1}
BACKENDS=${BENCH_BACKENDS:-vsftpd pureftpd}
PATHS=${BENCH_PATHS:-direct modproxy gw-jdk gw-openssl}
UP_TLS=${BENCH_UPSTREAM_TLS:-tls12}
JAVA_OPTS=${BENCH_JAVA_OPTS:--Xmx512m -XX:+ExitOnOutOfMemoryError}
GATEWAY_JAR=${GATEWAY_JAR:-$REPO_ROOT/gateway/target/ftps-gateway.jar}
BRUN=${BENCH_RUN:-/tmp/ftpgw-bench}
OUT=${BENCH_OUT:-$BRUN/results.md}
BLOGS="$BRUN/log"; BCONF="$BRUN/conf"; BPIDS="$BRUN/run"; BWORK="$BRUN/work"
DL_DIR=/dev/shm/ftpgw-bench
CA="$PKI/ca.crt"
case "$UP_TLS" in tls12|tls13) ;; *) echo "BENCH_UPSTREAM_TLS must be tls12 or tls13" >&2; exit 2 ;; esac

# ------------------------------------------------------------------ one protocol and cipher for every path (issue 19)
# A ratio between two paths must measure the proxies, not the ciphers: pure-ftpd prefers ChaCha20-Poly1305 when a
# client offers it (curl and mod_proxy do), at about half the AES-GCM speed with AES-NI. So every TLS leg to a server
# offers one suite: AES-256-GCM (the `openssl speed` floor of the report) of the run's protocol version. mod_proxy
# speaks TLS 1.2 only (uploads are truncated with 1.3), so with tls13 the report shows no ratio against it.
CIPHER_TLS12=ECDHE-RSA-AES256-GCM-SHA384                  # OpenSSL name: curl --ciphers, ProxyTLSCipherSuite
CIPHER_TLS12_STD=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384    # the same suite by its standard name (the gateway's)
CIPHER_TLS13=TLS_AES_256_GCM_SHA384                       # one name in OpenSSL and the standard
SAME_CIPHER=${BENCH_SAME_CIPHER:-1}
if [ "$UP_TLS" = tls12 ]; then
  TLS_VERSION=TLSv1.2; CIPHER=$CIPHER_TLS12; GW_PROTOCOLS="TLSv1.2"; GW_CIPHERS=$CIPHER_TLS12_STD
else
  TLS_VERSION=TLSv1.3; CIPHER=$CIPHER_TLS13; GW_PROTOCOLS="TLSv1.3"; GW_CIPHERS=$CIPHER_TLS13
fi
PROXY_CIPHERS=$CIPHER_TLS12
if [ "$SAME_CIPHER" != 1 ]; then
  # the defaults of every path: mod_proxy's (no ProxyTLSCipherSuite line), the gateway's, curl's
  CIPHER=""; PROXY_CIPHERS=""; GW_CIPHERS=""
  if [ "$UP_TLS" = tls12 ]; then GW_PROTOCOLS="TLSv1.2"; else GW_PROTOCOLS="TLSv1.2, TLSv1.3"; fi
fi

# ------------------------------------------------------------------ ports (127.0.0.1 only)
# bench: 2500-2599, passive 34000-34999 (the interop suite uses 23xx/24xx + 32000-33999, the
# shared lab 2100-2124 + 30000-30999, another gateway 2200-2299 + 31000-31099).
# All proxies share 34000-34999: the benchmark drives one path at a time, so at most one proxy has
# data connections open at any moment.
# The two servers take their passive ports from the kernel (like any outgoing connection: a port
# nobody holds), because a range limits them: pure-ftpd caps its sessions at half the size of its
# -p range (250 ports = 125 sessions: "421 125 users (the maximum) are already logged in") and
# derives its listen backlog from that cap (3 + users/8 = 18), and vsftpd picks random ports of its
# range with 10 attempts, which fails with hundreds of transfers in flight.
backend_port()   { # backend_port BACKEND [INSTANCE]: instance 1 on 2521/2531, further instances (scale test) next to it
  case "$1" in vsftpd) echo $((2521 + ${2:-1} - 1)) ;; pureftpd) echo $((2531 + ${2:-1} - 1)) ;; esac
}
PROXY_PASV_MIN=34000; PROXY_PASV_MAX=34999
modproxy_port()  { case "$1" in vsftpd) echo 2501 ;; pureftpd) echo 2502 ;; esac; }
gw_port()        { # gw_port ENGINE BACKEND
  local b; case "$2" in vsftpd) b=0 ;; pureftpd) b=1 ;; esac
  case "$1" in jdk) echo $((2511 + b)) ;; openssl) echo $((2513 + b)) ;; esac
}
gw_metrics_port() { echo $(($(gw_port "$1" "$2") + 50)); }   # 2561-2564

T0=$(date +%s)
say() { echo "[bench] $(date +%T) $*" >&2; }

# ------------------------------------------------------------------ install
# what install-servers.sh leaves behind (binaries, PKI, PAM service, its stamp)
suite_installed() {
  [ -x "$VSFTPD" ] && [ -x "$PUREFTPD" ] && [ -x "$PROFTPD" ] && [ -f "$PROFTPD_MODULES/mod_tls.so" ] \
    && [ -s "$CA" ] && [ -s "$PKI/server-combined.pem" ] && [ -f "/etc/pam.d/$PAM_SERVICE" ] \
    && [ -s "$PKG_DIR/extracted.list" ]
}
if [ "${BENCH_SKIP_INSTALL:-0}" != 1 ]; then
  if [ "$SMOKE" = 1 ] && suite_installed; then
    # e.g. right after the interop suite in .ci/run: its install is fresh, a second pass would only cost time
    say "interop suite's servers and PKI already installed: install-servers.sh skipped (smoke mode)"
  else
    say "install-servers.sh of the interop suite (quiet; BENCH_SKIP_INSTALL=1 skips it)"
    bash "$IT_DIR/install-servers.sh" || { echo "install-servers.sh failed" >&2; exit 1; }
  fi
  export DEBIAN_FRONTEND=noninteractive
  missing=""
  for p in python3 libsqlite3-0 libsodium23 curl openssl; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  if [ -n "$missing" ]; then
    say "apt-get install:$missing"
    # shellcheck disable=SC2086
    { apt-get install -y -qq --no-install-recommends $missing || { apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing; }; } >/dev/null \
      || { echo "apt-get install$missing failed" >&2; exit 1; }
  fi
  # mod_proxy: like the suite's servers, apt-get download + dpkg-deb -x into the same $ROOT (ProFTPD
  # loads modules from one ModulePath). install-servers.sh wipes $ROOT when its own package versions
  # change, so check for the file every time, not only the stamp.
  v=$(apt-cache policy proftpd-mod-proxy 2>/dev/null | awk '/Candidate:/ {print $2}')
  if [ -z "$v" ] || [ "$v" = "(none)" ]; then apt-get update -qq >/dev/null 2>&1; v=$(apt-cache policy proftpd-mod-proxy | awk '/Candidate:/ {print $2}'); fi
  [ -n "$v" ] && [ "$v" != "(none)" ] || { echo "no installable version of proftpd-mod-proxy" >&2; exit 1; }
  stamp="$PKG_DIR/bench-extracted.list"
  if ! [ -f "$PROFTPD_MODULES/mod_proxy.so" ] || [ "$(cat "$stamp" 2>/dev/null)" != "proftpd-mod-proxy=$v" ]; then
    say "apt-get download + dpkg-deb -x proftpd-mod-proxy=$v into $ROOT"
    mkdir -p "$PKG_DIR/bench-debs"; rm -f "$PKG_DIR/bench-debs"/*.deb
    ( cd "$PKG_DIR/bench-debs" && apt-get -q -o APT::Sandbox::User=root download "proftpd-mod-proxy=$v" >/dev/null ) \
      || ( apt-get update -qq && cd "$PKG_DIR/bench-debs" && apt-get -q -o APT::Sandbox::User=root download "proftpd-mod-proxy=$v" >/dev/null ) \
      || { echo "apt-get download proftpd-mod-proxy failed" >&2; exit 1; }
    dpkg-deb -x "$PKG_DIR"/bench-debs/proftpd-mod-proxy_*.deb "$ROOT"
    echo "proftpd-mod-proxy=$v" > "$stamp"
  fi
fi
for b in "$VSFTPD" "$PUREFTPD" "$PROFTPD" "$PROFTPD_MODULES/mod_proxy.so" "$PROFTPD_MODULES/mod_tls.so" "$CA"; do
  [ -e "$b" ] || { echo "missing $b: run without BENCH_SKIP_INSTALL" >&2; exit 1; }
done
if ldd "$PROFTPD_MODULES/mod_proxy.so" | grep -q "not found"; then
  echo "mod_proxy.so misses libraries:" >&2; ldd "$PROFTPD_MODULES/mod_proxy.so" | grep "not found" >&2; exit 1
fi
for c in python3 curl openssl cmp; do command -v "$c" >/dev/null || { echo "$c not found" >&2; exit 1; }; done
need_gw=0; for p in $PATHS; do case "$p" in gw-*) need_gw=1 ;; esac; done
if [ $need_gw = 1 ]; then
  command -v java >/dev/null || { echo "java not found on PATH" >&2; exit 1; }
  [ -s "$GATEWAY_JAR" ] || { echo "gateway jar not found: $GATEWAY_JAR (build it or set GATEWAY_JAR)" >&2; exit 1; }
fi

# ------------------------------------------------------------------ run dirs, data, jar
mkdir -p "$BLOGS" "$BCONF" "$BPIDS" "$BWORK" "$DL_DIR" "$RUN/empty"
chown root:root "$RUN/empty"; chmod 555 "$RUN/empty"
rm -f "$BLOGS"/* "$DL_DIR"/* 2>/dev/null
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
# the bench's own login user (vsftpd: PAM service of the suite -> pam_unix; pure-ftpd: -l unix)
BUSER=${BENCH_USER:-ftpgwbench}; BPASS=${BENCH_PASS:-ftpgwbench-pass}; BHOME="/home/$BUSER"
if ! id "$BUSER" >/dev/null 2>&1; then
  say "creating user $BUSER"
  useradd -m -d "$BHOME" -s /bin/bash "$BUSER" || exit 1
fi
if [ "${BENCH_FAST_HASH:-1}" = 1 ]; then
  echo "$BUSER:$BPASS" | chpasswd -c SHA512 -s 1000 || exit 1
else
  echo "$BUSER:$BPASS" | chpasswd || exit 1
fi
BDATA="$BHOME/bench"             # served files; uploads go to $BDATA/upload
mkdir -p "$BDATA/upload"
rm -f "$BDATA"/upload/* 2>/dev/null
mkfile() {  # mkfile NAME MiB: random bytes, made once
  local f="$BDATA/$1" n=$(($2 * 1024 * 1024))
  if [ "$(stat -c %s "$f" 2>/dev/null || echo 0)" != "$n" ]; then
    say "creating $f ($n random bytes)"
    head -c "$n" /dev/urandom > "$f.tmp" && mv "$f.tmp" "$f"
  fi
}
mkfile "file${FILE_MB}M" "$FILE_MB"
mkfile file1M 1
[ "${WARMUP_MB}" -gt 0 ] && mkfile "file${WARMUP_MB}M" "$WARMUP_MB"
for spec in $PAR; do mkfile "file${spec#*x}M" "${spec#*x}"; done
# what each session of the scale test moves before it idles
[ "$SCALE" -gt 0 ] && [ "$(stat -c %s "$BDATA/scale64K" 2>/dev/null || echo 0)" != 65536 ] \
  && head -c 65536 /dev/urandom > "$BDATA/scale64K"
chown -R "$BUSER:$BUSER" "$BDATA"
chmod 755 "$BHOME" "$BDATA" "$BDATA/upload"
cat "$BDATA"/file*M > /dev/null   # into the page cache: runs measure the path, not the disk

JAR="$BRUN/gateway-under-test.jar"
if [ $need_gw = 1 ]; then cp "$GATEWAY_JAR" "$JAR.tmp" && mv "$JAR.tmp" "$JAR"; fi

# ------------------------------------------------------------------ cleanup
STARTED=()   # pid files of everything this run started
cleanup() {
  local rc=$? f
  trap - EXIT INT TERM
  if [ "${BENCH_KEEP:-0}" = 1 ]; then
    say "BENCH_KEEP=1: leaving running: ${STARTED[*]:-nothing}"
  else
    # in parallel: ProFTPD may take a second or more to exit (stop_pidfile waits up to 5 s, then KILLs)
    for f in "${STARTED[@]}"; do ( stop_pidfile "$f" ) & done
    wait
    rm -f "$BPIDS"/*.proftpd.pid "$BPIDS"/*.pureftpd.pid "$BPIDS"/*.scoreboard "$BPIDS"/*.scoreboard.lck
  fi
  rm -rf "$DL_DIR"
  rm -f "$BDATA"/upload/* 2>/dev/null
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# launch_bg NAME PORT CMD...: CMD in its own process group, pid recorded (labparts.sh); wait_all then waits for
# every launched port (the gateways' JVMs start in parallel)
LAUNCHED=()
launch_bg() {
  local name=$1 port=$2 pidf="$BPIDS/$1.pid"; shift 2
  stop_pidfile "$pidf"
  lab_port_free "$name" "$port" || return 1
  lab_launch "$pidf" "$BLOGS/$name.stdout" "$@"
  STARTED+=("$pidf")
  LAUNCHED+=("$name:$port")
}
wait_all() {  # wait up to 60 s for every launched NAME:PORT; record the listener's pid
  local np name port pidf rc=0
  for np in "${LAUNCHED[@]}"; do
    name=${np%%:*}; port=${np##*:}; pidf="$BPIDS/$name.pid"
    if lab_wait "$pidf" "$port" 60; then
      say "$name: pid $(cat "$pidf") listening on 127.0.0.1:$port"
    else
      echo "$name did not start (not listening on $port); last lines of $BLOGS/$name.stdout:" >&2
      tail -n 30 "$BLOGS/$name.stdout" >&2
      FAILED_START="$FAILED_START $name"; rc=1
    fi
  done
  LAUNCHED=()
  return $rc
}

render() {  # render TEMPLATE OUT NAME PORT PASVMIN PASVMAX [BACKEND_PORT]: the suite's values, the bench's logs
  lab_server_vars "$3" "$4" "$5" "$6" "$UP_TLS"
  lab_render "$1" "$2" "${LAB_VARS[@]}" LOGS="$BLOGS" PIDS="$BPIDS" BACKEND_PORT="${7:-}" TABLES="$BRUN/proxy-tables-$3" \
    CIPHER_TLS12="$PROXY_CIPHERS"
}

FAILED_START=""
start_backend() {  # start_backend BACKEND [INSTANCE]: the suite's templates; only limits raised for 1,000 idle + 500 parallel
  local b=$1 i=${2:-1} name="bench-$1" port
  [ "$i" -gt 1 ] && name="bench-$1-$i"
  port=$(backend_port "$b" "$i")
  render "$IT_DIR/conf/openssl-server.cnf.in" "$BCONF/$name.openssl.cnf" "$name" "$port" 0 0
  # TLS 1.3 suites are the server's choice among the client's: the gateway's openssl engine offered
  # TLS_AES_128_GCM_SHA256 as well (measured against vsftpd) although its cipherSuites named only the 256-bit one,
  # so the servers allow only the bench's suite (neither vsftpd 3.0.3 nor pure-ftpd 1.0.50 sets TLS 1.3 suites)
  [ -n "$CIPHER" ] && [ "$UP_TLS" = tls13 ] && echo "Ciphersuites = $CIPHER_TLS13" >> "$BCONF/$name.openssl.cnf"
  case "$b" in
    vsftpd)
      # pasv_min_port=0 / pasv_max_port=0: any port (see the port notes above)
      render "$IT_DIR/conf/vsftpd.conf.in" "$BCONF/$name.conf" "$name" "$port" 0 0
      sed -i -e "s/^max_clients=.*/max_clients=$SCALE_PER_SERVER/" -e "s/^max_per_ip=.*/max_per_ip=$SCALE_PER_SERVER/" "$BCONF/$name.conf"
      lab_vsftpd_cmd "$BCONF/$name.conf"
      OPENSSL_CONF="$BCONF/$name.openssl.cnf" launch_bg "$name" "$port" "${LAB_CMD[@]}" ;;
    pureftpd)
      mkdir -p /var/run/pure-ftpd
      # as the suite's, but 4000 users instead of 200 and no passive range (see the port notes above)
      lab_pureftpd_cmd "$port" "$SCALE_PER_SERVER" "" "$BLOGS/$name.xferlog" "$BPIDS/$name.pureftpd.pid"
      OPENSSL_CONF="$BCONF/$name.openssl.cnf" launch_bg "$name" "$port" "${LAB_CMD[@]}" ;;
  esac || FAILED_START="$FAILED_START $name"
}
start_modproxy() {
  local b=$1 name="modproxy-$1" port
  port=$(modproxy_port "$b")
  rm -rf "$BRUN/proxy-tables-$name"; mkdir -p "$BRUN/proxy-tables-$name"; chmod 711 "$BRUN/proxy-tables-$name"
  render "$BENCH_DIR/conf/proftpd-proxy.conf.in" "$BCONF/$name.conf" "$name" "$port" \
    "$PROXY_PASV_MIN" "$PROXY_PASV_MAX" "$(backend_port "$b")"
  [ -n "$PROXY_CIPHERS" ] || sed -i '/^ *ProxyTLSCipherSuite /d' "$BCONF/$name.conf"
  lab_proftpd_cmd "$BCONF/$name.conf"
  launch_bg "$name" "$port" "${LAB_CMD[@]}" || FAILED_START="$FAILED_START $name"
}
start_gateway() {  # start_gateway ENGINE BACKEND
  local e=$1 b=$2 name="gw-$1-$2" port mport suites="" target i
  port=$(gw_port "$e" "$b"); mport=$(gw_metrics_port "$e" "$b")
  [ -n "$GW_CIPHERS" ] && suites="
  cipherSuites: [$GW_CIPHERS]"
  # BoringSSL (the openssl engine) offers all three TLS 1.3 suites whatever cipherSuites says, and the gateway refuses
  # such a list with sslEngine openssl: there the servers' own Ciphersuites line (start_backend) pins the suite
  [ "$e" = openssl ] && [ "$UP_TLS" = tls13 ] && suites=""
  # one server, or (scale test beyond one server's users) every instance, round-robin
  target="host: 127.0.0.1
  port: $(backend_port "$b")"
  if [ "$INSTANCES" -gt 1 ]; then
    target="balance: round-robin
  servers:"
    for i in $(seq "$INSTANCES"); do target="$target
    - { host: 127.0.0.1, port: $(backend_port "$b" "$i") }"; done
  fi
  cat > "$BCONF/$name.yaml" <<YAML
# written by gateway/bench/bench.sh
listeners:
  - name: bench
    host: 127.0.0.1
    port: $port
    tls: none
    passivePorts: $PROXY_PASV_MIN-$PROXY_PASV_MAX
    passiveAddress: 127.0.0.1
upstream:
  $target
  tls: explicit
  serverName: 127.0.0.1
  caFile: $CA
  protocols: [$GW_PROTOCOLS]$suites
  sslEngine: $e
limits:
  maxSessions: $(( SCALE + 1000 > 5000 ? SCALE + 1000 : 5000 ))
shutdownGraceSeconds: 2
metrics:
  enabled: true
  host: 127.0.0.1
  port: $mport
YAML
  # the gateway reads FTPGW_<PATH> overrides from its environment: pass none but BENCH_GW_ENV,
  # so the rows are what the yaml says
  local -a envargs=()
  local v
  while IFS= read -r v; do envargs+=(-u "$v"); done < <(env | grep -o '^FTPGW_[A-Za-z0-9_]*' || true)
  # shellcheck disable=SC2086
  launch_bg "$name" "$port" env "${envargs[@]}" ${BENCH_GW_ENV:-} java $JAVA_OPTS -jar "$JAR" --config "$BCONF/$name.yaml" \
    || FAILED_START="$FAILED_START $name"
}

say "starting servers and proxies: backends [$BACKENDS], paths [$PATHS], upstream $UP_TLS"
for b in $BACKENDS; do for i in $(seq "$INSTANCES"); do start_backend "$b" "$i"; done; done
for b in $BACKENDS; do
  for p in $PATHS; do
    case "$p" in
      direct) ;;
      modproxy) start_modproxy "$b" ;;
      gw-jdk|gw-openssl) start_gateway "${p#gw-}" "$b" ;;
      *) echo "unknown path in BENCH_PATHS: $p" >&2; exit 2 ;;
    esac
  done
done
wait_all
if [ -n "$FAILED_START" ]; then echo "could not start:$FAILED_START" >&2; exit 1; fi

# ------------------------------------------------------------------ paths for the driver
PATHS_JSON="$BWORK/paths.json"
{
  echo "["
  sep=""
  for b in $BACKENDS; do
    for p in $PATHS; do
      case "$p" in
        direct)   port=$(backend_port "$b"); pidf="$BPIDS/bench-$b.pid"; kind=direct; eng=""; lf="$BLOGS/bench-$b.log" ;;
        modproxy) port=$(modproxy_port "$b"); pidf="$BPIDS/modproxy-$b.pid"; kind=modproxy; eng=""; lf="$BLOGS/modproxy-$b.log" ;;
        gw-*)     eng=${p#gw-}; port=$(gw_port "$eng" "$b"); pidf="$BPIDS/gw-$eng-$b.pid"; kind=gateway; lf="$BLOGS/gw-$eng-$b.stdout" ;;
      esac
      mport=""; [ "$kind" = gateway ] && mport=$(gw_metrics_port "$eng" "$b")
      # the server instances behind the path (mod_proxy: the first only), and the pids of the others
      inst=1; [ "$kind" = gateway ] && inst=$INSTANCES
      extra=""; if [ "$kind" = direct ]; then for i in $(seq 2 "$INSTANCES"); do extra="$extra${extra:+, }$(cat "$BPIDS/bench-$b-$i.pid")"; done; fi
      printf '%s  {"name": "%s", "kind": "%s", "engine": "%s", "backend": "%s", "port": %s, "pid": %s, "metrics_port": %s, "log": "%s", "instances": %s, "extra_pids": [%s]}\n' \
        "$sep" "$p-$b" "$kind" "$eng" "$b" "$port" "$(cat "$pidf")" "${mport:-null}" "$lf" "$inst" "$extra"
      sep=","
    done
  done
  echo "]"
} > "$PATHS_JSON"

VERSIONS_JSON="$BWORK/versions.json"
python3 - "$VERSIONS_JSON" <<PY
import json, subprocess, sys
def sh(c):
    try: return subprocess.run(c, shell=True, capture_output=True, text=True, timeout=20).stdout.strip()
    except Exception as e: return f"? ({e})"
v = {
  "date": sh("date -u '+%Y-%m-%d %H:%M UTC'"),
  "kernel": sh("uname -r"),
  "cpu": sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'"),
  "nproc": sh("nproc"),
  "mem": sh("awk '/MemTotal/ {printf \"%.1f GiB\", \$2/1048576}' /proc/meminfo"),
  "os": sh(". /etc/os-release && echo \$PRETTY_NAME"),
  "packages": sh("cat $PKG_DIR/extracted.list $PKG_DIR/bench-extracted.list 2>/dev/null | xargs"),
  "mod_proxy": sh("grep -a -o -m1 'mod_proxy/[0-9][0-9.]*' $PROFTPD_MODULES/mod_proxy.so | head -1"),
  "java": sh("java -version 2>&1 | sed -n 2p"),
  "jar": sh("cd $REPO_ROOT && f=$GATEWAY_JAR; echo \"\$(basename \$f) sha256 \$(sha256sum < $JAR 2>/dev/null | cut -c1-16), built \$(stat -c %y \$f 2>/dev/null | cut -d. -f1)\""),
  "git": sh("cd $REPO_ROOT && git log -1 --format='%h %s' 2>/dev/null | cut -c1-90; git status --porcelain -- gateway/src 2>/dev/null | head -1 | grep -q . && echo '(+ uncommitted changes in gateway/src)'").replace("\n", " "),
  "curl": sh("curl -V | head -1 | cut -d' ' -f1-3"),
  "python": sh("python3 -V"),
  "openssl": sh("openssl version"),
  "java_opts": "$JAVA_OPTS",
  "gw_env": "${BENCH_GW_ENV:-}",
  "upstream_tls": "$UP_TLS",
  "tls_version": "$TLS_VERSION",
  "cipher": "$CIPHER",
  "cipher_tls12": "$PROXY_CIPHERS",
}
json.dump(v, open(sys.argv[1], "w"), indent=1)
PY

CMD="bash gateway/bench/bench.sh"
for k in BENCH_SMOKE BENCH_RUNS BENCH_FILE_MB BENCH_WARMUP_MB BENCH_LAT_N BENCH_LAT_SPACED BENCH_PAR BENCH_IDLE BENCH_SCALE BENCH_SCALE_MODPROXY \
         BENCH_BACKENDS BENCH_PATHS BENCH_UPSTREAM_TLS BENCH_SAME_CIPHER BENCH_VERIFY BENCH_JAVA_OPTS BENCH_GW_ENV; do
  [ -n "${!k:-}" ] && CMD="$k=\"${!k}\" $CMD"
done

say "running ftpbench.py (runs=$RUNS file=${FILE_MB} MiB warmup=${WARMUP_MB} MiB latency=$LAT_N+$LAT_SPACED parallel=[$PAR] idle=$IDLE scale=$SCALE)"
python3 "$BENCH_DIR/ftpbench.py" run \
  --paths "$PATHS_JSON" --versions "$VERSIONS_JSON" --command "$CMD" \
  --user "$BUSER" --password "$BPASS" --home "$BHOME" --ca "$CA" --idle-hold "$IDLE_HOLD" \
  --par-timeout "${BENCH_PAR_TIMEOUT:-60}" --par-ramp-ms "${BENCH_PAR_RAMP_MS:-0}" \
  --runs "$RUNS" --file-mb "$FILE_MB" --warmup-mb "$WARMUP_MB" \
  --lat-n "$LAT_N" --lat-spaced "$LAT_SPACED" --par "$PAR" --idle "$IDLE" --scale "$SCALE" --scale-modproxy "$SCALE_MODPROXY" \
  --speed-seconds "$SPEED_SECONDS" --verify "$VERIFY" --dl-dir "$DL_DIR" \
  --work "$BWORK" --out "$OUT" --json "$BRUN/results.json" --strict "$STRICT" --smoke "$SMOKE" \
  --tls-version "$TLS_VERSION" --cipher "$CIPHER"
rc=$?
say "done in $(( $(date +%s) - T0 )) s, exit $rc; report: $OUT, raw: $BRUN/results.json, logs: $BLOGS"
exit $rc
