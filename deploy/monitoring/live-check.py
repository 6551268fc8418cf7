#!/usr/bin/env python3
"""Checks a running Prometheus and Alertmanager against the live job (used by deploy/standalone/smoke-test.sh).

  live-check.py prometheus URL [--alertmanager HOST:PORT] [--timeout S]
      the Flink reporters are scraped (targets up, series count, the job's ingest_recordsIn present and
      increasing), every rule group of alerts.yml was evaluated (health ok, no lastError), every query of the
      Grafana dashboard evaluates, no pipeline health alert fires, and Prometheus found the given Alertmanager.
  live-check.py alertmanager URL --webhook-log FILE --since EPOCH [--label NAME=VALUE]... [--timeout S]
      waits for a SensorAnomaly alert forwarded by `anomaly forward` to be active with the documented labels
      and annotations, then for one of them to be resolved: gone from /api/v2/alerts (which lists no resolved
      alerts), a resolved notification for its alert_id at the webhook receiver, and Alertmanager counting a
      received resolved alert. Times are printed from EPOCH (when the sensor feed started).
  live-check.py alertmanager-config SRC DST WEBHOOK_URL
      SRC (deploy/monitoring/alertmanager.yml) with short group timers and a webhook on the routed receiver.
  live-check.py webhook PORT FILE
      a webhook receiver on 127.0.0.1:PORT appending every notification to FILE, one JSON document a line.

Standard library only (plus PyYAML for alertmanager-config). Exit 1 with one line per problem."""
import calendar
import json
import os
import re
import sys
import time
import urllib.parse
import urllib.request

# Labels and annotations every forwarded alert carries (anomaly-cli/.../forward/AlertmanagerPayload.java and
# the README's "Alert forwarding"), and the reading's own labels that `anomaly simulate` sets.
ALERT_LABELS = ["alertname", "device_id", "severity", "alert_id", "site", "asset_type"]
ALERT_ANNOTATIONS = ["summary", "description", "score", "threshold", "top_features", "model_version"]
SEVERITIES = {"warning", "error", "critical"}
HERE = os.path.dirname(os.path.abspath(__file__))
RECORDS_IN = "flink_taskmanager_job_task_operator_deserializer_ingest_recordsIn"


def get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.loads(r.read().decode())


