#!/usr/bin/env python3
"""Static checks of the Grafana dashboards in dashboards/ (Python 3.11, standard library).

    python3 tests/dashboards/lint.py [--dashboards DIR] [--no-promtool]

Checks, per dashboard unless noted: valid JSON; current schemaVersion; uids unique and
stable across dashboards; panel ids unique; allowed panel types; panels inside the
24-column grid without overlap; every template variable used; the datasource is the
`${datasource}` variable everywhere (no hard-coded uid); every rate()/increase()/irate()
uses `$__rate_interval` and no query hard-codes a range; metric and label names exist in
SPEC section 6 (a gateway metric filtered by aws_region would silently show nothing);
brackets balance; PromQL parses (promtool, when installed); units on numeric panels,
value mappings on state timelines; table overrides name the displayed (renamed)
columns; dashboard links resolve to the other dashboards' uids; dashboards/generate.py
--check (the JSON matches its generator).

Prints one line per check, then `N passed, N failed`; exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MIN_SCHEMA_VERSION = 39
ALLOWED_PANEL_TYPES = {"timeseries", "stat", "table", "state-timeline", "bargauge", "row"}
NUMERIC_PANEL_TYPES = {"timeseries", "stat", "bargauge", "table", "gauge"}
RANGE_FUNCTIONS = ("rate", "irate", "increase")
DATASOURCE_REFS = {"${datasource}", "$datasource"}

# SPEC section 6: metric -> labels besides the common ones. Prometheus adds job/instance.
COMMON = {"aws_account_id", "aws_region"}
TARGET_LABELS = {"job", "instance"}
VIF_INFO = {"virtual_interface_id", "virtual_interface_name", "virtual_interface_type", "connection_id",
            "owner_account", "location", "vlan", "asn", "amazon_side_asn", "address_family",
            "direct_connect_gateway_id", "virtual_gateway_id", "aws_logical_device_id",
            "jumbo_frame_capable", "site_link_enabled"}
PEER = {"virtual_interface_id", "bgp_peer_id", "asn", "address_family"}
CONN_INFO = {"connection_id", "connection_name", "location", "bandwidth", "partner_name", "provider_name",
             "lag_id", "aws_logical_device_id", "has_logical_redundancy", "encryption_mode", "mac_sec_capable",
             "jumbo_frame_capable"}
LAG_INFO = {"lag_id", "lag_name", "location", "connections_bandwidth", "aws_logical_device_id",
            "has_logical_redundancy"}
METRICS = {
    "virtual_interface_info": (COMMON, VIF_INFO, True),
    "virtual_interface_state": (COMMON, {"virtual_interface_id", "state"}, False),
    "virtual_interface_mtu_bytes": (COMMON, {"virtual_interface_id"}, False),
    "bgp_peer_up": (COMMON, PEER, False),
    "bgp_peer_status": (COMMON, PEER | {"status"}, False),
    "bgp_peer_state": (COMMON, PEER | {"state"}, False),
    "bgp_peer_info": (COMMON, PEER | {"amazon_address", "customer_address", "aws_logical_device_id"}, False),
    "bgp_peer_status_changes_total": (COMMON, PEER, False),
    "connection_info": (COMMON, CONN_INFO, True),
    "connection_state": (COMMON, {"connection_id", "state"}, False),
    "connection_bandwidth_bits_per_second": (COMMON, {"connection_id"}, False),
    "connection_bandwidth_bytes_per_second": (COMMON, {"connection_id"}, False),
    "lag_info": (COMMON, LAG_INFO, True),
    "lag_state": (COMMON, {"lag_id", "state"}, False),
    "lag_minimum_links": (COMMON, {"lag_id"}, False),
    "lag_connections": (COMMON, {"lag_id"}, False),
    "lag_connections_available": (COMMON, {"lag_id"}, False),
    "gateway_info": ({"aws_account_id"}, {"direct_connect_gateway_id", "direct_connect_gateway_name",
                                          "amazon_side_asn", "owner_account"}, False),
    "gateway_state": ({"aws_account_id"}, {"direct_connect_gateway_id", "state"}, False),
    "gateway_attachment_state": ({"aws_account_id"}, {"direct_connect_gateway_id", "virtual_interface_id", "state"}, False),
    "gateway_association_state": ({"aws_account_id"}, {"direct_connect_gateway_id", "association_id",
                                                       "associated_gateway_id", "associated_gateway_type", "state"}, False),
    # 6.3: CloudWatch AWS/DX (the opt-in cloudwatch collector).
    "connection_light_level_tx_dbm": (COMMON, {"connection_id", "optical_lane"}, False),
    "connection_light_level_rx_dbm": (COMMON, {"connection_id", "optical_lane"}, False),
    "connection_egress_bytes_per_second": (COMMON, {"connection_id"}, False),
    "connection_ingress_bytes_per_second": (COMMON, {"connection_id"}, False),
    "connection_egress_packets_per_second": (COMMON, {"connection_id"}, False),
    "connection_ingress_packets_per_second": (COMMON, {"connection_id"}, False),
    "connection_errors": (COMMON, {"connection_id"}, False),
    "connection_encryption_up": (COMMON, {"connection_id"}, False),
    "virtual_interface_egress_bytes_per_second": (COMMON, {"virtual_interface_id"}, False),
    "virtual_interface_ingress_bytes_per_second": (COMMON, {"virtual_interface_id"}, False),
    "virtual_interface_egress_packets_per_second": (COMMON, {"virtual_interface_id"}, False),
    "virtual_interface_ingress_packets_per_second": (COMMON, {"virtual_interface_id"}, False),
    "virtual_interface_bgp_status_min": (COMMON, {"virtual_interface_id", "address_family"}, False),
    "virtual_interface_bgp_prefixes": (COMMON, {"virtual_interface_id", "address_family", "direction"}, False),
    "cloudwatch_sample_age_seconds": (COMMON, set(), False),
    "collector_success": (COMMON, {"collector"}, False),
    "collector_duration_seconds": (COMMON, {"collector"}, False),
    "collector_last_success_timestamp_seconds": (COMMON, {"collector"}, False),
    "api_requests_total": (COMMON, {"operation", "result"}, False),
    "exporter_build_info": (set(), {"version", "revision"}, False),
}
# SPEC 6.1 (capacity, from the Describe calls) and 6.2 (the opt-in routes collector).
METRICS.update({
    "virtual_interface_prefix_pool_allocated": (COMMON, {"virtual_interface_id", "address_family"}, False),
    "virtual_interface_rate_limit_bytes_per_second": (COMMON, {"virtual_interface_id"}, False),
    "connection_prefix_pool_size": (COMMON, {"connection_id", "address_family"}, False),
    "connection_prefix_pool_unallocated": (COMMON, {"connection_id", "address_family"}, False),
    "connection_rate_limiters_max": (COMMON, {"connection_id"}, False),
    "connection_rate_limiters_in_use": (COMMON, {"connection_id"}, False),
    "lag_prefix_pool_size": (COMMON, {"lag_id", "address_family"}, False),
    "lag_prefix_pool_unallocated": (COMMON, {"lag_id", "address_family"}, False),
    "lag_rate_limiters_max": (COMMON, {"lag_id"}, False),
    "lag_rate_limiters_in_use": (COMMON, {"lag_id"}, False),
    "gateway_prefix_pool_allocations": ({"aws_account_id"}, {"direct_connect_gateway_id"}, False),
    "bgp_routes": (COMMON, {"virtual_interface_id", "address_family", "direction"}, False),
    "bgp_route_limit": (COMMON, {"virtual_interface_id", "address_family"}, False),
    "collector_interval_seconds": (COMMON, {"collector"}, False),
})
# SPEC 6.4: operational context. Maintenance series carry the affected resource's id label:
# connection_id or virtual_interface_id.
MAINTENANCE_IDS = {"event_arn", "connection_id", "virtual_interface_id"}
METRICS.update({
    "connection_encryption_status": (COMMON, {"connection_id", "status"}, False),
    "connection_macsec_keys": (COMMON, {"connection_id", "state"}, False),
    "lag_macsec_keys": (COMMON, {"lag_id", "state"}, False),
    "virtual_interface_failover_tests": (COMMON, {"virtual_interface_id"}, False),
    "virtual_interface_failover_test_last_timestamp_seconds": (COMMON, {"virtual_interface_id"}, False),
    "virtual_interface_failover_test_last_status": (COMMON, {"virtual_interface_id", "status"}, False),
    "maintenance_event_info": (COMMON, MAINTENANCE_IDS | {"event_type", "status"}, False),
    "maintenance_event_start_timestamp_seconds": (COMMON, MAINTENANCE_IDS, False),
    "maintenance_event_end_timestamp_seconds": (COMMON, MAINTENANCE_IDS, False),
    "gateway_attachment_state_change_error_info": ({"aws_account_id"}, {"direct_connect_gateway_id",
                                                    "virtual_interface_id", "error"}, False),
    "gateway_association_state_change_error_info": ({"aws_account_id"}, {"direct_connect_gateway_id",
                                                     "association_id", "associated_gateway_id",
                                                     "associated_gateway_type", "error"}, False),
})
PREFIX = "aws_directconnect_"


class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, scope, name, problems):
        problems = [p for p in problems if p]
        if problems:
            self.failed += 1
            print(f"FAIL {scope}: {name}")
            for p in problems:
                print(f"     - {p}")
        else:
            self.passed += 1
            print(f"ok   {scope}: {name}")


# --------------------------------------------------------------------------- helpers


def walk_panels(dash):
    for p in dash.get("panels", []):
        yield p
        for q in p.get("panels", []) or []:  # panels inside collapsed rows
            yield q


def targets(dash):
    for p in walk_panels(dash):
        for t in p.get("targets", []) or []:
            yield p, t


def queries(dash):
    """(where, expr) for every panel query and every query variable."""
    for p, t in targets(dash):
        if t.get("expr"):
            yield f"panel '{p.get('title')}' ref {t.get('refId')}", t["expr"]
    for v in dash.get("templating", {}).get("list", []):
        if v.get("type") == "query":
            yield f"variable '{v.get('name')}'", variable_query(v)


def variable_query(v):
    q = v.get("query")
    if isinstance(q, dict):
        q = q.get("query", "")
    return q or v.get("definition", "")


def strip_strings(expr):
    """The expression with the contents of quoted strings blanked (keeps positions)."""
    return re.sub(r'"(?:[^"\\]|\\.)*"', lambda mm: '"' + " " * (len(mm.group(0)) - 2) + '"', expr)


def balanced(expr):
    pairs = {")": "(", "]": "[", "}": "{"}
    stack = []
    s = strip_strings(expr)
    if s.count('"') % 2:
        return "unbalanced quotes"
    for i, c in enumerate(s):
        if c in "([{":
            stack.append(c)
        elif c in ")]}":
            if not stack or stack.pop() != pairs[c]:
                return f"unbalanced '{c}' at offset {i}"
    return f"unclosed '{stack[-1]}'" if stack else None


def call_argument(s, open_idx):
    depth = 0
    for i in range(open_idx, len(s)):
        if s[i] == "(":
            depth += 1
        elif s[i] == ")":
            depth -= 1
            if depth == 0:
                return s[open_idx + 1:i]
    return s[open_idx + 1:]


def rate_problems(where, expr):
    out = []
    s = strip_strings(expr)
    for mm in re.finditer(r"\b(%s)\s*\(" % "|".join(RANGE_FUNCTIONS), s):
        arg = call_argument(s, mm.end() - 1)
        ranges = re.findall(r"\[([^\]]*)\]", arg)
        if not ranges or any(r.strip() != "$__rate_interval" for r in ranges):
            out.append(f"{where}: {mm.group(1)}() must use [$__rate_interval], found {ranges or 'no range'}")
    for mm in re.finditer(r"\[\s*\d+[smhdwy][^\]]*\]", s):
        out.append(f"{where}: hard-coded range {mm.group(0)}; use $__rate_interval")
    return out


SELECTOR = re.compile(r"\b(%s[a-z0-9_]*)\s*(\{[^}]*\})?" % PREFIX)
MATCHER = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"')


def name_problems(where, expr):
    out = []
    for mm in SELECTOR.finditer(expr):
        metric = mm.group(1)[len(PREFIX):]
        if metric not in METRICS:
            out.append(f"{where}: unknown metric {mm.group(1)} (not in SPEC section 6)")
            continue
        common, own, tags = METRICS[metric]
        allowed = common | own | TARGET_LABELS | {"__name__"}
        for label, _op in MATCHER.findall(mm.group(2) or ""):
            if label in allowed or (tags and label.startswith("tag_")):
                continue
            out.append(f"{where}: {mm.group(1)} has no label '{label}'")
    return out


def substitute_for_syntax(expr):
    expr = re.sub(r"\$__rate_interval|\$__interval|\$__range", "1m", expr)
    expr = re.sub(r"\$\{[a-zA-Z0-9_]+(:[a-z]+)?\}|\$[a-zA-Z_][a-zA-Z0-9_]*|\[\[[a-zA-Z0-9_]+\]\]", "x", expr)
    return expr


def promtool_problems(all_queries):
    """Parses every panel query with promtool (as recording rules); [] if all parse."""
    promtool = shutil.which("promtool")
    if not promtool:
        return None
    exprs = [(where, substitute_for_syntax(e)) for where, e in all_queries if not e.startswith("label_values(")]
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, (_where, e) in enumerate(exprs):
            path = Path(tmp) / f"q{i}.yml"
            rule = {"groups": [{"name": "lint", "rules": [{"record": "lint:query", "expr": e}]}]}
            path.write_text(json.dumps(rule), encoding="utf-8")  # JSON is YAML
        files = [str(Path(tmp) / f"q{i}.yml") for i in range(len(exprs))]
        if not files:
            return out
        res = subprocess.run([promtool, "check", "rules", *files], capture_output=True, text=True, timeout=120)
        if res.returncode != 0:
            text = res.stdout + res.stderr
            for line in text.splitlines():
                mm = re.search(r"/q(\d+)\.yml: .*?could not parse expression: (.*)", line)
                if mm:
                    out.append(f"{exprs[int(mm.group(1))][0]}: {mm.group(2)}")
            if not out:
                out.append("promtool check rules failed: " + text.strip()[-800:])
    return out


def datasource_problems(dash):
    out = []

    def bad(ref):
        if not isinstance(ref, dict):
            return True
        return ref.get("type") != "prometheus" or ref.get("uid") not in DATASOURCE_REFS

    for p in walk_panels(dash):
        if p.get("type") == "row":
            if p.get("datasource") not in (None, {}) and bad(p.get("datasource")):
                out.append(f"row '{p.get('title')}' has datasource {p.get('datasource')}")
            continue
        if bad(p.get("datasource")):
            out.append(f"panel '{p.get('title')}' datasource is {p.get('datasource')!r}, want ${{datasource}}")
        for t in p.get("targets", []) or []:
            if bad(t.get("datasource")):
                out.append(f"panel '{p.get('title')}' ref {t.get('refId')} datasource is {t.get('datasource')!r}")
    for v in dash.get("templating", {}).get("list", []):
        if v.get("type") == "query" and bad(v.get("datasource")):
            out.append(f"variable '{v.get('name')}' datasource is {v.get('datasource')!r}")
        if v.get("type") == "datasource" and v.get("query") != "prometheus":
            out.append(f"datasource variable '{v.get('name')}' must have query 'prometheus'")
    # Any datasource uid anywhere that is neither the variable nor Grafana's built-in annotations.
    def scan(node, path):
        if isinstance(node, dict):
            ds = node.get("datasource")
            if isinstance(ds, dict) and ds.get("uid") not in DATASOURCE_REFS | {"-- Grafana --", None}:
                out.append(f"hard-coded datasource uid {ds.get('uid')!r} at {path}")
            if isinstance(ds, str) and ds not in DATASOURCE_REFS | {"-- Grafana --"}:
                out.append(f"hard-coded datasource {ds!r} at {path}")
            for k, v in node.items():
                scan(v, f"{path}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                scan(v, f"{path}[{i}]")
    scan(dash, "$")
    if "__inputs" in dash:
        out.append("__inputs present: the datasource must be the ${datasource} variable, not an import input")
    return list(dict.fromkeys(out))


def grid_problems(dash):
    out = []
    boxes = []
    for p in dash.get("panels", []):
        g = p.get("gridPos") or {}
        title = p.get("title")
        try:
            x, y, w, h = (int(g[k]) for k in ("x", "y", "w", "h"))
        except (KeyError, TypeError, ValueError):
            out.append(f"panel '{title}' has no complete gridPos")
            continue
        if w <= 0 or h <= 0 or x < 0 or y < 0 or x + w > 24:
            out.append(f"panel '{title}' gridPos {g} is outside the 24-column grid")
        boxes.append((title, x, y, w, h))
    for a, b in itertools.combinations(boxes, 2):
        if a[1] < b[1] + b[3] and b[1] < a[1] + a[3] and a[2] < b[2] + b[4] and b[2] < a[2] + a[4]:
            out.append(f"panels '{a[0]}' and '{b[0]}' overlap")
    return out


def variable_problems(dash):
    out = []
    variables = dash.get("templating", {}).get("list", [])
    names = [v.get("name") for v in variables]
    if "datasource" not in names:
        out.append("no 'datasource' variable")
    for v in variables:
        name = v.get("name")
        others = {k: val for k, val in dash.items() if k != "templating"}
        others["variables"] = [o for o in variables if o is not v]
        text = json.dumps(others)
        pat = re.compile(r"\$%s\b|\$\{%s(?::[a-zA-Z]+)?\}|\[\[%s\]\]" % ((re.escape(name),) * 3))
        if not pat.search(text):
            out.append(f"variable '{name}' is never used")
        if v.get("type") == "query":
            q = variable_query(v)
            if not re.match(r"^\s*label_values\(", q or ""):
                out.append(f"variable '{name}' query should be label_values(...), got {q!r}")
    return out


def unit_problems(dash):
    out = []
    for p in walk_panels(dash):
        kind = p.get("type")
        defaults = (p.get("fieldConfig") or {}).get("defaults") or {}
        if kind in NUMERIC_PANEL_TYPES and not defaults.get("unit"):
            out.append(f"{kind} panel '{p.get('title')}' has no unit")
        if kind == "state-timeline" and not defaults.get("mappings"):
            out.append(f"state-timeline panel '{p.get('title')}' has no value mappings")
    return out


def override_problems(dash):
    """Table overrides must name columns as displayed, i.e. after the organize rename."""
    out = []
    for p in walk_panels(dash):
        rename = {}
        for tr in p.get("transformations", []) or []:
            if tr.get("id") == "organize":
                rename.update(tr.get("options", {}).get("renameByName", {}) or {})
        for o in (p.get("fieldConfig") or {}).get("overrides", []) or []:
            mm = o.get("matcher", {})
            if mm.get("id") == "byName" and mm.get("options") in rename:
                out.append(f"panel '{p.get('title')}': override on '{mm['options']}' must use its displayed "
                           f"name '{rename[mm['options']]}'")
            if not o.get("properties"):
                out.append(f"panel '{p.get('title')}': override on {mm.get('options')!r} sets nothing")
    return out


def link_urls(dash):
    """Every /d/<uid> reference in the dashboard (dashboard links, panel and data links)."""
    text = json.dumps(dash)
    return re.findall(r"/d/([A-Za-z0-9_-]+)", text)


# --------------------------------------------------------------------------- main


def main(argv=None):
    ap = argparse.ArgumentParser(description="Lint the Grafana dashboards.")
    ap.add_argument("--dashboards", type=Path, default=REPO / "dashboards")
    ap.add_argument("--no-promtool", action="store_true", help="skip the PromQL parse check")
    args = ap.parse_args(argv)

    r = Report()
    files = sorted(args.dashboards.glob("*.json"))
    r.check("dashboards", f"JSON files found in {args.dashboards}", [] if files else ["no *.json files"])

    dashes = {}
    for f in files:
        try:
            dashes[f.name] = json.loads(f.read_text(encoding="utf-8"))
            r.check(f.name, "valid JSON", [])
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            r.check(f.name, "valid JSON", [str(e)])

    uids = {}
    for name, d in dashes.items():
        uids.setdefault(d.get("uid"), []).append(name)
    r.check("dashboards", "uids present, stable and unique",
            [f"{names} share uid {u!r}" for u, names in uids.items() if len(names) > 1]
            + [f"{names} have no uid" for u, names in uids.items() if not u]
            + [f"uid {u!r} longer than 40 characters" for u in uids if u and len(u) > 40]
            + [f"{n}: dashboard id must be null for import, got {d.get('id')}" for n, d in dashes.items() if d.get("id") is not None])
    titles = {}
    for name, d in dashes.items():
        titles.setdefault(d.get("title"), []).append(name)
    r.check("dashboards", "titles unique", [f"{n} share title {t!r}" for t, n in titles.items() if len(n) > 1 or not t])

    all_queries = []
    for name, d in dashes.items():
        r.check(name, f"schemaVersion >= {MIN_SCHEMA_VERSION}",
                [] if isinstance(d.get("schemaVersion"), int) and d["schemaVersion"] >= MIN_SCHEMA_VERSION
                else [f"schemaVersion is {d.get('schemaVersion')!r}"])
        panels = list(walk_panels(d))
        ids = [p.get("id") for p in panels]
        r.check(name, "panel ids present and unique",
                [f"duplicate or missing panel id {i!r}" for i in ids if i is None or ids.count(i) > 1])
        r.check(name, "panel types allowed, titles set",
                [f"panel '{p.get('title')}' has type {p.get('type')!r}" for p in panels if p.get("type") not in ALLOWED_PANEL_TYPES]
                + [f"panel {p.get('id')} has no title" for p in panels if not p.get("title")])
        problems = []
        for p in panels:
            if p.get("type") == "row":
                continue
            ts = p.get("targets") or []
            refs = [t.get("refId") for t in ts]
            if not ts:
                problems.append(f"panel '{p.get('title')}' has no query")
            if len(set(refs)) != len(refs) or None in refs:
                problems.append(f"panel '{p.get('title')}' has missing or duplicate refIds {refs}")
            problems += [f"panel '{p.get('title')}' ref {t.get('refId')} has an empty expr" for t in ts if not t.get("expr")]
        r.check(name, "every panel has queries with unique refIds", problems)
        r.check(name, "panels inside the 24-column grid, no overlap", grid_problems(d))
        r.check(name, "every template variable used", variable_problems(d))
        r.check(name, "datasource is ${datasource} everywhere (no hard-coded uid)", datasource_problems(d))
        qs = list(queries(d))
        all_queries += [(f"{name}: {w}", e) for w, e in qs]
        r.check(name, "rate()/increase() use $__rate_interval, no hard-coded ranges",
                [p for w, e in qs for p in rate_problems(w, e)])
        r.check(name, "metric and label names exist (SPEC section 6)",
                [p for w, e in qs for p in name_problems(w, e)])
        r.check(name, "brackets and quotes balance",
                [f"{w}: {b}" for w, e in qs if (b := balanced(e))])
        r.check(name, "units on numeric panels, mappings on state timelines", unit_problems(d))
        r.check(name, "table overrides name displayed columns", override_problems(d))
        own = d.get("uid")
        others = {u for u in uids if u and u != own}
        refs = link_urls(d)
        dash_links = {u for lk in d.get("links", []) for u in re.findall(r"/d/([A-Za-z0-9_-]+)", lk.get("url", ""))}
        r.check(name, "links resolve to the other dashboards' uids",
                [f"link to unknown uid {u!r}" for u in refs if u not in uids]
                + [f"no dashboard link to {u!r}" for u in sorted(others - dash_links)])

    if args.no_promtool:
        print("skip promtool parse check (--no-promtool)")
    else:
        res = promtool_problems(all_queries)
        if res is None:
            print("skip promtool parse check (promtool not installed)")
        else:
            r.check("dashboards", f"{len(all_queries)} queries parse (promtool check rules)", res)

    gen = args.dashboards / "generate.py"
    if gen.exists():
        res = subprocess.run([sys.executable, str(gen), "--check", "--out", str(args.dashboards)],
                             capture_output=True, text=True, timeout=60)
        r.check("dashboards", "JSON matches dashboards/generate.py",
                [] if res.returncode == 0 else [(res.stdout + res.stderr).strip()])

    print(f"{r.passed} passed, {r.failed} failed")
    return 1 if r.failed else 0


if __name__ == "__main__":
    sys.exit(main())
