#!/usr/bin/env bash
# Static checks of the monitoring files with the real tools (Prometheus 2.42 promtool, Alertmanager 0.25 amtool):
# the Prometheus config and its rule file load, the Alertmanager config loads, and the rule unit tests
# (alerts-test.yml: every rule fires on synthetic series of its failure and stays quiet on a healthy job) pass.
# The metric names themselves are checked against a live scrape by check.py (deploy/standalone/smoke-test.sh).
#   deploy/monitoring/check.sh        (needs promtool and amtool: deploy/monitoring/install.sh)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
for t in promtool amtool; do
  command -v "$t" >/dev/null 2>&1 || { echo "monitoring check: $t not found; run deploy/monitoring/install.sh" >&2; exit 1; }
done
failed=()
step() { # name command...
  local out
  if out=$("${@:2}" 2>&1); then
    echo "monitoring check: $1: ok"
  else
    echo "$out" | sed 's/^/  /' >&2
    echo "monitoring check: $1: FAILED" >&2
    failed+=("$1")
  fi
}
step "promtool check config prometheus.yml" promtool check config prometheus.yml
step "promtool check rules alerts.yml" promtool check rules alerts.yml
step "amtool check-config alertmanager.yml" amtool check-config alertmanager.yml
step "promtool test rules alerts-test.yml ($(grep -c '^  - name:' alerts-test.yml) tests, $(grep -c 'alertname:' alerts-test.yml) assertions)" \
  promtool test rules alerts-test.yml
if [ ${#failed[@]} -gt 0 ]; then
  echo "monitoring check: FAILED: ${failed[*]}" >&2
  exit 1
fi
echo "monitoring check: OK"
