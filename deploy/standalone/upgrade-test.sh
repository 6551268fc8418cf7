#!/usr/bin/env bash
# A model upgrade through a savepoint, on a real standalone cluster, while sensors keep sending:
#   1. model A (window 1) and model B (window 3, so every device's window changes shape) from the same history;
#   2. the job runs A with per-device baseline calibration until the devices are calibrated;
#   3. stop with a savepoint, resubmit with B from that savepoint;
#   4. B must carry every device over (scoring.devicesMigrated), run without a restart, and raise alerts.
#   deploy/standalone/upgrade-test.sh       (~3 minutes; logs under target/standalone/logs)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
KAFKA_PORT="${KAFKA_PORT:-19092}"
bs="127.0.0.1:$KAFKA_PORT"
work="$root/target/standalone"
up="$work/upgrade"
cluster="$root/deploy/standalone/cluster.sh"
rest="http://127.0.0.1:${FLINK_REST_PORT:-8081}"
feed=""
trap '[ -n "$feed" ] && kill "$feed" 2>/dev/null; "$cluster" stop >/dev/null 2>&1 || true' EXIT
fail() { echo "upgrade test: FAILED, $*" >&2; exit 1; }

[ "${SKIP_BUILD:-0}" = 1 ] || mvn -B -q -DskipTests install >/dev/null   # the job jar and the CLI (SKIP_BUILD=1: reuse what is built)
"$cluster" stop >/dev/null 2>&1 || true
rm -rf "$up" "$work/kafka/data" "$work/checkpoints"
"$cluster" start
for t in sensor-readings anomaly-alerts sensor-readings-dlq; do
  java -cp "$work/kafka/lib/*" org.apache.kafka.tools.TopicCommand --bootstrap-server "$bs" --create --if-not-exists \
    --topic "$t" --partitions 2 --replication-factor 1 >/dev/null
done

./anomaly simulate --history-out "$up/history" --history-span 20m --devices 4 --seed 5 >/dev/null
./anomaly train --input "$up/history"/*.csv --out "$up/model-a" --epochs 15 | tail -1
./anomaly train --input "$up/history"/*.csv --out "$up/model-b" --epochs 15 --window 3 | tail -1
version() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$1/manifest.json"; }
va=$(version "$up/model-a"); vb=$(version "$up/model-b")

settings=(--bootstrap.servers "$bs" --checkpoint.interval 5s --calibration.mode baseline --calibration.events 40
  --transactional-id-prefix "upgrade-$(date +%s)")
./anomaly simulate --bootstrap-servers "$bs" --devices 4 --seed 5 --rate 5 --speedup 5 --fault-rate 0.01 \
  --fault-kinds CORRELATION_BREAK --duration 10m >"$work/logs/upgrade-simulate.log" 2>&1 &
feed=$!
job_a=$("$cluster" submit "${settings[@]}" --bundle "file://$up/model-a" | sed -n 's/.*JobID \([0-9a-f]*\).*/\1/p')
echo "job on model $va: $job_a"

metric() { # metric-name-suffix -> sum over every scrape of the running job (Prometheus reporter ports)
  for port in $(seq 9249 9260); do curl -sf "http://127.0.0.1:$port/metrics" || true; done \
    | awk -v m="flink_taskmanager_job_task_operator_scoring_$1" '$1 ~ "^"m"[{]" { s += $2 } END { print s + 0 }'
}
# 40 calibration readings per device at 5 readings/s: wait until every device scores on its own threshold.
for _ in $(seq 1 90); do
  scored=$(metric readingsScored); [ "${scored%.*}" -ge 400 ] && break; sleep 2
done
echo "model $va scored $(metric readingsScored) readings; stopping with a savepoint"

trigger=$(curl -sf -X POST -H 'Content-Type: application/json' -d "{\"targetDirectory\":\"file://$up/savepoints\",\"drain\":false}" \
  "$rest/jobs/$job_a/stop" | python3 -c 'import json,sys; print(json.load(sys.stdin)["request-id"])')
savepoint=""
for _ in $(seq 1 60); do
  status=$(curl -sf "$rest/jobs/$job_a/savepoints/$trigger")
  savepoint=$(echo "$status" | python3 -c 'import json,sys; s=json.load(sys.stdin); print((s.get("operation") or {}).get("location") or "")')
  [ -n "$savepoint" ] && break
  echo "$status" | grep -q '"failure-cause"' && fail "stop with savepoint failed: $status"
  sleep 1
done
[ -n "$savepoint" ] || fail "no savepoint within 60 s"
echo "savepoint: $savepoint"

job_b=$(SAVEPOINT="$savepoint" "$cluster" submit "${settings[@]}" --bundle "file://$up/model-b" | sed -n 's/.*JobID \([0-9a-f]*\).*/\1/p')
echo "job on model $vb (window 3) restored from the savepoint: $job_b"
migrated=0
for _ in $(seq 1 60); do
  migrated=$(metric devicesMigrated); [ "${migrated%.*}" -ge 4 ] && break; sleep 2
done
[ "${migrated%.*}" -ge 4 ] || fail "only $migrated of 4 devices carried over to model $vb"
echo "devices carried over to model $vb: ${migrated%.*}"

./anomaly alerts --bootstrap-servers "$bs" --from-beginning --json >"$up/alerts.jsonl" 2>/dev/null &
tail_pid=$!
found=""
for _ in $(seq 1 150); do
  if grep -qE "\"modelVersion\": *\"$vb\"" "$up/alerts.jsonl"; then found=yes; break; fi
  sleep 1
done
kill "$tail_pid" 2>/dev/null || true
[ -n "$found" ] || fail "no alert from model $vb within 150 s"
restarts=$(curl -sf "$rest/jobs/$job_b/exceptions" | python3 -c 'import json,sys; print(len(json.load(sys.stdin).get("exceptionHistory",{}).get("entries",[])))')
[ "$restarts" = 0 ] || fail "the upgraded job failed $restarts time(s); see $work/logs/taskmanager.log"
echo "upgrade test: OK, model $va -> $vb through a savepoint: ${migrated%.*} devices carried over, alerts from the new model, no failure"
