#!/usr/bin/env bash
# A real standalone Flink cluster (JobManager + TaskManager processes) and a Kafka broker process (KRaft),
# assembled from Maven Central artifacts: no flink-dist, no Docker.
#
#   deploy/standalone/cluster.sh start            assemble lib/ dirs (first time), start broker, JobManager, TaskManager
#                                                 (only those not running: also the way back after a crash)
#   deploy/standalone/cluster.sh flink ARGS...    the Flink CLI (flink run, list, cancel, stop ...) against this cluster
#   deploy/standalone/cluster.sh submit ARGS...   flink run -d the job jar with ARGS (job settings, see --help of the job);
#                                                 SAVEPOINT=PATH restores the job from that savepoint or retained checkpoint
#   deploy/standalone/cluster.sh status           processes, Flink REST overview, running jobs
#   deploy/standalone/cluster.sh kill-taskmanager kill -9 the TaskManager (fault injection), then start a new one
#   deploy/standalone/cluster.sh kill-jobmanager  kill -9 the JobManager (fault injection); nothing is restarted
#   deploy/standalone/cluster.sh kill-kafka       kill -9 the Kafka broker (fault injection), then restart it on its data
#   deploy/standalone/cluster.sh restart-kafka    stop the broker cleanly and start it on its data (new broker settings)
#   deploy/standalone/cluster.sh latest-checkpoint [JOB_ID]
#                                                 the newest retained checkpoint (chk-N directory with a _metadata)
#                                                 under $WORK/checkpoints, of JOB_ID or of any job
#   deploy/standalone/cluster.sh stop             stop everything, keep logs and checkpoints under $WORK
#   deploy/standalone/cluster.sh stop-flink       stop the JobManager and TaskManager only (start brings them back)
#
# Environment (defaults in brackets); set other ports to run a second cluster next to this one:
#   WORK                   [target/standalone] libs, config, logs, pids, Kafka data, checkpoints
#   KAFKA_PORT             [19092] broker listener on 127.0.0.1; its controller listener takes KAFKA_PORT + 1
#   KAFKA_EXTRA_PROPERTIES []      extra broker properties, key=value separated by spaces or newlines
#                                  (e.g. "transaction.max.timeout.ms=60000"); later keys win over the defaults
#   FLINK_REST_PORT        [8081]  Flink REST API and web UI
#   JOBMANAGER_RPC_PORT    [6123]  JobManager RPC (TaskManagers and clients connect here)
#   METRICS_PORTS          [9249-9260] Prometheus reporter port range (one port per JobManager/TaskManager)
#   BLOB_PORT              [0]     JobManager blob server (0: any free port)
#   TASKMANAGER_RPC_PORT   [0]     TaskManager RPC (0: any free port)
#   TASKMANAGER_DATA_PORT  [0]     TaskManager data exchange (0: any free port)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="${WORK:-$root/target/standalone}"
KAFKA_PORT="${KAFKA_PORT:-19092}"
FLINK_REST_PORT="${FLINK_REST_PORT:-8081}"
JOBMANAGER_RPC_PORT="${JOBMANAGER_RPC_PORT:-6123}"
METRICS_PORTS="${METRICS_PORTS:-9249-9260}"
BLOB_PORT="${BLOB_PORT:-0}"
TASKMANAGER_RPC_PORT="${TASKMANAGER_RPC_PORT:-0}"
TASKMANAGER_DATA_PORT="${TASKMANAGER_DATA_PORT:-0}"
KAFKA_EXTRA_PROPERTIES="${KAFKA_EXTRA_PROPERTIES:-}"
FLINK_LIB="$WORK/flink/lib"
KAFKA_LIB="$WORK/kafka/lib"
CONF="$WORK/flink/conf"
# Plugins (e.g. the S3 file system) as in a Flink installation: $WORK/flink/plugins/<name>/<jar>, for every process.
export FLINK_PLUGINS_DIR="$WORK/flink/plugins"
mkdir -p "$FLINK_PLUGINS_DIR"
# config.yaml is rewritten from deploy/standalone/flink-config.yaml at every start (ports may change); lines added
# below this marker (e.g. s3.* settings, as on any Flink installation) are kept.
LOCAL_MARK="# ---- local additions (kept when cluster.sh rewrites this file) ----"
LOGS="$WORK/logs"
PIDS="$WORK/pids"
mkdir -p "$LOGS" "$PIDS"

