#!/usr/bin/env bash
# Builds the container image localhost/ftps-gateway:<version> from Debian's packages only: no registry is pulled.
#
#   1. a base image localhost/ftps-gateway-base:<key>: a Debian 12 root filesystem made by mmdebstrap (variant
#      "essential" plus openjdk-17-jre-headless; no apt, no docs), with the user ftpgw (uid/gid 10001). It is
#      imported with `podman import` and kept: <key> is a hash of everything that goes into it, so a second build
#      reuses it (mmdebstrap takes a few minutes; the jar layer a few seconds).
#   2. deploy/container/Containerfile on top of it: the jar and conf/gateway.yaml (COPY only, no RUN, so the build
#      needs no container runtime).
#
# Needs root, mmdebstrap and podman (apt-get install mmdebstrap podman runc; installed when missing), and the jar:
# mvn -q package -DskipTests. Prints the image name on its last line.
#   IMAGE=registry.example.com/ftps-gateway DEBIAN_MIRROR=http://deb.debian.org/debian bash deploy/container/build.sh
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
jar="$root/gateway/target/ftps-gateway.jar"
image="${IMAGE:-localhost/ftps-gateway}"
suite="${DEBIAN_SUITE:-bookworm}"
mirror="${DEBIAN_MIRROR:-}"   # empty: mmdebstrap takes the host's apt sources
packages="openjdk-17-jre-headless"

[ -f "$jar" ] || { echo "build.sh: $jar missing: run mvn -q package -DskipTests" >&2; exit 1; }
version="$(java -jar "$jar" --version | sed -n 's/^ftps-gateway //p')"
[ -n "$version" ] || { echo "build.sh: $jar --version printed no version" >&2; exit 1; }

if ! command -v mmdebstrap >/dev/null || ! command -v podman >/dev/null || ! command -v runc >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq mmdebstrap podman runc >/dev/null
fi
# podman 4.3 on these hosts: crun cannot run containers (cgroups in hybrid mode) and setting default ulimits fails;
# the smoke test runs the image with these settings too.
conf_dir="$(mktemp -d)"
trap 'rm -rf "$conf_dir"' EXIT
printf '[containers]\ndefault_ulimits = []\n[engine]\nruntime = "runc"\n' >"$conf_dir/containers.conf"
export CONTAINERS_CONF="$conf_dir/containers.conf"

# the base: its key changes when the suite, the packages or this script's base recipe change
recipe="$suite $packages $mirror $(sed -n '/# base recipe:/,/# end of base recipe/p' "$0" | sha256sum)"
base="localhost/ftps-gateway-base:$(echo "$recipe" | sha256sum | cut -c1-12)"
if podman image exists "$base"; then
  echo "build.sh: reusing $base"
else
  # base recipe:
  rootfs="$conf_dir/rootfs"
  started=$SECONDS
  # dpkg drops documentation, man pages and locales as it installs; update-alternatives (the JRE's postinst) still
  # needs the man1 directory for its links, so it exists until the end
  mmdebstrap --variant=essential --include="$packages" \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --essential-hook='mkdir -p "$1/usr/share/man/man1"' \
    --customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/* "$1"/var/log/* "$1"/usr/share/man' \
    --customize-hook='echo "ftpgw:x:10001:10001:ftps-gateway:/nonexistent:/usr/sbin/nologin" >>"$1/etc/passwd"' \
    --customize-hook='echo "ftpgw:x:10001:" >>"$1/etc/group"' \
    --customize-hook='echo "ftpgw:!:19000::::::" >>"$1/etc/shadow"' \
    "$suite" "$rootfs" ${mirror:+"$mirror"}
  # end of base recipe
  tar -C "$rootfs" --numeric-owner -c . | podman import \
    --change 'ENV LANG=C.UTF-8' --change 'USER 10001:10001' --change 'WORKDIR /' - "$base" >/dev/null
  rm -rf "$rootfs"
  echo "build.sh: made $base in $((SECONDS - started)) s"
fi

podman build --quiet --build-arg BASE_IMAGE="$base" -f "$root/deploy/container/Containerfile" \
  -t "$image:$version" "$root" >/dev/null
echo "build.sh: $(podman image inspect --format '{{.Size}}' "$image:$version" | numfmt --to=iec) $image:$version"
echo "$image:$version"
