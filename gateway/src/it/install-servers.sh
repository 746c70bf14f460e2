#!/usr/bin/env bash
# Idempotent installation of everything the interop suite needs (Debian 12, run as root).
# Quiet unless something fails (then the tail of $RUN/log/install.log is printed);
# IT_VERBOSE=1 shows the log live.
#  - apt: the clients (curl, lftp, openssl) + the shared libraries the servers need
#  - `apt-get download` vsftpd, proftpd-core, proftpd-mod-crypto (mod_tls), pure-ftpd and
#    unpack them side by side with `dpkg-deb -x` into $PKG_DIR/root: as packages they all
#    Provide/Conflict ftp-server, so dpkg could install only one of them
#  - the local test user, a PAM service for vsftpd, a PKI (CA, server cert, rogue cert)
#  - the test data (1 MB + 100 MB random) in $RUN/data, copied into the user's home
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ "$(id -u)" != 0 ]; then echo "install-servers.sh must run as root" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive

mkdir -p "$RUN" "$LOGS"
chmod 755 "$RUN" "$LOGS"
INSTALL_LOG="$LOGS/install.log"
: > "$INSTALL_LOG"
if [ "${IT_VERBOSE:-0}" != 1 ]; then
  exec 3>&2 >>"$INSTALL_LOG" 2>&1
else
  exec 3>&2 > >(tee -a "$INSTALL_LOG") 2>&1
fi
on_exit() {
  local rc=$?
  if [ $rc != 0 ]; then
    { echo "install-servers.sh FAILED (exit $rc). Last lines of $INSTALL_LOG:"; tail -n 40 "$INSTALL_LOG"; } >&3
  fi
}
trap on_exit EXIT
log() { echo "[install] $(date +%T) $*"; }

# ------------------------------------------------------------------ apt: clients + libraries
CLIENT_PKGS="curl lftp openssl ca-certificates iproute2 procps coreutils passwd python3 socat jq"
# runtime libraries of the unpacked servers (from the Depends: of the four .debs)
LIB_PKGS="libc6 libcap2 libpam0g libpam-modules libpam-runtime libssl3 libwrap0 libacl1 libcrypt1 \
libhiredis0.14 libidn2-0 libmemcached11 libmemcachedutil2 libncursesw6 libpcre2-8-0 libpcre2-posix3 \
libtinfo6 zlib1g libsodium23"
SERVER_PKGS="vsftpd proftpd-core proftpd-mod-crypto pure-ftpd"

apt_updated=0
apt_update() { if [ $apt_updated = 0 ]; then log "apt-get update"; apt-get update -qq; apt_updated=1; fi; }

missing=""
for p in $CLIENT_PKGS $LIB_PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  apt_update
  log "apt-get install:$missing"
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing
fi

# ------------------------------------------------------------------ server packages (unpacked)
candidate() { apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}'; }
want=""
for p in $SERVER_PKGS; do
  v=$(candidate "$p")
  if [ -z "$v" ] || [ "$v" = "(none)" ]; then apt_update; v=$(candidate "$p"); fi
  if [ -z "$v" ] || [ "$v" = "(none)" ]; then echo "no installable version of $p" >&2; exit 1; fi
  want="$want $p=$v"
done
stamp="$PKG_DIR/extracted.list"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -x "$VSFTPD" ] && [ -x "$PROFTPD" ] \
   && [ -x "$PUREFTPD" ] && [ -f "$PROFTPD_MODULES/mod_tls.so" ]; then
  log "server packages already unpacked in $ROOT:$want"
