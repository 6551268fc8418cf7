package com.sensoranomaly.schema;

import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContractsTest {
    private static final Instant T = Instant.parse("2026-03-01T12:00:00.123Z");

    private static SensorReading reading() {
        Map<String, Double> m = new HashMap<>();
        m.put("flow", 31.5);
        m.put("pressure", null); // a sensor that reported nothing this time
        return new SensorReading("pump-007", T, m, Map.of("site", "plant-3", "asset_type", "pump"));
    }

    /** The current SensorReading schema plus one optional field, as a newer producer would write it. */
    private static Schema readingWithFirmware() {
        String json = SensorReading.getClassSchema().toString().replaceFirst(
                "\"fields\":\\[", "\"fields\":[{\"name\":\"firmware\",\"type\":[\"null\",\"string\"],\"default\":null},");
        return new Schema.Parser().parse(json);
    }

    @Test
    void shouldRoundTripEveryContractInSingleObjectEncoding() throws Exception {
        SensorReading r = reading();
        byte[] bytes = AvroContracts.encode(r);
        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        assertThat(AvroContracts.reading(bytes)).isEqualTo(r);

        AnomalyAlert a = AnomalyAlert.newBuilder()
                .setAlertId("abc").setDeviceId("pump-007").setStatus(AlertStatus.FIRING).setSeverity(Severity.ERROR)
                .setEpisodeStart(T).setEpisodeEnd(null).setEventTime(T).setDetectionTime(T.plusMillis(40))
                .setScore(0.8).setThreshold(0.2).setWindow(new WindowStats(5, 4, 0.6, 0.9, 1L, 0.8))
                .setTopFeatures(List.of(new FeatureContribution("flow", 0.5, 0.7, 12.0, 31.0)))
                .setImputedFeatures(List.of("pressure")).setModelVersion("0123456789abcdef")
                .setSummary("pump-007: anomaly FIRING").setLabels(Map.of("site", "plant-3")).build();
        assertThat(AvroContracts.alert(AvroContracts.encode(a))).isEqualTo(a);

        DeadLetter d = new DeadLetter("UNDECODABLE", "java.io.IOException", "bad", "readings", 1, 42L, T,
                ByteBuffer.wrap(new byte[] {1}), ByteBuffer.wrap(new byte[] {2, 3}), null, T, null, null);
        assertThat(AvroContracts.deadLetter(AvroContracts.encode(d))).isEqualTo(d);

        ReadingEmbedding e = new ReadingEmbedding("pump-007", T, "0123456789abcdef", List.of(0.25, -1.5, 3.0));
        byte[] eb = AvroContracts.encode(e);
        assertThat(eb[0]).isEqualTo((byte) 0xC3);
        assertThat(AvroContracts.embedding(eb)).isEqualTo(e);
    }

    @Test
    void shouldReadARecordWrittenWithAnAddedOptionalField() throws Exception {
        Schema v2 = readingWithFirmware();
        GenericRecord written = new GenericData.Record(v2);
        written.put("deviceId", "pump-007");
        written.put("eventTime", T.toEpochMilli());
        written.put("measurements", Map.of("flow", 31.5));
        written.put("labels", Map.of());
        written.put("firmware", "2.4.1");
        ByteBuffer bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v2).encode(written);

        BinaryMessageDecoder<SensorReading> current = AvroContracts.readingDecoder();
        assertThatThrownBy(() -> current.decode(bytes.duplicate()))
                .as("single-object encoding names the writer schema: it must be known").isInstanceOf(MissingSchemaException.class);
        current.addSchema(v2);
        SensorReading read = current.decode(bytes.duplicate());
        assertThat(read.getDeviceId()).isEqualTo("pump-007");
        assertThat(read.getEventTime()).isEqualTo(Instant.ofEpochMilli(T.toEpochMilli()));
        assertThat(read.getMeasurements()).containsEntry("flow", 31.5);
    }

    @Test
    void shouldLetANewerReaderReadACurrentRecordWithTheFieldsDefault() throws Exception {
        Schema v2 = readingWithFirmware();
        BinaryMessageDecoder<GenericRecord> newer = new BinaryMessageDecoder<>(GenericData.get(), v2);
        newer.addSchema(SensorReading.getClassSchema());
        GenericRecord read = newer.decode(AvroContracts.encode(reading()));
        assertThat(read.get("deviceId").toString()).isEqualTo("pump-007");
        assertThat(read.get("firmware")).isNull();
        assertThat(SchemaNormalization.parsingFingerprint64(v2))
                .isNotEqualTo(SchemaNormalization.parsingFingerprint64(SensorReading.getClassSchema()));
    }

    @Test
    void shouldDecodeEveryReleasedEarlierSchemaIntoTheCurrentClasses() throws Exception {
        List<Schema> released = AvroContracts.history(DeadLetter.getClassSchema());
        assertThat(released).as("src/main/history/DeadLetter-1.avsc").hasSize(1);
        Schema v1 = released.get(0);
        assertThat(v1.getField("valueSize")).as("v1 predates the bounded copies of oversized values").isNull();
        GenericRecord old = new GenericData.Record(v1);
        old.put("reason", "UNDECODABLE");
        old.put("errorMessage", "bad");
        old.put("sourceTopic", "readings");
        old.put("sourcePartition", 1);
        old.put("sourceOffset", 42L);
        old.put("value", ByteBuffer.wrap(new byte[] {7}));
        old.put("failedAt", T.toEpochMilli());
        ByteBuffer bytes = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), v1).encode(old);

        // A dead letter written by the job before the change still decodes, with the new fields at their defaults.
        DeadLetter read = AvroContracts.deadLetter(bytes.array());
        assertThat(read.getReason()).isEqualTo("UNDECODABLE");
        assertThat(read.getSourceOffset()).isEqualTo(42L);
        assertThat(read.getValueSize()).isNull();
        assertThat(read.getValueSha256()).isNull();
    }
}
