#!/usr/bin/env python3
"""Checks every alert of a rule file has labels.severity (critical|warning|info) and
annotations summary, description and runbook_url; that runbook_url points at
docs/runbooks.md#<alertname lowercase> and that this anchor exists in docs/runbooks.md;
that every recording rule is named level:metric:operations; and that every alert is
exercised by a unit test (tests/alerts/*.test.yml names it in an alert_rule_test).

usage: check_meta.py RULES_FILE RUNBOOKS_MD TEST_DIR
Requires PyYAML.
"""
import re
import sys
from pathlib import Path

import yaml

RUNBOOK_BASE = "https://github.com/directconnect-exporter/directconnect-exporter/blob/main/docs/runbooks.md#"
SEVERITIES = {"critical", "warning", "info"}
RECORD_NAME = re.compile(r"^[a-z_]+:[a-z_]+:[a-z_]+$")


def github_anchor(heading: str) -> str:
    """The anchor GitHub generates for a Markdown heading."""
    a = heading.strip().lower()
    a = re.sub(r"[^\w\- ]", "", a)
    return a.replace(" ", "-")


def main() -> int:
    rules_file, runbooks, test_dir = (Path(a) for a in sys.argv[1:4])
    errors = []
    doc = yaml.safe_load(rules_file.read_text())
    anchors = {github_anchor(m) for m in re.findall(r"^#{1,6}\s+(.+?)\s*$", runbooks.read_text(), re.M)}
    tested = set()
    for t in sorted(test_dir.glob("*.test.yml")):
        for case in yaml.safe_load(t.read_text()).get("tests", []):
            for art in case.get("alert_rule_test") or []:
                tested.add(art["alertname"])
    alerts = set()
    for group in doc["groups"]:
        for rule in group["rules"]:
            if "record" in rule:
                if not RECORD_NAME.match(rule["record"]):
                    errors.append(f"recording rule {rule['record']}: not named level:metric:operations")
                continue
            name = rule["alert"]
            alerts.add(name)
            labels = rule.get("labels") or {}
            ann = rule.get("annotations") or {}
            if labels.get("severity") not in SEVERITIES:
                errors.append(f"{name}: labels.severity is {labels.get('severity')!r}, want one of {sorted(SEVERITIES)}")
            for key in ("summary", "description", "runbook_url"):
                if not str(ann.get(key, "")).strip():
                    errors.append(f"{name}: annotation {key} missing or empty")
            url = ann.get("runbook_url", "")
            want = RUNBOOK_BASE + name.lower()
            if url != want:
                errors.append(f"{name}: runbook_url is {url!r}, want {want!r}")
            if name.lower() not in anchors:
                errors.append(f"{name}: no heading with anchor #{name.lower()} in {runbooks}")
            if "for" not in rule:
                errors.append(f"{name}: no for:")
    for name in sorted(alerts - tested):
        errors.append(f"{name}: no alert_rule_test in {test_dir}/*.test.yml")
    for e in errors:
        print(f"check_meta: {e}", file=sys.stderr)
    print(f"check_meta: {len(alerts)} alerts checked, {len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
