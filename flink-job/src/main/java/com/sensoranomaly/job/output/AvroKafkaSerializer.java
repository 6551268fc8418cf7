package com.sensoranomaly.job.output;

import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes an internal event to its topic as an Avro record (single-object encoding), keyed by device id
 * so all records of a device land on one partition, in order.
 */
public final class AvroKafkaSerializer<T> implements KafkaRecordSerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final SerializableFunction<T, String> key;
    private final SerializableFunction<T, ? extends SpecificRecordBase> toAvro;

    public AvroKafkaSerializer(String topic, SerializableFunction<T, String> key,
                               SerializableFunction<T, ? extends SpecificRecordBase> toAvro) {
        this.topic = topic;
        this.key = key;
        this.toAvro = toAvro;
    }

    /**
     * The Kafka record timestamp is left to the producer (wall clock), not set to the reading's event time:
     * brokers reject timestamps more than an hour ahead of their clock (log.message.timestamp.after.max.ms),
     * so a device whose clock runs ahead would otherwise fail every transaction and restart the job forever.
     * The event time travels inside the record.
     */
    @Override
    public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(topic, null, null, Encoders.utf8(key.apply(element)), Encoders.bytes(toAvro.apply(element)));
    }
}
