#!/usr/bin/env bash
# Exactly-once through process kills, on a real standalone cluster:
#   1. pre-produce the same simulated readings (with faults) once;
#   2. for each fault, a job reads them and the fault is injected mid-stream:
#        taskmanager  the TaskManager is killed with kill -9 and a new one started
#        broker       the Kafka broker is killed with kill -9 and restarted on its data
#   3. a reference job reads the same readings with no failure;
#   4. the committed alerts of every faulted job must equal the reference's exactly: none lost, none duplicated.
#   deploy/standalone/fault-test.sh [taskmanager|broker|all]   (default all, ~5 minutes; logs under target/standalone/logs)
#   BROKER_DOWNTIME=20 (seconds the broker stays down), READINGS=2000000
#   SKIP_BUILD=1 (use the jars of an earlier build), WORK (target/standalone); the ports of cluster.sh
#   (KAFKA_PORT, FLINK_REST_PORT, JOBMANAGER_RPC_PORT, METRICS_PORTS, ...) to run next to another cluster
# Prints per fault: readings, alerts, duplicates, lost, extra, Flink failures and the recovery time (from the kill
# to the job's first checkpoint completed after it); exits 1 on any difference from the reference.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
KAFKA_PORT="${KAFKA_PORT:-19092}"
export WORK="${WORK:-$root/target/standalone}"
started=$(date +%s)
case "${1:-all}" in
  taskmanager|broker) faults=("$1") ;;
  all) faults=(taskmanager broker) ;;
  *) echo "fault-test: unknown fault '$1' (taskmanager, broker or all)" >&2; exit 2 ;;
esac
READINGS="${READINGS:-2000000}"
bs="127.0.0.1:$KAFKA_PORT"
work="$WORK"
cluster="$root/deploy/standalone/cluster.sh"
rest="http://127.0.0.1:${FLINK_REST_PORT:-8081}"
trap '"$cluster" stop || true' EXIT

if [ "${SKIP_BUILD:-0}" != 1 ]; then mvn -B -q -DskipTests install >/dev/null; fi
"$cluster" stop >/dev/null 2>&1 || true
rm -rf "$work/kafka/data" "$work/checkpoints" "$work/fault"
"$cluster" start
for t in fault-readings alerts-taskmanager alerts-broker alerts-reference fault-dlq; do
  java -cp "$work/kafka/lib/*" org.apache.kafka.tools.TopicCommand --bootstrap-server "$bs" --create --if-not-exists \
    --topic "$t" --partitions 2 --replication-factor 1 >/dev/null
done

./anomaly simulate --history-out "$work/fault/history" --history-span 20m --devices 4 --seed 5 >/dev/null
./anomaly train --input "$work/fault/history"/*.csv --out "$work/fault/bundle" --epochs 15 | tail -1
# One reading per second of event time per pump, produced as fast as Kafka takes them.
./anomaly simulate --bootstrap-servers "$bs" --topic fault-readings --devices 40 --seed 5 --count "$READINGS" \
  --rate 1000000000 --speedup 1000000000 --fault-rate 0.002 --fault-kinds CORRELATION_BREAK,DRIFT | tail -1

submit() { # name alerts-topic -> job id
  "$cluster" submit --bootstrap.servers "$bs" --bundle "file://$work/fault/bundle" --topic.readings fault-readings \
    --topic.alerts "$2" --topic.dead-letters fault-dlq --group.id "group-$1" --start.from earliest \
    --checkpoint.interval 2s --transactional-id-prefix "fault-$1-$(date +%s)" --device.idle-timeout 1d \
    | sed -n 's/.*JobID \([0-9a-f]*\).*/\1/p'
}
collect() { # alerts-topic file: every committed alert, until 40 s without a new one
  ./anomaly alerts --bootstrap-servers "$bs" --topic "$1" --from-beginning --json --timeout 40 >"$2" 2>/dev/null || true
}
cancel() { curl -sf -X PATCH "$rest/jobs/$1?mode=cancel" >/dev/null || true; sleep 3; }
consumed() { # job name -> readings whose offsets the job has committed (at its checkpoints)
  java -cp "$work/kafka/lib/*" org.apache.kafka.tools.consumer.group.ConsumerGroupCommand --bootstrap-server "$bs" \
    --describe --group "group-$1" 2>/dev/null | awk '$2 == "fault-readings" && $4 ~ /^[0-9]+$/ { s += $4 } END { print s + 0 }'
}
wait_mid_stream() { # job name: returns once the job has checkpointed a tenth of the input, so the kill lands mid-stream
  local n
  for _ in $(seq 1 120); do
    n=$(consumed "$1")
    if [ "$n" -ge $((READINGS / 10)) ]; then echo "job $1: $n of $READINGS readings checkpointed, injecting the fault"; return 0; fi
    sleep 1
  done
  echo "job $1: did not checkpoint a tenth of the input within 2 minutes" >&2; return 1
}
recovered() { # job id, kill time (ms): waits for the job's first checkpoint completed after the kill
  local t
  for _ in $(seq 1 300); do
    t=$(curl -sf "$rest/jobs/$1/checkpoints" | python3 -c 'import json,sys; print((json.load(sys.stdin).get("latest") or {}).get("completed", {}).get("latest_ack_timestamp") or 0)' 2>/dev/null || echo 0)
    if [ "${t:-0}" -gt "$2" ]; then echo "recovery time: $(( (t - $2) / 1000 )) s from the kill to the first checkpoint completed after it"; return 0; fi
    sleep 1
  done
  echo "no checkpoint completed within 300 s of the kill" >&2; return 1
}
restarts() { curl -sf "$rest/jobs/$1/exceptions" | python3 -c 'import json,sys; print(len(json.load(sys.stdin).get("exceptionHistory",{}).get("entries",[])))' 2>/dev/null || echo "?"; }

for f in "${faults[@]}"; do
  echo "job $f: submitting, then killing the $f while it reads"
  id=$(submit "$f" "alerts-$f")
  wait_mid_stream "$f"
  killed=$(date +%s%3N)
  if [ "$f" = taskmanager ]; then "$cluster" kill-taskmanager; else RESTART_AFTER="${BROKER_DOWNTIME:-20}" "$cluster" kill-kafka; fi
  echo "job $f: $(consumed "$f") of $READINGS readings checkpointed after the fault was injected"
  echo "job $f: $(recovered "$id" "$killed")"
  collect "alerts-$f" "$work/fault/alerts-$f.jsonl"
  echo "job $f: $(restarts "$id") failure(s) recorded by Flink"
  cancel "$id"
done

echo "job reference: the same input, no failure"
ref=$(submit reference alerts-reference)
collect alerts-reference "$work/fault/alerts-reference.jsonl"
cancel "$ref"

ref_alerts=$(grep -c '^{' "$work/fault/alerts-reference.jsonl" || true)
rc=0
[ "${ref_alerts:-0}" -gt 0 ] || rc=1
for f in "${faults[@]}"; do
  read -r n dup lost extra < <(python3 "$root/deploy/standalone/compare-alerts.py" \
    "$work/fault/alerts-reference.jsonl" "$work/fault/alerts-$f.jsonl")
  echo "$f kill: $n alerts, reference without failure $ref_alerts; duplicated $dup, lost $lost, extra $extra"
  [ "$dup" = 0 ] && [ "$lost" = 0 ] && [ "$extra" = 0 ] || rc=1
done
[ "$rc" = 0 ] && echo "fault test: OK, exactly once through every kill" || echo "fault test: FAILED"
echo "fault test: $READINGS readings per job, ran $(( $(date +%s) - started )) s"
exit $rc
