#!/usr/bin/env bash
# Kafka security end to end, on real processes: a broker that accepts clients only over SASL_SSL
# (SCRAM-SHA-512 over TLS, a certificate signed by a throw-away CA) and authorizes every request with ACLs;
# the job on the standalone Flink cluster, the simulated gateway and the alert tail each log in as their own
# user with only the ACLs it needs (deploy/kafka-acls.md lists them). Checks:
#   - the job reads readings and writes alerts in transactions (exactly-once) as user anomaly-job: an alert arrives;
#   - a wrong password, a plaintext connection and an unauthorized user are refused, with the reason named;
#   - model rollout has authority: only the release user may write the control topic (the gateway user is refused),
#     the job accepts only bundles signed with the release key (a bundle signed with another key is refused and
#     dead-lettered as MODEL_UPDATE_REJECTED), and a correctly signed bundle is switched to.
#   deploy/standalone/security-test.sh      (~3 minutes; logs under target/standalone/logs, files under target/standalone/security)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
PORT="${SECURE_KAFKA_PORT:-19094}"
bs="127.0.0.1:$PORT"
work="$root/target/standalone"
sec="$work/security"
kafka_lib="$work/kafka/lib"
cluster="$root/deploy/standalone/cluster.sh"

stop_broker() { [ -f "$sec/broker.pid" ] && kill "$(cat "$sec/broker.pid")" 2>/dev/null; rm -f "$sec/broker.pid"; }
trap 'stop_broker; "$cluster" stop >/dev/null 2>&1 || true' EXIT
fail() { echo "security test: FAILED, $*" >&2; exit 1; }
secret() { head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9'; }

[ "${SKIP_BUILD:-0}" = 1 ] || mvn -B -q -DskipTests install >/dev/null   # the job jar and the CLI (SKIP_BUILD=1: reuse what is built)
"$cluster" stop >/dev/null 2>&1 || true
"$cluster" start                            # Flink JobManager + TaskManager (and the plaintext broker, unused here)
rm -rf "$sec"
mkdir -p "$sec"
chmod 700 "$sec"

# --- TLS: a CA, the broker's key pair signed by it (SAN 127.0.0.1, localhost), a truststore holding the CA.
store_pw=$(secret)
keytool -genkeypair -alias ca -dname "CN=sensor-anomaly test CA" -keyalg RSA -keysize 2048 -validity 2 -ext bc:c \
  -keystore "$sec/ca.p12" -storetype PKCS12 -storepass "$store_pw" 2>/dev/null
keytool -exportcert -rfc -alias ca -keystore "$sec/ca.p12" -storepass "$store_pw" > "$sec/ca.pem"
keytool -genkeypair -alias broker -dname "CN=localhost" -keyalg RSA -keysize 2048 -validity 2 \
  -keystore "$sec/broker.p12" -storetype PKCS12 -storepass "$store_pw" 2>/dev/null
keytool -certreq -alias broker -keystore "$sec/broker.p12" -storepass "$store_pw" \
  | keytool -gencert -alias ca -keystore "$sec/ca.p12" -storepass "$store_pw" -validity 2 -rfc \
      -ext "SAN=ip:127.0.0.1,dns:localhost" > "$sec/broker.pem"
keytool -importcert -noprompt -alias ca -file "$sec/ca.pem" -keystore "$sec/broker.p12" -storepass "$store_pw" >/dev/null
keytool -importcert -alias broker -file "$sec/broker.pem" -keystore "$sec/broker.p12" -storepass "$store_pw" >/dev/null
keytool -importcert -noprompt -alias ca -file "$sec/ca.pem" -keystore "$sec/truststore.p12" -storetype PKCS12 \
  -storepass "$store_pw" >/dev/null

# --- Users (SCRAM credentials are written into the cluster metadata when the storage is formatted).
declare -A pw=([admin]=$(secret) [anomaly-job]=$(secret) [sensor-gateway]=$(secret) [oncall]=$(secret) [release]=$(secret))
client_config() { # user password -> properties for any Kafka client of this broker
  cat <<PROPS
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="$1" password="$2";
ssl.truststore.location=$sec/truststore.p12
ssl.truststore.type=PKCS12
ssl.truststore.password=$store_pw
PROPS
}
for u in admin sensor-gateway oncall release; do client_config "$u" "${pw[$u]}" > "$sec/$u.properties"; done
client_config oncall "not-the-password" > "$sec/wrong-password.properties"
# The job takes Kafka client settings as kafka.* job settings (here from a file, so no secret is on a command line).
client_config anomaly-job "${pw[anomaly-job]}" | sed 's/^/kafka./' > "$sec/job.properties"
chmod 600 "$sec"/*.properties

cat > "$sec/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$((PORT + 1))
# Clients and the broker itself: SASL_SSL only. The controller listener is bound to loopback for this
# one-node test; a production quorum secures it too (see deploy/kafka-acls.md).
listeners=SASL_SSL://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$((PORT + 1))
advertised.listeners=SASL_SSL://127.0.0.1:$PORT
listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${pw[admin]}";
ssl.keystore.location=$sec/broker.p12
ssl.keystore.type=PKCS12
ssl.keystore.password=$store_pw
ssl.key.password=$store_pw
ssl.truststore.location=$sec/truststore.p12
ssl.truststore.type=PKCS12
ssl.truststore.password=$store_pw
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:admin;User:ANONYMOUS
log.dirs=$sec/data
num.partitions=2
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
PROPS
chmod 600 "$sec/server.properties"
scram=()
for u in "${!pw[@]}"; do scram+=(--add-scram "SCRAM-SHA-512=[name=$u,password=${pw[$u]}]"); done
java -cp "$kafka_lib/*" kafka.tools.StorageTool format -t "$(java -cp "$kafka_lib/*" kafka.tools.StorageTool random-uuid)" \
  -c "$sec/server.properties" "${scram[@]}" >"$work/logs/secure-kafka-format.log" 2>&1
nohup java -Xmx512m -Dlog4j2.configurationFile="$work/flink/conf/log4j.properties" -Dlog.file="$work/logs/secure-kafka.log" \
  -cp "$kafka_lib/*" kafka.Kafka "$sec/server.properties" >"$work/logs/secure-kafka.out" 2>&1 &
echo $! > "$sec/broker.pid"
for _ in $(seq 1 60); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 1; done
echo "secure broker up on $bs (SASL_SSL, SCRAM-SHA-512, ACLs)"

admin() { java -cp "$kafka_lib/*" "$@" --bootstrap-server "$bs" --command-config "$sec/admin.properties"; }
for t in sensor-readings anomaly-alerts sensor-readings-dlq anomaly-model-updates; do
  admin org.apache.kafka.tools.TopicCommand --create --if-not-exists --topic "$t" --partitions 2 --replication-factor 1 >/dev/null
done
prefix="anomaly-detector-security-$(date +%s)"
acl() { admin org.apache.kafka.tools.AclCommand --add "$@" >/dev/null; }
# The job: read readings in its group, write alerts and dead letters in transactions under its id prefix.
acl --allow-principal User:anomaly-job --operation Read --operation Describe --topic sensor-readings
acl --allow-principal User:anomaly-job --operation Read --group anomaly-detector
# ... and read model updates from the control topic (its source's group is <group.id>-model-updates).
acl --allow-principal User:anomaly-job --operation Read --operation Describe --topic anomaly-model-updates
acl --allow-principal User:anomaly-job --operation Read --group anomaly-detector-model-updates
# Only the release user may ask jobs to switch models.
acl --allow-principal User:release --operation Write --operation Describe --topic anomaly-model-updates
acl --allow-principal User:anomaly-job --operation Write --operation Describe --topic anomaly-alerts --topic sensor-readings-dlq
acl --allow-principal User:anomaly-job --operation Write --operation Describe --transactional-id anomaly-detector --resource-pattern-type prefixed
# The gateway writes readings; on-call reads alerts (the alert tail's groups are prefixed anomaly-alerts-tail-).
acl --allow-principal User:sensor-gateway --operation Write --operation Describe --topic sensor-readings
acl --allow-principal User:oncall --operation Read --operation Describe --topic anomaly-alerts
acl --allow-principal User:oncall --operation Read --group anomaly-alerts-tail- --resource-pattern-type prefixed

# --- Refusals, each with its reason.
expect_refused() { # what pattern command...
  local what=$1 pattern=$2 out; shift 2
  if out=$("$@" 2>&1); then fail "$what was accepted"; fi
  echo "$out" | grep -qiE "$pattern" || fail "$what was refused without naming why: $(echo "$out" | tail -1)"
  echo "refused as expected: $what ($(echo "$out" | grep -iE "$pattern" | head -1 | cut -c1-140))"
}
expect_refused "a wrong password" "authentication" \
  ./anomaly alerts --bootstrap-servers "$bs" --client-config "$sec/wrong-password.properties" --from-beginning --max 1 --timeout 15
expect_refused "the gateway user reading alerts" "authoriz|not authorized" \
  ./anomaly alerts --bootstrap-servers "$bs" --client-config "$sec/sensor-gateway.properties" --from-beginning --max 1 --timeout 15
printf 'request.timeout.ms=5000\ndefault.api.timeout.ms=10000\n' > "$sec/plaintext.properties"
expect_refused "a plaintext client" "timed out|timeout|disconnect|ssl|handshake" \
  timeout 60 java -cp "$kafka_lib/*" org.apache.kafka.tools.TopicCommand --bootstrap-server "$bs" --list \
    --command-config "$sec/plaintext.properties"

# --- The product, secured, with signed bundles: the release key signs, the job verifies.
rm -rf "$sec/model"
./anomaly keygen --out "$sec/release" >/dev/null
./anomaly keygen --out "$sec/someone-else" >/dev/null
./anomaly simulate --history-out "$sec/model/history" --history-span 20m --devices 4 --seed 5 >/dev/null
./anomaly train --input "$sec/model/history"/*.csv --out "$sec/model/bundle" --epochs 15 --signing-key "$sec/release.key" | tail -1
"$cluster" submit --config "$sec/job.properties" --bootstrap.servers "$bs" --bundle "file://$sec/model/bundle" \
  --checkpoint.interval 5s --transactional-id-prefix "$prefix" --topic.model-updates anomaly-model-updates \
  --bundle.public-key "$sec/release.pub"
./anomaly simulate --bootstrap-servers "$bs" --client-config "$sec/sensor-gateway.properties" --devices 4 --seed 5 \
  --rate 5 --speedup 5 --fault-rate 0.01 --fault-kinds CORRELATION_BREAK --duration 150s >"$work/logs/secure-simulate.log" 2>&1 &
feed=$!
if ./anomaly alerts --bootstrap-servers "$bs" --client-config "$sec/oncall.properties" --from-beginning --max 1 --timeout 150; then
  echo "alerts flow over SASL_SSL with per-user ACLs"
else
  kill "$feed" 2>/dev/null || true
  fail "no alert within 150 s; see $work/logs (secure-kafka.log, taskmanager.log)"
fi

# --- Model rollout has authority.
./anomaly train --input "$sec/model/history"/*.csv --out "$sec/model/bundle-forged" --epochs 15 --seed 11 \
  --signing-key "$sec/someone-else.key" | tail -1
./anomaly train --input "$sec/model/history"/*.csv --out "$sec/model/bundle-released" --epochs 15 --seed 12 \
  --signing-key "$sec/release.key" | tail -1
expect_refused "the gateway user publishing a model update" "authoriz|not authorized" \
  ./anomaly rollout --bootstrap-servers "$bs" --client-config "$sec/sensor-gateway.properties" --topic anomaly-model-updates \
    --bundle "file://$sec/model/bundle-released"
./anomaly rollout --bootstrap-servers "$bs" --client-config "$sec/release.properties" --topic anomaly-model-updates \
  --bundle "file://$sec/model/bundle-forged" >/dev/null
dead_letters() { # the dead-letter topic's records as text (Avro strings are plain UTF-8)
  timeout 60 java -cp "$kafka_lib/*" org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$bs" \
    --consumer.config "$sec/admin.properties" --topic sensor-readings-dlq --from-beginning --timeout-ms 15000 \
    --isolation-level read_committed 2>/dev/null | tr -c '[:print:]\n' ' ' || true
}
refused=""
for _ in $(seq 1 12); do
  refused=$(dead_letters | grep -o "MODEL_UPDATE_REJECTED.*does not verify with the configured public key" | head -1 || true)
  [ -n "$refused" ] && break
  sleep 5
done
[ -n "$refused" ] || { kill "$feed" 2>/dev/null || true; fail "a bundle signed with another key was not dead-lettered as refused"; }
echo "refused as expected: a bundle signed with another key (dead letter: $(echo "$refused" | cut -c1-150))"
accepted_count() { cat "$work"/logs/jobmanager.log "$work"/logs/taskmanager*.log 2>/dev/null | grep -c "model update accepted: file://$sec/model/bundle-released" || true; }
accepted_before=$(accepted_count)
./anomaly rollout --bootstrap-servers "$bs" --client-config "$sec/release.properties" --topic anomaly-model-updates \
  --bundle "file://$sec/model/bundle-released" >/dev/null
released=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['version'])" "$sec/model/bundle-released/manifest.json")
switched=""
for _ in $(seq 1 24); do
  if [ "$(accepted_count)" -gt "$accepted_before" ]; then
    switched=yes; break
  fi
  sleep 5
done
kill "$feed" 2>/dev/null || true
[ -n "$switched" ] || fail "the correctly signed bundle (version $released) was not switched to; see $work/logs"
echo "accepted as expected: the release-signed bundle, version $released"
echo "security test: OK, alerts flow over SASL_SSL with per-user ACLs; bad credentials, plaintext and unauthorized users are refused; only the release user can publish model updates and only release-signed bundles are taken"
