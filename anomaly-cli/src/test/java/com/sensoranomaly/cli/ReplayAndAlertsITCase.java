package com.sensoranomaly.cli;

import com.sensoranomaly.kafka.LocalKafkaExtension;
import com.sensoranomaly.schema.AlertStatus;
import com.sensoranomaly.schema.AnomalyAlert;
import com.sensoranomaly.schema.AvroContracts;
import com.sensoranomaly.schema.FeatureContribution;
import com.sensoranomaly.schema.SensorReading;
import com.sensoranomaly.schema.Severity;
import com.sensoranomaly.schema.WindowStats;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The producer and consumer commands against a real broker: replay writes readings, alerts tails committed alerts. */
class ReplayAndAlertsITCase {
    @RegisterExtension
    static final LocalKafkaExtension kafka = new LocalKafkaExtension();

    @TempDir
    Path dir;

    @BeforeAll
    static void topics() {
        kafka.createTopics(1, "replayed", "alerts-tail");
    }


    private static String run(String... args) {
        CommandLine cl = AnomalyCli.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(new StringWriter()));
        assertThat(cl.execute(args)).as(String.join(" ", args)).isZero();
        return out.toString();
    }

    @Test
    void shouldReplayCsvRowsAsReadingsWithTheirOwnEventTimes() throws Exception {
        Path csv = dir.resolve("valve9").resolve("3.csv");
        Files.createDirectories(csv.getParent());
        Files.writeString(csv, "datetime;flow;pressure;anomaly\n2020-03-09 10:14:33;32.0;0.05;0\n"
                + "2020-03-09 10:14:34;31.5;;0\n2020-03-09 10:14:35;31.0;0.07;1\n");
        String out = run("replay", "--bootstrap-servers", kafka.bootstrapServers(), "--topic", "replayed", "--input", csv.toString());
        assertThat(out).contains("replayed 3 readings from 1 file(s)");

        List<SensorReading> readings = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "t", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of("replayed"));
            long deadline = System.currentTimeMillis() + 20_000;
            while (readings.size() < 3 && System.currentTimeMillis() < deadline) {
                for (var r : c.poll(Duration.ofMillis(200))) {
                    readings.add(AvroContracts.reading(r.value()));
                }
            }
        }
        assertThat(readings).hasSize(3).allMatch(r -> r.getDeviceId().equals("valve9-3"));
        assertThat(readings.get(0).getEventTime()).isEqualTo(Instant.parse("2020-03-09T10:14:33Z"));
        assertThat(readings.get(1).getMeasurements()).containsEntry("flow", 31.5).containsEntry("pressure", null)
                .doesNotContainKey("anomaly");
    }

    @Test
    void shouldPrintACommittedAlertAsOneReadableLine() throws Exception {
        Instant t = Instant.parse("2026-11-22T10:00:00Z");
        AnomalyAlert alert = AnomalyAlert.newBuilder().setAlertId("a1").setDeviceId("pump-042").setStatus(AlertStatus.FIRING)
                .setSeverity(Severity.CRITICAL).setEpisodeStart(t).setEpisodeEnd(null).setEventTime(t).setDetectionTime(t)
                .setScore(4.2).setThreshold(1.0).setWindow(new WindowStats(5, 5, 4.0, 4.2, 1L, 4.2))
                .setTopFeatures(List.of(new FeatureContribution("flow", 3.0, 0.71, 80.0, 120.0)))
                .setImputedFeatures(List.of("vibration")).setModelVersion("v").setSummary("s").setLabels(Map.of()).build();
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "alerts-test"), new ByteArraySerializer(), new ByteArraySerializer())) {
            p.initTransactions();
            p.beginTransaction();
            p.send(new ProducerRecord<>("alerts-tail", "pump-042".getBytes(), AvroContracts.encode(alert)));
            p.commitTransaction();
        }
        String out = run("alerts", "--bootstrap-servers", kafka.bootstrapServers(), "--topic", "alerts-tail", "--from-beginning",
                "--max", "1", "--timeout", "30");
        assertThat(out.strip().lines()).hasSize(1);
        assertThat(out).contains("pump-042", "FIRING", "CRITICAL", "score 4.20 > 1.00", "flow 71% (80.0, expected 120)", "imputed: vibration");
    }
}
