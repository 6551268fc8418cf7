package com.sensoranomaly.cli.evaluate;

import com.sensoranomaly.cli.demo.LocalStack;
import com.sensoranomaly.kafka.LocalKafka;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.Reconstructor;
import com.sensoranomaly.schema.AnomalyScore;
import com.sensoranomaly.schema.AvroContracts;
import com.sensoranomaly.schema.SensorReading;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replays labelled series through the real streaming path (a local Kafka broker and the Flink job on a
 * local MiniCluster, bounded) and joins the job's per-reading decisions, read back from the scores
 * topic, to the rows. Nothing is scored offline: the numbers are what production would have done.
 */
public final class StreamingEvaluation {
    private static final String READINGS = "eval-readings";
    private static final String SCORES = "eval-scores";

    private StreamingEvaluation() {}

    /**
     * @param jobSettings job settings beyond the evaluation's own (e.g. calibration.mode), as on the command line
     */
    public static Map<String, JobDecisions> run(AnomalyModel model, List<LabelledSeries> series,
                                                Map<String, String> jobSettings, int parallelism) throws Exception {
        try (LocalKafka kafka = LocalKafka.start()) {
            kafka.createTopics(parallelism, READINGS, "eval-alerts", "eval-dead-letters", SCORES);
            long produced = produce(kafka.bootstrapServers(), series);

            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("topic.readings", READINGS);
            settings.put("topic.alerts", "eval-alerts");
            settings.put("topic.dead-letters", "eval-dead-letters");
            settings.put("topic.scores", SCORES);
            settings.put("source.stop-at-latest", "true");
            settings.put("checkpoint.interval", "2s");
            // Replays run far faster than real time: no device is idle in processing time.
            settings.put("device.idle-timeout", "1d");
            settings.putAll(jobSettings);
            Configuration conf = new Configuration();
            conf.set(RestOptions.BIND_PORT, "0");
            LocalStack.pipeline(StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf), model,
                    LocalStack.config(kafka.bootstrapServers(), settings), Reconstructor.PLAIN_JAVA).execute("evaluation");

            return collect(kafka.bootstrapServers(), series, produced);
        }
    }

    private static long produce(String bootstrap, List<LabelledSeries> series) throws Exception {
        long n = 0;
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, "20",
                ProducerConfig.BATCH_SIZE_CONFIG, "262144"), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (LabelledSeries s : series) {
                byte[] key = s.deviceId().getBytes(StandardCharsets.UTF_8);
                for (int i = 0; i < s.size(); i++) {
                    Map<String, Double> m = new HashMap<>();
                    for (int j = 0; j < s.features().size(); j++) {
                        double v = s.values()[i][j];
                        m.put(s.features().get(j), Double.isNaN(v) ? null : v);
                    }
                    SensorReading r = new SensorReading(s.deviceId(), Instant.ofEpochMilli(s.times()[i]), m, Map.of());
                    p.send(new ProducerRecord<>(READINGS, key, AvroContracts.encode(r)));
                    n++;
                }
            }
            p.flush();
        }
        return n;
    }

    private static Map<String, JobDecisions> collect(String bootstrap, List<LabelledSeries> series, long expected) throws Exception {
        Map<String, Map<Long, AnomalyScore>> byDevice = new HashMap<>();
        long seen = 0;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "evaluation",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(SCORES));
            long deadline = System.currentTimeMillis() + 60_000;
            int emptyPolls = 0;
            // The job has finished and committed: read until the topic is drained.
            while (System.currentTimeMillis() < deadline && (seen < expected ? emptyPolls < 25 : emptyPolls < 2)) {
                var records = c.poll(Duration.ofMillis(200));
                emptyPolls = records.isEmpty() ? emptyPolls + 1 : 0;
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    AnomalyScore s = AvroContracts.score(r.value());
                    byDevice.computeIfAbsent(s.getDeviceId(), k -> new HashMap<>()).put(s.getEventTime().toEpochMilli(), s);
                    seen++;
                }
            }
        }
        Map<String, JobDecisions> out = new LinkedHashMap<>();
        for (LabelledSeries s : series) {
            Map<Long, AnomalyScore> scores = byDevice.getOrDefault(s.deviceId(), Map.of());
            double[] score = new double[s.size()];
            double[] threshold = new double[s.size()];
            boolean[] inEpisode = new boolean[s.size()];
            Arrays.fill(score, Double.NaN);
            Arrays.fill(threshold, Double.NaN);
            int missing = 0;
            boolean last = false;
            for (int i = 0; i < s.size(); i++) {
                AnomalyScore a = scores.get(s.times()[i]);
                if (a == null) {
                    missing++;
                    inEpisode[i] = last;
                    continue;
                }
                score[i] = a.getScore();
                threshold[i] = a.getThreshold();
                inEpisode[i] = a.getInEpisode();
                last = inEpisode[i];
            }
            out.put(s.deviceId(), new JobDecisions(score, threshold, inEpisode, missing));
        }
        return out;
    }
}
