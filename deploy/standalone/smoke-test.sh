#!/usr/bin/env bash
# End-to-end check of the shaded job jar on a real standalone Flink cluster (JobManager and TaskManager
# processes) next to a Kafka broker process: train a model on simulated history, submit with `flink run`,
# feed simulated pumps with faults, and wait for an alert on the alerts topic; then scrape the Flink Prometheus
# endpoints and check that every metric the monitoring rules and dashboard use is exported
# (deploy/monitoring/check.py). Stops everything at the end.
#   deploy/standalone/smoke-test.sh          (~3 minutes; logs under target/standalone/logs)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
KAFKA_PORT="${KAFKA_PORT:-19092}"
bs="127.0.0.1:$KAFKA_PORT"
work="$root/target/standalone"
cluster="$root/deploy/standalone/cluster.sh"
trap '"$cluster" stop || true' EXIT

mvn -B -q -DskipTests install >/dev/null    # the job jar and the CLI
"$cluster" start
for t in sensor-readings anomaly-alerts sensor-readings-dlq; do
  java -cp "$work/kafka/lib/*" org.apache.kafka.tools.TopicCommand --bootstrap-server "$bs" --create --if-not-exists \
    --topic "$t" --partitions 2 --replication-factor 1 >/dev/null
done

rm -rf "$work/smoke"
./anomaly simulate --history-out "$work/smoke/history" --history-span 20m --devices 4 --seed 5
./anomaly train --input "$work/smoke/history"/*.csv --out "$work/smoke/bundle" --epochs 15 | tail -3
"$cluster" submit --bootstrap.servers "$bs" --bundle "file://$work/smoke/bundle" --checkpoint.interval 5s \
  --transactional-id-prefix "smoke-$(date +%s)"

./anomaly simulate --bootstrap-servers "$bs" --devices 4 --seed 5 --rate 5 --speedup 5 --fault-rate 0.01 \
  --fault-kinds CORRELATION_BREAK --duration 90s --ground-truth "$work/smoke/ground-truth.jsonl" >"$work/smoke/simulate.log" &
feed=$!
if ./anomaly alerts --bootstrap-servers "$bs" --from-beginning --max 1 --timeout 150; then
  echo "smoke test: an alert arrived from the job on the standalone cluster"
  scrapes=()
  for port in $(seq 9249 9260); do
    if curl -sf "http://127.0.0.1:$port/metrics" > "$work/smoke/metrics.tmp"; then
      mv "$work/smoke/metrics.tmp" "$work/smoke/metrics-$port.txt"; scrapes+=("$work/smoke/metrics-$port.txt")
    fi
  done
  if [ ${#scrapes[@]} -gt 0 ] && python3 "$root/deploy/monitoring/check.py" "${scrapes[@]}"; then
    echo "smoke test: OK, alert delivered and every monitored metric exported"
    status=0
  else
    echo "smoke test: FAILED, the monitoring rules or dashboard use metrics the job does not export" >&2
    status=1
  fi
else
  echo "smoke test: FAILED, no alert within 150 s; see $work/logs" >&2
  status=1
fi
kill "$feed" 2>/dev/null || true
wait "$feed" 2>/dev/null || true
exit $status