# Flink 2.x on Java 17 needs these (the list flink-dist's config.yaml passes to every JVM).
JAVA17_OPENS="--add-exports=java.base/sun.net.util=ALL-UNNAMED --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
 --add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
 --add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED
 --add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
 --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
 --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
 --add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED
 --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
 --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED"

say() { echo "cluster: $*" >&2; }

assemble() {
  if [ ! -d "$FLINK_LIB" ] || [ -z "$(ls -A "$FLINK_LIB" 2>/dev/null)" ]; then
    say "assembling Flink lib/ from Maven Central artifacts"
    mvn -B -q -f "$root/deploy/standalone/pom.xml" -P flink dependency:copy-dependencies -DoutputDirectory="$FLINK_LIB" -DincludeScope=runtime
  fi
  if [ ! -d "$KAFKA_LIB" ] || [ -z "$(ls -A "$KAFKA_LIB" 2>/dev/null)" ]; then
    say "assembling Kafka lib/ from Maven Central artifacts"
    mvn -B -q -f "$root/deploy/standalone/pom.xml" -P kafka dependency:copy-dependencies -DoutputDirectory="$KAFKA_LIB" -DincludeScope=runtime
  fi
  mkdir -p "$CONF"
  sed -e "s#@WORK@#$WORK#g" -e "s#@REST_PORT@#$FLINK_REST_PORT#g" -e "s#@JM_RPC_PORT@#$JOBMANAGER_RPC_PORT#g" \
    -e "s#@METRICS_PORTS@#$METRICS_PORTS#g" -e "s#@BLOB_PORT@#$BLOB_PORT#g" -e "s#@TM_RPC_PORT@#$TASKMANAGER_RPC_PORT#g" \
    -e "s#@TM_DATA_PORT@#$TASKMANAGER_DATA_PORT#g" "$root/deploy/standalone/flink-config.yaml" > "$CONF/config.yaml.new"
  echo "$LOCAL_MARK" >> "$CONF/config.yaml.new"
  if [ -f "$CONF/config.yaml" ] && grep -qF "$LOCAL_MARK" "$CONF/config.yaml"; then
    sed -n "/^$LOCAL_MARK\$/,\$p" "$CONF/config.yaml" | tail -n +2 >> "$CONF/config.yaml.new"
  fi
  mv "$CONF/config.yaml.new" "$CONF/config.yaml"
  cp "$root/deploy/standalone/log4j.properties" "$CONF/log4j.properties"
}

running() { [ -f "$PIDS/$1" ] && kill -0 "$(cat "$PIDS/$1")" 2>/dev/null; }

