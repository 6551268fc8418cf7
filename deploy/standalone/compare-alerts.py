#!/usr/bin/env python3
"""Compares the committed alerts of a job with a reference job's (files of `./anomaly alerts --json` lines).

   deploy/standalone/compare-alerts.py REFERENCE.jsonl RUN.jsonl   -> "alerts duplicated lost extra"

An alert is its (alertId, status): duplicated = copies beyond the first, lost = in the reference only,
extra = in the run only. Used by fault-test.sh and recovery-test.sh."""
import collections
import json
import sys


def load(path):
    keys = []
    for line in open(path):
        line = line.strip()
        if line.startswith("{"):
            a = json.loads(line)
            keys.append((a["alertId"], a["status"]))
    return keys


ref, got = load(sys.argv[1]), load(sys.argv[2])
dup = sum(n - 1 for n in collections.Counter(got).values() if n > 1)
print(len(got), dup, len(set(ref) - set(got)), len(set(got) - set(ref)))
