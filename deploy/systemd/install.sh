#!/usr/bin/env bash
# Installs ftps-gateway as a systemd service (the appliance way). Build the jar first:
#   mvn -q package -DskipTests
#   sudo deploy/systemd/install.sh            # then edit /etc/ftps-gateway/gateway.yaml and start it
#
# Puts in place:
#   /opt/ftps-gateway/ftps-gateway.jar              the gateway
#   /etc/ftps-gateway/gateway.yaml                  conf/gateway.yaml; an existing file is kept
#   /etc/systemd/system/ftps-gateway.service        the hardened unit (deploy/systemd/ftps-gateway.service)
#   system user and group ftps-gateway              the unit runs as it; it can read /etc/ftps-gateway
# Then validates the config as that user and starts the service if it is valid (unless --no-start, or the config
# is still the shipped one, which names an example upstream).
#
# Options: --jar FILE (default gateway/target/ftps-gateway.jar), --config FILE (default conf/gateway.yaml),
#          --no-start. With DESTDIR=/some/root the files go below that root, and no user, chown or systemctl
#          is touched (for packaging and for the test).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
jar="$root/gateway/target/ftps-gateway.jar"
config="$root/conf/gateway.yaml"
unit="$root/deploy/systemd/ftps-gateway.service"
start=yes
destdir="${DESTDIR:-}"
service_user=ftps-gateway

while [ $# -gt 0 ]; do
  case "$1" in
    --jar) jar="$2"; shift 2 ;;
    --config) config="$2"; shift 2 ;;
    --no-start) start=no; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "install.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

for f in "$jar" "$config" "$unit"; do
  if [ ! -f "$f" ]; then
    hint=""
    if [ "$f" = "$jar" ]; then hint=" (build it: mvn -q package -DskipTests)"; fi
    echo "install.sh: $f does not exist$hint" >&2
    exit 1
  fi
done

if [ -z "$destdir" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install.sh: run as root (it creates a system user and writes to /opt, /etc and systemd)" >&2
    exit 1
  fi
  # the unit runs /usr/bin/java: the gateway needs Java 17 or later
  if ! /usr/bin/java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])'; then
    echo "install.sh: /usr/bin/java is missing or older than 17 (Debian: apt-get install openjdk-17-jre-headless)" >&2
    exit 1
  fi
  if ! getent passwd "$service_user" >/dev/null; then
    useradd --system --user-group --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin \
      "$service_user"
    echo "created system user $service_user"
  fi
fi

install -d -m 0755 "$destdir/opt/ftps-gateway" "$destdir/etc/systemd/system"
install -m 0644 "$jar" "$destdir/opt/ftps-gateway/ftps-gateway.jar"
install -m 0644 "$unit" "$destdir/etc/systemd/system/ftps-gateway.service"
# the config may name key material later: readable by root and the service group only
install -d -m 0750 "$destdir/etc/ftps-gateway"
if [ -e "$destdir/etc/ftps-gateway/gateway.yaml" ]; then
  echo "kept the existing $destdir/etc/ftps-gateway/gateway.yaml"
else
  install -m 0640 "$config" "$destdir/etc/ftps-gateway/gateway.yaml"
  echo "installed $destdir/etc/ftps-gateway/gateway.yaml from $config"
fi
echo "installed $destdir/opt/ftps-gateway/ftps-gateway.jar and $destdir/etc/systemd/system/ftps-gateway.service"

if [ -n "$destdir" ]; then
  exit 0
fi

chown root:"$service_user" /etc/ftps-gateway /etc/ftps-gateway/gateway.yaml
systemd=no
if [ -d /run/systemd/system ]; then
  systemd=yes
  systemctl daemon-reload
else
  echo "systemd is not running here (a chroot or an image build?): skipped systemctl"
fi

# validate as the service user, so unreadable files show up now and not at start
if runuser -u "$service_user" -- /usr/bin/java -jar /opt/ftps-gateway/ftps-gateway.jar \
    --config /etc/ftps-gateway/gateway.yaml --check-config; then
  if cmp -s /etc/ftps-gateway/gateway.yaml "$config"; then
    # the shipped config is valid as it is, but its upstream is an example: nothing to start yet
    echo "edit /etc/ftps-gateway/gateway.yaml (upstream.host, trust, passivePorts; passiveAddress behind NAT)," \
      "check it, then: systemctl enable --now ftps-gateway"
  elif [ "$start" = yes ] && [ "$systemd" = yes ]; then
    systemctl enable --now ftps-gateway.service
    systemctl --no-pager status ftps-gateway.service || true
  else
    echo "start it with: systemctl enable --now ftps-gateway"
  fi
else
  echo "edit /etc/ftps-gateway/gateway.yaml (upstream.host, serverName, caFile readable by group" \
    "$service_user; passiveAddress behind NAT), then: systemctl enable --now ftps-gateway" >&2
  exit 2
fi
