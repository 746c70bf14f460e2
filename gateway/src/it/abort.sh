# Sourced by interop.sh (uses its helpers): ABOR orderings with Python's ftplib (issue #16).
# For each of IT_ABORT_SERVERS (default: IT_SERVERS, i.e. vsftpd, ProFTPD and pure-ftpd with TLS 1.2 and 1.3) a
# gateway on index 15 (port 2415, passive 34400-34499, metrics 2465); ftplib-abort.py runs every ordering, for
# RETR (get) and STOR (put), with the client passive and active:
#   close-abor    the client closes its data connection, then sends ABOR (the reported pure-ftpd case)
#   abor-close    ABOR, then the client closes its data connection
#   abor-flowing  ABOR while data flows
#   abor-at-end   ABOR just as the transfer completes (the final reply not read yet)
#   abor-idle     ABOR with no transfer
# ABOR goes as ftplib.abort() sends it (MSG_OOB). Each check: the transfer's one final reply (426, or 226 when it
# had completed), ABOR's own (225/226), then NOOP 200 and file1M downloaded with the right checksum.
# Rows: client "py", mode pasv/active, operation "abor-<get|put>-<ordering>". Skipped with IT_SKIP_ABORT=1 or
# IT_DIRECT=1.

ABORT_INDEX=15
ABORT_ORDERINGS="close-abor abor-close abor-flowing abor-at-end"

abort_op() {  # abort_op MODE DIRECTION ORDERING TAG: one ftplib-abort.py run through the gateway on ABORT_INDEX
  local mode=$1 dir=$2 ordering=$3 tag=$4 rc=0
  local tr="$TR/$tag.py"
  timeout "$IT_MAX_TIME" python3 "$IT_DIR/ftplib-abort.py" 127.0.0.1 "$(gateway_port $ABORT_INDEX)" \
    "$FTP_USER" "$FTP_PASS" "$mode" "$dir" "$ordering" file100M file1M "${SUM[1M]}" "upload/it-$tag.bin" \
    >"$tr" 2>&1 || rc=$?
  cat "$tr"
  rm -f "$FTP_HOME/upload/it-$tag.bin"
  [ $rc = 0 ] || fail "ftplib-abort exit $rc: $(grep -E '^FAIL' "$tr" | tail -1)" || return 1
}

abort_block() {  # abort_block SERVER
  local s=$1 kind tls protos mode dir ordering
  kind=$(server_kind "$s"); tls=$(server_tls "$s")
  if [ "$tls" = tls12 ]; then protos="TLSv1.2"; else protos="TLSv1.2, TLSv1.3"; fi
  BLOCK_FAILS=0
  if ! port_listening "$(server_port "$s")"; then
    record - "$kind" "$tls" - abort FAIL 0 "server $s is not running"
    return
  fi
  if gw_for_server abort "$ABORT_INDEX" "$s" "$protos"; then
    for mode in pasv active; do
      for dir in get put; do
        for ordering in $ABORT_ORDERINGS; do
          check py "$kind" "$tls" "$mode" "abor-$dir-$ordering" -- \
            abort_op "$mode" "$dir" "$ordering" "abort-$s-$mode-$dir-$ordering"
        done
      done
      check py "$kind" "$tls" "$mode" abor-idle -- abort_op "$mode" get abor-idle "abort-$s-$mode-idle"
    done
    gw_stop abort
  fi
  [ "$BLOCK_FAILS" = 0 ] || print_tails "$s" abort
}

if [ "${IT_SKIP_ABORT:-0}" != 1 ] && [ "$DIRECT" != 1 ]; then
  for s in ${IT_ABORT_SERVERS:-$IT_SERVERS}; do
    abort_block "$s"
  done
fi
