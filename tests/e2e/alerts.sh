#!/usr/bin/env bash
# End-to-end test of the alerting rules: simulator -> exporter -> Prometheus (rules) ->
# Alertmanager -> webhook receiver. Builds nothing. Steps: a healthy fleet pages nobody;
# a BGP peer down arrives as DirectConnectBgpPeerDown and resolves; one of a gateway's two
# VIFs down arrives as DirectConnectGatewayRedundancyLost and
# DirectConnectVirtualInterfaceDown, and both resolve; a VIF's accepted routes grow: the
# route-limit warning arrives while its session is up, then past the limit the session goes
# down (DirectConnectBgpPeerDown, and the critical), and all resolve once the routes are
# withdrawn. The exporter runs the opt-in routes collector (config file, 1s interval).
#
#   tests/e2e/alerts.sh                  (from the repository root or anywhere)
#
# Environment:
#   DX_EXPORTER_BIN   exporter binary (default target/debug/directconnect-exporter)
#   PROMETHEUS_BIN    default prometheus;  ALERTMANAGER_BIN default alertmanager, else
#                     prometheus-alertmanager (Debian's name)
#   E2E_KEEP=1        keep the temp dir (logs, configs, received alerts) for inspection
#
# The rule file is alerts/directconnect.rules.yml with every `for:` rewritten to 5s
# (except the exporter-liveness alerts, kept at 10m so slow start-ups cannot fire them)
# (tests/e2e/e2e.py rewrite-rules), so that the test runs in seconds instead of minutes;
# the rules themselves are unchanged. The for: semantics are covered by the promtool
# unit tests in tests/alerts/.
#
# Everything listens on 127.0.0.1 on free ports inside a temp dir; every process is
# killed on exit; every wait has a deadline. Last line: "N passed, N failed".
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
here="$root/tests/e2e"
helper=(python3 "$here/e2e.py")

bin="${DX_EXPORTER_BIN:-target/debug/directconnect-exporter}"
prom_bin="${PROMETHEUS_BIN:-prometheus}"
am_bin="${ALERTMANAGER_BIN:-}"
if [ -z "$am_bin" ]; then
  if command -v alertmanager >/dev/null; then am_bin=alertmanager; else am_bin=prometheus-alertmanager; fi
fi
deadline=90
for_override=5s

passed=0
failed=0
check() { # check CMD...: run a helper check (prints PASS/FAIL), count it
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
  exit $?
}
die() { echo "FAIL: $*"; failed=$((failed + 1)); finish; }

for b in "$bin" "$prom_bin" "$am_bin" python3; do
  command -v "$b" >/dev/null || [ -x "$b" ] || die "not found: $b"
done

