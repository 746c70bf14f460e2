#!/usr/bin/env bash
# Tests the Debian package the way an appliance builder uses it: dpkg -i, the files and the system user it promises,
# systemd-analyze verify of the installed unit, the installed config passing --check-config as the service user,
# then the gateway started from the installed files exactly as the unit's ExecStart runs it, as the unit's User,
# with an upstream FTPS server (the jar's own --demo server, started with the installed ftps-gateway command): a
# file goes up and comes back down through it (curl, once EPSV and once PASV) and is compared by SHA-256. Then
# dpkg -r and dpkg --purge, each checked.
#
#   sudo deploy/debian/test-package.sh [PACKAGE.deb]     (default: builds it, mvn -q -B package -DskipTests -Pdeb)
#
# Needs root, dpkg and Java 17 (the package's dependency); installs curl, systemd (for systemd-analyze) and adduser
# when missing. Uses ports 2021 and 9464
# (the demo), the shipped passive range 30000-30099 and one free port. .ci/run runs it after the unit tests.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
pids=()
installed_here=no
checks=0
cleanup() {
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  if [ "$installed_here" = yes ] && dpkg -s ftps-gateway >/dev/null 2>&1; then
    dpkg --purge ftps-gateway >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "test-package: FAIL: $*" >&2; exit 1; }
ok() { checks=$((checks + 1)); echo "ok: $*"; }

