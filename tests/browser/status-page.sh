#!/usr/bin/env bash
# The status page in a real browser: headless Chromium loads `/` from the exporter running
# `--demo`, with the page's own Content-Security-Policy header, and must
#   - log no CSP violation (the inline style sheet is allowed by its hash, nothing else is
#     needed), checked against a control page that does violate it, so a silent log
#     cannot pass the check;
#   - show every VIF that /api/v1/status lists, and a peer taken down (by advancing the
#     demo's clock past 45 s) at the top of the problems table, marked down.
#
#   tests/browser/status-page.sh
#
# Environment: DX_EXPORTER_BIN (default target/debug/directconnect-exporter),
# CHROMIUM_BIN (default: chromium), DX_STATUS_SCREENSHOT=FILE (afterwards move the demo on
# a few minutes and write a 1280-pixel-wide screenshot, e.g. docs/status-page.png),
# DX_BROWSER_KEEP=1 (keep the work directory). Everything started here is stopped on exit;
# every wait is bounded.
# shellcheck disable=SC2317  # cleanup runs from a trap
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="${DX_EXPORTER_BIN:-$REPO/target/debug/directconnect-exporter}"
CHROMIUM="${CHROMIUM_BIN:-chromium}"

log() { printf 'status-page.sh: %s\n' "$*" >&2; }
die() { log "$*"; echo "0 passed, 1 failed"; exit 1; }

[ -x "$BIN" ] || die "exporter binary not found or not executable: $BIN (build it, or set DX_EXPORTER_BIN)"
command -v "$CHROMIUM" >/dev/null || die "$CHROMIUM not found (Debian package chromium)"
command -v python3 >/dev/null || die "python3 not found"
command -v curl >/dev/null || die "curl not found"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/dx-status-page.XXXXXX")"
EXPORTER_PID=""
CONTROL_PID=""
STATUS=1

cleanup() {
  local pid
  for pid in "$EXPORTER_PID" "$CONTROL_PID"; do
    [ -n "$pid" ] || continue
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ "$STATUS" -ne 0 ]; then
    log "--- exporter log (last 30 lines) ---"; tail -n 30 "$WORK/exporter.log" 2>/dev/null >&2 || true
  fi
  if [ "${DX_BROWSER_KEEP:-0}" = 1 ]; then log "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.3 s until it succeeds.
wait_for() {
  local limit="$1" what="$2"; shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || die "timed out after ${limit}s waiting for $what"
    sleep 0.3
  done
}

# browse URL NAME [EXTRA CHROMIUM FLAGS...]: the DOM after load in NAME.html, the console
# log in NAME.log. A fresh profile each time; no network beyond the URL.
browse() {
  local url="$1" name="$2"; shift 2
  timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --disable-default-apps \
    --user-data-dir="$WORK/profile-$name" --enable-logging=stderr --v=0 "$@" \
    "$url" >"$WORK/$name.html" 2>"$WORK/$name.log" || die "chromium failed on $url (see $WORK/$name.log)"
}

csp_violations() { grep -F 'Content Security Policy' "$1" || true; }

# 1. Control: a page whose inline style its CSP forbids must produce a logged violation.
CONTROL_PORT="$(free_port)"
python3 - "$CONTROL_PORT" >/dev/null 2>&1 <<'PY' &
import http.server, sys
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"<!DOCTYPE html><html><head><style>p{color:red}</style></head><body><p>control</p></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Security-Policy", "default-src 'none'")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
PY
CONTROL_PID=$!
wait_for 10 "the control page" curl -fsS "http://127.0.0.1:$CONTROL_PORT/"
browse "http://127.0.0.1:$CONTROL_PORT/" control --dump-dom
[ -n "$(csp_violations "$WORK/control.log")" ] \
  || die "chromium logged no CSP violation for the control page: the console log cannot be trusted"
log "control page: chromium reports CSP violations in its log"

