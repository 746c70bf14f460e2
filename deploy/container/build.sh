#!/usr/bin/env bash
# Builds the container image localhost/ftps-gateway:<version> from Debian's packages only: no registry is pulled.
#
#   1. a base image localhost/ftps-gateway-base:<key>: a Debian 12 root filesystem made by mmdebstrap (variant
#      "essential": no apt, no docs), with the user ftpgw (uid/gid 10001) and a Java runtime at /opt/java:
#        RUNTIME=jlink (default when the build host's JDK has jmods, as Debian's openjdk-17-jdk-headless does): a
#          runtime with only the modules the gateway uses, made by jlink from that JDK, with a CDS archive;
#        RUNTIME=debian: Debian's openjdk-17-jre-headless (about 110 MB more).
#      It is imported with `podman import` and kept: <key> is a hash of everything that goes into it, so a second
#      build reuses it (mmdebstrap and jlink take a few minutes; the jar layer a few seconds).
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
jdk_home="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
runtime="${RUNTIME:-$([ -f "$jdk_home/jmods/java.base.jmod" ] && command -v jlink >/dev/null && echo jlink || echo debian)}"
# jdeps --print-module-deps on the jar, plus what it loads as services or by name: jdk.crypto.ec (EC keys and
# ECDHE in TLS), java.logging, java.management/jdk.management (JVM metrics)
modules="java.base,java.compiler,java.desktop,java.logging,java.management,java.naming,java.security.jgss"
modules="$modules,java.security.sasl,java.sql,jdk.crypto.ec,jdk.jfr,jdk.management,jdk.unsupported"
case "$runtime" in
  # libjvm needs libstdc++; the JDK's native libraries use the system zlib; the trust store (lib/security/cacerts)
  # comes with the runtime, a copy of the build host's
  jlink) packages="libstdc++6,zlib1g"; runtime_id="jlink $modules $("$jdk_home/bin/java" -version 2>&1 | tr '\n' ' ')" ;;
  debian) packages="openjdk-17-jre-headless"; runtime_id="debian" ;;
  *) echo "build.sh: RUNTIME must be jlink or debian, not $runtime" >&2; exit 1 ;;
esac

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
recipe="$suite $packages $runtime_id $mirror $(sed -n '/# base recipe:/,/# end of base recipe/p' "$0" | sha256sum)"
base="localhost/ftps-gateway-base:$(echo "$recipe" | sha256sum | cut -c1-12)"
if podman image exists "$base"; then
  echo "build.sh: reusing $base"
else
  # base recipe:
  rootfs="$conf_dir/rootfs"
  started=$SECONDS
  java_hook='ln -s /usr/lib/jvm/java-17-openjdk-amd64 "$1/opt/java"'
  if [ "$runtime" = jlink ]; then
    "$jdk_home/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=2 \
      --generate-cds-archive --output "$conf_dir/jre" >/dev/null
    java_hook="cp -a '$conf_dir/jre' \"\$1/opt/java\""
  fi
  # dpkg drops documentation, man pages and locales as it installs; update-alternatives (the JRE's postinst) still
  # needs the man1 directory for its links, so it exists until the end
  # the merged-usr hook makes the /usr merge itself and installs usr-is-merged, which satisfies
  # init-system-helpers; otherwise apt picks the usrmerge package and with it the full perl (about 50 MB)
  mmdebstrap --variant=essential --include="$packages" --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --essential-hook='mkdir -p "$1/usr/share/man/man1"' \
    --customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/* "$1"/var/log/* "$1"/usr/share/man' \
    --customize-hook='echo "ftpgw:x:10001:10001:ftps-gateway:/nonexistent:/usr/sbin/nologin" >>"$1/etc/passwd"' \
    --customize-hook='echo "ftpgw:x:10001:" >>"$1/etc/group"' \
    --customize-hook='echo "ftpgw:!:19000::::::" >>"$1/etc/shadow"' \
    --customize-hook='mkdir -p "$1/opt"' --customize-hook="$java_hook" \
    "$suite" "$rootfs" ${mirror:+"$mirror"}
  # end of base recipe
  tar -C "$rootfs" --numeric-owner -c . | podman import \
    --change 'ENV LANG=C.UTF-8' --change 'ENV PATH=/opt/java/bin:/usr/local/bin:/usr/bin:/bin' --change 'USER 10001:10001' --change 'WORKDIR /' - "$base" >/dev/null
  rm -rf "$rootfs"
  echo "build.sh: made $base ($runtime runtime) in $((SECONDS - started)) s"
fi

podman build --quiet --build-arg BASE_IMAGE="$base" -f "$root/deploy/container/Containerfile" \
  -t "$image:$version" "$root" >/dev/null
echo "build.sh: $(podman image inspect --format '{{.Size}}' "$image:$version" | numfmt --to=iec) $image:$version"
echo "$image:$version"