[ "$(id -u)" -eq 0 ] || fail "run as root (dpkg -i)"
if [ $# -ge 1 ]; then
  deb="$1"
else
  (cd "$root" && mvn -q -B package -DskipTests -Pdeb)
  deb="$(ls "$root"/gateway/target/ftps-gateway_*_all.deb)"
fi
[ -f "$deb" ] || fail "no package at $deb"
if dpkg -s ftps-gateway >/dev/null 2>&1; then
  fail "ftps-gateway is installed already; this test installs and purges it (remove it first: dpkg --purge ftps-gateway)"
fi
# what the test drives the package with (curl, systemd-analyze, ss) and what the package depends on (adduser; Java is
# there already: it built the package)
missing=()
for tool in curl:curl systemd-analyze:systemd adduser:adduser setpriv:util-linux ss:iproute2; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool#*:}")
done
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
echo "package: $deb ($(stat -c %s "$deb") bytes)"

# 1. install
installed_here=yes
dpkg -i "$deb" >"$work/dpkg-i.out" 2>&1 || fail "dpkg -i: $(cat "$work/dpkg-i.out")"
ok "dpkg -i: $(grep -c . "$work/dpkg-i.out") lines, $(dpkg-query -W -f='${Package} ${Version} ${Status}' ftps-gateway)"
echo "installed files:"
dpkg -L ftps-gateway | while read -r f; do [ -d "$f" ] || echo "  $f"; done

jar=/usr/share/ftps-gateway/ftps-gateway.jar
unit=/lib/systemd/system/ftps-gateway.service
config=/etc/ftps-gateway/gateway.yaml
for f in "$jar" "$unit" "$config" /usr/share/doc/ftps-gateway/copyright; do
  [ -f "$f" ] || fail "$f is not installed"
done
[ -x /usr/bin/ftps-gateway ] || fail "/usr/bin/ftps-gateway is not executable"
dpkg-query -W -f='${Conffiles}\n' ftps-gateway | grep -q " $config " || fail "$config is not a conffile"
cmp -s "$config" "$root/conf/gateway.yaml" || fail "$config differs from conf/gateway.yaml"
ok "jar, command, unit, copyright installed; $config is a conffile with the content of conf/gateway.yaml"

user="$(sed -n 's/^User=//p' "$unit")"
getent passwd "$user" >/dev/null || fail "postinst made no user $user"
[ "$(getent passwd "$user" | cut -d: -f7)" = /usr/sbin/nologin ] || fail "$user has a login shell"
[ "$(stat -c '%a %U %G' "$config")" = "640 root $user" ] || fail "$config: $(stat -c '%a %U %G' "$config")"
[ "$(stat -c '%a %U %G' /etc/ftps-gateway)" = "750 root $user" ] || fail "/etc/ftps-gateway: $(stat -c '%a %U %G' /etc/ftps-gateway)"
ok "system user $user ($(id "$user")), config 640 root:$user in a 750 directory"

# 2. the installed unit
set +e
systemd-analyze verify "$unit" >"$work/verify.out" 2>&1
code=$?
set -e
# misspelled directives are only warnings: any line naming the unit counts
if [ "$code" -ne 0 ] || grep -q 'ftps-gateway.service' "$work/verify.out"; then
  fail "systemd-analyze verify $unit: exit $code: $(cat "$work/verify.out")"
fi
ok "systemd-analyze verify $unit: exit 0, no warning"
grep -q '^RestartPreventExitStatus=2$' "$unit" || fail "the unit restarts on a config error (exit 2)"

# 3. the installed config as shipped, checked as the service user with the installed command
setpriv --reuid "$user" --regid "$user" --init-groups -- \
  /usr/bin/ftps-gateway --check-config "$config" >"$work/check.out" 2>"$work/check.err" \
  || fail "ftps-gateway --check-config $config as $user: $(cat "$work/check.err")"
grep -q '"passivePorts"' "$work/check.out" || fail "--check-config printed no effective configuration"
ok "ftps-gateway --check-config $config as $user: exit 0"

# waits until FILE contains PATTERN while process PID lives (60 s)
await() {
  local file="$1" pattern="$2" pid="$3"
  for _ in $(seq 1 300); do
    if grep -q "$pattern" "$file"; then return 0; fi
    kill -0 "$pid" 2>/dev/null || fail "process $pid exited: $(cat "$file")"
    sleep 0.2
  done
  fail "no '$pattern' within 60 s: $(cat "$file")"
}

# 4. an upstream FTPS server: the demo's embedded one, run by the installed command as the service user, its
# generated certificate written below a temporary directory of ours so the gateway can be told to trust it
# (its gateway takes the fixed demo ports: on a shared machine wait, bounded, for another demo to end)
for _ in $(seq 1 120); do
  ss -Hltn '( sport = :2021 or sport = :9464 )' 2>/dev/null | grep -q . || break
  sleep 1
done
! ss -Hltn '( sport = :2021 or sport = :9464 )' 2>/dev/null | grep -q . \
  || fail "ports 2021/9464 (the demo's) stayed taken for 120 s: $(ss -Hltnp '( sport = :2021 or sport = :9464 )')"
chmod 755 "$work"
install -d -o "$user" -g "$user" -m 0700 "$work/demo-tmp"
JAVA_OPTS="-Djava.io.tmpdir=$work/demo-tmp" setpriv --reuid "$user" --regid "$user" --init-groups -- \
  /usr/bin/ftps-gateway --demo >"$work/demo.log" 2>&1 &
pids+=($!)
demo_pid=$!
await "$work/demo.log" 'embedded FTPS server .* on 127.0.0.1:[0-9]*' "$demo_pid"
upstream_port="$(sed -n 's/.* on 127\.0\.0\.1:\([0-9]*\), serving .*/\1/p' "$work/demo.log" | head -1)"
served="$(sed -n 's/.*, serving \(.*\)$/\1/p' "$work/demo.log" | head -1)"
ca="$(ls "$work"/demo-tmp/ftpgw-demo-tls*/server.pem)"
[ -n "$upstream_port" ] && [ -d "$served" ] && [ -f "$ca" ] || fail "demo banner: $(cat "$work/demo.log")"
ok "upstream FTPS server (ftps-gateway --demo as $user) on 127.0.0.1:$upstream_port, certificate $ca"

# 5. the gateway from the installed files, as the unit runs it: its User, its Environment, its ExecStart; the
# installed config with the upstream pointed at the demo server and a free control port (the unit's port 21 needs
# the capability the unit grants); metrics on a free port (the demo holds 9464)
heap="$(sed -n 's/^Environment=JAVA_HEAP_OPTS=//p' "$unit")"
exec_start="$(sed -n 's/^ExecStart=//p' "$unit")"
read -r -a command <<<"${exec_start//\$JAVA_HEAP_OPTS/$heap}"
echo "ExecStart as run: ${command[*]}"
FTPGW_UPSTREAM_HOST=127.0.0.1 FTPGW_UPSTREAM_PORT="$upstream_port" FTPGW_UPSTREAM_SERVERNAME=127.0.0.1 \
  FTPGW_UPSTREAM_CAFILE="$ca" FTPGW_LISTENERS_0_PORT=0 FTPGW_METRICS_PORT=0 \
  setpriv --reuid "$user" --regid "$user" --init-groups -- "${command[@]}" >"$work/gateway.log" 2>&1 &
pids+=($!)
gateway_pid=$!
await "$work/gateway.log" 'listener ftp on 0.0.0.0:[0-9]*' "$gateway_pid"
port="$(sed -n 's/.*listener ftp on 0\.0\.0\.0:\([0-9]*\) .*/\1/p' "$work/gateway.log" | head -1)"
ok "installed gateway as $user: $(grep -o 'listener ftp on.*' "$work/gateway.log" | head -1)"

# 6. a file up (EPSV) and down again (PASV), to a non-loopback address of this machine when it has one: with
# passiveAddress unset the 227 reply must name the address the client reached (the gateway listens only there),
# and curl is told to connect to the address in the 227 rather than ignore it
reached="$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9]+(\.[0-9]+){3}$' | head -1 || true)"
reached="${reached:-127.0.0.1}"
head -c 3145728 /dev/urandom >"$work/payload.bin"
curl -sS --max-time 60 -T "$work/payload.bin" "ftp://demo:demo@$reached:$port/upload/package-test.bin" \
  || fail "upload through the installed gateway: $(tail -5 "$work/gateway.log")"
curl -sS --max-time 60 --disable-epsv --no-ftp-skip-pasv-ip -o "$work/download.bin" -v \
  "ftp://demo:demo@$reached:$port/upload/package-test.bin" 2>"$work/curl-pasv.log" \
  || fail "download through the installed gateway: $(tail -5 "$work/curl-pasv.log") $(tail -5 "$work/gateway.log")"
announced="$(sed -n 's/^< 227 .*(\([0-9]*\),\([0-9]*\),\([0-9]*\),\([0-9]*\),[0-9]*,[0-9]*).*/\1.\2.\3.\4/p' "$work/curl-pasv.log")"
[ "$announced" = "$reached" ] || fail "227 announced '$announced', the client reached $reached: $(grep '^< 227' "$work/curl-pasv.log")"
ok "PASV to $reached announced $announced (passiveAddress unset)"
sent="$(sha256sum <"$work/payload.bin" | cut -d' ' -f1)"
stored="$(sha256sum <"$served/upload/package-test.bin" | cut -d' ' -f1)"
received="$(sha256sum <"$work/download.bin" | cut -d' ' -f1)"
[ "$sent" = "$stored" ] || fail "upload: sent $sent, the server stored $stored"
[ "$sent" = "$received" ] || fail "download: sent $sent, received $received"
[ "$(grep -c 'outcome=ok' "$work/gateway.log")" -ge 2 ] || fail "no audit lines with outcome=ok: $(cat "$work/gateway.log")"
ok "3 MiB up and down through the installed gateway, sha256 $sent (sent = stored upstream = received)"

for pid in "$gateway_pid" "$demo_pid"; do
  kill -TERM "$pid"
  set +e
  wait "$pid"
  code=$?
  set -e
  [ "$code" -eq 0 ] || [ "$code" -eq 143 ] || fail "process $pid: exit $code after SIGTERM"
done
pids=()
ok "both stopped on SIGTERM"

# 7. remove: the program goes, the edited-or-not conffile stays; purge: everything of the package goes
dpkg -r ftps-gateway >"$work/dpkg-r.out" 2>&1 || fail "dpkg -r: $(cat "$work/dpkg-r.out")"
for f in "$jar" /usr/bin/ftps-gateway "$unit"; do
  [ ! -e "$f" ] || fail "dpkg -r left $f"
done
[ -f "$config" ] || fail "dpkg -r removed the conffile $config"
[ "$(dpkg-query -W -f='${Status}' ftps-gateway)" = "deinstall ok config-files" ] \
  || fail "after dpkg -r: $(dpkg-query -W -f='${Status}' ftps-gateway)"
ok "dpkg -r: jar, command and unit gone, $config kept (status: deinstall ok config-files)"

dpkg --purge ftps-gateway >"$work/dpkg-purge.out" 2>&1 || fail "dpkg --purge: $(cat "$work/dpkg-purge.out")"
[ ! -e /etc/ftps-gateway ] || fail "dpkg --purge left /etc/ftps-gateway: $(ls -la /etc/ftps-gateway)"
[ ! -e /usr/share/ftps-gateway ] && [ ! -e /usr/share/doc/ftps-gateway ] || fail "dpkg --purge left /usr/share files"
status="$(dpkg-query -W -f='${Status}' ftps-gateway 2>/dev/null || true)"
case "$status" in
  *"ok installed"* | *config-files*) fail "dpkg still lists ftps-gateway after --purge: $status" ;;
esac
installed_here=no
ok "dpkg --purge: /etc/ftps-gateway and /usr/share/ftps-gateway gone, dpkg no longer lists the package" \
  "(the system user $user stays, as Debian packages leave theirs)"

echo "test-package: $checks passed, 0 failed"
