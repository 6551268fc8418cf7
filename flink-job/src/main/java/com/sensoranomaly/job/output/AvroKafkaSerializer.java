package com.sensoranomaly.job.output;

import com.sensoranomaly.schema.format.ContractCodec;
import com.sensoranomaly.schema.format.RegistryConfig;
import com.sensoranomaly.schema.format.SchemaRegistryClient;
import com.sensoranomaly.schema.format.WireFormat;

import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes an internal event to its topic as a contract record in the job's {@code output.format} (Avro single-object
 * encoding, the schema-registry format, or JSON), keyed by device id so all records of a device land on one partition,
 * in order.
 *
 * <p>For the registry format the contract's schema is registered under {@code <topic>-value} (the subject Kafka UIs,
 * Kafka Connect, ksqlDB and Flink SQL's {@code avro-confluent} look up) when the writer opens; a registry that refuses
 * it or stays unreachable fails the start, before anything is written, rather than writing records no one can read.
 */
public final class AvroKafkaSerializer<T, R extends SpecificRecordBase> implements KafkaRecordSerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final SerializableFunction<T, String> key;
    private final SerializableFunction<T, R> toAvro;
    private final Class<R> contract;
    private final WireFormat format;
    private final RegistryConfig registry;
    private transient ContractCodec<R> codec;
    private transient int schemaId;

    /** Single-object Avro: no registry. */
    public AvroKafkaSerializer(String topic, SerializableFunction<T, String> key, SerializableFunction<T, R> toAvro, Class<R> contract) {
        this(topic, key, toAvro, contract, WireFormat.AVRO, null);
    }

    public AvroKafkaSerializer(String topic, SerializableFunction<T, String> key, SerializableFunction<T, R> toAvro, Class<R> contract,
                               WireFormat format, RegistryConfig registry) {
        if (format == WireFormat.REGISTRY_AVRO && registry == null) {
            throw new IllegalArgumentException("the registry-avro output format needs a schema registry");
        }
        this.topic = topic;
        this.key = key;
        this.toAvro = toAvro;
        this.contract = contract;
        this.format = format;
        this.registry = registry;
    }

    @Override
    public void open(SerializationSchema.InitializationContext context, KafkaSinkContext sinkContext) throws Exception {
        codec();
    }

    private ContractCodec<R> codec() throws java.io.IOException {
        if (codec == null) {
            ContractCodec<R> c = new ContractCodec<>(contract, format == WireFormat.REGISTRY_AVRO ? new SchemaRegistryClient(registry) : null);
            schemaId = format == WireFormat.REGISTRY_AVRO ? c.register(topic) : 0;
            codec = c;
        }
        return codec;
    }

    /**
     * The Kafka record timestamp is left to the producer (wall clock), not set to the reading's event time:
     * brokers reject timestamps more than an hour ahead of their clock (log.message.timestamp.after.max.ms),
     * so a device whose clock runs ahead would otherwise fail every transaction and restart the job forever.
     * The event time travels inside the record.
     */
    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
        byte[] value;
        if (format == WireFormat.AVRO) {
            value = Encoders.bytes(toAvro.apply(element));
        } else {
            try {
                value = codec().encode(toAvro.apply(element), format, schemaId);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot register the " + contract.getSimpleName() + " schema for " + topic, e);
            }
        }
        return new ProducerRecord<>(topic, null, null, Encoders.utf8(key.apply(element)), value);
    }
}
