#!/usr/bin/env python3
"""Runs every panel query of every dashboard against a live Prometheus and requires data.

    python3 tests/dashboards/live_check.py --prometheus http://127.0.0.1:9090 \
        [--dashboards DIR] [--values first|default] [--any-value] [--rate-interval 1m] \
        [--range 3m] [--step 15s] [--apply-filters] [--require-nonzero 'Panel title' ...]

Template variables are resolved like Grafana does: each `label_values(selector, label)`
query goes to /api/v1/label/<label>/values?match[]=<selector> (earlier variables already
substituted) over the checked time range. `--values first` (default) picks the first
value of every variable (Grafana's alphabetical sort); `--values default` picks what the
dashboard opens with: "All" where a variable defaults to All, the first value elsewhere.
With --any-value, a query without data for that selection passes if another combination
of single values has data (the line says which): a panel about LAGs may well be empty for
an account and region without LAGs. `$__rate_interval`, `$__interval` and `$__range`
become --rate-interval, --step and --range.

Each query runs as Grafana runs it: targets marked instant as an instant query, the others
as a range query over the last --range. A query passes when Prometheus answers with at
least one series (a scalar counts). --apply-filters also applies a table panel's
filterByValue transformation and requires rows after it; --require-nonzero requires a
non-zero sample in the named panel (title, or `<dashboard uid>/<title>`).

Prints one line per check (failures with the query as sent), then `N passed, N failed`;
exits 1 on any failure, 2 when Prometheus cannot be reached.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
REGEX_SPECIAL = set("\\^$.|?*+()[]{}")


def parse_duration(text):
    mm = re.fullmatch(r"(\d+)(ms|s|m|h)", text)
    if not mm:
        raise argparse.ArgumentTypeError(f"bad duration {text!r} (want e.g. 30s, 1m)")
    return int(mm.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[mm.group(2)]


class Prometheus:
    def __init__(self, base, timeout):
        self.base = base.rstrip("/")
        self.timeout = timeout

    def get(self, path, params):
        url = f"{self.base}{path}?{urllib.parse.urlencode(params, doseq=True)}"
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as resp:
                body = json.load(resp)
        except urllib.error.HTTPError as e:
            try:
                body = json.load(e)
            except (json.JSONDecodeError, ValueError):
                body = {"status": "error", "error": f"HTTP {e.code}"}
        if body.get("status") != "success":
            raise QueryError(f"{body.get('errorType', 'error')}: {body.get('error')}")
        return body["data"]


class QueryError(Exception):
    pass


def variable_query(v):
    q = v.get("query")
    if isinstance(q, dict):
        q = q.get("query", "")
    return q or v.get("definition", "")


def regex_escape(value):
    # Grafana escapes regex metacharacters in multi-value variables; inside a PromQL
    # double-quoted string the backslash itself must be doubled.
    return "".join("\\\\" + c if c in REGEX_SPECIAL else c for c in value)


class Context:
    """Variable values of one dashboard plus Grafana's built-in interval variables."""

    def __init__(self, args):
        self.values = {}  # name -> text substituted into queries
        self.builtins = {
            "__rate_interval": args.rate_interval_text,
            "__interval": args.step_text,
            "__interval_ms": str(int(args.step * 1000)),
            "__range": args.range_text,
            "__range_s": str(int(args.range)),
            "__range_ms": str(int(args.range * 1000)),
        }

    def interpolate(self, text):
        def repl(mm):
            name = mm.group(1) or mm.group(2) or mm.group(3)
            if name in self.builtins:
                return self.builtins[name]
            if name in self.values:
                return self.values[name]
            return mm.group(0)

        return re.sub(r"\$\{([A-Za-z0-9_]+)(?::[A-Za-z]+)?\}|\$([A-Za-z_][A-Za-z0-9_]*)|\[\[([A-Za-z0-9_]+)\]\]",
                      repl, text)


def label_values(prom, ctx, query, args):
    """Values of a label_values(...) variable query, sorted as Grafana sorts them (sort=1)."""
    mm = re.fullmatch(r"\s*label_values\(\s*(?:(.*),\s*)?([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*", query, re.S)
    if not mm:
        raise QueryError(f"unsupported variable query {query!r}")
    selector, label = mm.group(1), mm.group(2)
    params = {"start": f"{args.now - args.range:.3f}", "end": f"{args.now:.3f}"}
    if selector:
        params["match[]"] = ctx.interpolate(selector)
    values = [x for x in prom.get(f"/api/v1/label/{label}/values", params) if x != ""]
    return sorted(values), params.get("match[]")


