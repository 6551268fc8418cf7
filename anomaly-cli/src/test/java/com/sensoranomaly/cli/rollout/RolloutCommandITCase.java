package com.sensoranomaly.cli.rollout;

import com.sensoranomaly.cli.CliRun;
import com.sensoranomaly.kafka.LocalKafkaExtension;
import com.sensoranomaly.model.Activation;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.Autoencoder;
import com.sensoranomaly.model.DenseLayer;
import com.sensoranomaly.model.ErrorStats;
import com.sensoranomaly.model.FeatureScaler;
import com.sensoranomaly.model.FeatureStats;
import com.sensoranomaly.model.ModelBundle;
import com.sensoranomaly.schema.AvroContracts;
import com.sensoranomaly.schema.ModelUpdate;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;


import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code rollout} against a real broker: a local bundle is verified and its content version published. */
class RolloutCommandITCase {
    @RegisterExtension
    static final LocalKafkaExtension kafka = new LocalKafkaExtension();

    @TempDir
    Path dir;

    @BeforeAll
    static void topics() {
        kafka.createTopics(1, "updates");
    }


    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private AnomalyModel bundle(Path at) throws Exception {
        Autoencoder net = new Autoencoder(List.of(
                new DenseLayer(2, 1, new double[] {0.5, 0.5}, new double[] {0}, Activation.IDENTITY),
                new DenseLayer(1, 2, new double[] {1, 1}, new double[] {0, 0}, Activation.IDENTITY)));
        double[] zero = {0, 0};
        double[] one = {1, 1};
        return ModelBundle.write(at, new AnomalyModel("unversioned", List.of("a", "b"), 1,
                new FeatureScaler(FeatureScaler.Kind.STANDARD, zero, one), new FeatureStats(one, one, one, zero, one), net,
                0.1, 0.99, ErrorStats.of(new double[] {0.01, 0.02}), new double[] {0.01, 0.01}), Map.of(), Instant.EPOCH);
    }

    @Test
    void shouldPublishTheVerifiedVersionOfALocalBundle() throws Exception {
        AnomalyModel m = bundle(dir.resolve("b1"));
        CliRun r = run("rollout", "--bootstrap-servers", kafka.bootstrapServers(), "--topic", "updates",
                "--bundle", dir.resolve("b1").toString(), "--requested-by", "it");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("asked for model " + m.version());

        List<ModelUpdate> updates = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "t", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of("updates"));
            long deadline = System.currentTimeMillis() + 20_000;
            while (updates.isEmpty() && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<byte[], byte[]> rec : c.poll(Duration.ofMillis(200))) {
                    updates.add(AvroContracts.modelUpdate(rec.value()));
                }
            }
        }
        assertThat(updates).singleElement().satisfies(u -> {
            assertThat(u.getBundle()).isEqualTo(dir.resolve("b1").toString());
            assertThat(u.getVersion()).isEqualTo(m.version());
            assertThat(u.getRequestedBy()).isEqualTo("it");
        });
    }

    @Test
    void shouldRefuseALocalBundleThatDoesNotVerify() throws Exception {
        bundle(dir.resolve("b2"));
        Files.writeString(dir.resolve("b2").resolve("weights.json"), "{}");
        CliRun r = run("rollout", "--bootstrap-servers", kafka.bootstrapServers(), "--topic", "updates", "--bundle", dir.resolve("b2").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("rollout: ").contains("weights.json").doesNotContain("\n");
    }

    @Test
    void shouldAskForTheVersionOfARemoteBundle() {
        CliRun r = run("rollout", "--bootstrap-servers", kafka.bootstrapServers(), "--bundle", "s3://models/x");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("rollout: --version is needed for a bundle that is not a local directory: s3://models/x");
    }
}