else
  log "apt-get download + dpkg-deb -x:$want"
  rm -rf "$PKG_DIR/debs" "$ROOT"
  mkdir -p "$PKG_DIR/debs" "$ROOT"
  # as root into a root-owned dir: without the sandbox override apt warns that _apt cannot write there
  # shellcheck disable=SC2086
  ( cd "$PKG_DIR/debs" && apt-get -q -o APT::Sandbox::User=root download $want ) || {
    apt_update
    # shellcheck disable=SC2086
    ( cd "$PKG_DIR/debs" && apt-get -q -o APT::Sandbox::User=root download $want )
  }
  for f in "$PKG_DIR"/debs/*.deb; do dpkg-deb -x "$f" "$ROOT"; done
  echo "$want" > "$stamp"
fi
for b in "$VSFTPD" "$PROFTPD" "$PUREFTPD" "$PROFTPD_MODULES/mod_tls.so"; do
  [ -e "$b" ] || { echo "missing $b after unpacking" >&2; exit 1; }
  if ldd "$b" | grep -q "not found"; then
    echo "missing shared libraries for $b:" >&2; ldd "$b" | grep "not found" >&2; exit 1
  fi
done
log "versions: $("$VSFTPD" -v 0>&1 2>&1 | head -1) | $("$PROFTPD" -v 2>&1 | tail -1) | $("$PUREFTPD" --help 2>&1 | head -1)"

# ------------------------------------------------------------------ test user + PAM service
if ! id "$FTP_USER" >/dev/null 2>&1; then
  log "creating user $FTP_USER"
  useradd -m -d "$FTP_HOME" -s /bin/bash "$FTP_USER"
fi
echo "$FTP_USER:$FTP_PASS" | chpasswd
grep -qx /bin/bash /etc/shells || echo /bin/bash >> /etc/shells
mkdir -p "$FTP_HOME/upload"
chmod 755 "$FTP_HOME"

cat > "/etc/pam.d/$PAM_SERVICE" <<'PAM'
# PAM service of the ftps-gateway interop suite's vsftpd instances (plain unix passwords)
auth     required pam_unix.so
account  required pam_unix.so
session  required pam_unix.so
PAM

# ------------------------------------------------------------------ PKI
mkdir -p "$PKI"
chmod 755 "$PKI"
pki_ok() {
  [ -s "$PKI/ca.crt" ] && [ -s "$PKI/server.key" ] && [ -s "$PKI/rogue.crt" ] && lab_cert_ok "$PKI" server \
    && openssl x509 -in "$PKI/rogue.crt" -checkend 86400 -noout >/dev/null 2>&1 \
    && openssl x509 -in "$PKI/server.crt" -noout -ext subjectAltName 2>/dev/null | grep -q '0:0:0:0:0:0:0:1'
}
if ! pki_ok; then
  log "generating CA, server and rogue certificates in $PKI"
  lab_ca "$PKI" "/O=ftpgw-it/CN=ftpgw-it test CA"
  lab_server_cert "$PKI" ftpgw-it
  # self-signed, same names, NOT issued by the CA: a gateway trusting only this must refuse the servers
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 825 -subj "/O=rogue/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost" \
    -keyout "$PKI/rogue.key" -out "$PKI/rogue.crt" 2>/dev/null
fi
cat "$PKI/server.key" "$PKI/server.crt" > "$PKI/server-combined.pem"   # pure-ftpd: key + cert in one file
chmod 600 "$PKI"/*.key "$PKI/server-combined.pem"
chmod 644 "$PKI"/*.crt
openssl verify -CAfile "$PKI/ca.crt" "$PKI/server.crt" >/dev/null
if openssl verify -CAfile "$PKI/rogue.crt" "$PKI/server.crt" >/dev/null 2>&1; then
  echo "rogue.crt unexpectedly verifies server.crt" >&2; exit 1
fi

# ------------------------------------------------------------------ test data
mkdir -p "$DATA"
mkfile() {  # mkfile NAME BYTES: random file in $DATA, identical copy in the user's home
  local n=$1 size=$2
  if [ "$(stat -c %s "$DATA/$n" 2>/dev/null || echo 0)" != "$size" ]; then
    log "creating $DATA/$n ($size random bytes)"
    head -c "$size" /dev/urandom > "$DATA/$n.tmp" && mv "$DATA/$n.tmp" "$DATA/$n"
  fi
  if ! cmp -s "$DATA/$n" "$FTP_HOME/$n"; then
    cp "$DATA/$n" "$FTP_HOME/$n.tmp" && mv "$FTP_HOME/$n.tmp" "$FTP_HOME/$n"
  fi
}
mkfile file1M   $((1024 * 1024))
mkfile file100M $((100 * 1024 * 1024))
(cd "$DATA" && sha256sum file1M file100M > SHA256SUMS)
chown -R "$FTP_USER:$FTP_USER" "$FTP_HOME"

# ------------------------------------------------------------------ run dirs
mkdir -p "$CONF" "$PIDS" "$WORK" "$RUN/empty"
chmod 755 "$CONF" "$PIDS"
chown root:root "$RUN/empty"; chmod 555 "$RUN/empty"     # vsftpd secure_chroot_dir: root-owned, not writable

log "done: user=$FTP_USER home=$FTP_HOME run=$RUN packages=$ROOT"
