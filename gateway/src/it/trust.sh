# Sourced by interop.sh (uses its check/record/gw_start/curl_op helpers): TLS trust and client-side
# TLS cases of issue #4 against real servers and real clients. Skipped with IT_SKIP_TRUST=1 or IT_DIRECT=1.
#  - upstream pins (vsftpd-tls13): pinSha256 as `openssl x509 -fingerprint -sha256` prints it, with
#    no caFile, on both TLS engines; a pin of another certificate and a wrong serverName give 421.
#  - TLS towards clients (gateway in front of vsftpd-tls13): curl ftps:// (implicit, port 2410) and
#    curl --ssl-reqd (explicit, 2411) trusting the gateway's generated certificate; Python ftplib
#    FTP_TLS (which does not resume the control session on data connections) refused with 522 where
#    requireSessionReuse is on (2411) and served where it is off (2412).
#  - mutual TLS and CCC (an extra ProFTPD, "proftpd-mtls" on 2335, TLSVerifyClient on, TLS 1.2+1.3):
#    refused without a client certificate, transfers with one (PEM, signed by the suite's CA), and
#    with upstream.ccc: true (ProFTPD's TLS log must show the CCC).
#  - implicit FTPS upstream: an extra vsftpd with implicit_ssl=YES ("vsftpd-implicit" on 2324), both engines.
# Gateways: indexes 10-13 (ports 2410-2413, passive 33900-34299, metrics 2460-2463).

MTLS_PORT=2335
MTLS_PASV=32600
IMPLICIT_PORT=2324
IMPLICIT_PASV=32700

trust_gw_config() {  # trust_gw_config FILE INDEX UPSTREAM-PORT EXTRA-UPSTREAM-YAML [LISTENERS-YAML]
  local f=$1 gi=$2 up=$3 extra=$4 listeners=${5:-}
  if [ -z "$listeners" ]; then
    listeners="  - name: ftp
    host: 127.0.0.1
    port: $(gateway_port "$gi")
    passivePorts: $(gateway_pasv_min "$gi")-$(gateway_pasv_max "$gi")
    passiveAddress: 127.0.0.1"
  fi
  cat > "$f" <<YAML
# written by interop.sh (trust.sh)
listeners:
$listeners
upstream:
  host: 127.0.0.1
  port: $up
  tls: explicit
  serverName: 127.0.0.1
$extra
timeouts:
  connectSeconds: 10
metrics:
  host: 127.0.0.1
  port: $(gateway_metrics "$gi")
YAML
}

trust_get() {  # trust_get PORT TAG: plain curl through a gateway, 1M download with checksum
  TARGET_PORT=$1 curl_op epsv get-1M "$2"
}
trust_put() {
  TARGET_PORT=$1 curl_op epsv put-1M "$2"
}

# curl with TLS towards the gateway: trust only the gateway's generated certificate
client_tls_curl() {  # client_tls_curl URL TAG [curl options...]
  local url=$1 tag=$2 rc=0; shift 2
  rm -f "$TR/$tag.dl"
  curl -sS -v --connect-timeout 10 --max-time "$IT_MAX_TIME" -u "$FTP_USER:$FTP_PASS" --ftp-pasv \
    --cacert "$WORK/gwcert/gateway-cert.pem" "$@" "$url/file1M" -o "$TR/$tag.dl" 2>"$TR/$tag.err" || rc=$?
  cat "$TR/$tag.err"
  [ $rc = 0 ] || fail "curl exit $rc: $(grep '^curl: ' "$TR/$tag.err" | tail -1)" || return 1
  grep -qE '^\* (SSL connection using|TLS)' "$TR/$tag.err" || fail "curl did not speak TLS to the gateway" || return 1
  verify_file "$TR/$tag.dl" 1M "download over TLS from the gateway" || return 1
  rm -f "$TR/$tag.dl"
  rm -f "$FTP_HOME/upload/it-$tag.bin"
  rc=0
  curl -sS --connect-timeout 10 --max-time "$IT_MAX_TIME" -u "$FTP_USER:$FTP_PASS" --ftp-pasv \
    --cacert "$WORK/gwcert/gateway-cert.pem" "$@" -T "$DATA/file1M" "$url/upload/it-$tag.bin" || rc=$?
  [ $rc = 0 ] || fail "upload: curl exit $rc" || return 1
  verify_file "$FTP_HOME/upload/it-$tag.bin" 1M "upload over TLS through the gateway" || return 1
  rm -f "$FTP_HOME/upload/it-$tag.bin"
}

