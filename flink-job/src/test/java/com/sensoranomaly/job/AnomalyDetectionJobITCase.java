package com.sensoranomaly.job;

import com.sensoranomaly.job.config.JobConfig;
import com.sensoranomaly.kafka.LocalKafkaExtension;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.schema.AlertStatus;
import com.sensoranomaly.schema.AnomalyAlert;
import com.sensoranomaly.schema.AnomalyScore;
import com.sensoranomaly.schema.AvroContracts;
import com.sensoranomaly.schema.DeadLetter;
import com.sensoranomaly.schema.SensorReading;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole job on a Flink MiniCluster against a real Kafka broker: one device with a known anomalous
 * stretch, one clean device, missing values, an unknown measurement and one malformed record.
 */
class AnomalyDetectionJobITCase {
    private static final long BASE = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @RegisterExtension
    static final LocalKafkaExtension kafka = new LocalKafkaExtension();

    private static SensorReading reading(String device, int i, Double a, Double b) {
        Map<String, Double> m = new HashMap<>();
        m.put("a", a);
        m.put("b", b);
        if (i == 30) {
            m.put("c", 5.0); // a sensor the model does not know
        }
        return new SensorReading(device, Instant.ofEpochMilli(BASE + i * 1000L), m, Map.of("site", "plant-7"));
    }

    @Test
    void shouldAlertExactlyOncePerEpisodeAndDeadLetterTheMalformedRecord() throws Exception {
        kafka.createTopics(2, "readings", "alerts", "dead", "scores");
        try (KafkaProducer<byte[], byte[]> p = KafkaTestSupport.producer(kafka.bootstrapServers())) {
            for (int i = 0; i < 100; i++) {
                boolean anomalous = i >= 40 && i < 60;
                Double b = (i == 5 || i == 22 || i == 71 || i == 88) ? null : anomalous ? 2.0 : 1.0;
                KafkaTestSupport.send(p, "readings", reading("pump-1", i, 1.0, b));
                KafkaTestSupport.send(p, "readings", reading("pump-2", i, i == 50 ? null : 1.0, 1.0));
                if (i == 70) {
                    p.send(new ProducerRecord<>("readings", "pump-1".getBytes(StandardCharsets.UTF_8),
                            "not avro at all".getBytes(StandardCharsets.UTF_8))).get();
                }
            }
        }

        JobConfig config = JobConfig.fromArgs(
                "--bootstrap.servers", kafka.bootstrapServers(), "--bundle", "unused-in-this-test",
                "--topic.readings", "readings", "--topic.alerts", "alerts", "--topic.dead-letters", "dead",
                "--topic.scores", "scores", "--source.stop-at-latest", "true", "--checkpoint.interval", "1s",
                "--transaction.timeout", "1m", "--rule.k", "3", "--rule.n", "5", "--rule.clear", "5");
        AnomalyModel model = TestModels.correlatedPair();

        KafkaTestSupport.kafkaJob(config, model, 2, new Configuration()).execute("it");

        String bs = kafka.bootstrapServers();
        List<AnomalyAlert> alerts = KafkaTestSupport.readCommitted(bs, "alerts", 2, Duration.ofSeconds(30), Duration.ofSeconds(2))
                .stream().map(KafkaTestSupport::alert).toList();
        assertThat(alerts).extracting(AnomalyAlert::getStatus).containsExactly(AlertStatus.FIRING, AlertStatus.RESOLVED);
        assertThat(alerts).allMatch(a -> a.getDeviceId().equals("pump-1"));
        assertThat(alerts).extracting(AnomalyAlert::getAlertId).containsOnly(alerts.get(0).getAlertId());
        AnomalyAlert firing = alerts.get(0);
        assertThat(firing.getEpisodeStart()).isEqualTo(Instant.ofEpochMilli(BASE + 40_000));
        assertThat(firing.getEventTime()).isEqualTo(Instant.ofEpochMilli(BASE + 42_000));
        assertThat(firing.getScore()).isEqualTo(0.25);
        assertThat(firing.getModelVersion()).isEqualTo("test-pair-v1");
        assertThat(firing.getLabels()).containsEntry("site", "plant-7");
        assertThat(alerts.get(1).getEpisodeEnd()).isEqualTo(Instant.ofEpochMilli(BASE + 64_000));

        List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestSupport.readCommitted(bs, "dead", 1, Duration.ofSeconds(30), Duration.ofSeconds(1));
        assertThat(dead).hasSize(1);
        DeadLetter d = AvroContracts.deadLetter(dead.get(0).value());
        assertThat(d.getReason()).isEqualTo("UNDECODABLE");
        assertThat(d.getSourceTopic()).isEqualTo("readings");
        assertThat(new String(d.getValue().array(), StandardCharsets.UTF_8)).isEqualTo("not avro at all");

        List<AnomalyScore> scores = KafkaTestSupport.readCommitted(bs, "scores", 200, Duration.ofSeconds(30), Duration.ofSeconds(1))
                .stream().map(r -> {
                    try {
                        return AvroContracts.score(r.value());
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }).toList();
        assertThat(scores).hasSize(200);
        Map<String, Long> imputed = scores.stream().collect(Collectors.groupingBy(AnomalyScore::getDeviceId,
                Collectors.summingLong(AnomalyScore::getImputed)));
        assertThat(imputed).containsEntry("pump-1", 4L).containsEntry("pump-2", 1L);
        assertThat(scores.stream().filter(AnomalyScore::getInEpisode).count()).as("readings 42..63 are in the episode").isEqualTo(22);
    }
}
