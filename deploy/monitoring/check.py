#!/usr/bin/env python3
"""Checks that every metric the alert rules and the Grafana dashboard query exists in a live scrape.

   deploy/monitoring/check.py SCRAPE_FILE...     (text from the Flink reporters' /metrics endpoints)

A dashboard panel or rule over a misspelled or renamed metric shows nothing and never fires; this catches
it against what the running job actually exports. Exit 1 naming each missing metric."""
import json
import os
import re
import sys

import yaml

here = os.path.dirname(os.path.abspath(__file__))


def expressions():
    rules = yaml.safe_load(open(os.path.join(here, "alerts.yml")))
    for group in rules["groups"]:
        for rule in group["rules"]:
            yield "rule " + rule["alert"], rule["expr"]
    dash = json.load(open(os.path.join(here, "grafana", "dashboards", "sensor-anomaly.json")))
    for panel in dash["panels"]:
        for target in panel["targets"]:
            yield "panel '" + panel["title"] + "'", target["expr"]


def main(scrapes):
    series = []  # (name, labels text)
    for path in scrapes:
        for line in open(path):
            m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s", line)
            if m:
                series.append((m.group(1), m.group(2) or ""))
    names = {n for n, _ in series}
    if not names:
        print("check: the scrapes hold no metrics", file=sys.stderr)
        return 1
    problems, checked = [], 0
    for where, expr in expressions():
        for pattern in re.findall(r'__name__=~"([^"]+)"', expr):
            checked += 1
            if not any(re.fullmatch(pattern, n) for n in names):
                problems.append(f"{where}: no metric matches {pattern}")
        literal = re.sub(r'\{__name__=~"[^"]+"\}', "", expr)
        for name, labels in re.findall(r"\b(flink_[A-Za-z0-9_]+)(\{[^}]*\})?", literal):
            checked += 1
            if name not in names:
                problems.append(f"{where}: {name} is not exported")
                continue
            for key, value in re.findall(r'(\w+)="([^"]*)"', labels):
                if not any(n == name and f'{key}="{value}"' in lab for n, lab in series):
                    problems.append(f'{where}: {name} has no series with {key}="{value}"')
    for p in problems:
        print("check: " + p, file=sys.stderr)
    print(f"check: {checked} metric references in alerts.yml and the dashboard, {len(problems)} missing")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1:]))