# Python's ftplib FTP_TLS does not resume the control connection's TLS session on data connections
ftplib_tls() {  # ftplib_tls PORT EXPECT(ok|522)
  python3 - "$1" "$2" "$FTP_USER" "$FTP_PASS" "$WORK/gwcert/gateway-cert.pem" "${SUM[1M]}" <<'PY'
import ftplib, hashlib, ssl, sys
port, expect, user, password, ca, want = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
ctx = ssl.create_default_context(cafile=ca)
ftp = ftplib.FTP_TLS(context=ctx, timeout=30)
ftp.connect("127.0.0.1", int(port))
ftp.login(user, password)
ftp.prot_p()
h = hashlib.sha256()
try:
    ftp.retrbinary("RETR file1M", h.update)
    got = "ok"
except ftplib.error_perm as e:
    got = str(e)[:3]
    print("INFO: RETR refused: %s" % e)
if got == "ok" and h.hexdigest() != want:
    print("FAIL: sha256 mismatch"); sys.exit(1)
ftp.voidcmd("NOOP")  # the session stays usable either way
ftp.quit()
if got != expect:
    print("FAIL: expected %s, got %s" % (expect, got)); sys.exit(1)
print("INFO: ftplib FTP_TLS: %s as expected" % got)
PY
}

mtls_pki() {  # a client certificate signed by the suite's CA (the server trusts that CA)
  lab_cert_ok "$PKI" client && return 0
  lab_cert "$PKI" client "/O=ftpgw-it/CN=ftps-gateway-client" 30 \
    "extendedKeyUsage=clientAuth
keyUsage=digitalSignature,keyEncipherment" || return 1
  echo "INFO: client certificate $(openssl x509 -noout -subject -in "$PKI/client.crt")"
}

mtls_start() {  # ProFTPD requiring a client certificate; TLS needed for login and data, CCC allowed
  local name=proftpd-mtls conf="$CONF/proftpd-mtls.conf" pidf="$PIDS/server-proftpd-mtls.pid"
  stop_pidfile "$pidf"
  lab_server_vars "$name" "$MTLS_PORT" "$MTLS_PASV" "$((MTLS_PASV + 99))" tls13
  lab_render "$IT_DIR/conf/proftpd.conf.in" "$conf" "${LAB_VARS[@]}"
  sed -i -e "s|TLSVerifyClient           off|TLSVerifyClient           on|" \
      -e "s|TLSRequired               on|TLSRequired               auth+data|" "$conf"
  grep -q 'TLSVerifyClient           on' "$conf" || fail "could not render $conf" || return 1
  rm -f "$LOGS/$name".*
  lab_proftpd_cmd "$conf"
  lab_launch "$pidf" "$LOGS/$name.stdout" "${LAB_CMD[@]}"
  lab_wait "$pidf" "$MTLS_PORT" 10 || { tail -5 "$LOGS/$name.stdout"; fail "proftpd-mtls not listening"; return 1; }
  echo "INFO: proftpd-mtls on 127.0.0.1:$MTLS_PORT (TLSVerifyClient on)"
}

implicit_start() {  # vsftpd with implicit_ssl=YES: TLS from the first byte (the FTPS of port 990)
  local name=vsftpd-implicit conf="$CONF/vsftpd-implicit.conf" pidf="$PIDS/server-vsftpd-implicit.pid"
  stop_pidfile "$pidf"
  lab_server_vars "$name" "$IMPLICIT_PORT" "$IMPLICIT_PASV" "$((IMPLICIT_PASV + 99))" tls13
  lab_render "$IT_DIR/conf/vsftpd.conf.in" "$conf" "${LAB_VARS[@]}"
  echo "implicit_ssl=YES" >> "$conf"
  lab_render "$IT_DIR/conf/openssl-server.cnf.in" "$CONF/$name.openssl.cnf" "${LAB_VARS[@]}"
  rm -f "$LOGS/$name".*
  lab_vsftpd_cmd "$conf"
  OPENSSL_CONF="$CONF/$name.openssl.cnf" lab_launch "$pidf" "$LOGS/$name.stdout" "${LAB_CMD[@]}"
  lab_wait "$pidf" "$IMPLICIT_PORT" 10 || { tail -5 "$LOGS/$name.stdout"; fail "vsftpd-implicit not listening"; return 1; }
  echo "INFO: vsftpd-implicit on 127.0.0.1:$IMPLICIT_PORT (implicit_ssl=YES)"
}

