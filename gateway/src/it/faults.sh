# Sourced by interop.sh (uses its helpers): real servers killed with signals under the gateway (issue #8).
# vsftpd-tls13 behind a gateway (index 14: port 2414, passive 34300-34399, metrics 2464); the client is curl
# with --limit-rate so the transfer is still running when the server's session processes get SIGKILL:
#  - download cut: curl must fail (no complete file, no 226), the gateway answers 426/421, and a new session
#    downloads file1M with the right checksum afterwards
#  - upload cut: curl must fail, the partial file is not reported as stored (no 226)
#  - server down and back: with vsftpd stopped a new session gets 421; restarted, sessions work again
# Skipped with IT_SKIP_FAULTS=1 or IT_DIRECT=1.

FAULT_INDEX=14

vsftpd_sessions() {  # pids of vsftpd's per-session processes (all descendants of the listener) on server $1
  local lp todo next p
  lp=$(cat "$PIDS/server-$1.pid" 2>/dev/null) || return 0
  todo=$(pgrep -P "$lp" 2>/dev/null || true)
  while [ -n "$todo" ]; do
    next=""
    for p in $todo; do
      echo "$p"
      next="$next $(pgrep -P "$p" 2>/dev/null || true)"
    done
    todo=$(echo $next)
  done
}

fault_transfer_killed() {  # fault_transfer_killed SERVER get|put TAG
  local s=$1 op=$2 tag=$3 rc=0 pid killed=0 i
  local tr="$TR/$tag.err" url="ftp://127.0.0.1:$(gateway_port $FAULT_INDEX)"
  rm -f "$TR/$tag.dl" "$FTP_HOME/upload/it-$tag.bin"
  local -a c=(curl -sS -v --connect-timeout 10 --max-time 60 --limit-rate 2M -u "$FTP_USER:$FTP_PASS" --ftp-pasv)
  if [ "$op" = get ]; then
    "${c[@]}" "$url/file100M" -o "$TR/$tag.dl" 2>"$tr" &
  else
    "${c[@]}" -T "$DATA/file100M" "$url/upload/it-$tag.bin" 2>"$tr" &
  fi
  pid=$!
  for i in $(seq 1 50); do   # wait until data flows (150 seen), then kill the server's session processes
    grep -qE '^< 150' "$tr" 2>/dev/null && break
    sleep 0.1
  done
  sleep 1
  for p in $(vsftpd_sessions "$s"); do kill -KILL "$p" 2>/dev/null && killed=$((killed + 1)); done
  wait "$pid" || rc=$?
  cat "$tr" | grep -E '^(< [0-9]{3}|curl: )' | tail -5
  [ "$killed" -gt 0 ] || fail "no vsftpd session process to kill" || return 1
  [ $rc != 0 ] || fail "curl reported success although the server was killed mid-transfer" || return 1
  ! grep -qE '^< 226' "$tr" || fail "the client got 226 for a transfer the server never finished" || return 1
  # curl stops reading the control connection once the data connection broke, so the gateway's 426/421 is
  # checked in its audit log: the transfer is recorded as failed, never as ok
  sleep 0.5
  grep -E "audit: transfer .*path=(file100M|it-$tag.bin) .*outcome=failed" "$LOGS/gateway-faults.log" | tail -1 | grep -q . \
    || fail "the gateway did not log the cut $op as a failed transfer" || return 1
  ! grep -qE "audit: transfer .*path=(file100M|it-$tag.bin) .*outcome=ok" "$LOGS/gateway-faults.log" \
    || fail "the gateway logged the cut $op as ok" || return 1
  if [ "$op" = get ] && [ -f "$TR/$tag.dl" ]; then
    [ "$(stat -c %s "$TR/$tag.dl")" -lt 104857600 ] || fail "the whole file arrived" || return 1
  fi
  echo "INFO: killed $killed vsftpd session processes mid-$op; gateway: $(grep -E "audit: transfer .*path=(file100M|it-$tag.bin)" "$LOGS/gateway-faults.log" | tail -1 | grep -oE 'bytes=[0-9]+|reason=.*' | tr '\n' ' ' | cut -c1-120) (curl exit $rc)"
  rm -f "$TR/$tag.dl" "$FTP_HOME/upload/it-$tag.bin"
}

fault_server_down() {  # fault_server_down SERVER: stopped -> 421; started again -> works
  local s=$1 rc=0
  stop_pidfile "$PIDS/server-$s.pid"
  ! port_listening "$(server_port "$s")" || fail "could not stop $s" || return 1
  curl -sS -v --connect-timeout 10 --max-time 30 -u "$FTP_USER:$FTP_PASS" \
    "ftp://127.0.0.1:$(gateway_port $FAULT_INDEX)/file1M" -o /dev/null 2>"$TR/fault-down.err" || rc=$?
  grep -qE '^< 421' "$TR/fault-down.err" || fail "no 421 with the server down (curl exit $rc)" || return 1
  echo "INFO: server down: $(grep -E '^< 421' "$TR/fault-down.err" | head -1 | cut -c3-100)"
  bash "$IT_DIR/start-servers.sh" "$s" >/dev/null || fail "could not restart $s" || return 1
  TARGET_PORT=$(gateway_port $FAULT_INDEX) curl_op epsv get-1M fault-after-restart || return 1
  echo "INFO: after the restart a new session downloads file1M intact"
}

if [ "${IT_SKIP_FAULTS:-0}" != 1 ] && [ "$DIRECT" != 1 ]; then
  BLOCK_FAILS=0
  s=vsftpd-tls13; kind=vsftpd; tls=tls13
  if ! port_listening "$(server_port "$s")"; then
    record - "$kind" "$tls" - faults FAIL 0 "server $s is not running"
  else
    if gw_for_server faults "$FAULT_INDEX" "$s" "TLSv1.2, TLSv1.3"; then
      check curl "$kind" "$tls" epsv fault-kill-get -- fault_transfer_killed "$s" get fault-get
      TARGET_PORT=$(gateway_port $FAULT_INDEX)
      check curl "$kind" "$tls" epsv fault-get-after-kill -- curl_op epsv get-1M fault-get-after
      check curl "$kind" "$tls" epsv fault-kill-put -- fault_transfer_killed "$s" put fault-put
      check curl "$kind" "$tls" epsv fault-server-restart -- fault_server_down "$s"
      gw_stop faults
    fi
  fi
  [ "$BLOCK_FAILS" = 0 ] || print_tails "$s" faults
fi
