package com.sensoranomaly.job.ingest;

import com.sensoranomaly.job.deadletter.DeadLetterEvent;
import com.sensoranomaly.job.deadletter.DeadLetterReason;
import com.sensoranomaly.schema.AvroContracts;
import com.sensoranomaly.schema.SensorReading;

import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.EnumMap;
import java.util.Map;

/**
 * Where readings enter the job: decodes each Kafka record (Avro single-object encoding) and validates it.
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

    public ReadingDeserializer(ReadingValidator validator, java.util.List<String> features) {
        this.validator = validator;
        this.features = java.util.List.copyOf(features);
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        decoder = AvroContracts.readingDecoder();
        fast = new FastReadingDecoder(features);
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

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<SourceRecord> out) {
        if (decoder == null) { // used without open(), e.g. from a unit test
            decoder = AvroContracts.readingDecoder();
            fast = new FastReadingDecoder(features);
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
            if (FastReadingDecoder.isCurrentSchema(record.value())) {
                FastReadingDecoder.Parts p = fast.decode(record.value());
                deviceId = p.deviceId;
                r = validator.validate(p.deviceId, p.eventTime, p.values, p.unknownNames, p.nanValues, p.labels, now);
            } else {
                SensorReading decoded = decoder.decode(record.value());
                deviceId = decoded.getDeviceId();
                r = validator.validate(decoded, now);
            }
        } catch (Exception | StackOverflowError e) {
            // Tell the producer what to fix: the encoding, or which schema fingerprint the job expects and why.
            String why = AvroContracts.explainUndecodable(record.value(), SensorReading.getClassSchema());
            reject(out, record, DeadLetterReason.UNDECODABLE,
                    "not a SensorReading in Avro single-object encoding: " + (why != null ? why : e.getMessage()), e, null);
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
