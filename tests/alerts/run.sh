#!/usr/bin/env bash
# Static checks and unit tests of the alerting and recording rules.
#   tests/alerts/run.sh            (from the repository root or anywhere)
# Needs promtool (Debian/Ubuntu: apt-get install prometheus) and python3 with PyYAML.
# Exit status: non-zero if any step fails.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
rules=alerts/directconnect.rules.yml
failed=0

step() {
  local name="$1"; shift
  echo "--- $name"
  if "$@"; then echo "ok: $name"; else echo "FAIL: $name"; failed=$((failed + 1)); fi
}

command -v promtool >/dev/null || { echo "promtool not found (apt-get install prometheus)" >&2; exit 2; }

step "generated rule file is up to date (alerts/build.py --check)" python3 alerts/build.py --check
step "promtool check rules" promtool check rules "$rules"
# The template must also build and check with other selectors (including none).
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
step "builds with --selector 'job=\"dx\",env=\"prod\"'" \
  bash -c "python3 alerts/build.py --selector 'job=\"dx\",env=\"prod\"' --output '$tmp/a.yml' >/dev/null && promtool check rules '$tmp/a.yml' >/dev/null"
step "builds with an empty selector" \
  bash -c "python3 alerts/build.py --selector '' --output '$tmp/b.yml' >/dev/null && promtool check rules '$tmp/b.yml' >/dev/null"
step "labels, annotations, runbook anchors, tests per alert" \
  python3 tests/alerts/check_meta.py "$rules" docs/runbooks.md tests/alerts
step "promtool test rules" promtool test rules tests/alerts/*.test.yml

echo
if [ "$failed" -ne 0 ]; then echo "tests/alerts: $failed step(s) failed"; exit 1; fi
echo "tests/alerts: all steps passed"
