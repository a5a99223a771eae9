#!/usr/bin/env python3
"""Generates the Grafana dashboards in this directory with grafana-foundation-sdk.

The JSON files next to this script are the product: they import into Grafana as they
are. This script is where they are edited, on Grafana's own dashboards-as-code library
(grafana-foundation-sdk, the build for Grafana 11.6 pinned in tests/requirements.txt), so
that the four dashboards share one set of conventions: the datasource variable, stable
uids, units, links and PromQL shapes.

    python3 dashboards/generate.py           # rewrite the JSON files
    python3 dashboards/generate.py --check   # exit 1 (with a diff) if a file is out of date

scripts/test runs it from its virtual environment (target/venv), where the SDK is
installed; elsewhere: pip install -r tests/requirements.txt.

Layout: this file is the command line; the dashboards are built by the package next to it,
dashboards/generator/ (its __init__ lists the modules): shared pieces (identity and links,
PromQL, field display, panel kinds, layout, capacity) and one module per dashboard
(overview.py, vif.py, physical.py, exporter.py). A dashboard is a list of sections (a
collapsible row and its panels); each section is one function in its dashboard's module, and
each kind of panel (stat, bar gauge, time series, state timeline, table) one builder function
in panels.py. To add panels, add a section function and list it in its dashboard; the panels
of a section fill the 24-column grid left to right, so their widths per line add up to 24
(tests/dashboards/lint.py checks the grid).

Query shapes: every panel query returns data on a healthy fleet too (zeros rather than
nothing), so an empty panel means a broken query or a missing exporter, never "all good".
Redundancy is computed inline from raw metrics, so the dashboards do not need the
recording rules in alerts/.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# The generator package sits next to this file (also under python3 -P or -I); running it
# leaves no __pycache__ in dashboards/, a directory users copy as it is.
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True

try:
    from grafana_foundation_sdk.cog.encoder import JSONEncoder
except ImportError:
    sys.exit("dashboards/generate.py needs grafana-foundation-sdk: pip install -r tests/requirements.txt "
             "(scripts/test installs it into target/venv; run target/venv/bin/python3 dashboards/generate.py)")

from generator.exporter import exporter_health
from generator.identity import EXPORTER_HEALTH, OVERVIEW, PHYSICAL, VIF_DETAIL
from generator.overview import overview
from generator.physical import physical
from generator.vif import vif_detail

BUILDERS = {
    OVERVIEW.file: overview,
    VIF_DETAIL.file: vif_detail,
    PHYSICAL.file: physical,
    EXPORTER_HEALTH.file: exporter_health,
}


def render(build) -> str:
    return json.dumps(build(), cls=JSONEncoder, indent=2, ensure_ascii=False) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail if a JSON file differs from what this script generates")
    ap.add_argument("--out", type=Path, default=HERE, help="output directory (default: this directory)")
    args = ap.parse_args(argv)
    stale = []
    for name, build in BUILDERS.items():
        path = args.out / name
        text = render(build)
        if not args.check:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
            continue
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != text:
            stale.append(name)
            diff = difflib.unified_diff(current.splitlines(), text.splitlines(), f"{name} (committed)",
                                        f"{name} (generated)", lineterm="", n=2)
            print("\n".join(list(diff)[:40]), file=sys.stderr)
    if stale:
        print(f"out of date (run python3 dashboards/generate.py): {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
