package com.sensoranomaly.examples;

import com.sensoranomaly.schema.AnomalyAlert;
import com.sensoranomaly.schema.format.ContractCodec;
import com.sensoranomaly.schema.format.RegistryConfig;
import com.sensoranomaly.schema.format.SchemaRegistryClient;
import com.sensoranomaly.schema.format.WireFormat;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

/**
 * A Java reader of committed alerts in whichever format the job writes them (recognised per record; the registry
 * format needs {@code --registry}): one JSON line per alert on stdout. Stops after {@code --max} alerts or
 * {@code --idle} seconds without one.
 */
public final class ConsumeAlerts {
    public static void main(String[] args) throws Exception {
        String bootstrap = "localhost:9092";
        String topic = "anomaly-alerts";
        String registryUrl = null;
        int max = 0;
        double idle = 10;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--bootstrap-server" -> bootstrap = args[i + 1];
                case "--topic" -> topic = args[i + 1];
                case "--registry" -> registryUrl = args[i + 1];
                case "--max" -> max = Integer.parseInt(args[i + 1]);
                case "--idle" -> idle = Double.parseDouble(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        ContractCodec<AnomalyAlert> codec = new ContractCodec<>(AnomalyAlert.class,
                registryUrl == null ? null : new SchemaRegistryClient(RegistryConfig.of(registryUrl)));
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "alerts-reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"); // the job writes alerts in transactions
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        int seen = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long quietSince = System.nanoTime();
            while ((max == 0 || seen < max) && System.nanoTime() - quietSince < (long) (idle * 1e9)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    AnomalyAlert alert = codec.decode(r.value(), null);
                    System.out.println(new String(codec.encode(alert, WireFormat.JSON, 0), StandardCharsets.UTF_8));
                    seen++;
                    quietSince = System.nanoTime();
                }
            }
        }
        System.err.println("read " + seen + " alerts");
    }
}
