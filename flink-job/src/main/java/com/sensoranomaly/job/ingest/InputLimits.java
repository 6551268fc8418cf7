package com.sensoranomaly.job.ingest;

import java.io.Serializable;
import java.util.Map;

/**
 * Size limits a reading must keep to before the job does anything with it. Without them one oversized record
 * loops the job: its device id becomes a state key and is copied into alerts and dead letters until an output record
 * exceeds the producer's maximum request size, the transaction fails, and the restart replays the same record.
 * Records over a limit are dead-lettered (OVERSIZED) instead, with a bounded copy of their bytes.
 *
 * @param maxRecordBytes     largest key or value accepted (bytes)
 * @param maxDeviceIdLength  longest device id (characters)
 * @param maxLabels          most labels on one reading
 * @param maxLabelLength     longest label key or value (characters)
 */
public record InputLimits(int maxRecordBytes, int maxDeviceIdLength, int maxLabels, int maxLabelLength) implements Serializable {

    /** The job's defaults. */
    public static final InputLimits DEFAULTS = new InputLimits(256 * 1024, 256, 32, 256);

    /** Why a record's raw bytes are too large, or null. */
    public String checkRecord(byte[] key, byte[] value) {
        if (value != null && value.length > maxRecordBytes) {
            return "the record value has " + value.length + " bytes, more than validation.max-record-bytes (" + maxRecordBytes + ")";
        }
        if (key != null && key.length > maxRecordBytes) {
            return "the record key has " + key.length + " bytes, more than validation.max-record-bytes (" + maxRecordBytes + ")";
        }
        return null;
    }

    /** Why a decoded reading's device id or labels are too large, or null. */
    public String checkReading(String deviceId, Map<String, String> labels) {
        if (deviceId != null && deviceId.length() > maxDeviceIdLength) {
            return "the device id has " + deviceId.length() + " characters, more than validation.max-device-id-length ("
                    + maxDeviceIdLength + ")";
        }
        if (labels != null) {
            if (labels.size() > maxLabels) {
                return "the reading has " + labels.size() + " labels, more than validation.max-labels (" + maxLabels + ")";
            }
            for (Map.Entry<String, String> e : labels.entrySet()) {
                int longest = Math.max(e.getKey() == null ? 0 : e.getKey().length(), e.getValue() == null ? 0 : e.getValue().length());
                if (longest > maxLabelLength) {
                    return "label '" + clip(e.getKey(), 40) + "' has a key or value of " + longest
                            + " characters, more than validation.max-label-length (" + maxLabelLength + ")";
                }
            }
        }
        return null;
    }

    /** The first {@code max} characters of {@code s} (with an ellipsis if cut), for messages and ids kept in output. */
    public static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max) + "…";
    }
}
