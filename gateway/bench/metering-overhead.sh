#!/usr/bin/env bash
# What measuring costs: the same gateway (OpenSSL engine, pure-ftpd behind) with metrics on (TLS CPU metering,
# counters, histograms) and with metrics.enabled=false, back to back, 1 GB down and up, median of RUNS; prints
# both tables and the CPU s/GB ratio. Issue #5 asks for the overhead of the TLS CPU measurement to be measured.
#   bash gateway/bench/metering-overhead.sh        (as root; servers as in bench.sh)
#   METER_RUNS=3 METER_FILE_MB=1024
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUNS=${METER_RUNS:-3}
MB=${METER_FILE_MB:-1024}
OUT=${METER_OUT:-/tmp/ftpgw-bench-metering}
mkdir -p "$OUT"
run() {  # run LABEL ENV...
  local label=$1; shift
  BENCH_GW_ENV="$*" BENCH_PATHS="gw-openssl" BENCH_BACKENDS="pureftpd" BENCH_RUNS=$RUNS BENCH_FILE_MB=$MB \
    BENCH_WARMUP_MB=100 BENCH_PAR="1x1" BENCH_IDLE=0 BENCH_LAT_N=0 BENCH_LAT_SPACED=0 BENCH_SPEED_SECONDS=0 \
    BENCH_OUT="$OUT/$label.md" bash "$HERE/bench.sh" >"$OUT/$label.log" 2>&1
  echo "== $label (exit $?)"
  grep -E '^\|' "$OUT/$label.md" | head -20
}
run metrics-on ""
run metrics-off "FTPGW_METRICS_ENABLED=false"