# 2. The exporter on the demo fleet, collecting every second.
PORT="$(free_port)"
SIM_PORT="$(free_port)"
BASE="http://127.0.0.1:$PORT"
SIM="http://127.0.0.1:$SIM_PORT"
"$BIN" --demo --web.listen-address "127.0.0.1:$PORT" --simulator.listen-address "127.0.0.1:$SIM_PORT" \
  --collector.interval 1s >"$WORK/exporter.log" 2>&1 &
EXPORTER_PID=$!
wait_for 30 "the exporter ready" curl -fsS "$BASE/-/ready"

advance() { curl -fsS -X POST "$SIM/_sim/clock/advance" -H 'Content-Type: application/json' -d "{\"seconds\": $1}" >/dev/null; }
json_has() { curl -fsS "$BASE/api/v1/status" | python3 -c "import json, sys; s = json.load(sys.stdin); sys.exit(0 if ($1) else 1)"; }

# The demo takes prod-transit-a's IPv4 peer down at 45 s.
advance 50
wait_for 20 "prod-transit-a listed first" json_has 's["virtual_interfaces"][0]["id"] == "dxvif-ffhhk8ho"'

curl -fsS -D "$WORK/headers.txt" -o /dev/null "$BASE/"
CSP="$(grep -i '^content-security-policy:' "$WORK/headers.txt" | cut -d' ' -f2- | tr -d '\r')"
case "$CSP" in
  "default-src 'none'; "*) ;;
  *) die "unexpected Content-Security-Policy: $CSP" ;;
esac
browse "$BASE/" page --dump-dom
VIOLATIONS="$(csp_violations "$WORK/page.log")"
[ -z "$VIOLATIONS" ] || die "CSP violations on the status page: $VIOLATIONS"

curl -fsS "$BASE/api/v1/status" >"$WORK/status.json"
python3 - "$WORK/status.json" "$WORK/page.html" <<'PY' || die "the page the browser rendered does not match /api/v1/status"
import html.parser, json, sys

status = json.load(open(sys.argv[1]))
dom = open(sys.argv[2]).read()

class Rows(html.parser.HTMLParser):
    """Text of each <tr> under the element with id=problems' following table, and all text."""
    def __init__(self):
        super().__init__()
        self.text, self.section, self.rows, self.row = [], None, {}, None
    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "h2":
            self.section = attrs.get("id")
        if tag == "tr":
            self.row = []
    def handle_endtag(self, tag):
        if tag == "tr" and self.row is not None:
            self.rows.setdefault(self.section, []).append(" ".join(self.row))
            self.row = None
    def handle_data(self, data):
        self.text.append(data)
        if self.row is not None and data.strip():
            self.row.append(data.strip())

p = Rows()
p.feed(dom)
text = " ".join(p.text)
ids = [v["id"] for v in status["virtual_interfaces"]]
missing = [i for i in ids if i not in text]
assert ids and not missing, f"VIFs missing from the rendered page: {missing}"
problems = p.rows.get("problems", [])
assert len(problems) >= 2, f"no problem rows: {problems}"
first = problems[1]  # problems[0] is the header row
assert "dxvif-ffhhk8ho" in first and "✖ down" in first, f"first problem row: {first}"
print(f"status-page.sh: the browser shows all {len(ids)} VIFs; first problem: {first[:100]}", file=sys.stderr)
PY

if [ -n "${DX_STATUS_SCREENSHOT:-}" ]; then
  # Move on through the demo's timeline: the peer comes back (1m45s), the eu-private VIF
  # goes down (5m) and prod-private-vpc's IPv6 peer flaps (6m).
  for step in 60 150 110 5; do advance "$step"; sleep 2.5; done
  browse "$BASE/" screenshot --hide-scrollbars --window-size=1280,1500 --screenshot="$WORK/screenshot.png"
  cp "$WORK/screenshot.png" "$DX_STATUS_SCREENSHOT"
  log "screenshot written to $DX_STATUS_SCREENSHOT"
fi

STATUS=0
echo "1 passed, 0 failed"
