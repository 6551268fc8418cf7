package com.sensoranomaly.model;

import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Summary of reconstruction errors of normal data: the threshold calibration's raw material.
 * {@code quantiles} maps labels such as "p50", "p99" to values.
 */
public record ErrorStats(long count, double mean, double std, double min, double max,
                         Map<String, Double> quantiles) implements Serializable {

    static final double[] REPORTED = {0.5, 0.9, 0.95, 0.99, 0.995, 0.999};

    public static ErrorStats of(double[] errors) {
        if (errors.length == 0) {
            throw new IllegalArgumentException("no errors to summarise");
        }
        double[] s = errors.clone();
        Arrays.sort(s);
        double sum = 0;
        for (double e : s) {
            sum += e;
        }
        double mean = sum / s.length;
        double ss = 0;
        for (double e : s) {
            ss += (e - mean) * (e - mean);
        }
        Map<String, Double> q = new LinkedHashMap<>();
        for (double p : REPORTED) {
            q.put(label(p), Quantiles.sorted(s, p));
        }
        return new ErrorStats(s.length, mean, Math.sqrt(ss / s.length), s[0], s[s.length - 1], q);
    }

    /** "p99", "p99.5", ... */
    public static String label(double p) {
        double pct = p * 100;
        return pct == Math.rint(pct) ? "p" + (long) pct : "p" + pct;
    }
}