def selections(prom, dash, args, mode):
    """Yields (values, shown, problems) for variable selections, the primary one first.

    mode "default": the dashboard's default, i.e. All where the variable has All selected
    by default, else the first value. mode "first": the first value of every variable.
    After the primary selection, with args.any_value, every other combination of single
    values (chained variables resolved in order), at most args.max_combinations.
    """
    variables = dash.get("templating", {}).get("list", [])

    def walk(i, ctx, shown, primary):
        if i == len(variables):
            yield dict(ctx.values), dict(shown), []
            return
        v = variables[i]
        name, kind = v.get("name"), v.get("type")
        if kind == "datasource":
            ctx.values[name] = "prometheus"
            yield from walk(i + 1, ctx, shown, primary)
            return
        if kind != "query":
            options = [o.get("value") for o in v.get("options", []) if o.get("value") not in (None, "$__all")]
            cur = (v.get("current") or {}).get("value")
            ctx.values[name] = cur if isinstance(cur, str) and cur and cur != "$__all" else (options[0] if options else "")
            yield from walk(i + 1, ctx, shown, primary)
            return
        try:
            values, sent = label_values(prom, ctx, variable_query(v), args)
            err = None if values else f"no values for {variable_query(v)!r} (sent match[]={sent!r})"
        except (QueryError, OSError) as e:
            values, err = [], f"{variable_query(v)!r}: {e}"
        if err:
            if primary:
                ctx.values[name] = "__no_value__"
                shown[name] = None
                for vals, sh, probs in walk(i + 1, ctx, shown, primary):
                    yield vals, sh, probs + [f"${name}: {err}"]
            return
        multi = bool(v.get("multi") or v.get("includeAll"))
        default_all = (v.get("current") or {}).get("value") in ("$__all", ["$__all"])
        choices = []
        if primary and mode == "default" and v.get("includeAll") and default_all:
            choices.append((v.get("allValue") or "(" + "|".join(regex_escape(x) for x in values) + ")", "All"))
        choices += [(regex_escape(x) if multi else x, x) for x in values]
        if primary:
            choices = choices[:1]
        for chosen, label in choices:
            ctx.values[name] = chosen
            shown[name] = (label, len(values))
            yield from walk(i + 1, ctx, shown, primary)

    ctx = Context(args)
    yield from walk(0, ctx, {}, True)
    if args.any_value:
        ctx = Context(args)
        for n, sel in enumerate(walk(0, ctx, {}, False)):
            if n >= args.max_combinations:
                break
            yield sel


def run_query(prom, expr, instant, args):
    if instant:
        data = prom.get("/api/v1/query", {"query": expr, "time": f"{args.now:.3f}"})
    else:
        data = prom.get("/api/v1/query_range", {
            "query": expr, "start": f"{args.now - args.range:.3f}", "end": f"{args.now:.3f}", "step": f"{args.step:g}"})
    kind, result = data.get("resultType"), data.get("result")
    if kind == "scalar":
        return [{"metric": {}, "values": [result]}]
    series = []
    for s in result or []:
        vals = s.get("values") if "values" in s else [s.get("value")]
        series.append({"metric": s.get("metric", {}), "values": vals})
    return series


def sample_values(series):
    for s in series:
        for v in s["values"]:
            try:
                yield float(v[1])
            except (TypeError, ValueError, IndexError):
                continue


FILTER_OPS = {
    "equal": lambda x, o: x == float(o.get("value")),
    "notEqual": lambda x, o: x != float(o.get("value")),
    "greater": lambda x, o: x > float(o.get("value")),
    "greaterOrEqual": lambda x, o: x >= float(o.get("value")),
    "lower": lambda x, o: x < float(o.get("value")),
    "lowerOrEqual": lambda x, o: x <= float(o.get("value")),
}


def filter_rows(panel, series):
    """Rows left after the panel's filterByValue transformations on the Value field, or None."""
    rows = [float(s["values"][-1][1]) for s in series if s["values"]]
    applied = False
    for tr in panel.get("transformations", []) or []:
        if tr.get("id") != "filterByValue":
            continue
        opts = tr.get("options", {})
        tests = []
        for f in opts.get("filters", []):
            cfg = f.get("config", {})
            op = FILTER_OPS.get(cfg.get("id"))
            if f.get("fieldName") not in ("Value", "Value #A") or op is None:
                return None  # not a filter this check understands
            tests.append(lambda x, op=op, o=cfg.get("options", {}): op(x, o))
        combine = any if opts.get("match", "any") == "any" else all
        include = opts.get("type", "include") == "include"
        rows = [x for x in rows if combine(t(x) for t in tests) == include]
        applied = True
    return rows if applied else None


class Report:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, scope, name, problems):
        if problems:
            self.failed += 1
            print(f"FAIL {scope}: {name}")
            for p in problems:
                print("     " + p.replace("\n", "\n     "))
        else:
            self.passed += 1
            print(f"ok   {scope}: {name}")