def text(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


def query(base, expr):
    res = get(base + "/api/v1/query?" + urllib.parse.urlencode({"query": expr}))
    if res.get("status") != "success":
        raise RuntimeError(f"query {expr}: {res}")
    return res["data"]["result"]


def scalar(base, expr):
    r = query(base, expr)
    return float(r[0]["value"][1]) if r else None


def say(msg):
    print(msg, flush=True)


def wait(what, timeout, probe, every=1.0):
    """Calls probe() until it returns a true value (returned) or timeout seconds pass (None, after printing the
    last reason probe gave through an exception or a false value)."""
    deadline, last = time.time() + timeout, "nothing yet"
    while time.time() < deadline:
        try:
            got = probe()
            if got:
                return got
        except Exception as e:  # noqa: BLE001 - the service may still be starting
            last = str(e)
        time.sleep(every)
    print(f"live-check: {what} not within {timeout:.0f} s ({last})", file=sys.stderr)
    return None


def prometheus(base, alertmanager, timeout):
    problems = []
    if not wait("Prometheus ready", 30, lambda: text(base + "/-/ready")):
        return 1

    def scraped():
        targets = get(base + "/api/v1/targets")["data"]["activeTargets"]
        up = sorted(t["labels"]["instance"] for t in targets if t["health"] == "up")
        return (targets, up) if len(up) >= 2 and query(base, RECORDS_IN) else None

    got = wait("two Flink reporters scraped with the job's metrics", timeout, scraped)
    if not got:
        return 1
    targets, up = got
    series = scalar(base, 'count({job="flink"})')
    names = scalar(base, 'count(count by (__name__) ({job="flink"}))')
    say(f"prometheus: {len(up)} of {len(targets)} reporter ports up ({', '.join(up)}), "
        f"{series:.0f} series of {names:.0f} metric names scraped")

    first = scalar(base, f"sum({RECORDS_IN})")
    t0 = time.time()
    later = wait(f"{RECORDS_IN} increasing", 30, lambda: (lambda v: v if v and v > first else None)(scalar(base, f"sum({RECORDS_IN})")))
    if later is None:
        problems.append(f"{RECORDS_IN} did not increase from {first:.0f}")
    else:
        say(f"prometheus: ingest_recordsIn {first:.0f} -> {later:.0f} in {time.time() - t0:.1f} s "
            f"({len(query(base, RECORDS_IN))} subtask series)")

    def evaluated():
        groups = get(base + "/api/v1/rules")["data"]["groups"]
        rules = [r for g in groups for r in g["rules"]]
        ready = groups and all(not g["lastEvaluation"].startswith("0001") for g in groups) \
            and all(r["health"] != "unknown" for r in rules)
        return (groups, rules) if ready else None

    got = wait("every rule group evaluated", 30, evaluated)
    if not got:
        return 1
    groups, rules = got
    for r in rules:
        if r["health"] != "ok" or r.get("lastError"):
            problems.append(f"rule {r['name']}: health {r['health']}, lastError {r.get('lastError')!r}")
    say(f"prometheus: {len(groups)} rule group(s), {len(rules)} rules evaluated, "
        f"{sum(r['health'] == 'ok' and not r.get('lastError') for r in rules)} healthy "
        f"(group evaluation {sum(g['evaluationTime'] for g in groups) * 1000:.1f} ms)")

    # Every Grafana panel query must evaluate on the live data (a failing one shows an error instead of a graph).
    dash = json.load(open(os.path.join(HERE, "grafana", "dashboards", "sensor-anomaly.json")))
    exprs = [(p["title"], t["expr"]) for p in dash["panels"] for t in p["targets"]]
    empty = []
    for title, expr in exprs:
        res = get(base + "/api/v1/query?" + urllib.parse.urlencode({"query": expr}))
        if res.get("status") != "success":
            problems.append(f"dashboard panel '{title}': {expr}: {res.get('error')}")
        elif not res["data"]["result"]:
            empty.append(title)
    say(f"prometheus: {len(exprs)} dashboard queries evaluated, {len(exprs) - len(empty)} with data"
        + (f" (no data yet: {sorted(set(empty))})" if empty else ""))

    firing = [a for a in get(base + "/api/v1/alerts")["data"]["alerts"] if a["state"] == "firing"]
    pending = [a["labels"]["alertname"] for a in get(base + "/api/v1/alerts")["data"]["alerts"] if a["state"] == "pending"]
    for a in firing:
        problems.append(f"pipeline health alert firing on a healthy run: {a['labels']['alertname']} (value {a['value']})")
    say(f"prometheus: pipeline health alerts firing: {len(firing)}, pending: {len(pending)} {pending if pending else ''}".rstrip())

    if alertmanager:
        def found():
            ams = get(base + "/api/v1/alertmanagers")["data"]["activeAlertmanagers"]
            return [a["url"] for a in ams if alertmanager in a["url"]]
        urls = wait(f"Alertmanager {alertmanager} among Prometheus's active Alertmanagers", 15, found)
        if urls:
            say(f"prometheus: sends its alerts to {urls[0]}")
        else:
            problems.append(f"Prometheus does not list {alertmanager} as an active Alertmanager")
    for p in problems:
        print("live-check: " + p, file=sys.stderr)
    return 1 if problems else 0


def parse_time(s):
    # 2026-12-01T00:28:11.123456789Z or with an offset; seconds precision is enough here.
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)", s)
    base = calendar.timegm(time.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S"))
    frac = float("0" + m.group(2)) if m.group(2) else 0.0
    off = 0 if m.group(3) == "Z" else (1 if m.group(3)[0] == "+" else -1) * (int(m.group(3)[1:3]) * 3600 + int(m.group(3)[4:6]) * 60)
    return base + frac - off


def webhook_notifications(path):
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


def alertmanager(base, webhook_log, since, extra_labels, timeout):
    problems = []
    if not wait("Alertmanager ready", 30, lambda: text(base + "/-/ready")):
        return 1
    url = base + "/api/v2/alerts?" + urllib.parse.urlencode({"filter": 'alertname="SensorAnomaly"'})
    deadline = time.time() + timeout
    seen = {}  # alert_id -> alert as first seen active
    first_seen = {}  # alert_id -> when
    fired_at = None
    resolved = None
    while time.time() < deadline and resolved is None:
        try:
            active = {a["labels"].get("alert_id"): a for a in get(url) if a["status"]["state"] == "active"}
        except Exception as e:  # noqa: BLE001
            print(f"live-check: GET {url}: {e}", file=sys.stderr)
            active = None
        if active is not None:
            now = time.time()
            for aid, a in active.items():
                if aid not in seen:
                    seen[aid] = a
                    first_seen[aid] = now
                    if fired_at is None:
                        fired_at = now
                        say(f"alertmanager: SensorAnomaly FIRING for {a['labels'].get('device_id')} "
                            f"{now - since:.1f} s after the feed started (alert_id {aid}, startsAt {a['startsAt']}, "
                            f"endsAt {a['endsAt']})")
                        check_alert(a, extra_labels, problems)
            gone = [aid for aid in seen if aid not in active]
            if gone:
                resolved = (gone[0], now)
        time.sleep(1)
    if fired_at is None:
        print(f"live-check: no SensorAnomaly alert became active in Alertmanager within {timeout:.0f} s", file=sys.stderr)
        return 1
    if resolved is None:
        print(f"live-check: none of the {len(seen)} active SensorAnomaly alert(s) was resolved within {timeout:.0f} s "
              f"(endsAt {[a['endsAt'] for a in seen.values()]})", file=sys.stderr)
        return 1
    aid, gone_at = resolved
    a = seen[aid]
    say(f"alertmanager: alert {aid} ({a['labels'].get('device_id')}) RESOLVED {gone_at - since:.1f} s after the feed "
        f"started, {gone_at - first_seen[aid]:.1f} s after it was seen FIRING: no longer listed by /api/v2/alerts")

    def notified():
        for n in webhook_notifications(webhook_log):
            for x in n.get("alerts", []):
                if x["labels"].get("alert_id") == aid and x["status"] == "resolved":
                    return n, x
        return None
    got = wait(f"a resolved notification for {aid} at the webhook receiver", 15, notified)
    if got:
        n, x = got
        ends = parse_time(x["endsAt"])
        if ends > time.time():
            problems.append(f"resolved notification for {aid} has endsAt {x['endsAt']} in the future")
        firing_notes = sum(1 for n2 in webhook_notifications(webhook_log) for y in n2.get("alerts", [])
                           if y["labels"].get("alert_id") == aid and y["status"] == "firing")
        say(f"alertmanager: webhook got {firing_notes} firing and a resolved notification for {aid} "
            f"(group {n.get('groupKey')}, endsAt {x['endsAt']})")
        if firing_notes == 0:
            problems.append(f"the webhook receiver got no firing notification for {aid}")
    else:
        problems.append(f"no resolved notification for {aid} reached the webhook receiver")

    metrics = text(base + "/metrics")
    counts = {s: sum(float(v) for v in re.findall(r'^alertmanager_alerts_received_total\{[^}]*status="' + s + r'"[^}]*\} (\S+)$', metrics, re.M))
              for s in ("firing", "resolved")}
    say(f"alertmanager: received alerts firing {counts['firing']:.0f}, resolved {counts['resolved']:.0f} "
        f"(alertmanager_alerts_received_total); {len(seen)} SensorAnomaly alert(s) seen active")
    if counts["resolved"] < 1:
        problems.append("Alertmanager counted no received resolved alert")
    for p in problems:
        print("live-check: " + p, file=sys.stderr)
    return 1 if problems else 0


def check_alert(a, extra_labels, problems):
    labels, ann = a["labels"], a["annotations"]
    for name in ALERT_LABELS:
        if not labels.get(name):
            problems.append(f"forwarded alert lacks label {name}: {labels}")
    for name, value in extra_labels.items():
        if labels.get(name) != value:
            problems.append(f"forwarded alert has {name}={labels.get(name)!r}, not the --label {value!r}")
    if labels.get("severity") not in SEVERITIES:
        problems.append(f"severity {labels.get('severity')!r} is not one of {sorted(SEVERITIES)}")
    for name in ALERT_ANNOTATIONS:
        if not ann.get(name):
            problems.append(f"forwarded alert lacks annotation {name}")
    ends, starts = parse_time(a["endsAt"]), parse_time(a["startsAt"])
    if ends - time.time() < 3600:
        problems.append(f"a FIRING alert should end a --firing-ttl (24 h) after its event time, endsAt {a['endsAt']}")
    if abs(starts - time.time()) > 600:
        problems.append(f"startsAt {a['startsAt']} is more than 10 minutes from now: event time and wall clock differ")
    say("alertmanager: labels " + ", ".join(f"{k}={v}" for k, v in sorted(labels.items()))
        + "; annotations " + ", ".join(sorted(ann)))


def alertmanager_config(src, dst, webhook_url):
    import yaml
    cfg = yaml.safe_load(open(src))
    route = cfg["route"]
    route.update(group_wait="1s", group_interval="2s", repeat_interval="1h")
    for r in cfg["receivers"]:
        if r["name"] == route["receiver"]:
            r["webhook_configs"] = [{"url": webhook_url, "send_resolved": True}]
    with open(dst, "w") as f:
        f.write(f"# {src} with short group timers and a webhook receiver, for the smoke test\n")
        yaml.safe_dump(cfg, f, sort_keys=False)
    return 0


def webhook(port, path):
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with open(path, "a") as f:
                f.write(json.dumps(json.loads(body)) + "\n")
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    HTTPServer(("127.0.0.1", port), Handler).serve_forever()


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    cmd, rest = argv[0], argv[1:]
    opts, args, labels = {}, [], {}
    i = 0
    while i < len(rest):
        if rest[i] == "--label":
            k, v = rest[i + 1].split("=", 1)
            labels[k] = v
            i += 2
        elif rest[i].startswith("--"):
            opts[rest[i][2:]] = rest[i + 1]
            i += 2
        else:
            args.append(rest[i])
            i += 1
    timeout = float(opts.get("timeout", 120))
    if cmd == "prometheus":
        return prometheus(args[0].rstrip("/"), opts.get("alertmanager"), timeout)
    if cmd == "alertmanager":
        return alertmanager(args[0].rstrip("/"), opts["webhook-log"], float(opts["since"]), labels, timeout)
    if cmd == "alertmanager-config":
        return alertmanager_config(*args)
    if cmd == "webhook":
        return webhook(int(args[0]), args[1])
    print(__doc__.strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
