#!/usr/bin/env bash
# End-to-end check of the shaded job jar on a real standalone Flink cluster (JobManager and TaskManager
# processes) next to a Kafka broker process: train a model on simulated history, submit with `flink run`,
# feed simulated pumps with faults, and wait for an alert on the alerts topic; then scrape the Flink Prometheus
# endpoints and check that every metric the monitoring rules and dashboard use is exported
# (deploy/monitoring/check.py). With real Prometheus and Alertmanager (Debian packages, installed by
# deploy/monitoring/install.sh): Prometheus scrapes the reporters and evaluates deploy/monitoring/alerts.yml
# (series scraped, ingest_recordsIn increasing, every rule healthy, no pipeline alert firing), and
# `anomaly forward` sends the job's alerts to Alertmanager (deploy/monitoring/alertmanager.yml with a webhook
# receiver), where an anomaly must fire with the documented labels and then resolve. Stops everything at the end.
#   deploy/standalone/smoke-test.sh          (~1.5 minutes after the build; logs under target/standalone/logs and .../smoke)
#   SKIP_BUILD=1        do not run `mvn install` first (the jars from an earlier build are used)
#   REAL_MONITORING=0   skip the Prometheus/Alertmanager part
#   PROMETHEUS_PORT (19090), ALERTMANAGER_PORT (19094), WEBHOOK_PORT (19095): ports on 127.0.0.1
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
KAFKA_PORT="${KAFKA_PORT:-19092}"   # the broker's controller listener takes KAFKA_PORT + 1
PROMETHEUS_PORT="${PROMETHEUS_PORT:-19090}"
ALERTMANAGER_PORT="${ALERTMANAGER_PORT:-19094}"
WEBHOOK_PORT="${WEBHOOK_PORT:-19095}"
REAL_MONITORING="${REAL_MONITORING:-1}"
bs="127.0.0.1:$KAFKA_PORT"
work="$root/target/standalone"
smoke="$work/smoke"
cluster="$root/deploy/standalone/cluster.sh"
live_check="$root/deploy/monitoring/live-check.py"
started=$(date +%s)

# Every process started here is listed in pids and stopped (TERM, then KILL after 10 s) on exit.
pids=()
stop_all() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for _ in $(seq 1 20); do
    local alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.5
  done
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  "$cluster" stop || true
}
trap stop_all EXIT

wait_http() { # url seconds what
  for _ in $(seq 1 "$2"); do curl -sf "$1" >/dev/null 2>&1 && return 0; sleep 1; done
  echo "smoke test: FAILED, $3 did not answer $1 within $2 s" >&2; return 1
}

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  mvn -B -q -DskipTests install >/dev/null    # the job jar and the CLI
fi
if [ "$REAL_MONITORING" = 1 ]; then
  "$root/deploy/monitoring/install.sh"
  am_bin=$(command -v alertmanager || command -v prometheus-alertmanager)
  for port in "$PROMETHEUS_PORT" "$ALERTMANAGER_PORT" "$WEBHOOK_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "smoke test: FAILED, port $port on 127.0.0.1 is taken (set PROMETHEUS_PORT/ALERTMANAGER_PORT/WEBHOOK_PORT)" >&2; exit 1
    fi
  done
fi

# A fresh broker and no old checkpoints: alerts of an earlier run must not count for this one.
"$cluster" stop >/dev/null 2>&1 || true
rm -rf "$smoke" "$work/kafka/data" "$work/checkpoints"
mkdir -p "$smoke"
"$cluster" start
for t in sensor-readings anomaly-alerts sensor-readings-dlq; do
  java -cp "$work/kafka/lib/*" org.apache.kafka.tools.TopicCommand --bootstrap-server "$bs" --create --if-not-exists \
    --topic "$t" --partitions 2 --replication-factor 1 >/dev/null
done

if [ "$REAL_MONITORING" = 1 ]; then
  # Alertmanager: the deployed routing (deploy/monitoring/alertmanager.yml) with short group timers and a webhook
  # receiver that records every notification; no HA gossip listener.
  python3 "$live_check" webhook "$WEBHOOK_PORT" "$smoke/webhook.jsonl" >"$smoke/webhook.log" 2>&1 &
  pids+=($!)
  python3 "$live_check" alertmanager-config "$root/deploy/monitoring/alertmanager.yml" "$smoke/alertmanager.yml" \
    "http://127.0.0.1:$WEBHOOK_PORT/"
  amtool check-config "$smoke/alertmanager.yml" >"$smoke/amtool.log" 2>&1 || { cat "$smoke/amtool.log" >&2; exit 1; }
  "$am_bin" --config.file="$smoke/alertmanager.yml" --storage.path="$smoke/alertmanager-data" \
    --web.listen-address="127.0.0.1:$ALERTMANAGER_PORT" --cluster.listen-address= >"$smoke/alertmanager.log" 2>&1 &
  pids+=($!)
  # Prometheus: the Flink reporters' port range, the deployed rules, evaluated every 2 s.
  targets=$(for port in $(seq 9249 9260); do printf '"127.0.0.1:%s", ' "$port"; done)
  cat > "$smoke/prometheus.yml" <<YAML