def check_dashboard(prom, path, args, report):
    dash = json.loads(path.read_text(encoding="utf-8"))
    uid = dash.get("uid", path.stem)
    sels = selections(prom, dash, args, args.values)
    try:
        primary, shown, problems = next(sels)
    except StopIteration:
        report.check(uid, "variables", ["no variable selection could be resolved"])
        return
    for name, info in shown.items():
        if info is not None:
            report.check(uid, f"variable ${name} = {info[0]} ({info[1]} values)", [])
    for problem in problems:
        report.check(uid, "variables", [problem])
    others = None  # other selections, fetched lazily for --any-value

    ctx = Context(args)
    panels = []
    for p in dash.get("panels", []):
        panels.append(p)
        panels.extend(p.get("panels", []) or [])
    for p in panels:
        if p.get("type") == "row":
            continue
        title = p.get("title", "")
        wanted_nonzero = title in args.require_nonzero or f"{uid}/{title}" in args.require_nonzero
        nonzero_seen = False
        for t in p.get("targets", []) or []:
            ctx.values = primary
            expr = ctx.interpolate(t.get("expr", ""))
            instant = bool(t.get("instant")) and not t.get("range")
            name = f"{title} [{t.get('refId')}] ({'instant' if instant else 'range'})"
            try:
                series = run_query(prom, expr, instant, args)
            except (QueryError, OSError) as e:
                report.check(uid, name, [f"query failed: {e}", f"query: {expr}"])
                continue
            if not series and args.any_value:
                if others is None:
                    others = list(sels)
                for values, sh, _ in others:
                    ctx.values = values
                    try:
                        series = run_query(prom, ctx.interpolate(t.get("expr", "")), instant, args)
                    except (QueryError, OSError):
                        continue
                    if series:
                        where = ", ".join(f"{k}={v[0]}" for k, v in sh.items() if v)
                        name += f" (none with the {args.values} selection; data with {where})"
                        break
            if not series:
                report.check(uid, name, ["no data", f"query: {expr}"])
                continue
            report.check(uid, f"{name}: {len(series)} series", [])
            nonzero_seen |= any(x != 0 for x in sample_values(series))
            if args.apply_filters and instant and len(p.get("targets", [])) == 1:
                rows = filter_rows(p, series)
                if rows is not None:
                    report.check(uid, f"{title}: {len(rows)} rows after the panel's value filter",
                                 [] if rows else [f"every row filtered out; query: {expr}"])
        if wanted_nonzero:
            report.check(uid, f"{title}: has a non-zero value", [] if nonzero_seen else ["all samples are 0"])
            args.nonzero_found.add(title)


def main(argv=None):
    ap = argparse.ArgumentParser(description="Run every dashboard query against Prometheus and require data.")
    ap.add_argument("--prometheus", required=True, help="base URL, e.g. http://127.0.0.1:9090")
    ap.add_argument("--dashboards", type=Path, default=REPO / "dashboards")
    ap.add_argument("--values", choices=("first", "default"), default="first",
                    help="first value of every variable (default), or the dashboard's default selection "
                         "(All where a variable defaults to All)")
    ap.add_argument("--any-value", action="store_true",
                    help="a query without data for the chosen values passes if another combination of "
                         "variable values has data (reported)")
    ap.add_argument("--max-combinations", type=int, default=50, help="bound for --any-value (default 50)")
    ap.add_argument("--rate-interval", default="1m", help="value of $__rate_interval (default 1m)")
    ap.add_argument("--range", default="3m", help="time range of range queries and variables (default 3m)")
    ap.add_argument("--step", default="15s", help="range query step and $__interval (default 15s)")
    ap.add_argument("--timeout", type=float, default=15.0, help="HTTP timeout per request, seconds")
    ap.add_argument("--apply-filters", action="store_true",
                    help="also require rows after table panels' filterByValue transformations")
    ap.add_argument("--require-nonzero", action="append", default=[], metavar="TITLE",
                    help="panel (title or uid/title) that must show a non-zero value; repeatable")
    args = ap.parse_args(argv)
    args.rate_interval_text = args.rate_interval
    args.range_text = args.range
    args.step_text = args.step
    args.range = parse_duration(args.range)
    args.step = parse_duration(args.step)
    parse_duration(args.rate_interval)
    args.nonzero_found = set()

    prom = Prometheus(args.prometheus, args.timeout)
    try:
        prom.get("/api/v1/query", {"query": "1"})
    except (QueryError, OSError) as e:
        print(f"cannot query Prometheus at {args.prometheus}: {e}", file=sys.stderr)
        return 2
    args.now = time.time()

    report = Report()
    files = sorted(args.dashboards.glob("*.json"))
    report.check("dashboards", f"{len(files)} dashboards in {args.dashboards}", [] if files else ["none found"])
    for path in files:
        check_dashboard(prom, path, args, report)
    for title in args.require_nonzero:
        if title not in args.nonzero_found and title.split("/", 1)[-1] not in args.nonzero_found:
            report.check("dashboards", f"--require-nonzero {title!r}", ["no panel with that title"])
    print(f"{report.passed} passed, {report.failed} failed")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
