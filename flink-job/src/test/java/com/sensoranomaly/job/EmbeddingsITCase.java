package com.sensoranomaly.job;

import com.sensoranomaly.job.config.JobConfig;
import com.sensoranomaly.kafka.LocalKafkaExtension;
import com.sensoranomaly.model.Activation;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.Autoencoder;
import com.sensoranomaly.model.DenseLayer;
import com.sensoranomaly.model.ErrorStats;
import com.sensoranomaly.model.FeatureScaler;
import com.sensoranomaly.model.FeatureStats;
import com.sensoranomaly.schema.AnomalyScore;
import com.sensoranomaly.schema.AvroContracts;
import com.sensoranomaly.schema.ReadingEmbedding;
import com.sensoranomaly.schema.SensorReading;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embeddings topic through the whole job on a MiniCluster against a real Kafka broker: one ReadingEmbedding per
 * scored reading, with the bundle's latent code of that reading, both while the bundle's model scores a device and
 * after the device's own model took over (calibration mode device-model).
 */
class EmbeddingsITCase {
    private static final long BASE = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    private static final List<String> FEATURES = List.of("a", "b", "c");

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @RegisterExtension
    static final LocalKafkaExtension kafka = new LocalKafkaExtension();

    private static DenseLayer layer(int nIn, int nOut, Activation a, Random r) {
        double[] w = new double[nIn * nOut];
        for (int i = 0; i < w.length; i++) {
            w[i] = r.nextGaussian() * 0.6;
        }
        double[] b = new double[nOut];
        for (int j = 0; j < nOut; j++) {
            b[j] = r.nextGaussian() * 0.1;
        }
        return new DenseLayer(nIn, nOut, w, b, a);
    }

    /** A 3-4-2-4-3 tanh autoencoder with fixed random weights: a two-unit code that differs from reading to reading. */
    static AnomalyModel model() {
        Random r = new Random(11);
        Autoencoder net = new Autoencoder(List.of(layer(3, 4, Activation.TANH, r), layer(4, 2, Activation.TANH, r),
                layer(2, 4, Activation.TANH, r), layer(4, 3, Activation.IDENTITY, r)));
        FeatureScaler scaler = new FeatureScaler(FeatureScaler.Kind.STANDARD, new double[] {1, 2, 3}, new double[] {2, 1, 0.5});
        FeatureStats stats = new FeatureStats(new double[] {1, 2, 3}, new double[] {2, 1, 0.5}, new double[] {1, 2, 3},
                new double[] {-5, -5, -5}, new double[] {10, 10, 10});
        return new AnomalyModel("embed-v1", FEATURES, 1, scaler, stats, net, 50.0, 0.99,
                ErrorStats.of(new double[] {0.1, 0.2, 0.3}), new double[] {0.1, 0.1, 0.1});
    }

    private static JobConfig config(boolean embeddings) {
        List<String> args = new ArrayList<>(List.of(
                "--bootstrap.servers", kafka.bootstrapServers(), "--bundle", "unused-in-this-test",
                "--topic.readings", "readings", "--topic.alerts", "alerts", "--topic.dead-letters", "dead",
                "--topic.scores", "scores", "--source.stop-at-latest", "true", "--checkpoint.interval", "1s",
                "--transaction.timeout", "1m", "--calibration.events", "20"));
        if (embeddings) {
            args.addAll(List.of("--topic.embeddings", "embeddings"));
        }
        return JobConfig.fromArgs(args.toArray(new String[0]));
    }

