package com.sensoranomaly.job;

import com.sensoranomaly.job.config.JobConfig;
import com.sensoranomaly.kafka.LocalKafkaExtension;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.schema.AvroContracts;
import com.sensoranomaly.schema.DeadLetter;
import com.sensoranomaly.schema.SensorReading;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile and broken input through the whole job on a real broker: every record is either scored or dead-lettered
 * with its reason, input = scored + dead-lettered exactly, and the job never restarts (it runs with restarts off, so
 * a single task failure would fail the test). The oversized records are the ones that used to loop the job: a 1 MB
 * device id and a record near the broker's maximum request size.
 */
class BadInputCorpusITCase {
    private static final long NOW = System.currentTimeMillis();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @RegisterExtension
    static final LocalKafkaExtension kafka = new LocalKafkaExtension();

    /** One input record and what must become of it: "scored", or the dead-letter reason. */
    private record Case(String name, byte[] key, byte[] value, String expected) {}

    private static byte[] reading(String device, long t, Map<String, Double> m, Map<String, String> labels) {
        return AvroContracts.encode(new SensorReading(device, Instant.ofEpochMilli(t), m, labels));
    }

    private static Map<String, Double> ab(Double a, Double b) {
        Map<String, Double> m = new HashMap<>();
        m.put("a", a);
        m.put("b", b);
        return m;
    }

    private static List<Case> corpus() {
        List<Case> c = new ArrayList<>();
        byte[] good = reading("pump-ok", NOW - 100_000, ab(1.0, 1.0), Map.of());
        long t = NOW - 90_000;
        // Normal traffic around the bad records, so the job has real work and state while they pass.
        for (int i = 0; i < 20; i++) {
            c.add(new Case("normal " + i, key("pump-ok"), reading("pump-ok", t += 1000, ab(1.0, 1.0 + 0.01 * i), Map.of("site", "s1")), "scored"));
        }
        c.add(new Case("empty value", key("x"), new byte[0], "UNDECODABLE"));
        c.add(new Case("tombstone", key("x"), null, "UNDECODABLE"));
        c.add(new Case("truncated", key("pump-ok"), Arrays.copyOf(good, good.length / 2), "UNDECODABLE"));
        byte[] wrongMagic = good.clone();
        wrongMagic[0] = 0x00;
        c.add(new Case("wrong magic", key("pump-ok"), wrongMagic, "UNDECODABLE"));
        c.add(new Case("another schema", key("x"), AvroContracts.encode(new DeadLetter("R", null, "m", "t", 0, 0L, null, null, null,
                null, Instant.now(), null, null)), "UNDECODABLE"));
        c.add(new Case("json", key("x"), "{\"deviceId\":\"pump-ok\"}".getBytes(StandardCharsets.UTF_8), "UNDECODABLE"));
        c.add(new Case("no device id", key("x"), reading("", t += 1000, ab(1.0, 1.0), Map.of()), "MISSING_DEVICE_ID"));
        c.add(new Case("NaN in one sensor", key("pump-ok"), reading("pump-ok", t += 1000, ab(Double.NaN, 1.0), Map.of()), "scored"));
        c.add(new Case("1e308 in one sensor (absurd, imputed)", key("pump-ok"), reading("pump-ok", t += 1000, ab(1e308, 1.0), Map.of()), "scored"));
        c.add(new Case("+Inf and -Inf", key("pump-ok"), reading("pump-ok", t += 1000, ab(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY), Map.of()),
                "NO_KNOWN_MEASUREMENTS"));
        Map<String, Double> many = ab(1.0, 1.0);
        for (int i = 0; i < 5000; i++) {
            many.put("unknown-sensor-" + i, (double) i);
        }
        c.add(new Case("5,000 unknown measurements", key("pump-ok"), reading("pump-ok", t += 1000, many, Map.of()), "scored"));
        c.add(new Case("duplicate of the previous reading", key("pump-ok"), reading("pump-ok", t, ab(1.0, 1.0), Map.of()), "OUT_OF_ORDER"));
        c.add(new Case("2 days in the future", key("pump-ok"), reading("pump-ok", NOW + Duration.ofDays(2).toMillis(), ab(1.0, 1.0), Map.of()),
                "BAD_TIMESTAMP"));
        c.add(new Case("1970", key("pump-ok"), reading("pump-ok", 0, ab(1.0, 1.0), Map.of()), "BAD_TIMESTAMP"));
        c.add(new Case("300-character device id", key("long"), reading("d".repeat(300), t += 1000, ab(1.0, 1.0), Map.of()), "OVERSIZED"));
        Map<String, String> labels = new HashMap<>();
        for (int i = 0; i < 40; i++) {
            labels.put("label" + i, "v");
        }
        c.add(new Case("40 labels", key("pump-ok"), reading("pump-ok", t += 1000, ab(1.0, 1.0), labels), "OVERSIZED"));
        c.add(new Case("1 MB device id", key("huge"), reading("h".repeat(1_000_000), t += 1000, ab(1.0, 1.0), Map.of()), "OVERSIZED"));
        byte[] nearMax = new byte[1_040_000];
        new java.util.Random(7).nextBytes(nearMax);
        c.add(new Case("record near the broker's maximum", key("x"), nearMax, "OVERSIZED"));
        c.add(new Case("normal after all that", key("pump-ok"), reading("pump-ok", t += 1000, ab(1.0, 1.0), Map.of()), "scored"));
        return c;
    }

