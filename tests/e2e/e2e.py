#!/usr/bin/env python3
"""Helpers for tests/e2e/alerts.sh (standard library only).

Subcommands (each check prints "PASS: ..." or "FAIL: ..." and exits 0 or 1):
  free-port                                   print a free TCP port on 127.0.0.1
  rewrite-rules IN OUT FOR                    copy a rule file with every `for:` set to FOR
  wait-url URL DEADLINE_S                     wait until GET URL answers 200
  post URL JSON                               POST JSON (exit 1 unless 2xx)
  sim-peer-id SIM_URL VIF FAMILY              print the bgp_peer_id of a peer (from /_sim/state)
  wait-query PROM_URL QUERY WANT DEADLINE_S   wait until the instant query returns WANT (a
                                              number, compared with every sample) or
                                              "n=K" (K series)
  assert-quiet PROM_URL JSONL                 no warning/critical alert pending/firing in
                                              Prometheus, none received by the webhook
  wait-webhook JSONL STATUS LABELS_JSON DEADLINE_S
                                              wait for an alert with STATUS (firing|resolved)
                                              whose labels include LABELS_JSON
  assert-prom-alert PROM_URL STATE LABELS_JSON
                                              Prometheus /api/v1/alerts has an alert in STATE
                                              whose labels include LABELS_JSON
  assert-no-webhook JSONL LABELS_JSON         the webhook has received no alert (any status)
                                              whose labels include LABELS_JSON
"""
import json
import socket
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

PAGING = {"warning", "critical"}


def get_json(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.loads(r.read())


def ok(msg):
    print(f"PASS: {msg}", flush=True)
    return 0


def fail(msg):
    print(f"FAIL: {msg}", flush=True)
    return 1


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])
    return 0


# Alerts about the exporter's own liveness depend on how fast the processes start on a
# loaded machine, not on the fleet; with a 5s for: they could fire during start-up. They
# keep a for: longer than any start-up, and are not what this test exercises.
KEEP_LONG = {"DirectConnectExporterAbsent": "10m", "DirectConnectExporterDown": "10m"}


def rewrite_rules(src, dst, dur):
    import re
    out, n, alert = [], 0, None
    for line in open(src, encoding="utf-8").read().splitlines(keepends=True):
        m = re.match(r"^\s*-\s*(alert|record):\s*(\S+)", line)
        if m:
            alert = m.group(2) if m.group(1) == "alert" else None
        m = re.match(r"^(\s+)for:\s*\S+\s*$", line)
        if m:
            line = f"{m.group(1)}for: {KEEP_LONG.get(alert, dur)}\n"
            n += 1
        out.append(line)
    with open(dst, "w", encoding="utf-8") as f:
        f.write(f"# tests/e2e: copy of {src} with for: set to {dur} (liveness alerts: 10m)\n" + "".join(out))
    print(f"rewrote {n} for: durations to {dur} (liveness alerts kept at 10m)")
    return 0


def wait_url(url, deadline):
    end = time.time() + float(deadline)
    last = ""
    while time.time() < end:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return ok(f"{url} answers 200")
        except (urllib.error.URLError, OSError) as e:
            last = str(e)
        time.sleep(0.2)
    return fail(f"{url} not ready within {deadline}s ({last})")


