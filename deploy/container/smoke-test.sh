#!/usr/bin/env bash
# Tests the container image without a container engine: the Containerfile's COPY sources exist, and its
# ENTRYPOINT + CMD, run directly with the image paths mapped to the build output, print the version, accept the
# shipped config with --check-config, and run the gateway with it until SIGTERM. Needs the jar: mvn -q package -DskipTests. Run from anywhere; .ci/run runs it.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
containerfile="$root/deploy/container/Containerfile"
jar="$root/gateway/target/ftps-gateway.jar"
work="$(mktemp -d)"
gateway_pid=""
cleanup() {
  if [ -n "$gateway_pid" ]; then kill -KILL "$gateway_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "smoke-test: FAIL: $*" >&2; exit 1; }

# 1. every COPY source exists in the build context (the repository root)
copies=0
while read -r _ src dest; do
  [ -e "$root/$src" ] || fail "COPY $src: no such file in the build context (run mvn -q package -DskipTests)"
  echo "ok: COPY $src -> $dest"
  copies=$((copies + 1))
done < <(grep -E '^COPY ' "$containerfile")
[ "$copies" -ge 2 ] || fail "expected the jar and conf/gateway.yaml to be copied, found $copies COPY lines"

# 2. the ENTRYPOINT and CMD, with the image's paths mapped onto the build output
json_words() { sed -n "s/^$1 \[\(.*\)\]$/\1/p" "$containerfile" | tr ',' '\n' | sed 's/^ *"//; s/" *$//'; }
mapfile -t entrypoint < <(json_words ENTRYPOINT)
mapfile -t cmd < <(json_words CMD)
[ "${#entrypoint[@]}" -gt 0 ] || fail "no ENTRYPOINT [...] in $containerfile"
[ "${#cmd[@]}" -gt 0 ] || fail "no CMD [...] in $containerfile"
entrypoint=("${entrypoint[@]//\/opt\/ftps-gateway\/ftps-gateway.jar/$jar}")
echo "entrypoint: ${entrypoint[*]}"
echo "cmd:        ${cmd[*]}"
image_config() {  # CMD with /etc/ftps-gateway/gateway.yaml replaced by $1
  local out=()
  for word in "${cmd[@]}"; do out+=("${word//\/etc\/ftps-gateway\/gateway.yaml/$1}"); done
  printf '%s\n' "${out[@]}"
}

version="$("${entrypoint[@]}" --version)"
[[ "$version" == "ftps-gateway "* ]] || fail "--version printed '$version'"
echo "ok: --version: $version"

# the image's default config is conf/gateway.yaml: it must pass the check as shipped (stdout: the effective config)
mapfile -t run_shipped < <(image_config "$root/conf/gateway.yaml")
"${entrypoint[@]}" "${run_shipped[@]}" --check-config >"$work/shipped.out" 2>"$work/shipped.err" \
  || fail "shipped config: --check-config failed: $(cat "$work/shipped.err")"
grep -q '"passivePorts"' "$work/shipped.out" || fail "shipped config: no effective configuration printed"
echo "ok: the shipped config passes --check-config"

# 3. the shipped config, as in the container (a control port above 1023, here any free one; metrics off so a
# gateway already on this machine does not matter): it runs until SIGTERM
run_valid=("${run_shipped[@]}")
FTPGW_LISTENERS_0_PORT=0 FTPGW_LISTENERS_0_PASSIVEPORTS=39100-39109 FTPGW_METRICS_ENABLED=false \
  "${entrypoint[@]}" "${run_valid[@]}" >"$work/run.out" 2>&1 &
gateway_pid=$!
for _ in $(seq 1 100); do
  if grep -q 'listener ftp on' "$work/run.out"; then break; fi
  kill -0 "$gateway_pid" 2>/dev/null || fail "the gateway exited at start: $(cat "$work/run.out")"
  sleep 0.2
done
grep -q 'listener ftp on' "$work/run.out" || fail "no 'listener ftp on' within 20 s: $(cat "$work/run.out")"
echo "ok: started: $(grep -o 'listener ftp on.*' "$work/run.out")"
kill -TERM "$gateway_pid"
set +e
wait "$gateway_pid"
code=$?
set -e
gateway_pid=""
# 143 = 128 + SIGTERM: the JVM's normal exit on SIGTERM
[ "$code" -eq 143 ] || [ "$code" -eq 0 ] || fail "after SIGTERM: exit $code: $(cat "$work/run.out")"
echo "ok: stopped on SIGTERM (exit $code)"
echo "smoke-test: all checks passed"
