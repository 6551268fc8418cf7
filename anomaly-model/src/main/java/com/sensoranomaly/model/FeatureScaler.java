package com.sensoranomaly.model;

import java.io.Serializable;
import java.util.Locale;

/**
 * Maps raw sensor values to the model's scale: {@code scaled = (raw - center) / scale}, per feature.
 * "standard" centres on the training mean and divides by the standard deviation; "minmax" maps the
 * training range onto [0, 1]. A feature that never varied in training gets scale 1, so it cannot
 * divide by zero and any change of it still shows as error.
 */
public final class FeatureScaler implements Serializable {
    private static final long serialVersionUID = 1L;

    public enum Kind {
        STANDARD, MINMAX;

        public static Kind parse(String s) {
            String v = s.trim().toLowerCase(Locale.ROOT).replace("-", "");
            switch (v) {
                case "standard": return STANDARD;
                case "minmax": return MINMAX;
                default: throw new IllegalArgumentException("unknown scaler '" + s + "' (known: standard, minmax)");
            }
        }

        public String id() { return name().toLowerCase(Locale.ROOT); }
    }

    private final Kind kind;
    private final double[] center;
    private final double[] scale;

    public FeatureScaler(Kind kind, double[] center, double[] scale) {
        if (center.length != scale.length) {
            throw new IllegalArgumentException("scaler center and scale differ in length");
        }
        for (int i = 0; i < scale.length; i++) {
            if (!(scale[i] > 0) || !Double.isFinite(scale[i]) || !Double.isFinite(center[i])) {
                throw new IllegalArgumentException("scaler parameters of feature " + i + " are not usable: center="
                        + center[i] + " scale=" + scale[i]);
            }
        }
        this.kind = kind;
        this.center = center.clone();
        this.scale = scale.clone();
    }

    /** Fits on the given training rows (rows × features, all finite). */
    public static FeatureScaler fit(Kind kind, double[][] rows) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("cannot fit a scaler on no rows");
        }
        FeatureStats stats = FeatureStats.of(rows);
        int f = rows[0].length;
        double[] center = new double[f];
        double[] scale = new double[f];
        for (int j = 0; j < f; j++) {
            if (kind == Kind.STANDARD) {
                center[j] = stats.mean()[j];
                scale[j] = usable(stats.std()[j]);
            } else {
                center[j] = stats.min()[j];
                scale[j] = usable(stats.max()[j] - stats.min()[j]);
            }
        }
        return new FeatureScaler(kind, center, scale);
    }

    private static double usable(double s) {
        return s > 1e-12 && Double.isFinite(s) ? s : 1.0;
    }

    public double scale(int feature, double raw) {
        return (raw - center[feature]) / scale[feature];
    }

    public double unscale(int feature, double scaled) {
        return scaled * scale[feature] + center[feature];
    }

    public double[] scaleRow(double[] raw) {
        double[] out = new double[raw.length];
        for (int j = 0; j < raw.length; j++) {
            out[j] = scale(j, raw[j]);
        }
        return out;
    }

    public int size() { return center.length; }
    public Kind kind() { return kind; }
    public double[] center() { return center.clone(); }
    public double[] scale() { return scale.clone(); }
}
