#!/usr/bin/env bash
# The status page (/status) in a real browser: headless Chromium from Debian loads it while a download runs and
# the rendered DOM must show that session; a screenshot goes to gateway/src/it/screenshots/status-page.png (and a phone-sized one to
# gateway/src/it/screenshots/status-page-phone.png).
#
#   bash gateway/src/it/status-page.sh        # from the repo root, after `mvn -DskipTests package`; as root
#
# Two gateways, both real:
#   1. the demo (`java -jar gateway/target/ftps-gateway.jar --demo`: listener 127.0.0.1:2021, metrics
#      127.0.0.1:9464, no admin.tokenFile): its page opens without credentials and shows no Close button;
#   2. a gateway from a config file in front of the demo's embedded FTPS server, with admin.tokenFile: its page is
#      opened with basic auth (any user, the token as password) and shows a Close button per session. This is the
#      one in the screenshot.
# Each gets a rate-limited curl download (1 MiB/s of a 300 MiB file) so a transfer is running when the page loads.
# Needs: java, curl, chromium (apt-get install -y chromium). Exit 0 = every check passed.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
# shellcheck source=demo-lib.sh
. "$REPO_ROOT/gateway/src/it/demo-lib.sh"
SHOT="${STATUS_PAGE_PNG:-$REPO_ROOT/gateway/src/it/screenshots/status-page.png}"
SHOT_PHONE="${SHOT%.png}-phone.png"
TOKEN="status-page-token-$$"
FAILS=0

say() { echo "[status-page] $(date +%T) $*"; }
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }

command -v chromium >/dev/null || { echo "chromium not found: apt-get install -y chromium" >&2; exit 1; }

# ---- 1. the demo; its embedded server's files and certificate land in WORK
say "starting the demo"
start_demo
head -c 300M /dev/zero > "$DEMO_ROOT/big.bin"

# ---- 2. a gateway with admin.tokenFile in front of the same server
printf '%s\n' "$TOKEN" > "$WORK/admin-token"
start_gateway ftp "$SERVER_PORT" 40700-40719 "" "admin: {tokenFile: $WORK/admin-token}"
LPORT=$GW_PORT; MPORT=$GW_METRICS
say "a gateway with admin.tokenFile: listener $LPORT, metrics $MPORT"

# ---- downloads that stay running while the pages load
curl -s --limit-rate 1M -o /dev/null ftp://demo:demo@127.0.0.1:2021/big.bin &
PIDS+=($!)
curl -s --limit-rate 1M -o /dev/null "ftp://demo:demo@127.0.0.1:$LPORT/big.bin" &
PIDS+=($!)
running() {  # running PORT [CURL-ARGS...]: the API lists a RETR of big.bin with bytes > 0
  local port=$1 i; shift
  for ((i = 0; i < 100; i++)); do
    if curl -sf --max-time 2 "$@" "http://127.0.0.1:$port/api/v1/sessions" \
        | python3 -c 'import json,sys; s=json.load(sys.stdin); sys.exit(0 if any(x["transfer"] and x["transfer"]["command"]=="RETR" and x["transfer"]["path"]=="big.bin" and x["transfer"]["bytes"]>0 for x in s) else 1)'; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}
running 9464 || fail "the demo's API does not list the running download"
running "$MPORT" -H "Authorization: Bearer $TOKEN" || fail "the token gateway's API does not list the running download"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$MPORT/status")
[ "$code" = 401 ] && say "token gateway /status without credentials: 401" || fail "/status without credentials: $code, want 401"
curl -s "http://127.0.0.1:9464/api/v1/sessions"; echo

CHROME=(chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-dev-shm-usage
  --no-first-run --hide-scrollbars --user-data-dir="$WORK/chrome")
dom() {  # dom URL OUT
  "${CHROME[@]}" --virtual-time-budget=3000 --dump-dom "$1" >"$2" 2>"$2.err" || { cat "$2.err"; return 1; }
}

# ---- the demo's page: open, one session row with its running RETR, no Close button
dom http://127.0.0.1:9464/status "$WORK/demo.html" || fail "chromium could not load the demo's /status"
if grep -q 'data-session="demo-' "$WORK/demo.html" && grep -q 'RETR big.bin' "$WORK/demo.html"; then
  say "demo /status: session row $(grep -oE 'data-session="[^"]+"' "$WORK/demo.html" | head -1) with RETR big.bin"
else
  fail "demo /status has no session row with RETR big.bin"; grep -oE '<tbody>.*</tbody>|id="meta"[^<]*<' "$WORK/demo.html" || true
fi
! grep -q '<button>Close</button>' "$WORK/demo.html" || fail "demo /status shows Close without admin.tokenFile"

# ---- the token gateway's page, with basic auth from the URL: the row and a Close button
URL="http://ops:$TOKEN@127.0.0.1:$MPORT/status"
dom "$URL" "$WORK/token.html" || fail "chromium could not load the token gateway's /status"
if grep -q 'data-session="ftp-1"' "$WORK/token.html" && grep -q 'RETR big.bin' "$WORK/token.html" \
    && grep -q '<button>Close</button>' "$WORK/token.html"; then
  say "token gateway /status: row ftp-1 with RETR big.bin and a Close button"
else
  fail "token gateway /status lacks the session row, RETR big.bin or the Close button"
  grep -oE 'id="meta"[^<]*<' "$WORK/token.html" || true
fi

# ---- screenshots (desktop and phone width)
mkdir -p "$(dirname "$SHOT")"
"${CHROME[@]}" --virtual-time-budget=3000 --window-size=1100,330 --screenshot="$SHOT" "$URL" >/dev/null 2>&1 \
  || fail "screenshot failed"
"${CHROME[@]}" --virtual-time-budget=3000 --window-size=390,640 --screenshot="$SHOT_PHONE" "$URL" >/dev/null 2>&1 \
  || fail "phone screenshot failed"
[ -s "$SHOT" ] && say "screenshot: $SHOT ($(stat -c %s "$SHOT") bytes), $SHOT_PHONE" || fail "no screenshot"

if [ "$FAILS" = 0 ]; then say "PASS"; else say "$FAILS check(s) failed"; fi
exit "$FAILS"