    @Test
    void shouldWriteOneEmbeddingPerScoredReadingWithTheBundlesLatentCode() throws Exception {
        kafka.createTopics(2, "readings", "alerts", "dead", "scores", "embeddings");
        AnomalyModel model = model();
        Map<String, double[]> sent = new HashMap<>(); // device@millis -> raw values
        Random r = new Random(5);
        try (KafkaProducer<byte[], byte[]> p = KafkaTestSupport.producer(kafka.bootstrapServers())) {
            for (int i = 0; i < 60; i++) {
                for (String device : List.of("pump-1", "pump-2")) {
                    double[] v = {1 + 2 * r.nextGaussian(), 2 + r.nextGaussian(), 3 + 0.5 * r.nextGaussian()};
                    long t = BASE + i * 1000L;
                    Map<String, Double> m = new HashMap<>();
                    for (int j = 0; j < 3; j++) {
                        m.put(FEATURES.get(j), v[j]);
                    }
                    KafkaTestSupport.send(p, "readings", new SensorReading(device, Instant.ofEpochMilli(t), m, Map.of()));
                    sent.put(device + "@" + t, v);
                }
            }
        }

        JobConfig config = config(true);
        KafkaTestSupport.kafkaJob(config, model, 2, new Configuration()).execute("embeddings-it");

        String bs = kafka.bootstrapServers();
        List<AnomalyScore> scored = KafkaTestSupport.readCommitted(bs, "scores", 120, Duration.ofSeconds(30), Duration.ofSeconds(1))
                .stream().map(rec -> decode(() -> AvroContracts.score(rec.value())))
                .filter(s -> !Double.isNaN(s.getScore())).toList();
        List<ReadingEmbedding> embeddings = KafkaTestSupport.readCommitted(bs, "embeddings", 120, Duration.ofSeconds(30), Duration.ofSeconds(2))
                .stream().map(rec -> decode(() -> AvroContracts.embedding(rec.value()))).toList();

        assertThat(scored).as("every reading is scored (window 1)").hasSize(120);
        assertThat(scored).as("the devices' own models took over after 20 readings (their control limits, not 50)")
                .anyMatch(s -> s.getThreshold() != 50.0).anyMatch(s -> s.getThreshold() == 50.0);
        assertThat(embeddings).hasSize(120);
        Set<String> scoredKeys = scored.stream().map(s -> s.getDeviceId() + "@" + s.getEventTime().toEpochMilli()).collect(Collectors.toSet());
        Set<String> embeddedKeys = embeddings.stream().map(e -> e.getDeviceId() + "@" + e.getEventTime().toEpochMilli()).collect(Collectors.toSet());
        assertThat(embeddedKeys).as("one embedding per scored reading, none twice").hasSize(120).isEqualTo(scoredKeys);

        for (ReadingEmbedding e : embeddings) {
            assertThat(e.getModelVersion()).isEqualTo("embed-v1");
            assertThat(e.getLatent()).hasSize(model.network().latentSize()).hasSize(2);
            double[] raw = Objects.requireNonNull(sent.get(e.getDeviceId() + "@" + e.getEventTime().toEpochMilli()));
            double[] scaled = new double[3];
            for (int j = 0; j < 3; j++) {
                scaled[j] = model.scaler().scale(j, raw[j]);
            }
            double[] expected = model.network().encode(scaled);
            assertThat(e.getLatent()).as(e.getDeviceId() + " at " + e.getEventTime()).containsExactly(expected[0], expected[1]);
        }
        // Codes differ from reading to reading (a constant would pass the size check too).
        assertThat(embeddings.stream().map(e -> e.getLatent().get(0)).distinct().count()).isGreaterThan(100);
    }

    @Test
    void shouldAddTheEmbeddingOperatorsWithUidsOnlyWhenTheTopicIsSet() {
        assertThat(uids(false)).doesNotContain("extract-embeddings", "embeddings-sink")
                .contains("score", "detect-episodes", "alerts-sink", "scores-sink");
        Set<String> with = uids(true);
        assertThat(with).contains("extract-embeddings", "score", "detect-episodes", "alerts-sink", "scores-sink");
        assertThat(with.stream().anyMatch(u -> u.startsWith("embeddings-sink"))).as(with.toString()).isTrue();
        Set<String> without = uids(false);
        assertThat(with).as("the rest of the graph keeps its uids").containsAll(without);
    }

    private static Set<String> uids(boolean embeddings) {
        JobConfig config = config(embeddings);
        AnomalyModel model = model();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());
        AnomalyDetectionJob.configure(env, config);
        AnomalyDetectionJob.buildPipeline(env, config, model, AnomalyDetectionJob.kafkaSource(config, model),
                AnomalyDetectionJob.kafkaOutputs(config));
        return env.getStreamGraph().getStreamNodes().stream().map(StreamNode::getTransformationUID)
                .filter(Objects::nonNull).collect(Collectors.toSet());
    }

    private interface Decode<T> {
        T get() throws Exception;
    }

    private static <T> T decode(Decode<T> d) {
        try {
            return d.get();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
