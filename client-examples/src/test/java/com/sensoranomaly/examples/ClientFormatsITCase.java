package com.sensoranomaly.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sensoranomaly.job.KafkaTestSupport;
import com.sensoranomaly.job.TestModels;
import com.sensoranomaly.job.config.JobConfig;
import com.sensoranomaly.kafka.LocalKafkaExtension;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.schema.AnomalyScore;
import com.sensoranomaly.schema.DeadLetter;
import com.sensoranomaly.schema.format.ContractCodec;
import com.sensoranomaly.schema.format.RegistryConfig;
import com.sensoranomaly.schema.format.SchemaRegistryClient;
import com.sensoranomaly.schema.format.WireFormat;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Producers and consumers from outside the JVM, in each wire format, through the real job (MiniCluster), a real broker
 * and a real schema registry (Apicurio): records written by Python's confluent_kafka/avro and kcat are scored and
 * alerted, and those clients read the alerts back. The Python scripts are the README's quick starts, run as written.
 */
class ClientFormatsITCase {
    private static final Instant BASE = Instant.parse("2026-12-01T08:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @RegisterExtension
    static final LocalKafkaExtension kafka = new LocalKafkaExtension();

    private static LocalSchemaRegistry registry;

    @BeforeAll
    static void startRegistry() throws Exception {
        registry = LocalSchemaRegistry.start();
    }

    @AfterAll
    static void stopRegistry() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    private static void requirePython(String... modules) {
        StringBuilder imports = new StringBuilder("import confluent_kafka");
        for (String m : modules) {
            imports.append(", ").append(m);
        }
        ClientTools.requireTool("Python 3 with " + imports.substring(7), "apt-get install python3-confluent-kafka python3-avro",
                "/usr/bin/python3", "-c", imports.toString());
    }

    /** One reading per line: pump-1 normal, anomalous (b off its correlation with a), normal again; pump-2 normal. */
    private static String readings(String device, int from, int count, double b) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < from + count; i++) {
            sb.append("{\"deviceId\":\"").append(device).append("\",\"eventTime\":\"").append(BASE.plusSeconds(i))
                    .append("\",\"measurements\":{\"a\":1.0,\"b\":").append(b).append("},\"labels\":{\"site\":\"north\"}}\n");
        }
        return sb.toString();
    }

    private static String episode(String device) {
        return readings(device, 0, 10, 1.0) + readings(device, 10, 10, 2.0) + readings(device, 20, 10, 1.0);
    }

    private record Topics(String readings, String alerts, String dead, String scores) {
        static Topics of(String prefix) {
            return new Topics(prefix + "-readings", prefix + "-alerts", prefix + "-dlq", prefix + "-scores");
        }
    }

    private static JobClient startJob(WireFormat format, Topics t) throws Exception {
        kafka.createTopics(1, t.readings, t.alerts, t.dead, t.scores);
        List<String> args = new ArrayList<>(List.of(
                "--bootstrap.servers", kafka.bootstrapServers(), "--bundle", "unused-in-this-test",
                "--topic.readings", t.readings, "--topic.alerts", t.alerts, "--topic.dead-letters", t.dead,
                "--topic.scores", t.scores, "--input.format", format.settingName(), "--output.format", format.settingName(),
                "--registry.url", registry.url(), "--group.id", t.readings,
                "--checkpoint.interval", "1s", "--transaction.timeout", "1m", "--calibration.mode", "none",
                "--rule.k", "3", "--rule.n", "5", "--rule.clear", "3", "--watermark.out-of-orderness", "0s"));
        JobConfig config = JobConfig.fromArgs(args.toArray(String[]::new));
        AnomalyModel model = TestModels.correlatedPair();
        return KafkaTestSupport.kafkaJob(config, model, 1, new Configuration()).executeAsync("client formats " + format.settingName());
    }

    private static ClientTools.Result python(String stdin, String script, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", ClientTools.python(script).toString(),
                "--bootstrap-server", kafka.bootstrapServers()));
        cmd.addAll(List.of(args));
        ClientTools.Result r = ClientTools.run(stdin, 120, cmd.toArray(String[]::new));
        assertThat(r.exit()).as("%s %s: %s", script, List.of(args), r.err()).isZero();
        return r;
    }

    private static List<JsonNode> json(List<String> lines) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String l : lines) {
            out.add(JSON.readTree(l));
        }
        return out;
    }

    private static void assertOneEpisodeOf(List<JsonNode> alerts, String device) {
        assertThat(alerts).extracting(a -> a.path("deviceId").asText()).containsOnly(device);
        assertThat(alerts).extracting(a -> a.path("status").asText()).containsExactly("FIRING", "RESOLVED");
        assertThat(alerts.get(1).path("alertId").asText()).isEqualTo(alerts.get(0).path("alertId").asText());
        assertThat(alerts.get(0).path("labels").path("site").asText()).isEqualTo("north");
    }

    private static <T extends org.apache.avro.specific.SpecificRecordBase> List<T> read(Class<T> type, String topic, int expected)
            throws Exception {
        ContractCodec<T> codec = new ContractCodec<>(type, new SchemaRegistryClient(RegistryConfig.of(registry.url())));
        List<T> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : KafkaTestSupport.readCommitted(kafka.bootstrapServers(), topic, expected,
                Duration.ofSeconds(60), Duration.ofSeconds(3))) {
            out.add(codec.decode(r.value(), null));
        }
        return out;
    }

    @Test
    void shouldScoreAndAlertRegistryAvroFromPythonAndDecodeCompatibleProducerSchemaChangesWithoutARedeploy() throws Exception {
        requirePython("avro");
        Topics t = Topics.of("registry");
        JobClient job = startJob(WireFormat.REGISTRY_AVRO, t);
        try {
            python(episode("pump-1") + readings("pump-2", 0, 30, 1.0), "produce_readings.py",
                    "--topic", t.readings, "--format", "registry-avro", "--registry", registry.url());
            List<JsonNode> alerts = json(python(null, "consume_alerts.py", "--topic", t.alerts, "--format", "registry-avro",
                    "--registry", registry.url(), "--max", "2", "--idle", "60").lines());
            assertOneEpisodeOf(alerts, "pump-1");

            // The producer evolves its schema compatibly (a new field with a default): the job reads it as it is.
            Path evolved = Files.createTempFile("SensorReading-v2", ".avsc");
            Files.writeString(evolved, Files.readString(ClientTools.projectRoot().resolve("schemas/src/main/avro/SensorReading.avsc"))
                    .replace("\"fields\": [", "\"fields\": [\n    {\"name\": \"firmware\", \"type\": \"string\", \"default\": \"unknown\"},"));
            String withFirmware = readings("pump-3", 0, 5, 1.0).replace("\"labels\"", "\"firmware\":\"2.4.1\",\"labels\"");
            python(withFirmware, "produce_readings.py", "--topic", t.readings, "--format", "registry-avro",
                    "--registry", registry.url(), "--schema", evolved.toString());

            // An incompatible change (eventTime as text) is dead-lettered, saying why.
            Path broken = Files.createTempFile("SensorReading-broken", ".avsc");
            Files.writeString(broken, Files.readString(ClientTools.projectRoot().resolve("schemas/src/main/avro/SensorReading.avsc"))
                    .replace("{\"type\": \"long\", \"logicalType\": \"timestamp-millis\"}", "\"string\""));
            python("{\"deviceId\":\"pump-4\",\"eventTime\":\"yesterday\",\"measurements\":{\"a\":1.0}}\n", "produce_readings.py",
                    "--topic", t.readings, "--format", "registry-avro", "--registry", registry.url(), "--schema", broken.toString());
        } finally {
            waitForScores(t, 65);
            job.cancel().get();
        }
        // The job registered its output schemas under the subjects Kafka tooling looks up (TopicNameStrategy).
        String subjects = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(registry.url() + "/subjects")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        assertThat(subjects).contains("\"registry-alerts-value\"", "\"registry-scores-value\"", "\"registry-dlq-value\"",
                "\"registry-readings-value\"");
        List<AnomalyScore> scores = read(AnomalyScore.class, t.scores, 65);
        assertThat(scores).filteredOn(s -> s.getDeviceId().equals("pump-3")).hasSize(5);
        List<DeadLetter> dead = read(DeadLetter.class, t.dead, 1);
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).getReason()).isEqualTo("UNDECODABLE");
        assertThat(dead.get(0).getErrorMessage()).contains("cannot be read as the com.sensoranomaly.schema.SensorReading contract",
                "eventTime");
    }

    private static void waitForScores(Topics t, int expected) {
        KafkaTestSupport.readCommitted(kafka.bootstrapServers(), t.scores, expected, Duration.ofSeconds(60), Duration.ofSeconds(1));
    }

    @Test
    void shouldScoreAndAlertSingleObjectAvroFromPythonsAvroLibrary() throws Exception {
        requirePython("avro");
        Topics t = Topics.of("single");
        JobClient job = startJob(WireFormat.AVRO, t);
        try {
            python(episode("pump-1") + readings("pump-2", 0, 30, 1.0), "produce_readings.py", "--topic", t.readings, "--format", "avro");
            List<JsonNode> alerts = json(python(null, "consume_alerts.py", "--topic", t.alerts, "--format", "avro",
                    "--max", "2", "--idle", "60").lines());
            assertOneEpisodeOf(alerts, "pump-1");
            assertThat(KafkaTestSupport.readCommitted(kafka.bootstrapServers(), t.dead, 0, Duration.ofSeconds(3), Duration.ofSeconds(1)))
                    .as("nothing dead-lettered: the Python library's fingerprint is accepted").isEmpty();
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void shouldScoreAndAlertJsonFromPythonAndKcat() throws Exception {
        requirePython();
        ClientTools.requireTool("kcat", "apt-get install kcat", "kcat", "-V");
        Topics t = Topics.of("json");
        JobClient job = startJob(WireFormat.JSON, t);
        try {
            python(episode("pump-1"), "produce_readings.py", "--topic", t.readings, "--format", "json");
            List<JsonNode> alerts = json(python(null, "consume_alerts.py", "--topic", t.alerts, "--format", "json",
                    "--max", "2", "--idle", "60").lines());
            assertOneEpisodeOf(alerts, "pump-1");

            // kcat: key<TAB>JSON value per line in, alerts out as they are (plain JSON).
            StringBuilder keyed = new StringBuilder();
            for (String line : episode("pump-5").split("\n")) {
                keyed.append("pump-5\t").append(line).append('\n');
            }
            ClientTools.Result produced = ClientTools.run(keyed.toString(), 60, "kcat", "-P", "-b", kafka.bootstrapServers(),
                    "-t", t.readings, "-K", "\t");
            assertThat(produced.exit()).as(produced.err()).isZero();
            List<JsonNode> all = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (all.size() < 4 && System.nanoTime() < deadline) {
                ClientTools.Result read = ClientTools.run(null, 60, "kcat", "-C", "-b", kafka.bootstrapServers(), "-t", t.alerts,
                        "-X", "isolation.level=read_committed", "-o", "beginning", "-e", "-q");
                assertThat(read.exit()).as(read.err()).isZero();
                all = json(read.lines());
                Thread.sleep(1000);
            }
            assertOneEpisodeOf(all.subList(2, all.size()), "pump-5");
        } finally {
            job.cancel().get();
        }
    }

    @Test
    void shouldProduceAndReadEveryFormatWithTheJavaExamples() throws Exception {
        for (WireFormat format : WireFormat.values()) {
            Topics t = Topics.of("java-" + format.settingName());
            JobClient job = startJob(format, t);
            try {
                String produced = captureOut(episode("pump-1"), () -> ProduceReadings.main(new String[] {"--bootstrap-server",
                        kafka.bootstrapServers(), "--topic", t.readings, "--format", format.settingName(), "--registry", registry.url()}));
                assertThat(produced).contains("produced 30 readings");
                String read = captureOut("", () -> ConsumeAlerts.main(new String[] {"--bootstrap-server", kafka.bootstrapServers(),
                        "--topic", t.alerts, "--registry", registry.url(), "--max", "2", "--idle", "60"}));
                assertOneEpisodeOf(json(List.of(read.strip().split("\n"))), "pump-1");
            } finally {
                job.cancel().get();
            }
        }
    }

    private interface Main {
        void run() throws Exception;
    }

    private static synchronized String captureOut(String stdin, Main main) throws Exception {
        InputStream in = System.in;
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            main.run();
        } finally {
            System.setIn(in);
            System.setOut(out);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
