#!/usr/bin/env bash
# Builds the container image (deploy/container/build.sh, Debian packages only) and runs it with podman the way a
# cluster does: read-only root filesystem, as its non-root user. Checks --version and the user, that the shipped
# example config passes --check-config, then runs --demo (an
# embedded FTPS server and the gateway on 127.0.0.1:2021 inside the container) and moves a file through it with
# curl, up and down, compared by SHA-256; SIGTERM must stop it cleanly. Prints the image size and the start time
# (container start until port 2021 answers). The container gets a network namespace of its own with loopback only
# (--network none) and curl runs in it (nsenter): the demo's fixed ports (2021, 9464, 40000-40199) can then never
# meet another program's on a shared host, as they could with --network host.
# Needs root and the jar (mvn -q package -DskipTests); installs podman, runc, mmdebstrap and curl when missing.
# IMAGE_REF=<image> skips the build and tests that image. Run from anywhere; .ci/run runs it.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
container="ftpgw-smoke-$$"
cleanup() {
  podman rm -f -t 0 "$container" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "smoke-test: FAIL: $*" >&2; exit 1; }

missing=()
for tool in podman runc mmdebstrap curl; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ "${#missing[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# podman 4.3 on these hosts runs containers only with runc and without default ulimits (crun: "cgroups in hybrid
# mode not supported"; both runtimes fail to set RLIMIT_NOFILE/NPROC otherwise)
printf '[containers]\ndefault_ulimits = []\n[engine]\nruntime = "runc"\n' >"$work/containers.conf"
export CONTAINERS_CONF="$work/containers.conf"

image="${IMAGE_REF:-$(bash "$root/deploy/container/build.sh" | tail -n 1)}"
podman image exists "$image" || fail "no image $image"
size="$(podman image inspect --format '{{.Size}}' "$image")"
echo "ok: image $image, $((size / 1000000)) MB"
run=(podman run --rm --read-only --user 10001:10001)

# 1. the entrypoint, the user
version="$("${run[@]}" "$image" --version)"
[[ "$version" == "ftps-gateway "* ]] || fail "--version printed '$version'"
echo "ok: --version: $version"
user="$("${run[@]}" --entrypoint id "$image" -un)"
[ "$user" = ftpgw ] || fail "runs as '$user', expected ftpgw"
[ "$(podman image inspect --format '{{.Config.User}}' "$image")" = "10001:10001" ] \
  || fail "the image's USER is not 10001:10001"
echo "ok: USER 10001:10001 ($user)"

# 2. the image's default config (conf/gateway.yaml) passes the check as shipped; stdout is the effective config
"${run[@]}" "$image" --config /etc/ftps-gateway/gateway.yaml --check-config >"$work/shipped.out" 2>"$work/shipped.err" \
  || fail "shipped config: --check-config failed: $(cat "$work/shipped.err")"
grep -q '"passivePorts"' "$work/shipped.out" || fail "shipped config: no effective configuration printed"
echo "ok: the shipped config passes --check-config in the image"

# 3. --demo, read-only, non-root: a file up and down through the gateway
started=$(date +%s%N)
podman run -d --name "$container" --read-only --user 10001:10001 --network none "$image" --demo >/dev/null
pid="$(podman inspect --format '{{.State.Pid}}' "$container")"
# curl in the container's network namespace (the host's curl binary, the container's loopback)
ncurl() { nsenter --net="/proc/$pid/ns/net" curl "$@"; }
deadline=$((SECONDS + 60))
until ncurl -s -o /dev/null --max-time 5 ftp://demo:demo@127.0.0.1:2021/; do
  [ "$(podman inspect --format '{{.State.Running}}' "$container")" = true ] \
    || fail "the container exited at start: $(podman logs "$container" 2>&1)"
  [ "$SECONDS" -lt "$deadline" ] || fail "port 2021 did not answer within 60 s: $(podman logs "$container" 2>&1)"
  sleep 0.1
done
start_ms=$((($(date +%s%N) - started) / 1000000))
echo "ok: --demo answers on 127.0.0.1:2021 after $start_ms ms (container start to first listing; load average $(cut -d" " -f1-3 /proc/loadavg) on $(nproc) CPUs)"

head -c 5000000 /dev/urandom >"$work/up.bin"
ncurl -sS --max-time 60 -T "$work/up.bin" ftp://demo:demo@127.0.0.1:2021/upload/smoke.bin
ncurl -sS --max-time 60 -o "$work/down.bin" ftp://demo:demo@127.0.0.1:2021/upload/smoke.bin
sent="$(sha256sum <"$work/up.bin" | cut -d' ' -f1)"
received="$(sha256sum <"$work/down.bin" | cut -d' ' -f1)"
[ "$sent" = "$received" ] || fail "5 MB up and down: sha256 $sent sent, $received received"
echo "ok: 5 MB uploaded and downloaded through the gateway, sha256 $sent on both sides"
# the audit line is written when the transfer's accounting ends, which may be just after curl saw the 226
deadline=$((SECONDS + 10))
until podman logs "$container" 2>&1 | grep -q 'command=RETR .*outcome=ok'; do
  [ "$SECONDS" -lt "$deadline" ] || fail "no audit line for the RETR within 10 s: $(podman logs "$container" 2>&1)"
  sleep 0.2
done
echo "ok: audit: $(podman logs "$container" 2>&1 | grep -o 'transfer .*command=RETR.*outcome=ok' | head -n 1)"

podman stop -t 20 "$container" >/dev/null
code="$(podman inspect --format '{{.State.ExitCode}}' "$container")"
# a graceful stop (drain, then exit) is exit 0; 143 would mean the JVM was killed by the signal
[ "$code" -eq 0 ] || fail "after SIGTERM: exit $code: $(podman logs "$container" 2>&1)"
echo "ok: stopped on SIGTERM (exit $code)"
echo "smoke-test: all checks passed (image $((size / 1000000)) MB, start $start_ms ms)"
