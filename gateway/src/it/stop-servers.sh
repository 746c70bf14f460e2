#!/usr/bin/env bash
# Stop the upstream servers started by start-servers.sh: only the pids recorded in
# $RUN/run/server-NAME.pid (plus their own process group of session children).
# Usage: stop-servers.sh [name ...]   (default: all)
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

targets="${*:-$SERVERS}"
for s in $targets; do
  pidf="$PIDS/server-$s.pid"
  if ! [ -s "$pidf" ]; then continue; fi
  pid=$(cat "$pidf")
  stop_pidfile "$pidf"
  rm -f "$PIDS/$s.proftpd.pid" "$PIDS/$s.pureftpd.pid"
  printf '%-15s stopped (pid %s)\n' "$s" "$pid"
done
exit 0
