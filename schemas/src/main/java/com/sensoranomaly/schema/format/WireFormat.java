package com.sensoranomaly.schema.format;

import java.util.Locale;

/**
 * How a contract record is laid out in a Kafka record's value. One setting chooses it for the job's input
 * ({@code input.format}) and one for its outputs ({@code output.format}); readers of the outputs recognise all three.
 */
public enum WireFormat {
    /** Avro single-object encoding: C3 01, the writer schema's 8-byte CRC-64-AVRO fingerprint, the binary body. No registry. */
    AVRO,
    /**
     * The schema-registry wire format (Confluent's, also spoken by Apicurio's ccompat API, Karapace and Redpanda): byte 0,
     * the writer schema's 4-byte big-endian registry id, the binary body.
     */
    REGISTRY_AVRO,
    /** One JSON object per record, the contract's field names; times as ISO-8601 strings (epoch milliseconds accepted on input). */
    JSON;

    /** The setting's spelling: {@code avro}, {@code registry-avro}, {@code json}. */
    public String settingName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static WireFormat parse(String s) {
        String v = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (WireFormat f : values()) {
            if (f.name().equals(v)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown format '" + s + "' (known: avro, registry-avro, json)");
    }

    /**
     * The format {@code bytes} look like, from their first bytes, or null when they look like none: a reader that knows
     * every format needs no setting, and one that expects another format can say which one it saw.
     */
    public static WireFormat detect(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            return null;
        }
        if (bytes.length >= 10 && (bytes[0] & 0xFF) == 0xC3 && bytes[1] == 0x01) {
            return AVRO;
        }
        if (bytes.length >= 5 && bytes[0] == 0) {
            return REGISTRY_AVRO;
        }
        for (byte b : bytes) {
            if (b == '{') {
                return JSON;
            }
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n' && (b & 0xFF) != 0xEF && (b & 0xFF) != 0xBB && (b & 0xFF) != 0xBF) {
                return null; // neither whitespace nor a UTF-8 byte order mark before the first '{'
            }
        }
        return null;
    }
}
