package com.sensoranomaly.job.ingest;

import com.sensoranomaly.job.deadletter.DeadLetterEvent;

/**
 * What the Kafka source emits for each record: a usable {@link Reading}, or the {@link DeadLetterEvent}
 * explaining why the record is unusable. Exactly one of the two is set. Decoding in the source (rather
 * than after it) lets the source assign event-time watermarks per Kafka partition.
 */
public class SourceRecord {
    public Reading reading;
    public DeadLetterEvent deadLetter;

    public SourceRecord() {}

    public static SourceRecord of(Reading r) {
        SourceRecord s = new SourceRecord();
        s.reading = r;
        return s;
    }

    public static SourceRecord of(DeadLetterEvent d) {
        SourceRecord s = new SourceRecord();
        s.deadLetter = d;
        return s;
    }

    /** Event time for watermarking; dead letters must not move the watermark. */
    public long eventTimeOrMin() {
        return reading != null ? reading.eventTime : Long.MIN_VALUE;
    }
}
