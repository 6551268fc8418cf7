package com.sensoranomaly.schema.format;

import com.sensoranomaly.schema.AlertStatus;
import com.sensoranomaly.schema.AnomalyAlert;
import com.sensoranomaly.schema.AnomalyScore;
import com.sensoranomaly.schema.AvroContracts;
import com.sensoranomaly.schema.FeatureContribution;
import com.sensoranomaly.schema.SensorReading;
import com.sensoranomaly.schema.Severity;
import com.sensoranomaly.schema.WindowStats;

import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContractFormatsTest {

    private final ContractCodec<SensorReading> readings = new ContractCodec<>(SensorReading.class, null);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldReadJsonReadingWithIsoOrEpochTimeNullsAndDefaultLabels() throws Exception {
        SensorReading iso = readings.decode(utf8("{\"deviceId\":\"pump-1\",\"eventTime\":\"2026-12-01T08:00:00.250Z\","
                + "\"measurements\":{\"flow\":1.5,\"pressure\":null},\"extra\":\"ignored\"}"), WireFormat.JSON);
        assertThat(iso.getDeviceId()).isEqualTo("pump-1");
        assertThat(iso.getEventTime()).isEqualTo(Instant.parse("2026-12-01T08:00:00.250Z"));
        assertThat(iso.getMeasurements()).containsEntry("flow", 1.5).containsEntry("pressure", null);
        assertThat(iso.getLabels()).isEmpty();

        SensorReading epoch = readings.decode(utf8("{\"deviceId\":\"p\",\"eventTime\":1764576000250,\"measurements\":{},"
                + "\"labels\":{\"site\":\"north\"}}"), null);
        assertThat(epoch.getEventTime().toEpochMilli()).isEqualTo(1764576000250L);
        assertThat(epoch.getLabels()).containsEntry("site", "north");
    }

    @Test
    void shouldNameTheFieldWhenJsonDoesNotFitTheContract() {
        assertThatThrownBy(() -> readings.decode(utf8("{\"eventTime\":1,\"measurements\":{}}"), WireFormat.JSON))
                .hasMessageContaining("field 'deviceId' is missing");
        assertThatThrownBy(() -> readings.decode(utf8("{\"deviceId\":\"p\",\"eventTime\":\"yesterday\",\"measurements\":{}}"), WireFormat.JSON))
                .hasMessageContaining("field 'eventTime': expected an ISO-8601 instant");
        assertThatThrownBy(() -> readings.decode(utf8("{\"deviceId\":\"p\",\"eventTime\":1,\"measurements\":{\"flow\":\"high\"}}"), WireFormat.JSON))
                .hasMessageContaining("field 'measurements.flow': expected null or a number, got string \"high\"");
        assertThatThrownBy(() -> readings.decode(utf8("{\"deviceId\":\"p\","), WireFormat.JSON))
                .hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> readings.decode(utf8("[1,2]"), WireFormat.JSON))
                .hasMessageContaining("expected one JSON object");
    }

    @Test
    void shouldWriteAlertsAsPlainJsonThatReadsBackEqual() throws Exception {
        AnomalyAlert alert = AnomalyAlert.newBuilder()
                .setAlertId("a1").setDeviceId("pump-1").setStatus(AlertStatus.FIRING).setSeverity(Severity.WARNING)
                .setEpisodeStart(Instant.parse("2026-12-01T08:00:00Z")).setEpisodeEnd(null)
                .setEventTime(Instant.parse("2026-12-01T08:00:05Z")).setDetectionTime(Instant.parse("2026-12-01T08:00:06Z"))
                .setScore(2.5).setThreshold(1.2).setWindow(new WindowStats(10, 10, 2.0, 3.0, 10L, 3.0))
                .setTopFeatures(List.of(new FeatureContribution("flow", 1.0, 0.8, 3.5, null)))
                .setImputedFeatures(List.of("pressure")).setModelVersion("v1").setSummary("s").setLabels(Map.of("site", "n"))
                .build();
        byte[] json = new ContractCodec<>(AnomalyAlert.class, null).encode(alert, WireFormat.JSON, 0);
        String text = new String(json, StandardCharsets.UTF_8);
        assertThat(text).contains("\"status\":\"FIRING\"", "\"episodeStart\":\"2026-12-01T08:00:00Z\"", "\"episodeEnd\":null",
                "\"expected\":null", "\"labels\":{\"site\":\"n\"}");
        assertThat(new ContractCodec<>(AnomalyAlert.class, null).decode(json, null)).isEqualTo(alert);
    }

    @Test
    void shouldWriteNonFiniteDoublesAsNullAndReadThemBackAsNaN() throws Exception {
        AnomalyScore s = new AnomalyScore("p", Instant.ofEpochMilli(5), Double.NaN, 1.0, false, false, 0, "v");
        ContractCodec<AnomalyScore> codec = new ContractCodec<>(AnomalyScore.class, null);
        byte[] json = codec.encode(s, WireFormat.JSON, 0);
        assertThat(new String(json, StandardCharsets.UTF_8)).contains("\"score\":null");
        assertThat(codec.decode(json, WireFormat.JSON).getScore()).isNaN();
    }

    @Test
    void shouldRecogniseEachFormatFromItsFirstBytes() {
        SensorReading r = new SensorReading("p", Instant.ofEpochMilli(1), new HashMap<>(Map.of("flow", 1.0)), Map.of());
        assertThat(WireFormat.detect(AvroContracts.encode(r))).isEqualTo(WireFormat.AVRO);
        assertThat(WireFormat.detect(new byte[] {0, 0, 0, 0, 7, 2})).isEqualTo(WireFormat.REGISTRY_AVRO);
        assertThat(WireFormat.detect(utf8("  {\"a\":1}"))).isEqualTo(WireFormat.JSON);
        assertThat(WireFormat.detect(utf8("hello"))).isNull();
        assertThat(WireFormat.parse("registry-avro")).isEqualTo(WireFormat.REGISTRY_AVRO);
        assertThatThrownBy(() -> WireFormat.parse("protobuf")).hasMessageContaining("known: avro, registry-avro, json");
    }

    @Test
    void shouldReadSingleObjectRecordsFingerprintedFromTheCanonicalFormPythonAvroWrites() throws Exception {
        // What Debian's python3-avro 1.11.1 prints as SensorReading's canonical_form: the timestamp-millis field as an object.
        String python = "{\"name\":\"com.sensoranomaly.schema.SensorReading\",\"type\":\"record\",\"fields\":[{\"name\":\"deviceId\","
                + "\"type\":\"string\"},{\"name\":\"eventTime\",\"type\":{\"type\":\"long\"}},{\"name\":\"measurements\",\"type\":"
                + "{\"type\":\"map\",\"values\":[\"null\",\"double\"]}},{\"name\":\"labels\",\"type\":{\"type\":\"map\",\"values\":\"string\"}}]}";
        assertThat(AvroContracts.libraryVariantForm(SensorReading.getClassSchema())).isEqualTo(python);

        SensorReading r = new SensorReading("pump-9", Instant.ofEpochMilli(1764576000000L), new HashMap<>(Map.of("flow", 2.0)), Map.of());
        byte[] java = AvroContracts.encode(r);
        long pythonFingerprint = SchemaNormalization.fingerprint64(python.getBytes(StandardCharsets.UTF_8));
        assertThat(pythonFingerprint).isNotEqualTo(SchemaNormalization.parsingFingerprint64(SensorReading.getClassSchema()));
        byte[] fromPython = java.clone();
        ByteBuffer.wrap(fromPython, 2, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(pythonFingerprint);

        assertThat(readings.decode(fromPython, WireFormat.AVRO)).isEqualTo(r);
        assertThat(AvroContracts.explainUndecodable(fromPython, SensorReading.getClassSchema())).isNull();

        byte[] unknown = java.clone();
        ByteBuffer.wrap(unknown, 2, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(42L);
        assertThatThrownBy(() -> readings.decode(unknown, WireFormat.AVRO)).isInstanceOf(Exception.class);
        assertThat(AvroContracts.explainUndecodable(unknown, SensorReading.getClassSchema()))
                .contains("writer schema fingerprint 42 is not a SensorReading schema this job knows");
    }

    @Test
    void shouldSayWhichFormatARecordLooksLikeWhenItIsNotSingleObjectAvro() {
        assertThat(AvroContracts.explainUndecodable(utf8("{\"deviceId\":\"p\"}"), SensorReading.getClassSchema()))
                .contains("it looks like json, which a job started with input.format=json reads");
        assertThat(AvroContracts.explainUndecodable(new byte[] {0, 0, 0, 0, 3, 2, 65}, SensorReading.getClassSchema()))
                .contains("it looks like registry-avro");
    }

    @Test
    void shouldWriteTheRegistryFramingAroundTheBinaryBody() {
        SensorReading r = new SensorReading("p", Instant.ofEpochMilli(1), new HashMap<>(), Map.of());
        byte[] framed = readings.encode(r, WireFormat.REGISTRY_AVRO, 258);
        assertThat(framed[0]).isZero();
        assertThat(ByteBuffer.wrap(framed, 1, 4).getInt()).isEqualTo(258);
        byte[] single = AvroContracts.encode(r);
        // Same binary body: single-object encoding is a 10-byte header before it.
        assertThat(java.util.Arrays.copyOfRange(framed, 5, framed.length)).isEqualTo(java.util.Arrays.copyOfRange(single, 10, single.length));
        assertThatThrownBy(() -> readings.decode(framed, WireFormat.REGISTRY_AVRO))
                .hasMessageContaining("no schema registry is configured");
    }
}
