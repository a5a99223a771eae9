#!/usr/bin/env bash
# End-to-end check of the Grafana dashboards against the demo: every panel query of every
# dashboard must return data from a real Prometheus scraping a real exporter.
#
#   tests/dashboards/live.sh
#
# Starts `directconnect-exporter --demo` (binary from $DX_EXPORTER_BIN, default
# target/debug/directconnect-exporter) on a free loopback port, a real Prometheus
# (installed with apt-get if missing) scraping it every second, waits for data, forces a
# BGP peer down and injects throttling through the simulator's control endpoint, then runs
# live_check.py twice: with the first value of every variable, and with "All" plus the
# strict checks (the "BGP peers down" table has rows, flaps and throttling are non-zero).
# Everything started here is stopped on exit; every wait is bounded.
#
# Environment: DX_EXPORTER_BIN, DX_LIVE_WARMUP (seconds of data before checking, default
# 60), DX_LIVE_KEEP=1 (keep the work directory), PROMETHEUS_BIN (default: prometheus).
# shellcheck disable=SC2317  # cleanup, prom_query and throttle run from a trap or wait_for
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="${DX_EXPORTER_BIN:-$REPO/target/debug/directconnect-exporter}"
WARMUP="${DX_LIVE_WARMUP:-60}"
PROMETHEUS_BIN="${PROMETHEUS_BIN:-prometheus}"
CHECK="$REPO/tests/dashboards/live_check.py"

log() { printf 'live.sh: %s\n' "$*" >&2; }
die() { log "$*"; echo "0 passed, 1 failed"; exit 1; }

[ -x "$BIN" ] || die "exporter binary not found or not executable: $BIN (build it, or set DX_EXPORTER_BIN)"
command -v python3 >/dev/null || die "python3 not found"
command -v curl >/dev/null || die "curl not found"

if ! command -v "$PROMETHEUS_BIN" >/dev/null; then
  log "prometheus not found; installing it with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  timeout 300 apt-get update -qq >/dev/null || die "apt-get update failed"
  timeout 600 apt-get install -y -qq prometheus >/dev/null || die "apt-get install prometheus failed"
  # Debian's package may start a system service; this harness runs its own instance.
  command -v "$PROMETHEUS_BIN" >/dev/null || die "prometheus still not on PATH after install"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/dx-dashboards-live.XXXXXX")"
EXPORTER_PID=""
PROMETHEUS_PID=""
STATUS=1

cleanup() {
  local pid
  for pid in "$PROMETHEUS_PID" "$EXPORTER_PID"; do
    [ -n "$pid" ] || continue
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "$PROMETHEUS_PID" "$EXPORTER_PID"; do
    [ -n "$pid" ] || continue
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ "$STATUS" -ne 0 ]; then
    log "--- exporter log (last 40 lines) ---"; tail -n 40 "$WORK/exporter.log" 2>/dev/null >&2 || true
    log "--- prometheus log (last 20 lines) ---"; tail -n 20 "$WORK/prometheus.log" 2>/dev/null >&2 || true
  fi
  if [ "${DX_LIVE_KEEP:-0}" = 1 ]; then log "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.5 s until it succeeds.
wait_for() {
  local limit="$1" what="$2"; shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || die "timed out after ${limit}s waiting for $what"
    [ -z "$EXPORTER_PID" ] || kill -0 "$EXPORTER_PID" 2>/dev/null || die "the exporter exited while waiting for $what"
    sleep 0.5
  done
}

prom_query() { # prints the first sample value of an instant query, fails if there is none
  curl -fsS --max-time 5 "http://127.0.0.1:$PROM_PORT/api/v1/query" --data-urlencode "query=$1" |
    python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1]) if r else sys.exit(1)'
}

EXP_PORT="$(free_port)"
PROM_PORT="$(free_port)"
while [ "$PROM_PORT" = "$EXP_PORT" ]; do PROM_PORT="$(free_port)"; done

log "starting $BIN --demo on 127.0.0.1:$EXP_PORT"
"$BIN" --demo --collector.interval 2s --web.listen-address "127.0.0.1:$EXP_PORT" \
  >"$WORK/exporter.log" 2>&1 &
EXPORTER_PID=$!
wait_for 60 "the exporter to be ready (/-/ready)" curl -fsS --max-time 2 "http://127.0.0.1:$EXP_PORT/-/ready"

cat >"$WORK/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: directconnect-exporter
    static_configs:
      - targets: ["127.0.0.1:$EXP_PORT"]
EOF
log "starting Prometheus on 127.0.0.1:$PROM_PORT"
"$PROMETHEUS_BIN" --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/data" \
  --web.listen-address="127.0.0.1:$PROM_PORT" >"$WORK/prometheus.log" 2>&1 &
