package com.sensoranomaly.examples;

import com.sensoranomaly.schema.SensorReading;
import com.sensoranomaly.schema.format.ContractCodec;
import com.sensoranomaly.schema.format.RegistryConfig;
import com.sensoranomaly.schema.format.SchemaRegistryClient;
import com.sensoranomaly.schema.format.WireFormat;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * A Java producer of readings in any of the job's input formats, with nothing but kafka-clients and the contracts jar
 * ({@code com.sensoranomaly:schemas}): one JSON reading per line on stdin, sent keyed by device id.
 *
 * <pre>
 * java -cp ... com.sensoranomaly.examples.ProduceReadings --bootstrap-server localhost:9092 --topic sensor-readings \
 *     --format registry-avro --registry http://localhost:8080/apis/ccompat/v7 &lt; readings.jsonl
 * </pre>
 *
 * For {@code registry-avro} the contract's schema is registered under {@code <topic>-value} (or found registered).
 */
public final class ProduceReadings {
    public static void main(String[] args) throws Exception {
        String bootstrap = "localhost:9092";
        String topic = "sensor-readings";
        WireFormat format = WireFormat.AVRO;
        String registryUrl = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--bootstrap-server" -> bootstrap = args[i + 1];
                case "--topic" -> topic = args[i + 1];
                case "--format" -> format = WireFormat.parse(args[i + 1]);
                case "--registry" -> registryUrl = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        SchemaRegistryClient registry = registryUrl == null ? null : new SchemaRegistryClient(RegistryConfig.of(registryUrl));
        ContractCodec<SensorReading> codec = new ContractCodec<>(SensorReading.class, registry);
        int schemaId = format == WireFormat.REGISTRY_AVRO ? codec.register(topic) : 0;

        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        int sent = 0;
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
             BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isBlank()) {
                    continue;
                }
                // The JSON contract reader names the field if a line does not fit SensorReading.
                SensorReading reading = codec.decode(line.getBytes(StandardCharsets.UTF_8), WireFormat.JSON);
                producer.send(new ProducerRecord<>(topic, reading.getDeviceId(), codec.encode(reading, format, schemaId)));
                sent++;
            }
            producer.flush();
        }
        System.out.println("produced " + sent + " readings to " + topic + " as " + format.settingName());
    }
}
