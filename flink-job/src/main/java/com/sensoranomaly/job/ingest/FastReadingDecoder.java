package com.sensoranomaly.job.ingest;

import com.sensoranomaly.schema.SensorReading;

import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.util.Utf8;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Decodes readings written with the current {@code SensorReading} schema straight into model feature
 * order: measurement names are matched as raw UTF-8 against the model's features, so no map and no
 * strings are built per reading. It is the hot path of the job (the profile showed generic decoding of
 * the measurements map as its largest cost). Records written with another schema version (another
 * fingerprint) are left to the generic, schema-resolving decoder.
 */
final class FastReadingDecoder {
    private static final long FINGERPRINT = SchemaNormalization.parsingFingerprint64(SensorReading.getClassSchema());

    /** The parts of a decoded reading; values in model order, NaN where absent or null. */
    static final class Parts {
        String deviceId;
        long eventTime;
        double[] values;
        int unknownNames;
        int nanValues;
        Map<String, String> labels;
    }

    private final Map<Utf8, Integer> index = new HashMap<>();
    private final int features;
    private final Utf8 name = new Utf8();
    private BinaryDecoder decoder;

    FastReadingDecoder(java.util.List<String> featureNames) {
        this.features = featureNames.size();
        for (int j = 0; j < features; j++) {
            index.put(new Utf8(featureNames.get(j)), j);
        }
    }

    /** Whether {@code bytes} carry the current schema's fingerprint (else use the generic decoder). */
    static boolean isCurrentSchema(byte[] bytes) {
        if (bytes == null || bytes.length < 10 || bytes[0] != (byte) 0xC3 || bytes[1] != (byte) 0x01) {
            return false;
        }
        long fp = 0;
        for (int i = 9; i >= 2; i--) {
            fp = (fp << 8) | (bytes[i] & 0xFF);
        }
        return fp == FINGERPRINT;
    }

    Parts decode(byte[] bytes) throws IOException {
        decoder = DecoderFactory.get().binaryDecoder(bytes, 10, bytes.length - 10, decoder);
        Parts p = new Parts();
        p.deviceId = decoder.readString();
        p.eventTime = decoder.readLong();
        double[] values = new double[features];
        Arrays.fill(values, Double.NaN);
        for (long n = decoder.readMapStart(); n != 0; n = decoder.mapNext()) {
            for (long i = 0; i < n; i++) {
                decoder.readString(name);
                int branch = decoder.readIndex();
                double v = branch == 1 ? decoder.readDouble() : Double.NaN;
                if (branch == 1 && Double.isNaN(v)) {
                    p.nanValues++;
                }
                Integer j = index.get(name);
                if (j == null) {
                    p.unknownNames++;
                } else {
                    values[j] = v;
                }
            }
        }
        p.values = values;
        Map<String, String> labels = null;
        for (long n = decoder.readMapStart(); n != 0; n = decoder.mapNext()) {
            if (labels == null) {
                labels = new HashMap<>();
            }
            for (long i = 0; i < n; i++) {
                labels.put(decoder.readString(), decoder.readString());
            }
        }
        p.labels = labels == null ? Map.of() : labels;
        if (!decoder.isEnd()) {
            throw new IOException("trailing bytes after a SensorReading");
        }
        return p;
    }
}