tmp="$(mktemp -d "${TMPDIR:-/tmp}/dx-e2e-alerts.XXXXXX")"
pids=()
cleanup() {
  local pid
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid="${pids[$i]}"
    kill "$pid" 2>/dev/null
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  if [ "${E2E_KEEP:-}" = 1 ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
echo "workdir $tmp"

port() { "${helper[@]}" free-port; }
sim_port=$(port); exp_port=$(port); prom_port=$(port); am_port=$(port); wh_port=$(port)
sim="http://127.0.0.1:$sim_port"
exporter="http://127.0.0.1:$exp_port"
prom="http://127.0.0.1:$prom_port"
am="http://127.0.0.1:$am_port"
jsonl="$tmp/webhook.jsonl"

# --- simulator (standalone) and exporter (real AWS SDK path, pointed at it)
"$bin" --simulator.only --simulator.listen-address "127.0.0.1:$sim_port" \
  --simulator.scenario "$here/fleet.yaml" >"$tmp/simulator.log" 2>&1 &
pids+=($!)
check "${helper[@]}" wait-url "$sim/_sim/health" "$deadline" || { cat "$tmp/simulator.log"; finish; }

# The core collectors every 2s (flag); the opt-in routes collector every 1s (config file).
cat >"$tmp/exporter.yml" <<YAML
collectors: [virtual_interfaces, connections, lags, gateways, routes]
routes_interval: 1s
YAML
AWS_ENDPOINT_URL="$sim" AWS_ACCESS_KEY_ID=AKIA111111111111SIM AWS_SECRET_ACCESS_KEY=x \
  "$bin" --aws.region us-east-1 --collector.interval 2s --config.file "$tmp/exporter.yml" \
  --web.listen-address "127.0.0.1:$exp_port" >"$tmp/exporter.log" 2>&1 &
pids+=($!)
check "${helper[@]}" wait-url "$exporter/-/ready" "$deadline" || { cat "$tmp/exporter.log"; finish; }

# --- webhook receiver and Alertmanager
python3 "$here/webhook.py" --listen "127.0.0.1:$wh_port" --out "$jsonl" >"$tmp/webhook.log" 2>&1 &
pids+=($!)
check "${helper[@]}" wait-url "http://127.0.0.1:$wh_port/" "$deadline" || finish

cat >"$tmp/alertmanager.yml" <<YAML
route:
  receiver: webhook
  group_by: [alertname, aws_account_id, aws_region, virtual_interface_id, bgp_peer_id, direct_connect_gateway_id]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 24h
receivers:
  - name: webhook
    webhook_configs:
      - url: http://127.0.0.1:$wh_port/alerts
        send_resolved: true
YAML
"$am_bin" --config.file="$tmp/alertmanager.yml" --storage.path="$tmp/alertmanager" \
  --web.listen-address="127.0.0.1:$am_port" --cluster.listen-address= \
  --log.level=warn >"$tmp/alertmanager.log" 2>&1 &
pids+=($!)
check "${helper[@]}" wait-url "$am/-/ready" "$deadline" || { cat "$tmp/alertmanager.log"; finish; }

# --- Prometheus with the shipped rules, for: shortened
"${helper[@]}" rewrite-rules alerts/directconnect.rules.yml "$tmp/rules.yml" "$for_override" || die "rewrite rules"
promtool check rules "$tmp/rules.yml" >/dev/null || die "promtool check rules $tmp/rules.yml"
cat >"$tmp/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [rules.yml]
alerting:
  alertmanagers:
    - static_configs: [{targets: ["127.0.0.1:$am_port"]}]
scrape_configs:
  - job_name: directconnect-exporter
    static_configs: [{targets: ["127.0.0.1:$exp_port"]}]
YAML
"$prom_bin" --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/prometheus" \
  --web.listen-address="127.0.0.1:$prom_port" --rules.alert.resend-delay=1s \
  --log.level=warn >"$tmp/prometheus.log" 2>&1 &
pids+=($!)
check "${helper[@]}" wait-url "$prom/-/ready" "$deadline" || { cat "$tmp/prometheus.log"; finish; }

# --- healthy fleet: the recording rules see 2 healthy paths, every session 40% of its
# route limit, nothing pages
check "${helper[@]}" wait-query "$prom" 'up{job="directconnect-exporter"}' 1 "$deadline"
check "${helper[@]}" wait-query "$prom" 'virtual_interface:aws_directconnect_healthy_paths:count' n=2 "$deadline"
check "${helper[@]}" wait-query "$prom" 'direct_connect_gateway:aws_directconnect_healthy_paths:count' 2 "$deadline"
check "${helper[@]}" wait-query "$prom" 'virtual_interface_address_family:aws_directconnect_bgp_accepted_routes:ratio' 0.4 "$deadline"
# Let the rules evaluate for longer than the (shortened) for: durations.
sleep 12
check "${helper[@]}" assert-quiet "$prom" "$jsonl"

# --- take the IPv4 peer of dxvif-e2e00001 down
vif=dxvif-e2e00001
peer_id="$("${helper[@]}" sim-peer-id "$sim" "$vif" ipv4)" || peer_id=""
echo "ipv4 peer of $vif: ${peer_id:-unknown}"
want_labels="{\"alertname\":\"DirectConnectBgpPeerDown\",\"severity\":\"warning\",\"aws_account_id\":\"111111111111\",\"aws_region\":\"us-east-1\",\"virtual_interface_id\":\"$vif\",\"address_family\":\"ipv4\",\"asn\":\"65001\",\"location\":\"EqDC2\",\"direct_connect_gateway_id\":\"3c1e2a4b-5d6f-4a7b-8c9d-0e1f2a3b4c5d\"${peer_id:+,\"bgp_peer_id\":\"$peer_id\"}}"

check "${helper[@]}" post "$sim/_sim/peer" "{\"virtual_interface_id\":\"$vif\",\"address_family\":\"ipv4\",\"bgp_status\":\"down\"}"
check "${helper[@]}" wait-query "$prom" "aws_directconnect_bgp_peer_up{virtual_interface_id=\"$vif\",address_family=\"ipv4\"}" 0 "$deadline"
check "${helper[@]}" wait-webhook "$jsonl" firing "$want_labels" "$deadline"
check "${helper[@]}" assert-prom-alert "$prom" firing "$want_labels"
# One peer of one VIF down: the gateway keeps 2 healthy paths, no critical page.
check "${helper[@]}" wait-query "$prom" 'direct_connect_gateway:aws_directconnect_healthy_paths:count' 2 5
check "${helper[@]}" wait-query "$prom" 'ALERTS{alertstate="firing",severity="critical"}' n=0 5

# --- and up again: a resolved notification arrives
check "${helper[@]}" post "$sim/_sim/peer" "{\"virtual_interface_id\":\"$vif\",\"address_family\":\"ipv4\",\"bgp_status\":\"up\"}"
check "${helper[@]}" wait-webhook "$jsonl" resolved "$want_labels" "$deadline"

# --- one of the gateway's two VIFs goes down: redundancy lost, the VIF pages
gw=3c1e2a4b-5d6f-4a7b-8c9d-0e1f2a3b4c5d
vif2=dxvif-e2e00002
redundancy_labels="{\"alertname\":\"DirectConnectGatewayRedundancyLost\",\"severity\":\"warning\",\"direct_connect_gateway_id\":\"$gw\"}"
vif_down_labels="{\"alertname\":\"DirectConnectVirtualInterfaceDown\",\"severity\":\"critical\",\"aws_account_id\":\"111111111111\",\"aws_region\":\"us-east-1\",\"virtual_interface_id\":\"$vif2\",\"direct_connect_gateway_id\":\"$gw\"}"
check "${helper[@]}" post "$sim/_sim/virtual-interface" "{\"virtual_interface_id\":\"$vif2\",\"state\":\"down\"}"
check "${helper[@]}" wait-query "$prom" 'direct_connect_gateway:aws_directconnect_healthy_paths:count' 1 "$deadline"
check "${helper[@]}" wait-webhook "$jsonl" firing "$redundancy_labels" "$deadline"
check "${helper[@]}" wait-webhook "$jsonl" firing "$vif_down_labels" "$deadline"

# --- and back: both resolve, the gateway has two healthy paths again
check "${helper[@]}" post "$sim/_sim/virtual-interface" "{\"virtual_interface_id\":\"$vif2\",\"state\":\"available\"}"
check "${helper[@]}" wait-query "$prom" 'direct_connect_gateway:aws_directconnect_healthy_paths:count' 2 "$deadline"
check "${helper[@]}" wait-webhook "$jsonl" resolved "$redundancy_labels" "$deadline"
check "${helper[@]}" wait-webhook "$jsonl" resolved "$vif_down_labels" "$deadline"

# --- a VIF's accepted IPv4 routes grow towards its limit of 100 (dxvif-e2e00002: its peers
# have not alerted before, so every notification below is new). At 85 the warning arrives
# while the session is still up; at 101 AWS (the simulator) puts the session down and
# DirectConnectBgpPeerDown follows; withdrawn to 40, everything resolves.
routes_labels="\"aws_account_id\":\"111111111111\",\"aws_region\":\"us-east-1\",\"virtual_interface_id\":\"$vif2\",\"address_family\":\"ipv4\""
near_warning="{\"alertname\":\"DirectConnectBgpAcceptedRoutesNearLimit\",\"severity\":\"warning\",$routes_labels,\"virtual_interface_type\":\"private\",\"direct_connect_gateway_id\":\"$gw\"}"
near_critical="{\"alertname\":\"DirectConnectBgpAcceptedRoutesNearLimit\",\"severity\":\"critical\",$routes_labels}"
overflow_down="{\"alertname\":\"DirectConnectBgpPeerDown\",\"severity\":\"warning\",$routes_labels}"
routes_query="aws_directconnect_bgp_routes{virtual_interface_id=\"$vif2\",address_family=\"ipv4\",direction=\"accepted\"}"
peer_up_query="aws_directconnect_bgp_peer_up{virtual_interface_id=\"$vif2\",address_family=\"ipv4\"}"
check "${helper[@]}" post "$sim/_sim/routes" "{\"virtual_interface_id\":\"$vif2\",\"address_family\":\"ipv4\",\"accepted\":85}"
check "${helper[@]}" wait-query "$prom" "$routes_query" 85 "$deadline"
check "${helper[@]}" wait-webhook "$jsonl" firing "$near_warning" "$deadline"
# Delivered while the session is up: no BGP alert and no critical for this VIF yet.
check "${helper[@]}" wait-query "$prom" "$peer_up_query" 1 5
check "${helper[@]}" wait-query "$prom" "ALERTS{virtual_interface_id=\"$vif2\",alertname=~\"DirectConnectBgpPeerDown|DirectConnectVirtualInterfaceAllPeersDown\"}" n=0 5
check "${helper[@]}" wait-query "$prom" "ALERTS{virtual_interface_id=\"$vif2\",severity=\"critical\"}" n=0 5
check "${helper[@]}" assert-no-webhook "$jsonl" "$overflow_down"

check "${helper[@]}" post "$sim/_sim/routes" "{\"virtual_interface_id\":\"$vif2\",\"address_family\":\"ipv4\",\"accepted\":101}"
check "${helper[@]}" wait-query "$prom" "$peer_up_query" 0 "$deadline"
check "${helper[@]}" wait-webhook "$jsonl" firing "$overflow_down" "$deadline"
check "${helper[@]}" wait-webhook "$jsonl" firing "$near_critical" "$deadline"

check "${helper[@]}" post "$sim/_sim/routes" "{\"virtual_interface_id\":\"$vif2\",\"address_family\":\"ipv4\",\"accepted\":40}"
check "${helper[@]}" wait-query "$prom" "$peer_up_query" 1 "$deadline"
check "${helper[@]}" wait-webhook "$jsonl" resolved "$near_warning" "$deadline"
check "${helper[@]}" wait-webhook "$jsonl" resolved "$near_critical" "$deadline"
check "${helper[@]}" wait-webhook "$jsonl" resolved "$overflow_down" "$deadline"

if [ "$failed" -ne 0 ]; then
  for f in simulator exporter prometheus alertmanager webhook; do
    echo "--- tail $f.log"; tail -n 20 "$tmp/$f.log"
  done
  echo "--- received alerts"; cat "$jsonl" 2>/dev/null
fi
finish
