package com.sensoranomaly.job.rollout;

import com.sensoranomaly.job.AnomalyDetectionJob;
import com.sensoranomaly.job.KafkaTestSupport;
import com.sensoranomaly.job.TestModels;
import com.sensoranomaly.job.config.JobConfig;
import com.sensoranomaly.kafka.LocalKafkaExtension;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.ModelBundle;
import com.sensoranomaly.model.Reconstructor;
import com.sensoranomaly.schema.AlertStatus;
import com.sensoranomaly.schema.AnomalyAlert;
import com.sensoranomaly.schema.AvroContracts;
import com.sensoranomaly.schema.DeadLetter;
import com.sensoranomaly.schema.ModelUpdate;
import com.sensoranomaly.schema.SensorReading;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A running job switches models from the control topic, without a restart: readings that the submitted model
 * finds normal alert once a stricter model is rolled out; an update naming the wrong content version is
 * dead-lettered and changes nothing.
 */
class ModelRolloutITCase {
    private static final long BASE = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4).build());

    @RegisterExtension
    static final LocalKafkaExtension kafka = new LocalKafkaExtension();

    @TempDir
    Path dir;

    /** a and b differ by 0.1: score (0.1 / 2)² = 0.0025, normal for the submitted model (threshold 0.01). */
    private static SensorReading reading(int i) {
        return new SensorReading("pump-1", Instant.ofEpochMilli(BASE + i * 1000L), Map.of("a", 1.0, "b", 1.1), Map.of());
    }

    private static byte[] update(String bundle, String version) {
        return AvroContracts.encode(new ModelUpdate(bundle, version, "ModelRolloutITCase", Instant.now()));
    }

    @Test
    void shouldScoreWithTheRolledOutModelWithoutARestartAndRefuseAnUpdateOfTheWrongVersion() throws Exception {
        kafka.createTopics(2, "r-readings", "r-alerts", "r-dead");
        kafka.createTopics(1, "r-updates");
        AnomalyModel submitted = TestModels.correlatedPair();
        AnomalyModel strict = ModelBundle.write(dir, new AnomalyModel("unversioned", submitted.features(), 1, submitted.scaler(),
                submitted.featureStats(), submitted.network(), 0.001, submitted.thresholdQuantile(), submitted.errorStats(),
                submitted.featureErrorMean()), Map.of(), Instant.EPOCH);

        JobConfig config = JobConfig.fromArgs(
                "--bootstrap.servers", kafka.bootstrapServers(), "--bundle", "unused-in-this-test", "--bundle.allowed-locations", dir.toString(),
                "--topic.readings", "r-readings", "--topic.alerts", "r-alerts", "--topic.dead-letters", "r-dead",
                "--topic.model-updates", "r-updates", "--checkpoint.interval", "1s", "--transaction.timeout", "1m",
                "--rule.k", "3", "--rule.n", "5", "--rule.clear", "5");
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        AnomalyDetectionJob.configure(env, config);
        AnomalyDetectionJob.buildPipeline(env, config, submitted, AnomalyDetectionJob.kafkaSource(config, submitted),
                AnomalyDetectionJob.modelUpdatesSource(config), AnomalyDetectionJob.kafkaOutputs(config), Reconstructor.PLAIN_JAVA);
        JobClient job = env.executeAsync("rollout-it");
        try (KafkaProducer<byte[], byte[]> p = KafkaTestSupport.producer(kafka.bootstrapServers());
             KafkaConsumer<byte[], byte[]> alerts = committedConsumer("r-alerts")) {
            int i = 0;
            // The submitted model: 20 s of readings it finds normal, while the job (and its update source) starts.
            for (; i < 20; i++) {
                KafkaTestSupport.send(p, "r-readings", reading(i));
            }
            Thread.sleep(5000);
            p.send(new ProducerRecord<>("r-updates", "model".getBytes(StandardCharsets.UTF_8), update(dir.toString(), "0000000000000000"))).get();
            p.send(new ProducerRecord<>("r-updates", "model".getBytes(StandardCharsets.UTF_8), update(dir.toString(), strict.version()))).get();

            List<AnomalyAlert> seen = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 90_000;
            while (System.currentTimeMillis() < deadline && seen.stream().noneMatch(a -> a.getStatus() == AlertStatus.FIRING)) {
                for (int k = 0; k < 5; k++, i++) {
                    KafkaTestSupport.send(p, "r-readings", reading(i));
                }
                for (ConsumerRecord<byte[], byte[]> r : alerts.poll(Duration.ofMillis(500))) {
                    seen.add(KafkaTestSupport.alert(r));
                }
            }
            assertThat(seen).as("alerts after the rollout").isNotEmpty();
            assertThat(seen).allMatch(a -> a.getModelVersion().equals(strict.version()), "every alert comes from the rolled-out model");
            assertThat(seen.get(0).getThreshold()).isEqualTo(0.001);
        } finally {
            job.cancel().get();
        }
        List<ConsumerRecord<byte[], byte[]>> dead = KafkaTestSupport.readCommitted(kafka.bootstrapServers(), "r-dead", 1,
                Duration.ofSeconds(30), Duration.ofSeconds(1));
        assertThat(dead).hasSize(1);
        DeadLetter d = AvroContracts.deadLetter(dead.get(0).value());
        assertThat(d.getReason()).isEqualTo("MODEL_UPDATE_REJECTED");
        assertThat(d.getErrorMessage()).contains(strict.version(), "0000000000000000");
        assertThat(d.getSourceTopic()).isEqualTo("r-updates");
    }

    private static KafkaConsumer<byte[], byte[]> committedConsumer(String topic) {
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "rollout-it", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        c.subscribe(List.of(topic));
        return c;
    }
}
