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
  local tpl=$1 out=$2 name=$3 tls max protos
  tls=$(server_tls "$name")
  if [ "$tls" = tls12 ]; then max=TLSv1.2; protos="TLSv1.2"; else max=TLSv1.3; protos="TLSv1.2 TLSv1.3"; fi
  sed -e "s|@NAME@|$name|g" -e "s|@PORT@|$(server_port "$name")|g" \
      -e "s|@PASV_MIN@|$(server_pasv_min "$name")|g" -e "s|@PASV_MAX@|$(server_pasv_max "$name")|g" \
      -e "s|@RUN@|$RUN|g" -e "s|@PKI@|$PKI|g" -e "s|@LOGS@|$LOGS|g" -e "s|@PIDS@|$PIDS|g" \
      -e "s|@MODULES@|$PROFTPD_MODULES|g" -e "s|@PAM@|$PAM_SERVICE|g" \
      -e "s|@MAX_PROTOCOL@|$max|g" -e "s|@TLS_PROTOCOLS@|$protos|g" "$tpl" > "$out"
  chmod 644 "$out"
}

server_cmd() {  # prints the command line of server $1
  local name=$1 port lo hi
  port=$(server_port "$name"); lo=$(server_pasv_min "$name"); hi=$(server_pasv_max "$name")
  case "$(server_kind "$name")" in
    vsftpd|vsftpd6)  echo "$VSFTPD $CONF/$name.conf" ;;
    proftpd) echo "$PROFTPD -n -c $CONF/$name.conf" ;;
    pureftpd)
      # -Y 3: TLS mandatory on control AND data; -l unix: /etc/shadow logins; -E: no anonymous;
      # -H: no DNS lookups; -p/-P: passive range/address; -O: transfer log; -g: its pid file
      echo "$PUREFTPD -S 127.0.0.1,$port -l unix -E -H -Y 3 -2 $PKI/server-combined.pem \
-p $lo:$hi -P 127.0.0.1 -c 200 -C 200 -I 600 -O clf:$LOGS/$name.xferlog -g $PIDS/$name.pureftpd.pid" ;;
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
  # shellcheck disable=SC2046
  OPENSSL_CONF="$CONF/$s.openssl.cnf" setsid $(server_cmd "$s") </dev/null >"$LOGS/$s.stdout" 2>&1 &
  pid=$!
  if wait_port "$port" 10; then
    lp=$(listener_pid "$port"); [ -n "$lp" ] && pid=$lp
    echo "$pid" > "$pidf"
    printf '%-15s started          pid %-7s %s:%s  passive %s-%s\n' "$s" "$pid" "$(server_host "$s")" "$port" \
      "$(server_pasv_min "$s")" "$(server_pasv_max "$s")"
  else
    echo "$s: FAILED to start (not listening on $port). Last lines of $LOGS/$s.stdout:" >&2
    tail -n 20 "$LOGS/$s.stdout" >&2
    kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null
    rc=1
  fi
done
exit $rc
