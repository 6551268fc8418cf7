package com.sensoranomaly.job.deadletter;

/**
 * A record the job could not use, with the reason; becomes a {@code DeadLetter} Avro record on the
 * dead-letter topic. The original key and value bytes are kept unchanged so the record can be replayed.
 */
public class DeadLetterEvent {
    public String reason;
    public String errorClass;
    public String errorMessage;
    public String sourceTopic;
    public int sourcePartition;
    public long sourceOffset;
    /** Kafka record timestamp; Long.MIN_VALUE if unknown. */
    public long sourceTimestamp = Long.MIN_VALUE;
    public byte[] key;
    public byte[] value;
    public String deviceId;
    public long failedAt;

    public DeadLetterEvent() {}

    public static DeadLetterEvent of(String reason, String message, Throwable error, String topic, int partition,
                                     long offset, long timestamp, byte[] key, byte[] value) {
        DeadLetterEvent d = new DeadLetterEvent();
        d.reason = reason;
        d.errorMessage = message;
        d.errorClass = error == null ? null : error.getClass().getName();
        d.sourceTopic = topic;
        d.sourcePartition = partition;
        d.sourceOffset = offset;
        d.sourceTimestamp = timestamp;
        d.key = key;
        d.value = value;
        d.failedAt = System.currentTimeMillis();
        return d;
    }
}
