package com.sensoranomaly.job.output;

import com.sensoranomaly.job.deadletter.DeadLetterEvent;
import com.sensoranomaly.schema.AvroContracts;
import com.sensoranomaly.schema.DeadLetter;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class AvroKafkaSerializerTest {

    @Test
    void shouldKeyByDeviceAndLeaveTheRecordTimestampToTheProducer() throws Exception {
        DeadLetterEvent d = DeadLetterEvent.of("UNDECODABLE", "bad", null, "readings", 0, 7, Long.MIN_VALUE, null, new byte[] {1});
        d.deviceId = "pump-9";
        AvroKafkaSerializer<DeadLetterEvent, com.sensoranomaly.schema.DeadLetter> s =
                new AvroKafkaSerializer<>("dlq", e -> e.deviceId, Encoders::toAvro, com.sensoranomaly.schema.DeadLetter.class);
        // An event time three hours ahead (a device clock running fast) must not become the Kafka timestamp:
        // the broker would reject it and fail the job's transaction.
        ProducerRecord<byte[], byte[]> r = s.serialize(d, null, System.currentTimeMillis() + 3 * 3_600_000L);
        assertThat(r.topic()).isEqualTo("dlq");
        assertThat(r.timestamp()).isNull();
        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("pump-9");
        DeadLetter back = AvroContracts.deadLetter(r.value());
        assertThat(back.getSourceOffset()).isEqualTo(7);
    }
}
