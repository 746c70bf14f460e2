#!/usr/bin/env bash
# Start the upstream FTPS servers of the interop suite on 127.0.0.1 (idempotent: running
# ones are left alone). Each runs under setsid (own process group) and its pid is recorded
# in $RUN/run/server-NAME.pid; stop-servers.sh signals only those.
# Usage: start-servers.sh [name ...]   (default: all of $SERVERS from lib.sh)
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ "$(id -u)" != 0 ]; then echo "start-servers.sh must run as root" >&2; exit 1; fi
if ! [ -x "$VSFTPD" ] || ! [ -x "$PROFTPD" ] || ! [ -x "$PUREFTPD" ] || ! [ -s "$PKI/server.crt" ] \
   || ! id "$FTP_USER" >/dev/null 2>&1; then
  echo "not installed (missing server binaries under $ROOT, $PKI/server.crt or user $FTP_USER): run install-servers.sh first" >&2
  exit 1
fi
mkdir -p "$CONF" "$PIDS" "$LOGS" "$RUN/empty"
chown root:root "$RUN/empty"; chmod 555 "$RUN/empty"

render() {  # render TEMPLATE OUT NAME
  local name=$3
  lab_server_vars "$name" "$(server_port "$name")" "$(server_pasv_min "$name")" "$(server_pasv_max "$name")" \
    "$(server_tls "$name")"
  lab_render "$1" "$2" "${LAB_VARS[@]}"
}

server_cmd() {  # the command line of server $1 into LAB_CMD
  local name=$1
  case "$(server_kind "$name")" in
    vsftpd|vsftpd6) lab_vsftpd_cmd "$CONF/$name.conf" ;;
    proftpd) lab_proftpd_cmd "$CONF/$name.conf" ;;
    pureftpd) lab_pureftpd_cmd "$(server_port "$name")" 200 "$(server_pasv_min "$name"):$(server_pasv_max "$name")" \
      "$LOGS/$name.xferlog" "$PIDS/$name.pureftpd.pid" ;;
  esac
}

rc=0
targets="${*:-$SERVERS}"
for s in $targets; do
  if ! port=$(server_port "$s"); then echo "unknown server $s (known: $SERVERS)" >&2; rc=1; continue; fi
  pidf="$PIDS/server-$s.pid"
  if pid_alive "$pidf" && port_listening "$port"; then
    printf '%-15s already running  pid %-7s %s:%s\n' "$s" "$(cat "$pidf")" "$(server_host "$s")" "$port"
    continue
  fi
  if port_listening "$port"; then
    echo "$s: port $port is already taken by another process (pid $(listener_pid "$port")); not starting" >&2
    rc=1; continue
  fi
  render "$IT_DIR/conf/openssl-server.cnf.in" "$CONF/$s.openssl.cnf" "$s"
  case "$(server_kind "$s")" in
    vsftpd)  render "$IT_DIR/conf/vsftpd.conf.in"  "$CONF/$s.conf" "$s" ;;
    vsftpd6)
      # the same vsftpd rules, on [::1] only (vsftpd: one listener, either IPv4 or IPv6)
      render "$IT_DIR/conf/vsftpd.conf.in"  "$CONF/$s.conf" "$s"
      sed -i -e 's/^listen=YES$/listen=NO/' -e 's/^listen_ipv6=NO$/listen_ipv6=YES/' \
        -e 's/^listen_address=127\.0\.0\.1$/listen_address6=::1/' "$CONF/$s.conf" ;;
    proftpd) render "$IT_DIR/conf/proftpd.conf.in" "$CONF/$s.conf" "$s" ;;
  esac
  # fresh logs for every start (interop.sh reads them)
  rm -f "$LOGS/$s".*
  mkdir -p /var/run/pure-ftpd
  server_cmd "$s"
  OPENSSL_CONF="$CONF/$s.openssl.cnf" lab_launch "$pidf" "$LOGS/$s.stdout" "${LAB_CMD[@]}"
  if lab_wait "$pidf" "$port" 10; then
    printf '%-15s started          pid %-7s %s:%s  passive %s-%s\n' "$s" "$(cat "$pidf")" "$(server_host "$s")" "$port" \
      "$(server_pasv_min "$s")" "$(server_pasv_max "$s")"
  else
    echo "$s: FAILED to start (not listening on $port). Last lines of $LOGS/$s.stdout:" >&2
    tail -n 20 "$LOGS/$s.stdout" >&2
    stop_pidfile "$pidf"
    rc=1
  fi
done
exit $rc