def post(url, body):
    req = urllib.request.Request(url, data=body.encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            r.read()
            return ok(f"POST {url} {body} -> {r.status}")
    except urllib.error.HTTPError as e:
        print(f"POST {url}: {e.code} {e.read().decode()}", file=sys.stderr)
        return 1


def find_peers(state, vif):
    """Peers of a VIF anywhere in /_sim/state (the layout is walked, not assumed)."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            vid = node.get("virtual_interface_id") or node.get("virtualInterfaceId") or node.get("id")
            peers = node.get("bgp_peers") or node.get("bgpPeers") or node.get("peers")
            if vid == vif and isinstance(peers, list):
                found.extend(p for p in peers if isinstance(p, dict))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(state)
    return found


def sim_peer_id(sim, vif, family):
    state = get_json(sim.rstrip("/") + "/_sim/state")
    for p in find_peers(state, vif):
        fam = p.get("address_family") or p.get("addressFamily") or p.get("family")
        pid = p.get("bgp_peer_id") or p.get("bgpPeerId") or p.get("id")
        if fam == family and pid:
            print(pid)
            return 0
    print(f"no {family} peer of {vif} in /_sim/state", file=sys.stderr)
    return 1


def query(prom, q):
    url = prom.rstrip("/") + "/api/v1/query?" + urllib.parse.urlencode({"query": q})
    return get_json(url)["data"]["result"]


def wait_query(prom, q, want, deadline):
    end = time.time() + float(deadline)
    got = None
    while time.time() < end:
        try:
            res = query(prom, q)
            got = [(r["metric"], r["value"][1]) for r in res]
            if want.startswith("n="):
                if len(res) == int(want[2:]):
                    return ok(f"{q} -> {len(res)} series")
            elif res and all(float(r["value"][1]) == float(want) for r in res):
                return ok(f"{q} -> {want}")
        except (urllib.error.URLError, OSError, KeyError, ValueError):
            pass
        time.sleep(0.5)
    return fail(f"{q}: want {want} within {deadline}s, last got {got}")


def prom_alerts(prom):
    return get_json(prom.rstrip("/") + "/api/v1/alerts")["data"]["alerts"]


def read_jsonl(path):
    try:
        with open(path, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


def assert_quiet(prom, jsonl):
    bad = [a for a in prom_alerts(prom) if a["labels"].get("severity") in PAGING]
    got = [a for a in read_jsonl(jsonl) if a["labels"].get("severity") in PAGING]
    rc = 0
    if bad:
        rc |= fail("Prometheus has warning/critical alerts on a healthy fleet: " +
                   "; ".join(f'{a["labels"].get("alertname")} {a["state"]} {a["labels"]}' for a in bad))
    else:
        ok(f"Prometheus: no warning/critical alert pending or firing "
           f"({len(prom_alerts(prom))} alert(s) of other severities)")
    if got:
        rc |= fail("webhook received warning/critical alerts on a healthy fleet: " +
                   "; ".join(f'{a["labels"].get("alertname")} {a["status"]}' for a in got))
    else:
        ok("webhook: no warning/critical notification received")
    return rc


def matches(labels, want):
    return all(labels.get(k) == v for k, v in want.items())


def wait_webhook(jsonl, status, want_json, deadline):
    want = json.loads(want_json)
    end = time.time() + float(deadline)
    while time.time() < end:
        for a in read_jsonl(jsonl):
            if a["status"] == status and matches(a["labels"], want):
                return ok(f"webhook received {status} {want.get('alertname', '')} with labels "
                          f"{json.dumps(a['labels'], sort_keys=True)}")
        time.sleep(0.5)
    seen = [(a["status"], a["labels"].get("alertname")) for a in read_jsonl(jsonl)]
    return fail(f"no {status} alert with labels {want} at the webhook within {deadline}s (received: {seen})")


def assert_prom_alert(prom, state, want_json):
    want = json.loads(want_json)
    for a in prom_alerts(prom):
        if a["state"] == state and matches(a["labels"], want):
            return ok(f"Prometheus shows {want.get('alertname', '')} {state}")
    return fail(f"Prometheus has no {state} alert with labels {want}")


def assert_no_webhook(jsonl, want_json):
    want = json.loads(want_json)
    seen = [a for a in read_jsonl(jsonl) if matches(a["labels"], want)]
    if seen:
        return fail(f"webhook already received {want.get('alertname', '')} with labels {want}: " +
                    "; ".join(f'{a["status"]} {json.dumps(a["labels"], sort_keys=True)}' for a in seen))
    return ok(f"webhook: no {want.get('alertname', '')} with labels {want} received")


def main(argv):
    cmds = {
        "free-port": (free_port, 0),
        "rewrite-rules": (rewrite_rules, 3),
        "wait-url": (wait_url, 2),
        "post": (post, 2),
        "sim-peer-id": (sim_peer_id, 3),
        "wait-query": (wait_query, 4),
        "assert-quiet": (assert_quiet, 2),
        "wait-webhook": (wait_webhook, 4),
        "assert-prom-alert": (assert_prom_alert, 3),
        "assert-no-webhook": (assert_no_webhook, 2),
    }
    if len(argv) < 2 or argv[1] not in cmds or len(argv) - 2 != cmds[argv[1]][1]:
        print(__doc__, file=sys.stderr)
        return 2
    return cmds[argv[1]][0](*argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
