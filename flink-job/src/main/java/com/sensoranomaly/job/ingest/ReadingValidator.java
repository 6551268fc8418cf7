package com.sensoranomaly.job.ingest;

import com.sensoranomaly.job.deadletter.DeadLetterReason;
import com.sensoranomaly.model.AnomalyModel;
import com.sensoranomaly.model.FeatureStats;
import com.sensoranomaly.schema.SensorReading;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns a decoded {@link SensorReading} into a {@link Reading} in the model's feature order, or says why
 * it cannot be used. Rules:
 * <ul>
 *   <li>a device id or labels over the {@link InputLimits}: rejected (OVERSIZED);</li>
 *   <li>no device id, or an event time before {@code minTime} or beyond the wall clock + {@code maxFuture}:
 *       the record is rejected (dead letter);</li>
 *   <li>a null, NaN or infinite value, or one absurdly far outside what training saw (more than
 *       {@code rangeFactor} training ranges beyond it): the value is treated as missing, and counted.
 *       A value merely outside the training range is kept: that is what an anomaly looks like;</li>
 *   <li>measurement names the model does not know are ignored and counted;</li>
 *   <li>no usable value for any model feature: rejected, there is nothing to score.</li>
 * </ul>
 */
public final class ReadingValidator implements Serializable {
    private static final long serialVersionUID = 1L;

    private final Map<String, Integer> featureIndex = new HashMap<>();
    private final int features;
    private final double[] lowerLimit;
    private final double[] upperLimit;
    private final long minTime;
    private final long maxFutureMs;
    private final InputLimits limits;

    /** The outcome for one reading; counts are for metrics. */
    public static final class Result {
        public Reading reading;
        public DeadLetterReason rejected;
        public String message;
        public int unknownNames;
        public int nonFinite;
        public int absurd;
        public int missing;
    }

    public ReadingValidator(AnomalyModel model, long minTime, long maxFutureMs, double rangeFactor) {
        this(model, minTime, maxFutureMs, rangeFactor, InputLimits.DEFAULTS);
    }

    public ReadingValidator(AnomalyModel model, long minTime, long maxFutureMs, double rangeFactor, InputLimits limits) {
        this.limits = limits;
        this.features = model.features().size();
        for (int j = 0; j < features; j++) {
            featureIndex.put(model.features().get(j), j);
        }
        FeatureStats s = model.featureStats();
        lowerLimit = new double[features];
        upperLimit = new double[features];
        for (int j = 0; j < features; j++) {
            double range = s.max()[j] - s.min()[j];
            if (!(range > 0)) {
                range = Math.max(Math.abs(s.mean()[j]), 1.0);
            }
            lowerLimit[j] = s.min()[j] - rangeFactor * range;
            upperLimit[j] = s.max()[j] + rangeFactor * range;
        }
        this.minTime = minTime;
        this.maxFutureMs = maxFutureMs;
    }

    /** Validates a decoded reading (the generic path, any schema version). */
    public Result validate(SensorReading in, long now) {
        double[] values = new double[features];
        java.util.Arrays.fill(values, Double.NaN);
        int unknown = 0;
        int nan = 0;
        Map<String, Double> m = in.getMeasurements();
        if (m != null) {
            for (Map.Entry<String, Double> e : m.entrySet()) {
                Integer j = featureIndex.get(e.getKey());
                if (j == null) {
                    unknown++;
                } else if (e.getValue() != null) {
                    values[j] = e.getValue();
                    nan += Double.isNaN(e.getValue()) ? 1 : 0;
                }
            }
        }
        return validate(in.getDeviceId(), in.getEventTime().toEpochMilli(), values, unknown, nan, in.getLabels(), now);
    }

    /** Index of a measurement name in the model's features, or -1. */
    public int featureIndex(String name) {
        Integer j = featureIndex.get(name);
        return j == null ? -1 : j;
    }

    public InputLimits limits() {
        return limits;
    }

    public int features() {
        return features;
    }

    /**
     * Validates a reading given as its parts.
     *
     * @param values   raw values in model feature order, NaN where absent or null; cleaned in place
     * @param nanValues values that were sent as NaN (counted as non-finite, then missing)
     */
    public Result validate(String device, long t, double[] values, int unknownNames, int nanValues, Map<String, String> labels,
                           long now) {
        Result r = new Result();
        r.unknownNames = unknownNames;
        r.nonFinite = nanValues;
        if (device == null || device.isBlank()) {
            r.rejected = DeadLetterReason.MISSING_DEVICE_ID;
            r.message = "the reading has no device id";
            return r;
        }
        String oversized = limits.checkReading(device, labels);
        if (oversized != null) {
            r.rejected = DeadLetterReason.OVERSIZED;
            r.message = oversized;
            return r;
        }
        if (t < minTime || t > now + maxFutureMs) {
            r.rejected = DeadLetterReason.BAD_TIMESTAMP;
            r.message = "event time " + java.time.Instant.ofEpochMilli(t) + " is outside the accepted range ("
                    + java.time.Instant.ofEpochMilli(minTime) + " .. wall clock + " + java.time.Duration.ofMillis(maxFutureMs) + ")";
            return r;
        }
        int usable = 0;
        for (int j = 0; j < features; j++) {
            double v = values[j];
            if (Double.isNaN(v)) {
                continue;
            }
            if (Double.isInfinite(v)) {
                r.nonFinite++;
                values[j] = Double.NaN;
            } else if (v < lowerLimit[j] || v > upperLimit[j]) {
                r.absurd++;
                values[j] = Double.NaN;
            } else {
                usable++;
            }
        }
        r.missing = features - usable;
        if (usable == 0) {
            r.rejected = DeadLetterReason.NO_KNOWN_MEASUREMENTS;
            r.message = "none of the model's " + features + " features has a usable value"
                    + (r.unknownNames > 0 ? " (" + r.unknownNames + " unknown measurement names)" : "");
            return r;
        }
        // No labels travel as null, not as an empty map: every reading crosses the keyed shuffle.
        r.reading = new Reading(device, t, values, labels == null || labels.isEmpty() ? null : new HashMap<>(labels));
        return r;
    }
}