global:
  scrape_interval: 2s
  evaluation_interval: 2s
alerting:
  alertmanagers:
    - static_configs:
        - targets: ["127.0.0.1:$ALERTMANAGER_PORT"]
rule_files:
  - $root/deploy/monitoring/alerts.yml
scrape_configs:
  - job_name: flink
    static_configs:
      - targets: [${targets%, }]
YAML
  promtool check config "$smoke/prometheus.yml" >"$smoke/promtool.log" 2>&1 || { cat "$smoke/promtool.log" >&2; exit 1; }
  prometheus --config.file="$smoke/prometheus.yml" --storage.tsdb.path="$smoke/prometheus-data" \
    --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" >"$smoke/prometheus.log" 2>&1 &
  pids+=($!)
  wait_http "http://127.0.0.1:$ALERTMANAGER_PORT/-/ready" 30 Alertmanager
  wait_http "http://127.0.0.1:$PROMETHEUS_PORT/-/ready" 30 Prometheus
  echo "smoke test: Prometheus on 127.0.0.1:$PROMETHEUS_PORT, Alertmanager on 127.0.0.1:$ALERTMANAGER_PORT (webhook :$WEBHOOK_PORT)"
  # The forwarder runs from the start, as deployed: every committed alert goes to Alertmanager.
  ./anomaly forward --bootstrap-servers "$bs" --alertmanager "http://127.0.0.1:$ALERTMANAGER_PORT" \
    --group "smoke-forwarder" --label env=smoke >"$smoke/forward.log" 2>&1 &
  forwarder=$!
  pids+=($forwarder)
fi

./anomaly simulate --history-out "$smoke/history" --history-span 20m --devices 4 --seed 5
./anomaly train --input "$smoke/history"/*.csv --out "$smoke/bundle" --epochs 15 | tail -3
"$cluster" submit --bootstrap.servers "$bs" --bundle "file://$smoke/bundle" --checkpoint.interval 5s \
  --transactional-id-prefix "smoke-$(date +%s)"

# Event time runs with the wall clock (--speedup 1): Alertmanager compares an alert's endsAt with its own clock,
# so a RESOLVED alert whose event time ran ahead would stay active in Alertmanager until that time.
feed_started=$(date +%s)
./anomaly simulate --bootstrap-servers "$bs" --devices 4 --seed 5 --rate 5 --speedup 1 --fault-rate 0.01 \
  --fault-kinds CORRELATION_BREAK --duration 300s --ground-truth "$smoke/ground-truth.jsonl" >"$smoke/simulate.log" &
feed=$!
pids+=($feed)
status=0
if ./anomaly alerts --bootstrap-servers "$bs" --from-beginning --max 1 --timeout 150; then
  echo "smoke test: an alert arrived from the job on the standalone cluster $(( $(date +%s) - feed_started )) s after the feed started"
  scrapes=()
  for port in $(seq 9249 9260); do
    if curl -sf "http://127.0.0.1:$port/metrics" > "$smoke/metrics.tmp"; then
      mv "$smoke/metrics.tmp" "$smoke/metrics-$port.txt"; scrapes+=("$smoke/metrics-$port.txt")
    fi
  done
  if [ ${#scrapes[@]} -gt 0 ] && python3 "$root/deploy/monitoring/check.py" "${scrapes[@]}"; then
    echo "smoke test: alert delivered and every monitored metric exported"
  else
    echo "smoke test: FAILED, the monitoring rules or dashboard use metrics the job does not export" >&2
    status=1
  fi
  if [ "$REAL_MONITORING" = 1 ]; then
    if python3 "$live_check" prometheus "http://127.0.0.1:$PROMETHEUS_PORT" --alertmanager "127.0.0.1:$ALERTMANAGER_PORT" --timeout 60; then
      echo "smoke test: Prometheus scrapes the job and evaluates every rule of alerts.yml"
    else
      echo "smoke test: FAILED, Prometheus check (see $smoke/prometheus.log)" >&2
      status=1
    fi
    if python3 "$live_check" alertmanager "http://127.0.0.1:$ALERTMANAGER_PORT" --webhook-log "$smoke/webhook.jsonl" \
        --since "$feed_started" --label env=smoke --timeout 150; then
      echo "smoke test: anomaly alerts reach Alertmanager through \`anomaly forward\`, FIRING and RESOLVED"
    else
      echo "smoke test: FAILED, Alertmanager check (see $smoke/forward.log, $smoke/alertmanager.log)" >&2
      status=1
    fi
    kill "$forwarder" 2>/dev/null || true
    wait "$forwarder" 2>/dev/null || true
    tail -1 "$smoke/forward.log" | sed 's/^/smoke test: /'
  fi
else
  echo "smoke test: FAILED, no alert within 150 s; see $work/logs" >&2
  status=1
fi
kill "$feed" 2>/dev/null || true
wait "$feed" 2>/dev/null || true
[ "$status" = 0 ] && echo "smoke test: OK in $(( $(date +%s) - started )) s" || echo "smoke test: FAILED after $(( $(date +%s) - started )) s" >&2
exit $status
