package com.sensoranomaly.job.output;

import com.sensoranomaly.job.deadletter.DeadLetterEvent;
import com.sensoranomaly.job.detection.AlertEvent;
import com.sensoranomaly.job.detection.ScoreEvent;
import com.sensoranomaly.job.ingest.InputLimits;
import com.sensoranomaly.job.scoring.EmbeddingEvent;
import com.sensoranomaly.model.ModelBundle;
import com.sensoranomaly.schema.AlertStatus;
import com.sensoranomaly.schema.AnomalyAlert;
import com.sensoranomaly.schema.AnomalyScore;
import com.sensoranomaly.schema.AvroContracts;
import com.sensoranomaly.schema.DeadLetter;
import com.sensoranomaly.schema.FeatureContribution;
import com.sensoranomaly.schema.ReadingEmbedding;
import com.sensoranomaly.schema.Severity;
import com.sensoranomaly.schema.WindowStats;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.apache.avro.specific.SpecificRecordBase;

/** Maps the job's internal events onto the Avro contracts and encodes them (single-object encoding). */
public final class Encoders {
    private Encoders() {}

    public static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] bytes(SpecificRecordBase record) {
        return AvroContracts.encode(record);
    }

    public static AnomalyAlert toAvro(AlertEvent a) {
        List<FeatureContribution> top = new ArrayList<>();
        for (int i = 0; i < a.topFeatures.length; i++) {
            top.add(new FeatureContribution(a.topFeatures[i], a.topErrors[i], a.topShares[i],
                    finiteOrNull(a.topObserved[i]), finiteOrNull(a.topExpected[i])));
        }
        return AnomalyAlert.newBuilder()
                .setAlertId(a.alertId)
                .setDeviceId(a.deviceId)
                .setStatus(AlertStatus.valueOf(a.status))
                .setSeverity(Severity.valueOf(a.severity))
                .setEpisodeStart(Instant.ofEpochMilli(a.episodeStart))
                .setEpisodeEnd(a.episodeEnd == Long.MIN_VALUE ? null : Instant.ofEpochMilli(a.episodeEnd))
                .setEventTime(Instant.ofEpochMilli(a.eventTime))
                .setDetectionTime(Instant.ofEpochMilli(a.detectionTime))
                .setScore(a.score)
                .setThreshold(a.threshold)
                .setWindow(new WindowStats(a.windowSize, a.windowExceeding, a.windowMean, a.windowMax, a.episodeEvents,
                        a.episodePeak))
                .setTopFeatures(top)
                .setImputedFeatures(Arrays.asList(a.imputedFeatures))
                .setModelVersion(a.modelVersion)
                .setSummary(a.summary)
                .setLabels(a.labels == null ? Map.of() : a.labels)
                .build();
    }

    /**
     * Most bytes of an original key or value a dead letter keeps, and most characters of its texts: whatever was
     * rejected, the dead letter stays far below Kafka's default 1 MB request size, so writing it cannot fail the job.
     */
    public static final int MAX_DEAD_LETTER_PAYLOAD = 256 * 1024;
    static final int MAX_DEAD_LETTER_TEXT = 4096;

    public static DeadLetter toAvro(DeadLetterEvent d) {
        byte[] value = d.value;
        Integer valueSize = null;
        String valueSha = null;
        if (value != null && value.length > MAX_DEAD_LETTER_PAYLOAD) {
            valueSize = value.length;
            valueSha = ModelBundle.sha256(value);
            value = Arrays.copyOf(value, MAX_DEAD_LETTER_PAYLOAD);
        }
        String message = d.errorMessage == null ? "" : InputLimits.clip(d.errorMessage, MAX_DEAD_LETTER_TEXT);
        byte[] key = d.key;
        if (key != null && key.length > MAX_DEAD_LETTER_PAYLOAD) {
            message = message + " (key of " + key.length + " bytes kept truncated, sha256 " + ModelBundle.sha256(key) + ")";
            key = Arrays.copyOf(key, MAX_DEAD_LETTER_PAYLOAD);
        }
        return DeadLetter.newBuilder()
                .setReason(d.reason)
                .setErrorClass(d.errorClass)
                .setErrorMessage(message)
                .setSourceTopic(d.sourceTopic == null ? "" : d.sourceTopic)
                .setSourcePartition(d.sourcePartition)
                .setSourceOffset(d.sourceOffset)
                .setSourceTimestamp(d.sourceTimestamp == Long.MIN_VALUE ? null : Instant.ofEpochMilli(d.sourceTimestamp))
                .setKey(key == null ? null : ByteBuffer.wrap(key))
                .setValue(value == null ? null : ByteBuffer.wrap(value))
                .setDeviceId(InputLimits.clip(d.deviceId, 256))
                .setFailedAt(Instant.ofEpochMilli(d.failedAt))
                .setValueSize(valueSize)
                .setValueSha256(valueSha)
                .build();
    }



    public static AnomalyScore toAvro(ScoreEvent s) {
        return new AnomalyScore(s.deviceId, Instant.ofEpochMilli(s.eventTime), s.score, s.threshold, s.exceeds, s.inEpisode,
                s.imputed, s.modelVersion);
    }

    public static ReadingEmbedding toAvro(EmbeddingEvent e) {
        List<Double> latent = new ArrayList<>(e.latent.length);
        for (double v : e.latent) {
            latent.add(v);
        }
        return new ReadingEmbedding(e.deviceId, Instant.ofEpochMilli(e.eventTime), e.modelVersion, latent);
    }

    private static Double finiteOrNull(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