PROMETHEUS_PID=$!
wait_for 60 "Prometheus to be ready" curl -fsS --max-time 2 "http://127.0.0.1:$PROM_PORT/-/ready"
wait_for 60 "the first scrapes with BGP peers" prom_query 'count(aws_directconnect_bgp_peer_up) > 0'
START=$SECONDS

# Fault injection through the simulator's control endpoint (URL from its log line).
SIM="$(grep -o 'endpoint=http://127\.0\.0\.1:[0-9]*' "$WORK/exporter.log" | head -n 1 | cut -d= -f2 || true)"
STRICT=()
if [ -n "$SIM" ] && curl -fsS --max-time 2 "$SIM/_sim/health" >/dev/null 2>&1; then
  # The first peer that is up (by account, region, VIF id) goes down: "BGP peers down" must
  # show it and the flap counter must move.
  PEER="$(curl -fsS --max-time 5 "http://127.0.0.1:$EXP_PORT/metrics" | python3 -c '
import re, sys
peers = sorted(re.findall(r"^aws_directconnect_bgp_peer_up\{([^}]*)\} 1(?:\.0)?$", sys.stdin.read(), re.M))
for labels in peers:
    d = dict(re.findall(r"(\w+)=\"([^\"]*)\"", labels))
    print(d["virtual_interface_id"], d["address_family"], d["aws_account_id"], d["aws_region"]); break
')"
  if [ -n "$PEER" ]; then
    read -r VIF AF ACCOUNT REGION <<<"$PEER"
    log "simulator at $SIM: BGP peer $VIF/$AF goes down; DescribeVirtualInterfaces of $ACCOUNT/$REGION throttled"
    curl -fsS --max-time 5 -H 'Content-Type: application/json' -X POST "$SIM/_sim/peer" \
      -d "{\"virtual_interface_id\":\"$VIF\",\"address_family\":\"$AF\",\"bgp_status\":\"down\"}" >/dev/null ||
      die "POST $SIM/_sim/peer failed"
    # Sustained throttling, in two waves: a counter series first appears with its first
    # increment already in it, so rate() only sees the second wave.
    throttle() {
      curl -fsS --max-time 5 -H 'Content-Type: application/json' -X POST "$SIM/_sim/faults" \
        -d "{\"kind\":\"throttle\",\"operation\":\"DescribeVirtualInterfaces\",\"account\":\"$ACCOUNT\",\"region\":\"$REGION\",\"count\":$1}" \
        >/dev/null || die "POST $SIM/_sim/faults failed"
    }
    throttle 1
    wait_for 30 "the first throttled request to be scraped" \
      prom_query "aws_directconnect_api_requests_total{result=\"throttled\",aws_account_id=\"$ACCOUNT\",aws_region=\"$REGION\"}"
    throttle 2
    wait_for 30 "the peer to be reported down" \
      prom_query "aws_directconnect_bgp_peer_up{virtual_interface_id=\"$VIF\",address_family=\"$AF\"} == 0"
    STRICT=(--apply-filters
      --require-nonzero "directconnect-overview/BGP peers not up"
      --require-nonzero "directconnect-overview/BGP peer status changes (flaps)"
      --require-nonzero "directconnect-exporter/Throttled requests by operation")
  else
    log "no BGP peer up in the demo; strict checks skipped"
  fi
else
  log "simulator control endpoint not found in the exporter log; strict checks skipped"
fi

# Let rates and increases see a full rate interval of samples (bounded by DX_LIVE_WARMUP).
REMAINING=$((WARMUP - (SECONDS - START)))
if [ "$REMAINING" -gt 0 ]; then log "collecting data for ${REMAINING}s more"; sleep "$REMAINING"; fi
kill -0 "$EXPORTER_PID" 2>/dev/null || die "the exporter exited during warm-up"

PASSED=0
FAILED=0
run_check() { # run_check LABEL ARGS...: runs live_check.py and adds its counts to the totals
  local label="$1"; shift
  log "live_check ($label)"
  local out rc=0
  out="$(timeout 300 python3 "$CHECK" --prometheus "http://127.0.0.1:$PROM_PORT" --range 2m "$@" 2>&1)" || rc=$?
  printf '%s\n' "$out" | sed 's/^\([0-9]* passed, [0-9]* failed\)$/[\1 in this pass]/'
  local counts
  counts="$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1 || true)"
  if [ -z "$counts" ]; then FAILED=$((FAILED + 1)); log "live_check ($label) exited $rc without a summary"; return; fi
  PASSED=$((PASSED + $(echo "$counts" | cut -d' ' -f1)))
  FAILED=$((FAILED + $(echo "$counts" | cut -d' ' -f3)))
  if [ "$rc" -ne 0 ] && [ "$(echo "$counts" | cut -d' ' -f3)" = 0 ]; then FAILED=$((FAILED + 1)); fi
}
run_check "first value of every variable" --values first --any-value
run_check "dashboard defaults (All), strict" --values default "${STRICT[@]}"

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ] && STATUS=0
exit "$STATUS"
