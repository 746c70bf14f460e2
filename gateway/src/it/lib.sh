# Shared settings + helpers of the ftps-gateway interop suite. Sourced by the other scripts.
# Everything binds to and talks to 127.0.0.1 only.
# shellcheck shell=bash

IT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$IT_DIR/../../.." && pwd)"

# Unpacked Debian server packages (vsftpd, proftpd-core + proftpd-mod-crypto, pure-ftpd).
# NOT installed with dpkg: the three packages Conflict/Provide ftp-server.
PKG_DIR="${FTPGW_IT_PKG_DIR:-/opt/ftpgw-it}"
ROOT="$PKG_DIR/root"
# Run dir: PKI, test data, rendered configs, pid files, logs, client downloads, results.
RUN="${FTPGW_IT_RUN:-/tmp/ftpgw-it}"
PKI="$RUN/pki"
CONF="$RUN/conf"
PIDS="$RUN/run"
LOGS="$RUN/log"
DATA="$RUN/data"
WORK="$RUN/work"

FTP_USER="${FTPGW_IT_USER:-ftpgwit}"
FTP_PASS="${FTPGW_IT_PASS:-ftpgwit-pass}"
FTP_HOME="/home/$FTP_USER"
PAM_SERVICE="ftpgw-it"

VSFTPD="$ROOT/usr/sbin/vsftpd"
PROFTPD="$ROOT/usr/sbin/proftpd"
PUREFTPD="$ROOT/usr/sbin/pure-ftpd"
PROFTPD_MODULES="$ROOT/usr/lib/proftpd"

# Upstream FTPS servers: name = <server>-<tls variant>.
#   tls12: the server offers TLS 1.2 only      tls13: TLS 1.2 and 1.3 allowed
# Ports 2321-2399 / passive 32000-32999 (the shared lab uses 2100-2124, 2990, 30000-30999;
# another gateway instance on this machine uses 2221-2222 / 31000-31099).
SERVERS="vsftpd-tls12 vsftpd-tls13 proftpd-tls12 proftpd-tls13 pureftpd-tls12 pureftpd-tls13"
# The IPv6 upstream of the data-modes block: vsftpd on [::1] (not part of the main matrix).
IPV6_SERVER="vsftpd6-tls13"

server_port() {
  case "$1" in
    vsftpd-tls12)   echo 2321 ;;
    vsftpd-tls13)   echo 2322 ;;
    proftpd-tls12)  echo 2331 ;;
    proftpd-tls13)  echo 2332 ;;
    pureftpd-tls12) echo 2341 ;;
    pureftpd-tls13) echo 2342 ;;
    vsftpd6-tls13)  echo 2323 ;;
    *) return 1 ;;
  esac
}
server_pasv_min() {
  case "$1" in
    vsftpd-tls12)   echo 32000 ;;
    vsftpd-tls13)   echo 32100 ;;
    proftpd-tls12)  echo 32200 ;;
    proftpd-tls13)  echo 32300 ;;
    pureftpd-tls12) echo 32400 ;;
    pureftpd-tls13) echo 32500 ;;
    vsftpd6-tls13)  echo 32600 ;;
    *) return 1 ;;
  esac
}
server_pasv_max() { echo $(( $(server_pasv_min "$1") + 99 )); }
server_kind() { echo "${1%-tls1*}"; }      # vsftpd | proftpd | pureftpd | vsftpd6
server_host() { case "$1" in vsftpd6-*) echo ::1 ;; *) echo 127.0.0.1 ;; esac; }
server_tls()  { echo "${1##*-}"; }         # tls12 | tls13

# True if something listens on TCP port $1 (any local address)
port_listening() {
  ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}
# pid that owns the listening socket on port $1
listener_pid() {
  ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2
}
pid_alive() {  # pid_alive PIDFILE
  [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}
# Stop the process recorded in PIDFILE; if it leads its own process group (started with
# setsid), signal the whole group (its session children). TERM, wait up to 5 s, then KILL.
# Never kills anything by name.
stop_pidfile() {  # stop_pidfile PIDFILE
  local pidf=$1 pid pgid target
  [ -s "$pidf" ] || return 0
  pid=$(cat "$pidf")
  if ! kill -0 "$pid" 2>/dev/null; then rm -f "$pidf"; return 0; fi
  pgid=$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ')
  if [ "$pgid" = "$pid" ]; then target="-$pid"; else target="$pid"; fi
  kill -TERM -- "$target" 2>/dev/null
  local _
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL -- "$target" 2>/dev/null; sleep 0.2; fi
  # leftover session children of that group (e.g. vsftpd sessions) after TERM
  if [ "$target" = "-$pid" ] && pgrep -g "$pid" >/dev/null 2>&1; then kill -KILL -- "-$pid" 2>/dev/null; fi
  rm -f "$pidf"
  return 0
}

# Gateways under test: one per upstream, index 1-6 in $SERVERS order; 9 = the rogue-CA gateway.
#   listener 127.0.0.1:240<i>, passive 33000+(i-1)*100 .. +99, metrics 127.0.0.1:245<i>
ROGUE_INDEX=9
gateway_index() {
  local i=1 s
  [ "$1" = rogue ] && { echo $ROGUE_INDEX; return 0; }
  for s in $SERVERS; do [ "$s" = "$1" ] && { echo $i; return 0; }; i=$((i + 1)); done
  return 1
}
gateway_port()      { echo $((2400 + $1)); }            # gateway_port INDEX
gateway_pasv_min()  { echo $((33000 + ($1 - 1) * 100)); }
gateway_pasv_max()  { echo $((33000 + ($1 - 1) * 100 + 99)); }
gateway_metrics()   { echo $((2450 + $1)); }

# render a template, start and wait with a pid file, certificates, server command lines
. "$IT_DIR/labparts.sh"