wait_port() { # host port seconds what
  for _ in $(seq 1 "$3"); do (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && return 0; sleep 1; done
  say "$4 did not open $1:$2 within $3 s; see $LOGS"; return 1
}

start_kafka() {
  running kafka && { say "Kafka already running"; return; }
  local dir="$WORK/kafka/data"
  mkdir -p "$WORK/kafka"
  cat > "$WORK/kafka/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$((KAFKA_PORT + 1))
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$((KAFKA_PORT + 1))
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir
num.partitions=2
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
PROPS
  local kv
  for kv in $KAFKA_EXTRA_PROPERTIES; do
    case "$kv" in *=*) echo "$kv" >> "$WORK/kafka/server.properties" ;; *) say "KAFKA_EXTRA_PROPERTIES: '$kv' is not key=value"; return 1 ;; esac
  done
  if [ ! -f "$dir/meta.properties" ]; then
    java -cp "$KAFKA_LIB/*" kafka.tools.StorageTool format -t "$(java -cp "$KAFKA_LIB/*" kafka.tools.StorageTool random-uuid)" \
      -c "$WORK/kafka/server.properties" >"$LOGS/kafka-format.log" 2>&1
  fi
  nohup java -Xmx512m -Dlog4j2.configurationFile="$CONF/log4j.properties" -Dlog.file="$LOGS/kafka.log" \
    -cp "$KAFKA_LIB/*" kafka.Kafka "$WORK/kafka/server.properties" >"$LOGS/kafka.out" 2>&1 &
  echo $! > "$PIDS/kafka"
  wait_port 127.0.0.1 "$KAFKA_PORT" 60 "Kafka"
  say "Kafka broker up on 127.0.0.1:$KAFKA_PORT (pid $(cat "$PIDS/kafka"))"
}

bash_java_utils() { # command -> prints the JVM params line, then the dynamic config line
  java -cp "$FLINK_LIB/*" org.apache.flink.runtime.util.bash.BashJavaUtils "$1" --configDir "$CONF" 2>/dev/null \
    | grep '^BASH_JAVA_UTILS_EXEC_RESULT:' | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://'
}

start_jobmanager() {
  running jobmanager && { say "JobManager already running"; return; }
  local jvm; jvm=$(bash_java_utils GET_JM_RESOURCE_PARAMS | head -1)
  # shellcheck disable=SC2086
  nohup java $jvm $JAVA17_OPENS -Dlog.file="$LOGS/jobmanager.log" -Dlog4j.configurationFile="$CONF/log4j.properties" \
    -cp "$FLINK_LIB/*" org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint --configDir "$CONF" \
    >"$LOGS/jobmanager.out" 2>&1 &
  echo $! > "$PIDS/jobmanager"
  wait_port 127.0.0.1 "$FLINK_REST_PORT" 60 "JobManager"
  say "JobManager up, web UI http://127.0.0.1:$FLINK_REST_PORT (pid $(cat "$PIDS/jobmanager"))"
}

start_taskmanager() {
  running taskmanager && { say "TaskManager already running"; return; }
  local params jvm dyn
  params=$(bash_java_utils GET_TM_RESOURCE_PARAMS)
  jvm=$(echo "$params" | sed -n 1p)
  dyn=$(echo "$params" | sed -n 2p)
  # shellcheck disable=SC2086
  nohup java $jvm $JAVA17_OPENS -Dlog.file="$LOGS/taskmanager.log" -Dlog4j.configurationFile="$CONF/log4j.properties" \
    -cp "$FLINK_LIB/*" org.apache.flink.runtime.taskexecutor.TaskManagerRunner --configDir "$CONF" $dyn \
    >"$LOGS/taskmanager.out" 2>&1 &
  echo $! > "$PIDS/taskmanager"
  for _ in $(seq 1 60); do
    if curl -sf "http://127.0.0.1:$FLINK_REST_PORT/taskmanagers" | grep -q '"slotsNumber"'; then
      say "TaskManager registered (pid $(cat "$PIDS/taskmanager"))"; return 0
    fi
    sleep 1
  done
  say "TaskManager did not register within 60 s; see $LOGS/taskmanager.log"; return 1
}

job_jar() {
  local jar; jar=$(ls "$root"/flink-job/target/flink-job-*-job.jar 2>/dev/null | head -1 || true)
  if [ -z "$jar" ]; then
    say "building the job jar"
    (cd "$root" && mvn -B -q -DskipTests -pl flink-job -am install)
    jar=$(ls "$root"/flink-job/target/flink-job-*-job.jar | head -1)
  fi
  echo "$jar"
}

stop_one() {
  if running "$1"; then
    kill "$(cat "$PIDS/$1")" 2>/dev/null || true
    for _ in $(seq 1 20); do running "$1" || break; sleep 0.5; done
    running "$1" && kill -9 "$(cat "$PIDS/$1")" 2>/dev/null || true
    say "stopped $1"
  fi
  rm -f "$PIDS/$1"
}

case "${1:-}" in
  start)
    assemble
    start_kafka
    start_jobmanager
    start_taskmanager
    ;;
  flink)
    shift
    FLINK_CONF_DIR="$CONF" java $JAVA17_OPENS -Dlog4j.configurationFile="$CONF/log4j.properties" -Dlog.file="$LOGS/client.log" \
      -cp "$FLINK_LIB/*" org.apache.flink.client.cli.CliFrontend "$@"
    ;;
  submit)
    shift
    jar=$(job_jar)
    restore=()
    [ -n "${SAVEPOINT:-}" ] && restore=(-s "$SAVEPOINT")
    FLINK_CONF_DIR="$CONF" java $JAVA17_OPENS -Dlog4j.configurationFile="$CONF/log4j.properties" -Dlog.file="$LOGS/client.log" -cp "$FLINK_LIB/*" \
      org.apache.flink.client.cli.CliFrontend run -d -m "127.0.0.1:$FLINK_REST_PORT" "${restore[@]}" \
      -c com.sensoranomaly.job.AnomalyDetectionJob "$jar" "$@"
    ;;
  stop-flink)
    stop_one taskmanager
    stop_one jobmanager
    ;;
  kill-taskmanager)
    running taskmanager && kill -9 "$(cat "$PIDS/taskmanager")" && say "killed the TaskManager (kill -9)"
    rm -f "$PIDS/taskmanager"
    sleep "${RESTART_AFTER:-2}"
    start_taskmanager
    ;;
  kill-kafka)
    # The broker restarts on the same log dirs: what it acknowledged before the kill is in the page cache and
    # survives a process kill (not a machine crash: that needs replicas, which a one-broker cluster lacks).
    running kafka && kill -9 "$(cat "$PIDS/kafka")" && say "killed the Kafka broker (kill -9)"
    rm -f "$PIDS/kafka"
    sleep "${RESTART_AFTER:-5}"
    assemble
    start_kafka
    ;;
  kill-jobmanager)
    # Without HA a JobManager's running jobs die with it; the way back: `start` (restarts what is missing), then
    # SAVEPOINT=$(cluster.sh latest-checkpoint JOB_ID) cluster.sh submit <the same job settings>.
    if running jobmanager; then kill -9 "$(cat "$PIDS/jobmanager")"; say "killed the JobManager (kill -9)"; fi
    rm -f "$PIDS/jobmanager"
    ;;
  latest-checkpoint)
    # chk-N directories of a job hold a checkpoint once its _metadata is written; the highest such N is the newest.
    dir="$WORK/checkpoints${2:+/$2}"
    latest=$(find "$dir" -path '*/chk-*/_metadata' -type f 2>/dev/null \
      | sed -n 's#^\(.*/chk-\([0-9]*\)\)/_metadata$#\2 \1#p' | sort -n | tail -1 | cut -d' ' -f2-)
    [ -n "$latest" ] || { say "no retained checkpoint (chk-N/_metadata) under $dir"; exit 1; }
    echo "$latest"
    ;;
  restart-kafka)
    stop_one kafka
    assemble
    start_kafka
    ;;
  status)
    for p in kafka jobmanager taskmanager; do running "$p" && echo "$p: running (pid $(cat "$PIDS/$p"))" || echo "$p: stopped"; done
    curl -sf "http://127.0.0.1:$FLINK_REST_PORT/jobs/overview" || true; echo
    ;;
  stop)
    stop_one taskmanager
    stop_one jobmanager
    stop_one kafka
    ;;
  *)
    sed -n '2,34p' "$0"; exit 2
    ;;
esac
