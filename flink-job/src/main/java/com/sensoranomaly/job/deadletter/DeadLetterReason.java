package com.sensoranomaly.job.deadletter;

/** Why a record went to the dead-letter topic; the names are the {@code reason} field's values and metric names. */
public enum DeadLetterReason {
    /** The bytes are not a SensorReading in Avro single-object encoding (or its schema is unknown). */
    UNDECODABLE,
    /** Key, value, device id or labels over the size limits (validation.max-*): kept as a bounded copy with size and sha256. */
    OVERSIZED,
    /** No device id. */
    MISSING_DEVICE_ID,
    /** Event time before validation.min-time or further ahead of the wall clock than validation.max-future. */
    BAD_TIMESTAMP,
    /** None of the model's features has a usable value: nothing to score. */
    NO_KNOWN_MEASUREMENTS,
    /** Older than (or as old as) the device's newest reading: the model's window must stay in time order. */
    OUT_OF_ORDER,
    /** A model update (control topic) the job could not apply: undecodable, bundle unreadable or changed, other features. */
    MODEL_UPDATE_REJECTED;

    public String metricName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
