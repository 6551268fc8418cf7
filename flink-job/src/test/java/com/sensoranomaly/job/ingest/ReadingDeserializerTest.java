package com.sensoranomaly.job.ingest;

import com.sensoranomaly.job.TestModels;
import com.sensoranomaly.schema.SensorReading;

import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ReadingDeserializerTest {
    private final long now = Instant.parse("2026-06-01T00:00:00Z").toEpochMilli();
    private final ReadingDeserializer deserializer = new ReadingDeserializer(
            new ReadingValidator(TestModels.correlatedPair(), Instant.parse("2000-01-01T00:00:00Z").toEpochMilli(),
                    86_400_000L * 3650, 1000), TestModels.correlatedPair().features());

    private List<SourceRecord> run(byte[] value) {
        return run(deserializer, value);
    }

    private static List<SourceRecord> run(ReadingDeserializer d, byte[] value) {
        List<SourceRecord> out = new ArrayList<>();
        try {
            d.deserialize(new ConsumerRecord<>("readings", 1, 42L, "k".getBytes(), value), new Collector<>() {
                public void collect(SourceRecord r) { out.add(r); }
                public void close() {}
            });
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out;
    }

    private final ReadingDeserializer jsonDeserializer = new ReadingDeserializer(
            new ReadingValidator(TestModels.correlatedPair(), Instant.parse("2000-01-01T00:00:00Z").toEpochMilli(),
                    86_400_000L * 3650, 1000), TestModels.correlatedPair().features(),
            com.sensoranomaly.schema.format.WireFormat.JSON, null);

    @org.junit.jupiter.api.Test
    void shouldScoreJsonReadingsWhenTheInputFormatIsJson() {
        String[] f = TestModels.correlatedPair().features().toArray(new String[0]);
        List<SourceRecord> out = run(jsonDeserializer, ("{\"deviceId\":\"pump-7\",\"eventTime\":\"2026-06-01T00:00:00Z\","
                + "\"measurements\":{\"" + f[0] + "\":1.0,\"" + f[1] + "\":null},\"labels\":{\"site\":\"north\"}}").getBytes());
        assertThat(out).hasSize(1);
        assertThat(out.get(0).reading).isNotNull();
        assertThat(out.get(0).reading.deviceId).isEqualTo("pump-7");
        assertThat(out.get(0).reading.sourceOffset).isEqualTo(42L);
    }

    @org.junit.jupiter.api.Test
    void shouldDeadLetterJsonThatDoesNotFitTheContractNamingTheField() {
        List<SourceRecord> out = run(jsonDeserializer, "{\"deviceId\":\"pump-7\",\"eventTime\":\"noon\",\"measurements\":{}}".getBytes());
        assertThat(out).hasSize(1);
        assertThat(out.get(0).deadLetter.reason).isEqualTo("UNDECODABLE");
        assertThat(out.get(0).deadLetter.errorMessage).contains("json format", "field 'eventTime'");
    }

    @org.junit.jupiter.api.Test
    void shouldTellAProducerSendingJsonToAnAvroJobWhichSettingReadsIt() {
        List<SourceRecord> out = run("{\"deviceId\":\"pump-7\"}".getBytes());
        assertThat(out.get(0).deadLetter.errorMessage).contains("it looks like json", "input.format=json");
    }

    private static byte[] encode(SensorReading r) throws Exception {
        return com.sensoranomaly.schema.AvroContracts.encode(r);
    }

    private SensorReading reading(String device, Map<String, Double> m) {
        return new SensorReading(device, Instant.ofEpochMilli(now), m, Map.of());
    }

    @Test
    void shouldDecodeAReadingIntoModelFeatureOrder() throws Exception {
        Map<String, Double> m = new HashMap<>();
        m.put("b", 2.0);
        m.put("a", 1.0);
        m.put("unknown", 9.0);
        List<SourceRecord> out = run(encode(reading("pump-1", m)));
        assertThat(out).hasSize(1);
        Reading r = out.get(0).reading;
        assertThat(r.deviceId).isEqualTo("pump-1");
        assertThat(r.values).containsExactly(1.0, 2.0);
        assertThat(r.sourcePartition).isEqualTo(1);
        assertThat(r.sourceOffset).isEqualTo(42L);
    }

    @Test
    void shouldRouteUndecodableRecordToDeadLetterWithItsBytes() {
        byte[] garbage = "not avro".getBytes();
        List<SourceRecord> out = run(garbage);
        assertThat(out).hasSize(1);
        assertThat(out.get(0).reading).isNull();
        assertThat(out.get(0).deadLetter.reason).isEqualTo("UNDECODABLE");
        assertThat(out.get(0).deadLetter.value).isEqualTo(garbage);
        assertThat(out.get(0).deadLetter.sourceOffset).isEqualTo(42L);
    }

    @Test
    void shouldTellAProducerWithAnotherFingerprintWhichOneTheJobExpectsAndFromWhat() throws Exception {
        // What a library with another canonical form writes: the right body under a fingerprint the job does not know.
        byte[] bytes = encode(reading("pump-1", Map.of("a", 1.0, "b", 2.0)));
        bytes[2] ^= 0x5A;
        List<SourceRecord> out = run(bytes);
        String message = out.get(0).deadLetter.errorMessage;
        long expected = org.apache.avro.SchemaNormalization.parsingFingerprint64(SensorReading.getClassSchema());
        assertThat(out.get(0).deadLetter.reason).isEqualTo("UNDECODABLE");
        assertThat(message).contains("is not a SensorReading schema this job knows", "the current one is " + expected,
                "parsing canonical form {\"name\":\"com.sensoranomaly.schema.SensorReading\"");
        assertThat(run("not avro at all".getBytes()).get(0).deadLetter.errorMessage).contains("starts with the two bytes C3 01");
    }

    @Test
    void shouldTreatNonFiniteAndAbsurdValuesAsMissingButKeepMerelyUnusualOnes() throws Exception {
        Map<String, Double> m = new HashMap<>();
        m.put("a", Double.NaN);
        m.put("b", 50.0); // 25 training ranges above the max: unusual, kept
        Reading r = run(encode(reading("d", m))).get(0).reading;
        assertThat(r.values[0]).isNaN();
        assertThat(r.values[1]).isEqualTo(50.0);

        m.put("b", 1e9); // absurd: beyond 1000 training ranges
        m.put("a", 1.0);
        r = run(encode(reading("d", m))).get(0).reading;
        assertThat(r.values[1]).isNaN();
    }

    @Test
    void shouldDeadLetterReadingsWithoutDeviceOrUsableValuesOrWithAbsurdTime() throws Exception {
        assertThat(run(encode(reading(" ", Map.of("a", 1.0)))).get(0).deadLetter.reason).isEqualTo("MISSING_DEVICE_ID");
        assertThat(run(encode(reading("d", Map.of("zzz", 1.0)))).get(0).deadLetter.reason).isEqualTo("NO_KNOWN_MEASUREMENTS");
        SensorReading old = new SensorReading("d", Instant.parse("1970-01-02T00:00:00Z"), Map.of("a", 1.0), Map.of());
        assertThat(run(encode(old)).get(0).deadLetter.reason).isEqualTo("BAD_TIMESTAMP");
    }
}
