package com.sensoranomaly.job.ingest;

import com.sensoranomaly.job.deadletter.DeadLetterEvent;
import com.sensoranomaly.job.deadletter.DeadLetterReason;
import com.sensoranomaly.schema.AvroContracts;
import com.sensoranomaly.schema.SensorReading;
import com.sensoranomaly.schema.format.ContractCodec;
import com.sensoranomaly.schema.format.RegistryConfig;
import com.sensoranomaly.schema.format.SchemaRegistryClient;
import com.sensoranomaly.schema.format.WireFormat;

import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.io.IOException;
import java.util.EnumMap;
import java.util.Map;

/**
 * Where readings enter the job: decodes each Kafka record ({@code input.format}: Avro single-object encoding, the
 * schema-registry format or JSON) and validates it.
 * It never throws: a record that cannot be used becomes a {@link DeadLetterEvent} carrying the original
 * bytes and the reason, so bad input can neither stop the job nor vanish.
 *
 * <p>Metrics (group "ingest"): recordsIn, readingsAccepted, deadLetters.&lt;reason&gt;, unknownMeasurements,
 * nonFiniteValues, absurdValues, missingValues.
 */
public final class ReadingDeserializer implements KafkaRecordDeserializationSchema<SourceRecord> {
    private static final long serialVersionUID = 1L;

    private final ReadingValidator validator;
    private final java.util.List<String> features;
    private transient BinaryMessageDecoder<SensorReading> decoder;
    private transient FastReadingDecoder fast;
    private transient Counter recordsIn;
    private transient Counter accepted;
    private transient Map<DeadLetterReason, Counter> deadLetters;
    private transient Counter unknownNames;
    private transient Counter nonFinite;
    private transient Counter absurd;
    private transient Counter missing;

    private final WireFormat format;
    private final RegistryConfig registry;
    private transient ContractCodec<SensorReading> codec;

    public ReadingDeserializer(ReadingValidator validator, java.util.List<String> features) {
        this(validator, features, WireFormat.AVRO, null);
    }

    /** @param registry where registry-avro records' schemas are fetched (required for that format, else ignored) */
    public ReadingDeserializer(ReadingValidator validator, java.util.List<String> features, WireFormat format, RegistryConfig registry) {
        this.validator = validator;
        this.features = java.util.List.copyOf(features);
        this.format = format;
        this.registry = registry;
        if (format == WireFormat.REGISTRY_AVRO && registry == null) {
            throw new IllegalArgumentException("the registry-avro input format needs a schema registry");
        }
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        decoder = AvroContracts.readingDecoder();
        fast = new FastReadingDecoder(features);
        codec = newCodec();
        MetricGroup g = context.getMetricGroup().addGroup("ingest");
        recordsIn = g.counter("recordsIn");
        accepted = g.counter("readingsAccepted");
        deadLetters = new EnumMap<>(DeadLetterReason.class);
        MetricGroup dl = g.addGroup("deadLetters");
        for (DeadLetterReason r : DeadLetterReason.values()) {
            // Counted where they are detected: in scoring, and where model updates are checked.
            if (r != DeadLetterReason.OUT_OF_ORDER && r != DeadLetterReason.MODEL_UPDATE_REJECTED) {
                deadLetters.put(r, dl.counter(r.metricName()));
            }
        }
        unknownNames = g.counter("unknownMeasurements");
        nonFinite = g.counter("nonFiniteValues");
        absurd = g.counter("absurdValues");
        missing = g.counter("missingValues");
    }

    private ContractCodec<SensorReading> newCodec() {
        return new ContractCodec<>(SensorReading.class, format == WireFormat.REGISTRY_AVRO ? new SchemaRegistryClient(registry) : null);
    }

    /**
     * @throws IOException only when the schema registry stays unreachable (registry-avro): nothing is wrong with the
     *     record, so it is not dead-lettered; the task fails and restarts from its checkpoint, reading it again.
     */
    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<SourceRecord> out) throws IOException {
        if (decoder == null) { // used without open(), e.g. from a unit test
            decoder = AvroContracts.readingDecoder();
            fast = new FastReadingDecoder(features);
            codec = newCodec();
        }
        count(recordsIn);
        ReadingValidator.Result r;
        String deviceId = null;
        try {
            if (record.value() == null) {
                throw new IllegalArgumentException("record has no value (tombstone)");
            }
            String oversized = validator.limits().checkRecord(record.key(), record.value());
            if (oversized != null) {
                reject(out, record, DeadLetterReason.OVERSIZED, oversized, null, null);
                return;
            }
            long now = System.currentTimeMillis();
            if (format != WireFormat.AVRO) {
                SensorReading decoded = codec.decode(record.value(), format);
                deviceId = decoded.getDeviceId();
                r = validator.validate(decoded, now);
            } else if (FastReadingDecoder.isCurrentSchema(record.value())) {
                FastReadingDecoder.Parts p = fast.decode(record.value());
                deviceId = p.deviceId;
                r = validator.validate(p.deviceId, p.eventTime, p.values, p.unknownNames, p.nanValues, p.labels, now);
            } else {
                SensorReading decoded = decoder.decode(record.value());
                deviceId = decoded.getDeviceId();
                r = validator.validate(decoded, now);
            }
        } catch (SchemaRegistryClient.RegistryUnavailable e) {
            throw e;
        } catch (Exception | StackOverflowError e) {
            // Tell the producer what to fix: the encoding, the schema, or which fingerprint the job expects and why.
            reject(out, record, DeadLetterReason.UNDECODABLE, explain(record.value(), e), e, null);
            return;
        }
        if (unknownNames != null) {
            unknownNames.inc(r.unknownNames);
            nonFinite.inc(r.nonFinite);
            absurd.inc(r.absurd);
        }
        if (r.rejected != null) {
            reject(out, record, r.rejected, r.message, null, deviceId);
            return;
        }
        if (missing != null) {
            missing.inc(r.missing);
        }
        count(accepted);
        Reading reading = r.reading;
        reading.sourceTopic = record.topic();
        reading.sourcePartition = record.partition();
        reading.sourceOffset = record.offset();
        out.collect(SourceRecord.of(reading));
    }

    private String explain(byte[] value, Throwable e) {
        if (format == WireFormat.AVRO) {
            String why = AvroContracts.explainUndecodable(value, SensorReading.getClassSchema());
            return "not a SensorReading in Avro single-object encoding: " + (why != null ? why : e.getMessage());
        }
        WireFormat seen = WireFormat.detect(value);
        String looks = seen != null && seen != format
                ? " (it looks like " + seen.settingName() + ", which a job started with input.format=" + seen.settingName() + " reads)" : "";
        return "not a SensorReading in the " + format.settingName() + " format: " + e.getMessage() + looks;
    }

    private void reject(Collector<SourceRecord> out, ConsumerRecord<byte[], byte[]> record, DeadLetterReason reason,
                        String message, Throwable error, String deviceId) {
        if (deadLetters != null) {
            deadLetters.get(reason).inc();
        }
        DeadLetterEvent d = DeadLetterEvent.of(reason.name(), message, error, record.topic(), record.partition(),
                record.offset(), record.timestamp(), record.key(), record.value());
        // An oversized device id is not repeated in the dead letter (its bounded copy of the value has it).
        d.deviceId = reason == DeadLetterReason.OVERSIZED ? null : deviceId;
        out.collect(SourceRecord.of(d));
    }

    private static void count(Counter c) {
        if (c != null) {
            c.inc();
        }
    }

    @Override
    public TypeInformation<SourceRecord> getProducedType() {
        return TypeInformation.of(SourceRecord.class);
    }
}