ccc_seen() {  # the gateway cleared the control channel and ProFTPD logged the CCC
  grep -q 'control channel in clear after CCC' "$LOGS/gateway-mtls-ccc.log" \
    || fail "no CCC line in the gateway log" || return 1
  grep -qiE 'CCC' "$LOGS/proftpd-mtls.tlslog" "$LOGS/proftpd-mtls.log" 2>/dev/null \
    || fail "ProFTPD did not log a CCC" || return 1
  echo "INFO: CCC done: $(grep -ihE 'CCC' "$LOGS/proftpd-mtls.tlslog" "$LOGS/proftpd-mtls.log" | tail -1 | cut -c1-120)"
}

if [ "${IT_SKIP_TRUST:-0}" != 1 ] && [ "$DIRECT" != 1 ]; then
  BLOCK_FAILS=0
  s=vsftpd-tls13; kind=vsftpd; tls=tls13; sport=$(server_port "$s")
  if ! port_listening "$sport"; then
    record - "$kind" "$tls" - trust FAIL 0 "server $s is not running"
  else
    pin=$(openssl x509 -noout -fingerprint -sha256 -in "$PKI/server.crt")
    rogue_pin=$(openssl x509 -noout -fingerprint -sha256 -in "$PKI/rogue.crt")
    for engine in openssl jdk; do
      cfg="$CONF/gateway-pin-$engine.yaml"
      trust_gw_config "$cfg" 10 "$sport" "  sslEngine: $engine
  pinSha256: [\"$pin\"]"
      check gw "$kind" "$tls" - "gw-start-pin-$engine" -- gw_start "pin-$engine" "$cfg" "$(gateway_port 10)"
      if [ "${R_RES[-1]}" = PASS ]; then
        check curl "$kind" "$tls" epsv "pin-match-get-$engine" -- trust_get "$(gateway_port 10)" "pin-$engine-get"
        check curl "$kind" "$tls" epsv "pin-match-put-$engine" -- trust_put "$(gateway_port 10)" "pin-$engine-put"
        gw_stop "pin-$engine"
      fi
    done
    cfg="$CONF/gateway-pin-mismatch.yaml"
    trust_gw_config "$cfg" 10 "$sport" "  pinSha256: [\"$rogue_pin\"]"
    check gw "$kind" "$tls" - gw-start-pin-mismatch -- gw_start pin-mismatch "$cfg" "$(gateway_port 10)"
    if [ "${R_RES[-1]}" = PASS ]; then
      check curl "$kind" "$tls" - pin-mismatch-421 -- neg_login_refused "$(gateway_port 10)"
      gw_stop pin-mismatch
    fi
    cfg="$CONF/gateway-wrong-name.yaml"
    trust_gw_config "$cfg" 10 "$sport" "  caFile: $CA
  serverName: ftps.wrong.example"
    check gw "$kind" "$tls" - gw-start-wrong-name -- gw_start wrong-name "$cfg" "$(gateway_port 10)"
    if [ "${R_RES[-1]}" = PASS ]; then
      check curl "$kind" "$tls" - wrong-name-421 -- neg_login_refused "$(gateway_port 10)"
      gw_stop wrong-name
    fi

    # TLS towards clients: implicit, explicit with session reuse required, explicit without
    rm -rf "$WORK/gwcert"
    cfg="$CONF/gateway-client-tls.yaml"
    trust_gw_config "$cfg" 11 "$sport" "  caFile: $CA" "  - name: implicit
    host: 127.0.0.1
    port: 2410
    tls: implicit
    passivePorts: 33900-33999
    generatedCertDir: $WORK/gwcert
  - name: explicit
    host: 127.0.0.1
    port: 2411
    tls: explicit
    requireTls: true
    passivePorts: 34000-34099
    generatedCertDir: $WORK/gwcert
  - name: noreuse
    host: 127.0.0.1
    port: 2412
    tls: explicit
    requireSessionReuse: false
    passivePorts: 34100-34199
    generatedCertDir: $WORK/gwcert"
    check gw "$kind" "$tls" - gw-start-client-tls -- gw_start client-tls "$cfg" 2412
    if [ "${R_RES[-1]}" = PASS ]; then
      check curl "$kind" "$tls" epsv client-implicit -- client_tls_curl "ftps://127.0.0.1:2410" implicit
      check curl "$kind" "$tls" epsv client-explicit -- client_tls_curl "ftp://127.0.0.1:2411" explicit --ssl-reqd
      check ftplib "$kind" "$tls" epsv reuse-required-522 -- ftplib_tls 2411 522
      check ftplib "$kind" "$tls" epsv reuse-optional-ok -- ftplib_tls 2412 ok
      gw_stop client-tls
    fi
  fi

  # implicit FTPS upstream (vsftpd implicit_ssl=YES), both engines
  kind=vsftpd; tls=tls13
  check srv "$kind" "$tls" - implicit-server-start -- implicit_start
  if [ "${R_RES[-1]}" = PASS ]; then
    for engine in openssl jdk; do
      cfg="$CONF/gateway-implicit-$engine.yaml"
      trust_gw_config "$cfg" 10 "$IMPLICIT_PORT" "  caFile: $CA
  sslEngine: $engine"
      sed -i 's/^  tls: explicit$/  tls: implicit/' "$cfg"
      check gw "$kind" "$tls" - "gw-start-implicit-$engine" -- gw_start "implicit-$engine" "$cfg" "$(gateway_port 10)"
      if [ "${R_RES[-1]}" = PASS ]; then
        check curl "$kind" "$tls" epsv "implicit-get-$engine" -- trust_get "$(gateway_port 10)" "implicit-$engine-get"
        check curl "$kind" "$tls" epsv "implicit-put-$engine" -- trust_put "$(gateway_port 10)" "implicit-$engine-put"
        check log "$kind" "$tls" - "implicit-reused-$engine" -- vsftpd_reuse_check "$LOGS/vsftpd-implicit.log" 0
        gw_stop "implicit-$engine"
      fi
    done
    stop_pidfile "$PIDS/server-vsftpd-implicit.pid"
  fi

  # mutual TLS and CCC against ProFTPD
  kind=proftpd; tls=tls13
  check gw "$kind" "$tls" - mtls-pki -- mtls_pki
  check srv "$kind" "$tls" - mtls-server-start -- mtls_start
  if [ "${R_RES[-1]}" = PASS ]; then
    cfg="$CONF/gateway-mtls-none.yaml"
    trust_gw_config "$cfg" 12 "$MTLS_PORT" "  caFile: $CA"
    check gw "$kind" "$tls" - gw-start-mtls-none -- gw_start mtls-none "$cfg" "$(gateway_port 12)"
    if [ "${R_RES[-1]}" = PASS ]; then
      check curl "$kind" "$tls" - mtls-no-cert-421 -- neg_login_refused "$(gateway_port 12)"
      gw_stop mtls-none
    fi
    for engine in openssl jdk; do
      cfg="$CONF/gateway-mtls-$engine.yaml"
      trust_gw_config "$cfg" 12 "$MTLS_PORT" "  caFile: $CA
  sslEngine: $engine
  clientCertFile: $PKI/client.crt
  clientKeyFile: $PKI/client.key"
      check gw "$kind" "$tls" - "gw-start-mtls-$engine" -- gw_start "mtls-$engine" "$cfg" "$(gateway_port 12)"
      if [ "${R_RES[-1]}" = PASS ]; then
        check curl "$kind" "$tls" epsv "mtls-get-$engine" -- trust_get "$(gateway_port 12)" "mtls-$engine-get"
        check curl "$kind" "$tls" epsv "mtls-put-$engine" -- trust_put "$(gateway_port 12)" "mtls-$engine-put"
        gw_stop "mtls-$engine"
      fi
    done
    cfg="$CONF/gateway-mtls-ccc.yaml"
    trust_gw_config "$cfg" 13 "$MTLS_PORT" "  caFile: $CA
  clientCertFile: $PKI/client.crt
  clientKeyFile: $PKI/client.key
  ccc: true"
    check gw "$kind" "$tls" - gw-start-ccc -- gw_start mtls-ccc "$cfg" "$(gateway_port 13)"
    if [ "${R_RES[-1]}" = PASS ]; then
      check curl "$kind" "$tls" epsv ccc-get -- trust_get "$(gateway_port 13)" ccc-get
      check curl "$kind" "$tls" epsv ccc-put -- trust_put "$(gateway_port 13)" ccc-put
      check log "$kind" "$tls" - ccc-logged -- ccc_seen
      gw_stop mtls-ccc
    fi
    stop_pidfile "$PIDS/server-proftpd-mtls.pid"
  fi
  [ "$BLOCK_FAILS" = 0 ] || print_tails vsftpd-tls13
fi
