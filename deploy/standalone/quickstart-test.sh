#!/usr/bin/env bash
# Runs README.md's "Quick start on your Kafka and Flink" block as written (extracted between its quickstart markers),
# on the standalone cluster of cluster.sh, with:
#   - a real S3 API as the bundle store: S3Proxy (org.gaul:s3proxy from Maven Central, file-backed), bucket "models";
#   - FLINK_HOME = the standalone cluster's Flink directory (lib/, conf/, plugins/), with what a Flink distribution
#     adds: opt/flink-s3-fs-presto-*.jar (Maven Central has 2.2.0 as the newest 2.2 build of the plugin),
#     bin/flink, bin/start-cluster.sh and bin/stop-cluster.sh (cluster.sh underneath);
#   - kafka-topics.sh = Kafka's TopicCommand from the broker's jars; aws = the AWS CLI (Debian's awscli if missing).
# Passes when the block ends with an alert from the job, which loaded its signed bundle from s3://.
#   deploy/standalone/quickstart-test.sh        (~4 minutes; SKIP_BUILD=1 is accepted but the block builds anyway)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
export WORK="${WORK:-$root/target/standalone}"
KAFKA_PORT="${KAFKA_PORT:-19092}"
S3_PORT="${S3_PORT:-19096}"
cluster="$root/deploy/standalone/cluster.sh"
qs="$WORK/quickstart"
s3pid=""
cleanup() {
  [ -n "$s3pid" ] && kill "$s3pid" 2>/dev/null
  jobs -p | xargs -r kill 2>/dev/null
  "$cluster" stop >/dev/null 2>&1 || true
}
trap cleanup EXIT
fail() { echo "quickstart test: FAILED, $*" >&2; exit 1; }

command -v aws >/dev/null 2>&1 || { [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -q awscli >/dev/null 2>&1; } \
  || fail "the aws CLI is missing (apt-get install awscli)"
"$cluster" stop >/dev/null 2>&1 || true
rm -rf "$qs" "$WORK/kafka/data" "$WORK/checkpoints" "$WORK/flink/plugins/s3-fs-presto"
mkdir -p "$qs/s3/models" "$qs/tools" "$qs/bin"
# A config.yaml without earlier local additions: the block appends its own.
rm -f "$WORK/flink/conf/config.yaml"

# --- The parts of a real environment the standalone cluster lacks.
mvn -B -q dependency:copy -Dartifact=org.gaul:s3proxy:4.1.0:jar:jar-with-dependencies -DoutputDirectory="$qs/tools" >/dev/null
mkdir -p "$WORK/flink/opt" "$WORK/flink/bin"
mvn -B -q dependency:copy -Dartifact=org.apache.flink:flink-s3-fs-presto:2.2.0 -DoutputDirectory="$WORK/flink/opt" >/dev/null
cat > "$qs/s3proxy.properties" <<PROPS
s3proxy.endpoint=http://127.0.0.1:$S3_PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=quickstart
s3proxy.credential=quickstart-secret
jclouds.provider=filesystem
jclouds.filesystem.basedir=$qs/s3
PROPS
nohup java -jar "$qs/tools/s3proxy-4.1.0-jar-with-dependencies.jar" --properties "$qs/s3proxy.properties" \
  >"$WORK/logs/s3proxy.log" 2>&1 &
s3pid=$!
for _ in $(seq 1 60); do (exec 3<>"/dev/tcp/127.0.0.1/$S3_PORT") 2>/dev/null && break; sleep 1; done
cat > "$WORK/flink/bin/flink" <<SH
#!/usr/bin/env bash
exec "$cluster" flink "\$@"
SH
cat > "$WORK/flink/bin/start-cluster.sh" <<SH
#!/usr/bin/env bash
exec "$cluster" start
SH
cat > "$WORK/flink/bin/stop-cluster.sh" <<SH
#!/usr/bin/env bash
exec "$cluster" stop-flink
SH
cat > "$qs/bin/kafka-topics.sh" <<SH
#!/usr/bin/env bash
exec java -cp "$WORK/kafka/lib/*" org.apache.kafka.tools.TopicCommand "\$@"
SH
chmod +x "$WORK/flink/bin/"* "$qs/bin/"*
"$cluster" start

# --- The environment the README asks for, then its block as written.
export BROKER="127.0.0.1:$KAFKA_PORT" FLINK_HOME="$WORK/flink" MODELS="s3://models/sensor-anomaly" REPLICATION=1
export AWS_ACCESS_KEY_ID=quickstart AWS_SECRET_ACCESS_KEY=quickstart-secret AWS_DEFAULT_REGION=us-east-1
export S3_ENDPOINT="http://127.0.0.1:$S3_PORT" AWS_ENDPOINT_URL="http://127.0.0.1:$S3_PORT"
export PATH="$qs/bin:$PATH"
block=$(sed -n '/<!-- quickstart:begin/,/<!-- quickstart:end/p' README.md | sed '1,2d;$d' | sed '$d')
[ -n "$block" ] || fail "no quickstart block in README.md"
echo "$block" > "$qs/quickstart.sh"
lines=$(grep -cvE '^\s*(#|$)' "$qs/quickstart.sh")
echo "quickstart test: running README's block ($lines command lines) in $qs/run"
mkdir -p "$qs/run"
ln -s "$root/anomaly" "$qs/run/anomaly"
ln -s "$root/flink-job" "$qs/run/flink-job"
# The block runs in $qs/run (its files: history, bundle, keys, logs), which links the clone's launcher and job; its
# build step builds the clone.
cat > "$qs/bin/mvn" <<SH
#!/usr/bin/env bash
cd "$root" && exec "$(command -v mvn)" "\$@"
SH
chmod +x "$qs/bin/mvn"
started=$(date +%s)
if (cd "$qs/run" && bash -euo pipefail "$qs/quickstart.sh") > "$qs/quickstart.log" 2>&1; then
  tail -3 "$qs/quickstart.log"
else
  tail -20 "$qs/quickstart.log" >&2
  fail "README's quick start did not end with an alert; see $qs/quickstart.log and $WORK/logs"
fi
grep -q "FIRING\|RESOLVED" "$qs/quickstart.log" || fail "no alert line in the block's output"
ls "$qs/s3/models/sensor-anomaly/v1/manifest.sig" >/dev/null 2>&1 || fail "the signed bundle is not in the bucket"
grep -q "s3://models/sensor-anomaly/v1" "$WORK/logs/"*.log "$qs/quickstart.log" 2>/dev/null || true
echo "quickstart test: OK, README's quick start ran as written in $(( $(date +%s) - started )) s: topics, a signed bundle in S3 (S3Proxy), Flink's S3 plugin, the job on s3://, an alert"
