package com.sensoranomaly.job;

import com.sensoranomaly.job.config.JobConfig;
import com.sensoranomaly.kafka.LocalKafkaExtension;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.schema.AlertStatus;
import com.sensoranomaly.schema.AnomalyAlert;
import com.sensoranomaly.schema.SensorReading;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A running job whose readings go quiet for longer than the watermark idleness (a broker outage, a gateway down): the
 * readings input turns idle, and that must not move event time. It used to: the model-switch input (finished at once
 * without an updates topic) then counted as Long.MAX_VALUE, every device's idle timer fired, and an open episode was
 * resolved as "stopped reporting" while the device was fine.
 */
class QuietReadingsITCase {
    private static final long BASE = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @RegisterExtension
    static final LocalKafkaExtension kafka = new LocalKafkaExtension();

    private static void send(KafkaProducer<byte[], byte[]> p, int from, int to, double b) throws Exception {
        for (int i = from; i < to; i++) {
            KafkaTestSupport.send(p, "quiet-readings", new SensorReading("pump-1", Instant.ofEpochMilli(BASE + i * 1000L),
                    Map.of("a", 1.0, "b", b), Map.of("site", "plant-7")));
        }
    }

    @Test
    void shouldKeepAnOpenEpisodeThroughAQuietSpellLongerThanTheWatermarkIdleness() throws Exception {
        kafka.createTopics(1, "quiet-readings", "quiet-alerts", "quiet-dead");
        JobConfig config = JobConfig.fromArgs(
                "--bootstrap.servers", kafka.bootstrapServers(), "--bundle", "unused-in-this-test",
                "--topic.readings", "quiet-readings", "--topic.alerts", "quiet-alerts", "--topic.dead-letters", "quiet-dead",
                "--checkpoint.interval", "1s", "--transaction.timeout", "1m", "--calibration.mode", "none",
                "--rule.k", "3", "--rule.n", "5", "--rule.clear", "3", "--watermark.idleness", "1s",
                "--watermark.out-of-orderness", "0s", "--device.idle-timeout", "1h");
        AnomalyModel model = TestModels.correlatedPair();
        JobClient job = KafkaTestSupport.kafkaJob(config, model, 1, new Configuration()).executeAsync("quiet readings");
        try (KafkaProducer<byte[], byte[]> p = KafkaTestSupport.producer(kafka.bootstrapServers())) {
            send(p, 0, 10, 1.0);
            send(p, 10, 20, 2.0); // an anomaly: FIRING
            List<AnomalyAlert> firing = alerts(1);
            assertThat(firing).extracting(AnomalyAlert::getStatus).containsExactly(AlertStatus.FIRING);

            Thread.sleep(6_000); // quiet: far longer than the 1 s idleness, far shorter than the 1 h device idle timeout

            send(p, 20, 25, 2.0); // still anomalous: the same episode, no new alert
            send(p, 25, 30, 1.0); // normal again: RESOLVED by the rule, not by silence
            List<AnomalyAlert> all = alerts(2);
            assertThat(all).extracting(AnomalyAlert::getStatus).containsExactly(AlertStatus.FIRING, AlertStatus.RESOLVED);
            assertThat(all.get(1).getAlertId()).isEqualTo(all.get(0).getAlertId());
            assertThat(all.get(1).getSummary()).doesNotContain("stopped reporting");
            assertThat(all.get(1).getEpisodeEnd()).isEqualTo(Instant.ofEpochMilli(BASE + 27_000));
        } finally {
            job.cancel().get();
        }
    }

    private static List<AnomalyAlert> alerts(int expected) {
        return KafkaTestSupport.readCommitted(kafka.bootstrapServers(), "quiet-alerts", expected, Duration.ofSeconds(60),
                Duration.ofSeconds(3)).stream().map(KafkaTestSupport::alert).toList();
    }
}