    private static byte[] key(String k) {
        return k.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldScoreOrDeadLetterEveryRecordWithItsReasonAndNeverRestart() throws Exception {
        kafka.createTopics(1, "bad-readings", "bad-alerts", "bad-dead", "bad-scores");
        List<Case> corpus = corpus();
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(2 << 20)), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (Case c : corpus) {
                p.send(new ProducerRecord<>("bad-readings", c.key(), c.value())).get();
            }
        }

        JobConfig config = JobConfig.fromArgs(
                "--bootstrap.servers", kafka.bootstrapServers(), "--bundle", "unused-in-this-test",
                "--topic.readings", "bad-readings", "--topic.alerts", "bad-alerts", "--topic.dead-letters", "bad-dead",
                "--topic.scores", "bad-scores", "--source.stop-at-latest", "true", "--checkpoint.interval", "1s",
                "--transaction.timeout", "1m", "--calibration.mode", "none");
        AnomalyModel model = TestModels.correlatedPair();
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none"); // a restart would fail the job, and the test
        KafkaTestSupport.kafkaJob(config, model, 2, conf).execute("bad-input corpus");

        String bs = kafka.bootstrapServers();
        long expectedScored = corpus.stream().filter(c -> c.expected().equals("scored")).count();
        Map<String, Long> expectedDead = corpus.stream().filter(c -> !c.expected().equals("scored"))
                .collect(Collectors.groupingBy(Case::expected, TreeMap::new, Collectors.counting()));
        List<ConsumerRecord<byte[], byte[]>> scores = KafkaTestSupport.readCommitted(bs, "bad-scores", (int) expectedScored,
                Duration.ofSeconds(30), Duration.ofSeconds(2));
        List<DeadLetter> dead = KafkaTestSupport.readCommitted(bs, "bad-dead", corpus.size() - (int) expectedScored,
                Duration.ofSeconds(30), Duration.ofSeconds(2)).stream().map(r -> {
                    try {
                        return AvroContracts.deadLetter(r.value());
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }).toList();

        assertThat(scores.size() + dead.size()).as("input = scored + dead-lettered, exactly").isEqualTo(corpus.size());
        assertThat(scores).hasSize((int) expectedScored);
        Map<String, Long> deadByReason = dead.stream().collect(Collectors.groupingBy(DeadLetter::getReason, TreeMap::new,
                Collectors.counting()));
        assertThat(deadByReason).isEqualTo(expectedDead);
        for (DeadLetter d : dead) {
            assertThat(d.getErrorMessage()).as("every dead letter says why").isNotBlank().hasSizeLessThan(5000);
            if (d.getReason().equals("OVERSIZED") && d.getValueSize() != null) {
                // Too large to keep whole: its first bytes, its size and its hash, so it can still be matched and inspected.
                assertThat(d.getValue().remaining()).isEqualTo(256 * 1024);
                assertThat(d.getValueSha256()).hasSize(64);
                assertThat(d.getValueSize()).isGreaterThan(1_000_000);
                assertThat(d.getDeviceId()).as("an oversized device id is not repeated").isNull();
            }
        }
        assertThat(dead).filteredOn(d -> d.getValueSize() != null).as("the 1 MB device id and the near-maximum record").hasSize(2);
    }
}
