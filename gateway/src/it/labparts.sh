# The lab parts shared by the interop suite (gateway/src/it/), the benchmark and the soak (gateway/bench/):
# rendering a config template, starting a process in the background and waiting for its port with a pid file,
# test certificates, and the servers' command lines. Sourced by lib.sh (so every script that sources lib.sh has
# them); uses lib.sh's paths, port_listening, listener_pid and stop_pidfile.
# shellcheck shell=bash

# ------------------------------------------------------------------ templates
# lab_render TEMPLATE OUT [KEY=VALUE ...]: OUT is TEMPLATE with every @KEY@ replaced by VALUE (mode 644).
# A later KEY=VALUE overrides an earlier one of the same KEY, so a caller can append its own LOGS=... to
# the standard set of lab_server_vars. Values must not contain '|' (the sed delimiter).
lab_render() {
  local tpl=$1 out=$2 kv k
  shift 2
  local -A val=()
  local -a expr=()
  for kv in "$@"; do val[${kv%%=*}]=${kv#*=}; done
  for k in "${!val[@]}"; do expr+=(-e "s|@$k@|${val[$k]}|g"); done
  sed "${expr[@]}" "$tpl" > "$out" && chmod 644 "$out"
}

# lab_server_vars NAME PORT PASVMIN PASVMAX TLS: the KEY=VALUE set of the server templates (conf/*.in) in the
# array LAB_VARS. TLS: tls12 = TLS 1.2 only, tls13 = TLS 1.2 and 1.3. Paths from lib.sh ($RUN $PKI $LOGS $PIDS).
lab_server_vars() {
  local max protos
  if [ "$5" = tls12 ]; then max=TLSv1.2; protos="TLSv1.2"; else max=TLSv1.3; protos="TLSv1.2 TLSv1.3"; fi
  LAB_VARS=(NAME="$1" PORT="$2" PASV_MIN="$3" PASV_MAX="$4" RUN="$RUN" PKI="$PKI" LOGS="$LOGS" PIDS="$PIDS"
    MODULES="$PROFTPD_MODULES" PAM="$PAM_SERVICE" MAX_PROTOCOL="$max" TLS_PROTOCOLS="$protos")
}

# ------------------------------------------------------------------ start in the background, wait for the port
# lab_launch PIDFILE LOG CMD...: CMD in its own process group (setsid, so stop_pidfile can signal its session
# children too), stdin /dev/null, stdout+stderr into LOG, its pid into PIDFILE. Environment for CMD: prefix
# the call (OPENSSL_CONF=... lab_launch ...).
lab_launch() {
  local pidf=$1 log=$2
  shift 2
  setsid "$@" </dev/null >"$log" 2>&1 &
  echo $! > "$pidf"
  disown $!   # no "Killed" job notice when stop_pidfile has to SIGKILL it
}

# lab_wait PIDFILE PORT SECONDS: poll until something listens on PORT (0) or the process of PIDFILE has exited
# or SECONDS passed (1). On success PIDFILE holds the listener's pid (the server, the ProFTPD master, the JVM)
# and LAB_WAITED_MS how long it took.
lab_wait() {
  local pidf=$1 port=$2 secs=$3 i lp t0
  t0=$(date +%s%3N)
  for ((i = 0; i < secs * 10; i++)); do
    port_listening "$port" && break
    kill -0 "$(cat "$pidf")" 2>/dev/null || break
    sleep 0.1
  done
  LAB_WAITED_MS=$(( $(date +%s%3N) - t0 ))
  port_listening "$port" || return 1
  lp=$(listener_pid "$port")
  if [ -n "$lp" ] && kill -0 "$lp" 2>/dev/null; then echo "$lp" > "$pidf"; fi
  return 0
}

# lab_port_free NAME PORT: 0 if nothing listens on PORT, else one line on stderr and 1
lab_port_free() {
  port_listening "$2" || return 0
  echo "$1: port $2 is already taken (pid $(listener_pid "$2")); not starting" >&2
  return 1
}

# ------------------------------------------------------------------ test certificates (openssl, RSA 2048, SHA-256)
# lab_ca DIR SUBJECT: a self-signed CA, DIR/ca.key + DIR/ca.crt, 10 years
lab_ca() {
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj "$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$1/ca.key" -out "$1/ca.crt" 2>/dev/null
}
# lab_cert DIR NAME SUBJECT DAYS EXTENSIONS: DIR/NAME.key + DIR/NAME.crt issued by DIR/ca; EXTENSIONS is the
# text of an openssl extension file (one KEY=VALUE a line)
lab_cert() {
  local dir=$1 name=$2
  openssl req -newkey rsa:2048 -nodes -sha256 -subj "$3" -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null \
    || return 1
  printf '%s\n' "$5" > "$dir/$name.ext"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days "$4" \
    -sha256 -extfile "$dir/$name.ext" -out "$dir/$name.crt" 2>/dev/null || return 1
  chmod 600 "$dir/$name.key"
  chmod 644 "$dir/$name.crt"
}
# lab_server_cert DIR ORG: the servers' certificate DIR/server.{key,crt} for 127.0.0.1, ::1 and localhost
lab_server_cert() {
  lab_cert "$1" server "/O=$2/CN=127.0.0.1" 825 "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost"
}
# lab_cert_ok DIR NAME: DIR/NAME.crt is issued by DIR/ca.crt and valid for one more day
lab_cert_ok() {
  [ -s "$1/$2.crt" ] && openssl verify -CAfile "$1/ca.crt" "$1/$2.crt" >/dev/null 2>&1 \
    && openssl x509 -in "$1/$2.crt" -checkend 86400 -noout >/dev/null 2>&1
}

# ------------------------------------------------------------------ server command lines (into the array LAB_CMD)
lab_vsftpd_cmd()  { LAB_CMD=("$VSFTPD" "$1"); }            # lab_vsftpd_cmd CONF
lab_proftpd_cmd() { LAB_CMD=("$PROFTPD" -n -c "$1"); }     # lab_proftpd_cmd CONF (-n: stays in the foreground)
# lab_pureftpd_cmd PORT MAXUSERS PASVRANGE XFERLOG PIDFILE: pure-ftpd on 127.0.0.1:PORT (it has no config file).
#   -Y 3: TLS mandatory on control AND data; -l unix: /etc/shadow logins; -E: no anonymous; -H: no DNS lookups;
#   -2: key + certificate in one file; -c/-C: users in all / per address (the listen backlog is 3 + MAXUSERS/8);
#   -p LO:HI passive range (PASVRANGE "" = ports from the kernel; pure-ftpd caps its sessions at half the range);
#   -P: passive address; -I: idle timeout (s); -O: transfer log; -g: its pid file
lab_pureftpd_cmd() {
  LAB_CMD=("$PUREFTPD" -S "127.0.0.1,$1" -l unix -E -H -Y 3 -2 "$PKI/server-combined.pem")
  [ -n "$3" ] && LAB_CMD+=(-p "$3")
  LAB_CMD+=(-P 127.0.0.1 -c "$2" -C "$2" -I 600 -O "clf:$4" -g "$5")
}
