package com.sensoranomaly.job.ingest;

import com.sensoranomaly.schema.AvroContracts;
import com.sensoranomaly.schema.SensorReading;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A decoded, validated sensor reading inside the job: values in the model's feature order, NaN where a
 * value is missing. A POJO (not the Avro class) so Flink serializes it with its own POJO serializer.
 */
public class Reading {
    public String deviceId;
    public long eventTime;
    /** Raw values in model feature order; NaN = missing (absent, null, non-finite or absurd). */
    public double[] values;
    /** Labels of the reading; null when it has none. */
    public Map<String, String> labels;
    /** Where the reading came from, for dead letters raised after decoding. */
    public String sourceTopic;
    public int sourcePartition;
    public long sourceOffset;

    public Reading() {}

    public Reading(String deviceId, long eventTime, double[] values, Map<String, String> labels) {
        this.deviceId = deviceId;
        this.eventTime = eventTime;
        this.values = values;
        this.labels = labels;
    }

    public String getDeviceId() {
        return deviceId;
    }

    /**
     * This reading encoded again as a SensorReading (single-object encoding), {@code features} naming its values:
     * what a dead letter raised after decoding carries, so the reading can be replayed.
     */
    public byte[] encode(List<String> features) {
        Map<String, Double> m = new HashMap<>();
        for (int j = 0; j < values.length; j++) {
            m.put(features.get(j), Double.isNaN(values[j]) ? null : values[j]);
        }
        return AvroContracts.encode(new SensorReading(deviceId, Instant.ofEpochMilli(eventTime), m, labels == null ? Map.of() : labels));
    }
}
