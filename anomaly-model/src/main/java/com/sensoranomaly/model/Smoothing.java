package com.sensoranomaly.model;

import java.io.Serializable;
import java.time.Duration;

/**
 * Per-sensor exponential smoothing of a device's readings before they are scored:
 * {@code level = level + alpha · (x − level)}, i.e. a time constant of about 1/alpha readings.
 *
 * <p>Why: industrial sensors are noisy and often quantised (a flow meter reporting whole units), so a
 * sustained shift of one unit is invisible in single readings but plain in their recent average. The trainer
 * smooths its history with the same weight, so the scaler, the network and the threshold all see what the
 * job scores. A missing value leaves the sensor's level alone (and stays missing, for imputation); a sensor
 * silent for longer than {@code maxGap} starts its level afresh from its next value rather than averaging
 * across the gap.
 */
public final class Smoothing implements Serializable {
    private static final long serialVersionUID = 1L;

    private final double alpha;
    private final long maxGapMs;

    public Smoothing(double alpha, Duration maxGap) {
        if (!(alpha > 0 && alpha <= 1)) {
            throw new IllegalArgumentException("smoothing alpha must be in (0, 1]: " + alpha);
        }
        this.alpha = alpha;
        this.maxGapMs = maxGap.toMillis();
    }

    /** The smoothing a model was trained with, restarting after gaps longer than {@code maxGap}. */
    public static Smoothing of(AnomalyModel model, Duration maxGap) {
        return new Smoothing(model.smoothing(), maxGap);
    }

    public double alpha() {
        return alpha;
    }

    /** Whether readings pass unchanged. */
    public boolean isIdentity() {
        return alpha == 1.0;
    }

    /**
     * Takes a reading into the device's levels and replaces its observed values, in place, by their smoothed
     * levels; NaN (missing) values stay NaN.
     */
    public void apply(DeviceWindow state, double[] raw, long eventTime) {
        if (isIdentity()) {
            return;
        }
        if (state.smoothed == null) {
            state.smoothed = new double[raw.length];
            state.smoothedAt = new long[raw.length];
            java.util.Arrays.fill(state.smoothed, Double.NaN);
            java.util.Arrays.fill(state.smoothedAt, Long.MIN_VALUE);
        }
        for (int j = 0; j < raw.length; j++) {
            double v = raw[j];
            if (Double.isNaN(v)) {
                continue;
            }
            double level = state.smoothed[j];
            boolean fresh = Double.isNaN(level) || eventTime - state.smoothedAt[j] > maxGapMs;
            level = fresh ? v : level + alpha * (v - level);
            state.smoothed[j] = level;
            state.smoothedAt[j] = eventTime;
            raw[j] = level;
        }
    }

    /** A smoothed copy of one recording (rows in time order, NaN = missing), as the job would see it. */
    public double[][] applied(double[][] rows, long[] times) {
        if (rows.length == 0 || isIdentity()) {
            return rows;
        }
        DeviceWindow state = DeviceWindow.empty(1, rows[0].length);
        double[][] out = new double[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            out[i] = rows[i].clone();
            apply(state, out[i], times[i]);
        }
        return out;
    }
}
