package com.sensoranomaly.job;

import com.sensoranomaly.schema.AnomalyAlert;
import com.sensoranomaly.schema.AvroContracts;
import com.sensoranomaly.schema.SensorReading;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Producing readings to and reading records from a real broker, as producers and consumers in the field do. */
public final class KafkaTestSupport {
    private KafkaTestSupport() {}

    /**
     * The production pipeline (Kafka source and sinks, {@link AnomalyDetectionJob#configure}) for {@code config} around
     * {@code model}, on the test's MiniCluster, ready to execute; {@code flink} is the Flink configuration to run with
     * (generic types are refused whatever it says: no silent Kryo fallback for the job's types).
     */
    public static org.apache.flink.streaming.api.environment.StreamExecutionEnvironment kafkaJob(
            com.sensoranomaly.job.config.JobConfig config, com.sensoranomaly.model.AnomalyModel model, int parallelism,
            org.apache.flink.configuration.Configuration flink) {
        org.apache.flink.configuration.Configuration conf = new org.apache.flink.configuration.Configuration(flink);
        conf.set(org.apache.flink.configuration.PipelineOptions.GENERIC_TYPES, false);
        var env = org.apache.flink.streaming.api.environment.StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        AnomalyDetectionJob.configure(env, config);
        AnomalyDetectionJob.buildPipeline(env, config, model, AnomalyDetectionJob.kafkaSource(config, model),
                AnomalyDetectionJob.kafkaOutputs(config));
        return env;
    }

    public static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    public static void send(KafkaProducer<byte[], byte[]> p, String topic, SensorReading r) throws Exception {
        byte[] bytes = AvroContracts.encode(r);
        p.send(new ProducerRecord<>(topic, r.getDeviceId().getBytes(StandardCharsets.UTF_8), bytes)).get();
    }

    /** Reads committed records until {@code expected} arrived, then keeps polling {@code settle} for extras. */
    public static List<ConsumerRecord<byte[], byte[]>> readCommitted(String bootstrap, String topic, int expected,
                                                                     Duration timeout, Duration settle) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "verify-" + topic + "-" + System.nanoTime(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + timeout.toMillis();
            while (out.size() < expected && System.currentTimeMillis() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            long settleEnd = System.currentTimeMillis() + settle.toMillis();
            while (System.currentTimeMillis() < settleEnd) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    public static AnomalyAlert alert(ConsumerRecord<byte[], byte[]> r) {
        try {
            return AvroContracts.alert(r.value());
        } catch (Exception e) {
            throw new AssertionError("alert record is not an AnomalyAlert: " + e, e);
        }
    }
}
